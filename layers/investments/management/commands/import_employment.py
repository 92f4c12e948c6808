from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from layers.investments.actions import InvestmentError
from layers.investments.importer import EMPLOYMENT_COLUMNS, import_employment, template


class Command(BaseCommand):
    help = ("Import settlements' employment indicators (CSV or XLSX, one row per settlement "
            "and year): a dry run with a row-by-row report unless --commit; a settlement and "
            "year already known is updated. --template FILE writes an empty list.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file, .csv or .xlsx (or the template to write)")
        parser.add_argument("--commit", action="store_true", help="write to the database")
        parser.add_argument("--template", action="store_true",
                            help="write an empty template (headers in Kazakh and Russian)")

    def handle(self, *args, path, commit=False, **options):
        if options["template"]:
            fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
            Path(path).write_bytes(template(EMPLOYMENT_COLUMNS, fmt))
            self.stdout.write(f"template written to {path}")
            return
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no file {path}")
        try:
            report = import_employment(name=file.name, content=file.read_bytes(), commit=commit)
        except InvestmentError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.rejected:
            raise CommandError(report.summary())
