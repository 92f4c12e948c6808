from django.core.management.base import BaseCommand, CommandError

from layers.routes.roads import RoadDataError, load_schematic_graph


class Command(BaseCommand):
    help = ("Load the schematic national road corridor graph from TZ_DATA_DIR/roads into the "
            "planner's pgRouting edges table (dry run unless --commit; safe to run again).")

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="write to the database")
        parser.add_argument("--data-dir", help="reference data folder (default TZ_DATA_DIR)")

    def handle(self, *args, commit=False, data_dir=None, **options):
        try:
            report = load_schematic_graph(data_dir, commit=commit)
        except RoadDataError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
