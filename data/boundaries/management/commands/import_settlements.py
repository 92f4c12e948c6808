from ... import manifest
from ...importers import SettlementImporter
from ..importer_command import ImporterCommand


class Command(ImporterCommand):
    help = ("Import KATO settlements, geocoded against OpenStreetMap places within their 2024 "
            "district, and tag them with areas. Dry run unless --commit.")
    path_options = {
        manifest.KATO: ("--kato", "kato.csv instead of the manifest's"),
        manifest.OSM_PLACES: ("--places", "OSM places GeoJSON instead of the manifest's"),
        manifest.ADM0_2018: ("--country", "national boundary file instead of the manifest's"),
    }

    def build_importers(self, options, *, data_dir, paths):
        return [SettlementImporter(data_dir=data_dir, paths=paths)]
