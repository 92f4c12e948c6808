"""Progress of long commands: bars on a terminal, nothing when piped."""

import io

import pytest
from django.core.management import call_command

from gis_portal.progress import SILENT, CommandProgress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _run(stream):
    with CommandProgress(stream) as progress:
        with progress.step("import_settlements") as task:
            task.start(total=3)
            for _ in range(3):
                task.advance()
        with progress.step("derive_okrugs") as task:
            task.finish(7)
    return stream.getvalue()


def test_bars_with_counts_on_a_terminal():
    output = _run(Terminal())
    assert "import_settlements" in output and "3/3" in output
    assert "derive_okrugs" in output and "7/7" in output


def test_silent_when_not_a_terminal():
    assert _run(io.StringIO()) == ""
    with CommandProgress(io.StringIO()).step("anything") as task:
        assert task is SILENT


@pytest.mark.django_db
def test_piped_load_command_prints_only_its_report(reference_data):
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    text = out.getvalue()
    assert text.startswith("reference data already loaded")
    assert "\x1b[" not in text  # no terminal control sequences
