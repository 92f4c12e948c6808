from django.core.management.base import BaseCommand, CommandError

from layers.routes.roads import RoadDataError, import_osm_roads


class Command(BaseCommand):
    help = ("Build the planner's road graph from an OpenStreetMap extract (trunk, primary and "
            "secondary roads; .osm.pbf, .gpkg or GeoJSON) and make it the active network, "
            "replacing the schematic corridors (dry run unless --commit).")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the extract, e.g. kazakhstan-latest.osm.pbf")
        parser.add_argument("--commit", action="store_true", help="write to the database")
        parser.add_argument("--slug", default="osm-roads", help="name of the network")
        parser.add_argument("--layer", help="layer of the file (default: lines for OSM files)")
        parser.add_argument("--keep-active", action="store_true",
                            help="store the network without making it the active one")

    def handle(self, *args, path, commit=False, slug="osm-roads", layer=None,
               keep_active=False, **options):
        try:
            report = import_osm_roads(path, slug=slug, commit=commit, activate=not keep_active,
                                      layer=layer)
        except RoadDataError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
