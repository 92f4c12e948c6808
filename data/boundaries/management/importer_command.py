"""Shared shape of the importer commands: dry run unless --commit, report on stdout, a
non-zero exit when the import aborted."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ..importers.base import Importer


class ImporterCommand(BaseCommand):
    # dataset name → (option, help) for the files a command lets the caller replace
    path_options: dict[str, tuple[str, str]] = {}

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true",
                            help="write to the database (default: dry run, nothing written)")
        parser.add_argument("--data-dir", type=Path,
                            help="folder with the source files (default: settings.TZ_DATA_DIR)")
        for dataset, (option, help_text) in self.path_options.items():
            parser.add_argument(option, type=Path, dest=f"path_{dataset}", help=help_text)

    def build_importers(self, options, *, data_dir, paths) -> list[Importer]:
        raise NotImplementedError

    def handle(self, *args, **options):
        paths = {dataset: options[f"path_{dataset}"] for dataset in self.path_options
                 if options.get(f"path_{dataset}")}
        aborted = []
        for importer in self.build_importers(options, data_dir=options["data_dir"],
                                             paths=paths):
            report = importer.run(commit=options["commit"])
            self.stdout.write(report.as_text())
            if report.aborted:
                aborted.append(report.name)
                break
        if aborted:
            raise CommandError(f"{', '.join(aborted)} aborted; nothing was written")
        if not options["commit"]:
            self.stdout.write("dry run: nothing written (use --commit)")
