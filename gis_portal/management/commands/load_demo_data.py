from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = "Load the demo content of a local portal (dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="write to the database")

    def handle(self, *args, commit=False, **options):
        if not settings.TZ_DEMO_LOADERS:
            # Production settings list no loaders: a demo superuser with a published password
            # must never reach a real portal.
            raise CommandError("demo data is disabled in these settings (TZ_DEMO_LOADERS is "
                               "empty, as in production): nothing loaded. Demo content is for "
                               "a local portal (gis_portal.settings.dev) only.")
        report = {"created": [], "unchanged": []}
        try:
            with transaction.atomic():
                for dotted in settings.TZ_DEMO_LOADERS:
                    import_string(dotted)(report)
                if not commit:
                    raise DryRun
        except DryRun:
            self.stdout.write("dry run: nothing written (use --commit)")
        except ImportError as exc:
            raise CommandError(f"demo loader not found: {exc}") from exc
        for item in report["created"]:
            self.stdout.write(f"created: {item}")
        for item in report["unchanged"]:
            self.stdout.write(f"unchanged: {item}")
