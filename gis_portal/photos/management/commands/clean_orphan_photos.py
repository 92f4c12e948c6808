"""Remove photo files that no Photo row names (uploads of a write that was rolled back)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from gis_portal.photos.models import Photo


class Command(BaseCommand):
    help = "Remove photo files no Photo row refers to. Dry run unless --commit."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="delete the files")

    def handle(self, *args, commit=False, **options):
        root = Path(settings.MEDIA_ROOT) / "photos"
        if not root.is_dir():
            self.stdout.write("no photo folder")
            return
        known = set()
        for image, thumbnail in Photo.objects.values_list("image", "thumbnail").iterator():
            known.update((image, thumbnail))
        orphans = [path for path in root.rglob("*.jpg")
                   if path.relative_to(settings.MEDIA_ROOT).as_posix() not in known]
        for path in orphans:
            if commit:
                path.unlink(missing_ok=True)
        verb = "removed" if commit else "would remove"
        self.stdout.write(f"{verb} {len(orphans)} orphan file(s)")
