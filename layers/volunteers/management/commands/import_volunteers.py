"""Upload a list of volunteers: a dry run by default, --commit to write it."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from layers.volunteers.importer import import_file


class Command(BaseCommand):
    help = ("Check (and with --commit write) a CSV or XLSX list of volunteers as the "
            "given staff user: every row is checked, and nothing is written if one is wrong.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True,
                            help="username of the staff member uploading the list")
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, path, user, commit, **options):
        uploader = get_user_model().objects.filter(username=user).first()
        if uploader is None:
            raise CommandError(f"no user {user!r}")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no file {path}")
        report = import_file(user=uploader, data=file.read_bytes(), filename=file.name,
                             commit=commit)
        for line in report.lines():
            self.stdout.write(line)
        counts = report.counts()
        summary = (f"{counts['rows']} rows: {counts['new']} new, {counts['update']} updates, "
                   f"{counts['error']} with errors")
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"written. {summary}"))
        elif report.errors:
            raise CommandError(f"nothing written. {summary}")
        else:
            self.stdout.write(f"dry run, nothing written. {summary}. Add --commit to write.")
