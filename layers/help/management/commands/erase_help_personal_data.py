"""Archive help requests fulfilled long ago and erase their personal data (run daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from layers.help.actions import erase_expired, refresh_age_bands
from layers.help.models import HelpRequest


class Command(BaseCommand):
    help = (f"Erase name, phone, address and exact position of help requests fulfilled or "
            f"archived more than TZ_HELP_ERASE_AFTER_DAYS (now {settings.TZ_HELP_ERASE_AFTER_DAYS})"
            f" days ago, and move people into this year's age band. Dry run without --commit.")

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true")

    def handle(self, *args, commit, **options):
        with transaction.atomic():
            erased = erase_expired(timezone.now())
            moved = refresh_age_bands()
            if not commit:
                transaction.set_rollback(True)
        left = HelpRequest.objects.filter(status=HelpRequest.Status.ARCHIVED,
                                          erased_at__isnull=True).count()
        verb = "erased" if commit else "would erase"
        self.stdout.write(f"{verb} the personal data of {erased} requests; {moved} age bands "
                          f"{'moved' if commit else 'would move'}; {left} archived requests "
                          f"keep theirs for now")
