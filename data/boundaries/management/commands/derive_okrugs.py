from ...importers import OkrugDeriver
from ..importer_command import ImporterCommand


class Command(ImporterCommand):
    help = ("Draw approximate rural okrug polygons from the geocoded settlements (Voronoi "
            "cells clipped to the district). Dry run unless --commit.")

    def build_importers(self, options, *, data_dir, paths):
        return [OkrugDeriver(data_dir=data_dir, paths=paths)]
