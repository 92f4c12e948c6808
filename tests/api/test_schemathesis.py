"""The whole public API fuzzed from its own OpenAPI schema (schemathesis) against the portal
running under gunicorn: valid and invalid input for every operation, and no answer is a server
error or differs from what the schema promises (status code, content type, body).

Deterministic: Hypothesis is derandomized and keeps no example database, so a CI run sends the
same requests every time; the example count per operation and mode bounds the run to a few
minutes. Every operation is run to the end and the failures of all of them are listed at once,
each with the curl command that replays it."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

# Valid (positive) and invalid (negative) inputs per operation: 14 operations × 2 modes, about
# a minute against the test server on a busy 2-core machine.
EXAMPLES_PER_OPERATION_AND_MODE = 50
# gunicorn answers 414 itself when a request line passes its limit (4094 bytes): the request
# never reaches the portal, whose answers are what the schema documents.
REQUEST_LINE_TOO_LONG = 414


def portal_answers_only(check):
    def checked(ctx, response, case):
        if response.status_code == REQUEST_LINE_TOO_LONG:
            return None
        return check(ctx, response, case)

    checked.__name__ = check.__name__
    return checked


CHECKS = [not_a_server_error] + [
    portal_answers_only(check)
    for check in (status_code_conformance, content_type_conformance,
                  response_schema_conformance)]
# Distinct failures shown per operation: enough to see the pattern, short enough to read.
FAILURES_SHOWN_PER_OPERATION = 3


def load_portal_openapi(base_url: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json", timeout=60)
    schema.config.update(base_url=base_url)
    # NUL bytes and other control characters in generated values, on purpose.
    schema.config.generation.update(allow_x00=True, deterministic=True)
    return schema


def fuzz_operation(operation, mode: GenerationMode, base_url: str) -> list[str]:
    """Send the operation's generated requests; return a description of each failure."""
    failures: dict[str, str] = {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, derandomize=True, database=None,
              deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case):
        try:
            case.call_and_validate(checks=CHECKS, timeout=60)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.setdefault(
                    f"{operation.label} [{mode.value}] {failure.title}",
                    f"{failure.message.strip()[:300]}\n    {case.as_curl_command()}")

    try:
        run()
    except Unsatisfiable:
        pass  # nothing to make invalid: an operation without parameters has no negative case
    return [f"{key}: {detail}" for key, detail in failures.items()][
        :FAILURES_SHOWN_PER_OPERATION]


def test_every_operation_answers_as_its_schema_says(portal_server):
    schema = load_portal_openapi(portal_server)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14, [operation.label for operation in operations]
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += fuzz_operation(operation, mode, portal_server)
    assert not failures, "\n".join(failures)
