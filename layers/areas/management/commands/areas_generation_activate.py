from django.core.management.base import BaseCommand, CommandError

from layers.areas.generations import activate_generation
from layers.areas.models import BoundaryGeneration


class Command(BaseCommand):
    help = ("Make a boundary generation current (e.g. 2024) and re-tag every area-tagged "
            "layer against it, in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("code", help="generation code, e.g. 2018 or 2024")

    def handle(self, *args, code, **options):
        try:
            touched = activate_generation(code)
        except BoundaryGeneration.DoesNotExist as exc:
            known = ", ".join(BoundaryGeneration.objects.values_list("code", flat=True))
            raise CommandError(f"no boundary generation {code!r} (loaded: {known or 'none'})"
                               ) from exc
        self.stdout.write(f"boundary generation {code} is current")
        for label, rows in touched.items():
            self.stdout.write(f"re-tagged {label}: {rows} rows")
