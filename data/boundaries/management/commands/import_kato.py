from ... import manifest
from ...importers import KatoImporter
from ..importer_command import ImporterCommand


class Command(ImporterCommand):
    help = ("Import the rural okrugs and village/town administrations of the KATO classifier "
            "(2024 generation; needs import_boundaries). Dry run unless --commit.")
    path_options = {manifest.KATO: ("--kato", "kato.csv instead of the manifest's")}

    def build_importers(self, options, *, data_dir, paths):
        return [KatoImporter(data_dir=data_dir, paths=paths)]
