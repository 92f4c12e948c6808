"""The challenge byte format: canonical, versioned, and strict when parsed back."""

from datetime import UTC, datetime, timedelta

import pytest

from gis_portal.identity.eds import Challenge, ChallengeFormatError, parse_challenge, same_bytes
from gis_portal.identity.eds.challenge import VERSION_LINE

from .conftest import make_challenge

ISSUED = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


def fixed_challenge(**overrides) -> Challenge:
    values = dict(origin="https://tuganzher.kz", purpose="reveal_contacts",
                  challenge_id="0b9b6c2e-6f1e-4d55-9d0b-51f0b6f9f1d2", nonce=bytes(range(32)),
                  user_id="42", target="help-request:17", issued_at=ISSUED,
                  expires_at=ISSUED + timedelta(minutes=5))
    values.update(overrides)
    return Challenge(**values)


def test_the_bytes_are_the_documented_text_and_parse_back():
    challenge = fixed_challenge()
    assert challenge.to_bytes() == (
        b"tugan-zher/eds-challenge/v1\n"
        b"Origin: https://tuganzher.kz\n"
        b"Purpose: reveal_contacts\n"
        b"Challenge: 0b9b6c2e-6f1e-4d55-9d0b-51f0b6f9f1d2\n"
        b"Nonce: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n"
        b"User: 42\n"
        b"Target: help-request:17\n"
        b"Issued-At: 2026-09-01T10:00:00Z\n"
        b"Expires-At: 2026-09-01T10:05:00Z\n")
    assert parse_challenge(challenge.to_bytes()) == challenge


def test_an_empty_target_round_trips():
    challenge = fixed_challenge(purpose="confirm_identity", target="")
    assert b"\nTarget:\n" in challenge.to_bytes()
    assert parse_challenge(challenge.to_bytes()) == challenge


def test_issued_challenges_are_fresh_and_expire_after_the_ttl():
    first, second = make_challenge(), make_challenge()
    assert first.nonce != second.nonce and first.challenge_id != second.challenge_id
    assert first.expires_at - first.issued_at == timedelta(minutes=5)
    assert first.is_valid_at(first.issued_at) and first.is_valid_at(first.expires_at)
    assert not first.is_valid_at(first.expires_at + timedelta(seconds=1))
    assert not first.is_valid_at(first.issued_at - timedelta(seconds=1))


def test_issuing_needs_an_aware_time():
    with pytest.raises(ValueError, match="timezone"):
        make_challenge(now=datetime(2026, 9, 1, 10, 0))


@pytest.mark.parametrize("mutate", [
    lambda b: b.replace(b"\n", b"\r\n"),
    lambda b: b.replace(b"Target: ", b"Target:  "),
    lambda b: b.replace(b"v1", b"v2"),
    lambda b: b.replace(b"User: 42", b"user: 42"),
    lambda b: b.rstrip(b"\n"),
    lambda b: b + b"Extra: 1\n",
    lambda b: b.replace(b"0b9b6c2e", b"0B9B6C2E"),
    lambda b: b.replace(b"10:00:00Z", b"10:00:00+00:00"),
    lambda b: b.replace(b"Nonce: AAEC", b"Nonce: AAE"),
    lambda b: b.replace(b"help-request:17", "помощь".encode()),
    lambda b: b"\xff" + b,
    lambda b: b * 4,
], ids=["crlf", "double-space", "version", "key-case", "no-final-newline", "extra-line",
        "uuid-case", "time-offset", "short-nonce", "non-ascii", "not-utf8", "too-long"])
def test_non_canonical_bytes_are_refused(mutate):
    with pytest.raises(ChallengeFormatError):
        parse_challenge(mutate(fixed_challenge().to_bytes()))


def test_swapped_lines_are_refused():
    lines = fixed_challenge().to_bytes().split(b"\n")
    lines[5], lines[6] = lines[6], lines[5]
    with pytest.raises(ChallengeFormatError):
        parse_challenge(b"\n".join(lines))


@pytest.mark.parametrize("overrides", [
    {"origin": "https://Tuganzher.kz"}, {"origin": "javascript:alert(1)"},
    {"purpose": "Reveal"}, {"user_id": "42\nTarget: x"}, {"user_id": ""},
    {"target": "a b"}, {"challenge_id": "not-a-uuid"}, {"nonce": b"short"},
    {"issued_at": datetime(2026, 9, 1, 10, 0)},
    {"issued_at": ISSUED.replace(microsecond=5)},
    {"expires_at": ISSUED}, {"expires_at": ISSUED + timedelta(hours=2)},
])
def test_fields_that_could_break_the_format_are_refused(overrides):
    with pytest.raises(ChallengeFormatError):
        fixed_challenge(**overrides)


def test_the_version_line_leads():
    assert fixed_challenge().to_bytes().startswith(VERSION_LINE.encode() + b"\n")


def test_constant_time_comparison():
    assert same_bytes(b"abc", b"abc")
    assert not same_bytes(b"abc", b"abd")
