"""manage.py import_projects FILE --area KATO [--commit]: an akimat's list of social projects
(CSV or XLSX, the template's columns). A dry run unless --commit; the report says, row by row,
what was (or would be) created, updated or refused. A commit with any refused row writes
nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from layers.areas.models import AdminArea
from layers.projects import importer
from layers.projects.actions import ProjectError


class Command(BaseCommand):
    help = "Import a list of social projects (CSV or XLSX); dry run unless --commit."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file with the template's columns")
        parser.add_argument("--area", required=True,
                            help="KATO code of the area the list belongs to (its references "
                                 "are unique within it)")
        parser.add_argument("--commit", action="store_true", help="write the projects")
        parser.add_argument("--template", action="store_true",
                            help="write the XLSX template to FILE instead of importing")

    def handle(self, *args, file, area, commit, template, **options):
        path = Path(file)
        if template:
            path.write_bytes(importer.template_xlsx())
            self.stdout.write(f"template written to {path}")
            return
        if not path.is_file():
            raise CommandError(f"no file {path}")
        found = AdminArea.objects.filter(generation__is_current=True, kato=area).first()
        if found is None:
            raise CommandError(f"no area with KATO code {area} in the current boundary "
                               f"generation")
        try:
            report = importer.import_projects(name=path.name, data=path.read_bytes(),
                                              area=found, commit=commit)
        except ProjectError as error:
            raise CommandError(error.message) from error
        for line in report.lines():
            self.stdout.write(line)
        if report.rejected:
            raise CommandError(f"{report.rejected} rows refused; nothing written")
