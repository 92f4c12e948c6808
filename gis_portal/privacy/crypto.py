"""Encryption of personal data at rest: Fernet (AES-128-CBC + HMAC-SHA256, random IV) under the
keys of settings.TZ_PRIVACY_KEYS, newest first.

MultiFernet writes under the first key and reads under any, so a new key is rolled out by
putting it first, running `manage.py rotate_privacy_keys --commit`, and then dropping the old
key. Tokens are random per write: equal values give different tokens, so the database reveals
neither equality nor content (only the rough length and the time of writing).
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class PrivacyCryptoError(Exception):
    """Base of the toolkit's typed errors. Messages never contain a value or a key."""


class DecryptionError(PrivacyCryptoError):
    """A stored token is readable under none of TZ_PRIVACY_KEYS: the key that wrote it was
    removed or is wrong, or the token was altered. Never answered with a guess."""


def fernet_for(key: str, position: int = 0) -> Fernet:
    """One Fernet of a configured key; the error names its position, never the key."""
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"TZ_PRIVACY_KEYS[{position}] is not a Fernet key (url-safe base64 of 32 bytes)"
        ) from exc


@lru_cache(maxsize=8)
def _build(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured("TZ_PRIVACY_KEYS is empty: personal data cannot be encrypted")
    fernets = [fernet_for(key, i) for i, key in enumerate(keys)]
    return MultiFernet(fernets), fernets[0]


def _current() -> tuple[MultiFernet, Fernet]:
    # Keyed by the settings' value, so override_settings and a reload take effect at once.
    return _build(tuple(settings.TZ_PRIVACY_KEYS))


def encrypt(plaintext: bytes) -> str:
    """A Fernet token (ASCII text) of `plaintext` under the newest key."""
    return _current()[0].encrypt(plaintext).decode("ascii")


def decrypt(token: str, what: str = "a value") -> bytes:
    """The plaintext of a token written under any configured key, or DecryptionError.
    `what` names the column in the error (e.g. "help.HelpRequest.phone"), never the value."""
    try:
        return _current()[0].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(
            f"cannot decrypt {what}: no key in TZ_PRIVACY_KEYS opens it "
            "(the key that wrote it was removed or is wrong, or the stored token was altered)"
        ) from exc


def is_under_newest_key(token: str) -> bool:
    """True when the newest key alone opens the token (nothing to rotate)."""
    try:
        _current()[1].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def reencrypt(token: str, what: str = "a value") -> str:
    """The same plaintext under the newest key (the original write time is kept)."""
    try:
        return _current()[0].rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(f"cannot re-encrypt {what}: no key in TZ_PRIVACY_KEYS opens it") from exc
