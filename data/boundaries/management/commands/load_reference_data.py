from django.core.management.base import BaseCommand, CommandError

from gis_portal.progress import CommandProgress

from ...pipeline import load_reference_data


class Command(BaseCommand):
    help = ("Load all reference data (boundaries of both generations, KATO okrugs, "
            "settlements, approximate okrug polygons). Dry run unless --commit; skipped when "
            "the same manifest is already loaded unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true",
                            help="write to the database (default: dry run, nothing written)")
        parser.add_argument("--force", action="store_true",
                            help="run even if this manifest is already loaded")

    def handle(self, *args, commit=False, force=False, **options):
        # Bars only on a terminal: piped or in CI the command prints just its report.
        with CommandProgress(self.stdout) as progress:
            report = load_reference_data(commit=commit, force=force, stdout=None,
                                         progress=progress)
        self.stdout.write(report.as_text())
        if report.aborted:
            raise CommandError("reference data load aborted; nothing was written")
