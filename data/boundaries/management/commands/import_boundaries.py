from ... import manifest
from ...importers import GENERATIONS, BoundaryImporter
from ..importer_command import ImporterCommand


class Command(ImporterCommand):
    help = ("Import oblast and district polygons of the 2018 and/or 2024 boundary generations "
            "(2024 named after the KATO classifier). Dry run unless --commit.")
    path_options = {
        "adm1": ("--adm1", "ADM1 (oblast) file instead of the manifest's"),
        "adm2": ("--adm2", "ADM2 (district) file instead of the manifest's"),
        manifest.KATO: ("--kato", "kato.csv instead of the manifest's"),
    }

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--generation", choices=[*GENERATIONS, "all"], default="all")

    def build_importers(self, options, *, data_dir, paths):
        codes = list(GENERATIONS) if options["generation"] == "all" else [options["generation"]]
        importers = []
        for code in codes:
            spec = GENERATIONS[code]
            # --adm1/--adm2 name whichever generation is imported
            spec_paths = {{"adm1": spec.adm1, "adm2": spec.adm2}.get(k, k): v
                          for k, v in paths.items()}
            importers.append(BoundaryImporter(spec, data_dir=data_dir, paths=spec_paths))
        return importers
