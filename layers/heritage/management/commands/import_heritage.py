"""manage.py import_heritage FILE [--kind monuments|nature] [--commit]"""

from django.core.management.base import BaseCommand, CommandError

from layers.core.importing import REFUSED, SKIPPED
from layers.heritage.importer import KINDS, import_register


class Command(BaseCommand):
    help = ("Import a register of monuments or natural sites (CSV, XLSX or GeoJSON). A dry run "
            "unless --commit; prints a row-by-row report.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=KINDS,
                            help="import every row as this kind (default: each row's `kind` "
                                 "column, else monuments); rows of the other kind are skipped")
        parser.add_argument("--commit", action="store_true", help="write the records")

    def handle(self, *args, file, kind=None, commit=False, **options):
        try:
            report = import_register(file, kind=kind, commit=commit)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        for row in report.rows:
            line = f"{row.row:>5}  {row.outcome:<8} {row.key}"
            if row.message:
                line += f"  — {row.message}"
            style = self.style.ERROR if row.outcome == REFUSED else (
                self.style.WARNING if row.outcome == SKIPPED else str)
            self.stdout.write(style(line))
        self.stdout.write(self.style.SUCCESS(report.summary()) if not report.errors
                          else self.style.WARNING(report.summary()))
