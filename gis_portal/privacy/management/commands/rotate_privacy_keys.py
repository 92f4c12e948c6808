from django.core.management.base import BaseCommand, CommandError

from gis_portal.privacy.crypto import DecryptionError
from gis_portal.privacy.rotation import reindex_all, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted personal-data column under the first key of "
        "TZ_PRIVACY_KEYS (dry run unless --commit). Run after putting a new key first; drop "
        "the old key only once this reports nothing left to re-encrypt. With --reindex it "
        "also recomputes every blind index (needed after TZ_PRIVACY_INDEX_KEY changed; the "
        "apps' stored coarsened positions depend on that key too)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="write to the database")
        parser.add_argument("--reindex", action="store_true",
                            help="also recompute blind indexes under TZ_PRIVACY_INDEX_KEY")

    def handle(self, *args, commit=False, reindex=False, **options):
        reports = rotate_all(commit=commit)
        verb = "re-encrypted" if commit else "to re-encrypt"
        for report in reports:
            self.stdout.write(
                f"{report.label}: {report.rows} values, {report.reencrypted} {verb}, "
                f"{report.current} already under the newest key, {report.unreadable} unreadable"
            )
        if not reports:
            self.stdout.write("no encrypted fields in the installed models")
        if reindex:
            self.reindex(commit)
        if not commit:
            self.stdout.write("dry run: nothing written (use --commit)")
        unreadable = sum(report.unreadable for report in reports)
        if unreadable:
            raise CommandError(
                f"{unreadable} values open under no key in TZ_PRIVACY_KEYS and were left as they "
                "are: put the key that wrote them back into TZ_PRIVACY_KEYS and run again"
            )

    def reindex(self, commit: bool):
        verb = "recomputed" if commit else "to recompute"
        try:
            reports = reindex_all(commit=commit)
        except DecryptionError as exc:
            raise CommandError(f"{exc}: fix TZ_PRIVACY_KEYS before recomputing indexes") from exc
        for report in reports:
            self.stdout.write(f"{report.label}: {report.rows} rows, {report.recomputed} {verb}, "
                              f"{report.current} current")
