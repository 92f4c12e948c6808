"""The challenge a user's key signs: canonical, versioned bytes (design/eds.md B3).

Version 1 is ASCII text, one "Key: value" line per field in a fixed order, each line
ending in LF. Text rather than a binary encoding because NCALayer shows the user what
they sign, and the signed text is then a readable statement of intent:

    tugan-zher/eds-challenge/v1
    Origin: https://tuganzher.kz
    Purpose: reveal_contacts
    Challenge: 0b9b6c2e-6f1e-4d55-9d0b-51f0b6f9f1d2
    Nonce: <32 random bytes, base64url without padding>
    User: 42
    Target: help-request:17
    Issued-At: 2026-09-01T10:00:00Z
    Expires-At: 2026-09-01T10:05:00Z

Parsing is strict: the bytes must re-encode to themselves, so one challenge has exactly one
byte form and a signature over it cannot be reinterpreted. Storage, single use and rate
limits belong to the caller (the Django layer).
"""

import base64
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

VERSION_LINE = "tugan-zher/eds-challenge/v1"
NONCE_BYTES = 32
DEFAULT_TTL = timedelta(minutes=5)
MAX_TTL = timedelta(hours=1)
MAX_BYTES = 1024  # a v1 challenge is ~350 bytes; anything longer is not one

_FIELDS = ("Origin", "Purpose", "Challenge", "Nonce", "User", "Target", "Issued-At",
           "Expires-At")
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_USER = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_TARGET = re.compile(r"[A-Za-z0-9._:/-]{0,100}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class ChallengeFormatError(ValueError):
    """The bytes are not a canonical challenge of a known version."""


@dataclass(frozen=True)
class Challenge:
    origin: str
    purpose: str
    challenge_id: str
    nonce: bytes = field(repr=False)
    user_id: str
    target: str
    issued_at: datetime
    expires_at: datetime

    def __post_init__(self):
        _check(_ORIGIN, self.origin, "origin")
        _check(_PURPOSE, self.purpose, "purpose")
        _check(_USER, self.user_id, "user id")
        _check(_TARGET, self.target, "target")
        try:
            canonical_id = str(uuid.UUID(self.challenge_id))
        except (ValueError, TypeError, AttributeError):
            raise ChallengeFormatError("challenge id is not a UUID") from None
        if canonical_id != self.challenge_id:
            raise ChallengeFormatError("challenge id is not in canonical UUID form")
        if not isinstance(self.nonce, bytes) or len(self.nonce) != NONCE_BYTES:
            raise ChallengeFormatError(f"nonce must be {NONCE_BYTES} bytes")
        for name in ("issued_at", "expires_at"):
            moment = getattr(self, name)
            if moment.utcoffset() != timedelta(0) or moment.microsecond:
                raise ChallengeFormatError(f"{name} must be UTC with whole seconds")
        if not timedelta(0) < self.expires_at - self.issued_at <= MAX_TTL:
            raise ChallengeFormatError("expiry must follow issue by at most an hour")

    def to_bytes(self) -> bytes:
        values = (self.origin, self.purpose, self.challenge_id,
                  base64.urlsafe_b64encode(self.nonce).rstrip(b"=").decode("ascii"),
                  self.user_id, self.target, self.issued_at.strftime(_TIME_FORMAT),
                  self.expires_at.strftime(_TIME_FORMAT))
        lines = [VERSION_LINE] + [f"{key}: {value}" if value else f"{key}:"
                                  for key, value in zip(_FIELDS, values, strict=True)]
        return ("\n".join(lines) + "\n").encode("ascii")

    def is_valid_at(self, moment: datetime, skew: timedelta = timedelta(0)) -> bool:
        return self.issued_at - skew <= moment <= self.expires_at


def issue_challenge(*, origin: str, purpose: str, user_id: str, target: str = "",
                    now: datetime | None = None, ttl: timedelta = DEFAULT_TTL) -> Challenge:
    """A fresh challenge with a random nonce and id, valid for `ttl` from `now`."""
    now = now or datetime.now(UTC)
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    issued_at = now.astimezone(UTC).replace(microsecond=0)
    return Challenge(origin=origin, purpose=purpose, challenge_id=str(uuid.uuid4()),
                     nonce=secrets.token_bytes(NONCE_BYTES), user_id=str(user_id),
                     target=target, issued_at=issued_at, expires_at=issued_at + ttl)


def parse_challenge(data: bytes) -> Challenge:
    """The challenge encoded in `data`; ChallengeFormatError unless `data` is canonical."""
    if not isinstance(data, bytes) or len(data) > MAX_BYTES:
        raise ChallengeFormatError("not a challenge")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ChallengeFormatError("a challenge is ASCII text") from None
    lines = text.split("\n")
    if len(lines) != len(_FIELDS) + 2 or lines[0] != VERSION_LINE or lines[-1] != "":
        raise ChallengeFormatError("not a version 1 challenge")
    values = []
    for key, line in zip(_FIELDS, lines[1:-1], strict=True):
        name, separator, value = line.partition(":")
        if name != key or not separator:
            raise ChallengeFormatError(f"expected the {key} line")
        values.append(value[1:] if value.startswith(" ") else value)
    origin, purpose, challenge_id, nonce, user_id, target, issued_at, expires_at = values
    if not _NONCE.fullmatch(nonce):
        raise ChallengeFormatError("nonce is not 32 bytes of base64url")
    challenge = Challenge(origin=origin, purpose=purpose, challenge_id=challenge_id,
                          nonce=base64.urlsafe_b64decode(nonce + "="), user_id=user_id,
                          target=target, issued_at=_parse_time(issued_at),
                          expires_at=_parse_time(expires_at))
    if challenge.to_bytes() != data:
        raise ChallengeFormatError("challenge is not in canonical form")
    return challenge


def same_bytes(a: bytes, b: bytes) -> bool:
    """Constant-time equality, for challenges, nonces and digests."""
    return hmac.compare_digest(a, b)


def _parse_time(value: str) -> datetime:
    try:
        return datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ChallengeFormatError("timestamps are UTC ISO-8601 to the second") from None


def _check(pattern: re.Pattern, value: str, name: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ChallengeFormatError(f"{name} has characters or a length a challenge cannot hold")
