"""Kazakh and Russian are complete: no message of the portal falls back to English."""

import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "gis_portal" / "locale"
CATALOGUES = [pytest.param(path, id=f"{path.parent.parent.name}/{path.name}")
              for language in ("kk", "ru")
              for path in sorted((LOCALE / language / "LC_MESSAGES").glob("*.po"))]


def entries(path: Path, *flags: str) -> list[str]:
    listed = subprocess.run(["msgattrib", *flags, "--no-wrap", str(path)], check=True,
                            capture_output=True, text=True).stdout
    # The header (msgid "") is not a message.
    return [line for line in listed.splitlines()
            if line.startswith("msgid ") and line != 'msgid ""']


def test_both_languages_have_their_catalogues():
    assert len(CATALOGUES) == 4


@pytest.mark.parametrize("path", CATALOGUES)
def test_every_message_is_translated(path):
    assert entries(path, "--untranslated") == []
    assert entries(path, "--only-fuzzy") == []
