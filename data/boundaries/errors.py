"""Errors of the reference data pipeline.

A SourceRejected file is rejected whole: the importer reports it and writes nothing, because a
file that is corrupt in one place (wrong CRS, truncated row, missing column) cannot be trusted
in the others.
"""


class ReferenceDataError(Exception):
    """Base class: the pipeline cannot go on."""


class SourceRejected(ReferenceDataError):
    def __init__(self, source, reason: str):
        self.source = str(source)
        self.reason = reason
        super().__init__(f"{self.source}: {reason}")


class ChecksumMismatch(SourceRejected):
    pass


class PrerequisiteMissing(ReferenceDataError):
    """An importer needs rows another importer writes first (e.g. districts before okrugs)."""
