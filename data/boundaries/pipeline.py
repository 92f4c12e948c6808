"""The whole reference data load: boundaries of both generations, the KATO okrugs, settlements
placed by OSM and GeoNames, approximate okrug polygons, fallback points for the settlements no
gazetteer places, in that order and in one transaction.

A committed load records the manifest checksum; the next call with the same manifest returns
at once (unless forced), which keeps `make run` fast.
"""

import logging
import time
from pathlib import Path

from django.db import connection, transaction

from gis_portal.progress import CommandProgress

from .errors import ReferenceDataError
from .importers import (
    GENERATIONS,
    BoundaryImporter,
    KatoImporter,
    OkrugDeriver,
    SettlementImporter,
    SettlementPlacer,
)
from .importers.base import Importer
from .manifest import manifest_checksum
from .models import ReferenceDataLoad
from .report import PipelineReport

logger = logging.getLogger(__name__)

# Serialises concurrent loads into one database (two `make run` at once).
_ADVISORY_LOCK_KEY = 0x747A5F726566  # "tz_ref"


def build_importers(data_dir: Path | None = None) -> list[Importer]:
    """Each importer reads what the previous ones wrote: districts before okrugs, settlements
    before the okrug polygons drawn from them."""
    settlements = SettlementImporter(data_dir=data_dir)
    okrugs = OkrugDeriver(data_dir=data_dir, retag=False)
    return [
        BoundaryImporter(GENERATIONS["2018"], data_dir=data_dir),
        BoundaryImporter(GENERATIONS["2024"], data_dir=data_dir),
        KatoImporter(data_dir=data_dir),
        settlements,
        okrugs,
        # Places the settlements no gazetteer places, then re-tags what the new okrug
        # polygons and points changed, once.
        SettlementPlacer(data_dir=data_dir, settlement_import=settlements,
                         okrug_deriver=okrugs),
    ]


def load_reference_data(*, commit: bool, data_dir: Path | None = None, force: bool = False,
                        stdout=None, progress: CommandProgress | None = None) -> PipelineReport:
    """Run every importer; write only if commit and no importer aborted. Returns the report
    (also written to stdout when given). progress: bars per step (see gis_portal.progress);
    none by default."""
    progress = progress or CommandProgress(enabled=False)
    started = time.monotonic()
    report = PipelineReport(manifest_sha256=manifest_checksum())
    latest = ReferenceDataLoad.objects.first()
    if not force and latest is not None and latest.manifest_sha256 == report.manifest_sha256:
        report.skipped = True
        _emit(stdout, report.as_text())
        return report

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        for importer in build_importers(data_dir):
            report.steps.append(importer.report)
            with progress.step(importer.name) as task:
                importer.task = task
                ok = _run_step(importer)
                task.finish(sum(importer.report.total(o)
                                for o in ("created", "updated", "unchanged")))
            if not ok:
                break
        report.duration_s = time.monotonic() - started
        if commit and not report.aborted:
            ReferenceDataLoad.objects.create(manifest_sha256=report.manifest_sha256,
                                             duration_s=report.duration_s,
                                             report=report.as_dict())
        else:
            transaction.set_rollback(True)

    report.committed = commit and not report.aborted
    for step in report.steps:
        step.committed = report.committed
    report.duration_s = time.monotonic() - started
    _emit(stdout, report.as_text())
    logger.info("reference data %s in %.1f s", "loaded" if report.committed else "dry run",
                report.duration_s)
    return report


def _run_step(importer: Importer) -> bool:
    """Load one importer inside the pipeline's transaction; False when it aborted."""
    started = time.monotonic()
    try:
        importer.load()
    except ReferenceDataError as exc:
        importer.report.aborted_reason = str(exc)
        logger.error("%s aborted: %s", importer.report.name, exc)
        return False
    finally:
        importer.report.duration_s = time.monotonic() - started
    logger.info("%s done in %.1f s", importer.report.name, importer.report.duration_s)
    return True


def _emit(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)
