"""The importer contract: dry run unless committed, a report, nothing half-written."""

import logging
import time
from pathlib import Path

from django.db import transaction

from gis_portal.progress import SILENT, ProgressTask

from ..errors import ReferenceDataError
from ..fetch import ensure_dataset
from ..report import ImportReport

logger = logging.getLogger(__name__)


class Importer:
    """One source → one set of rows. Subclasses implement load(); run() wraps it.

    Source files come from the manifest (local data folder or download, checksum verified)
    unless `paths` maps a dataset name to a file of the caller's choosing: tests feed bad
    files this way, operators a newer release before it enters the manifest.
    """

    name = ""

    def __init__(self, *, data_dir: Path | None = None, paths: dict[str, Path] | None = None):
        self.data_dir = data_dir
        self.paths = {key: Path(value) for key, value in (paths or {}).items()}
        self.report = ImportReport(self.name)
        # The step's progress bar (silent unless a command on a terminal sets one).
        self.task: ProgressTask = SILENT

    def source(self, dataset: str) -> Path:
        if dataset in self.paths:
            return self.paths[dataset]
        return ensure_dataset(dataset, data_dir=self.data_dir)

    def load(self) -> None:
        raise NotImplementedError

    def run(self, *, commit: bool) -> ImportReport:
        """Load in a transaction that is rolled back unless commit: a dry run computes the same
        report and writes nothing. A rejected file or missing prerequisite aborts the import
        with nothing written."""
        started = time.monotonic()
        try:
            with transaction.atomic():
                self.load()
                if not commit:
                    transaction.set_rollback(True)
            self.report.committed = commit
        except ReferenceDataError as exc:
            self.report.aborted_reason = str(exc)
            logger.error("%s aborted: %s", self.report.name, exc)
        self.report.duration_s = time.monotonic() - started
        return self.report
