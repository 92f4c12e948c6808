from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from layers.core.errors import BadQuery
from layers.core.query import resolve_area
from layers.investments.actions import InvestmentError
from layers.investments.importer import PROJECT_COLUMNS, import_projects, template


class Command(BaseCommand):
    help = ("Import an akimat's list of investment projects (CSV or XLSX) for an area: a dry "
            "run with a row-by-row report unless --commit; uploading the list again updates "
            "the projects of the same numbers. --template FILE writes an empty list.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the list, .csv or .xlsx (or the template to write)")
        parser.add_argument("--area", help="KATO code of the area the list is for")
        parser.add_argument("--commit", action="store_true", help="write to the database")
        parser.add_argument("--template", action="store_true",
                            help="write an empty template (headers in Kazakh and Russian)")

    def handle(self, *args, path, area=None, commit=False, **options):
        if options["template"]:
            fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
            Path(path).write_bytes(template(PROJECT_COLUMNS, fmt))
            self.stdout.write(f"template written to {path}")
            return
        if not area:
            raise CommandError("give --area KATO: the area the list is for")
        try:
            area_obj = resolve_area(area)
        except BadQuery as exc:
            raise CommandError(exc.message) from exc
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no file {path}")
        try:
            report = import_projects(name=file.name, content=file.read_bytes(), area=area_obj,
                                     commit=commit)
        except InvestmentError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.rejected:
            raise CommandError(report.summary())
