"""The OGC API fuzzed from its own OpenAPI document (schemathesis) against the running portal:
valid and invalid input for the generic operations and those of two collections (a point and
a polygon layer); no answer is a server error or differs from what the document promises.
Deterministic, as tests/api/test_schemathesis.py, with fewer examples: every collection's
operations are generated from the same code."""

import pytest
import schemathesis
from schemathesis import GenerationMode

from tests.api.test_schemathesis import fuzz_operation

pytestmark = pytest.mark.django_db

FUZZED_COLLECTIONS = ("settlements", "areas")


def test_ogc_operations_answer_as_the_document_says(portal_server, monkeypatch):
    import tests.api.test_schemathesis as portal_fuzz

    # A smaller sample than the portal API's: items pages can be 10,000 features long.
    monkeypatch.setattr(portal_fuzz, "EXAMPLES_PER_OPERATION_AND_MODE", 8)
    schema = schemathesis.openapi.from_url(f"{portal_server}/ogc/api", timeout=60)
    schema.config.update(base_url=f"{portal_server}/ogc")
    schema.config.generation.update(allow_x00=True, deterministic=True)
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        parts = operation.path.split("/")
        if len(parts) > 2 and parts[1] == "collections" and parts[2] not in FUZZED_COLLECTIONS:
            continue
        operations.append(operation)
    assert len(operations) >= 18, [operation.label for operation in operations]
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += fuzz_operation(operation, mode, portal_server)
    assert not failures, "\n".join(failures)
