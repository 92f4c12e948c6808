"""The production check of the privacy keys: prod.py calls

    check_production_keys(TZ_PRIVACY_KEYS, TZ_PRIVACY_INDEX_KEY)

and the portal refuses to start when a key is missing, a development default, malformed or
repeated. Messages name the setting and the key's position, never a key.

A new Fernet key:  python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
A new index key:   python -c "import secrets; print(secrets.token_urlsafe(48))"
"""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

# The index key is an HMAC key: at least 256 bits of a random string.
MIN_INDEX_KEY_LENGTH = 32
_DEV_PREFIX = "dev-only"


def _fernet_key_bytes(key: str, position: int) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"TZ_PRIVACY_KEYS[{position}] is not url-safe base64 (make one with "
            "cryptography.fernet.Fernet.generate_key())"
        ) from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"TZ_PRIVACY_KEYS[{position}] must decode to 32 bytes, it decodes to {len(raw)}"
        )
    return raw


def check_production_keys(keys: list[str], index_key: str) -> None:
    """Raise ImproperlyConfigured unless every key is a real, distinct secret."""
    if not keys:
        raise ImproperlyConfigured("TZ_PRIVACY_KEYS is required in production (Fernet keys, "
                                   "newest first, comma-separated)")
    # Fernet signs with a key's first 16 bytes and encrypts with the last 16: two keys sharing
    # either half are not independent (hand-made keys padded from one passphrase do that).
    seen_halves: set[bytes] = set()
    for position, key in enumerate(keys):
        raw = _fernet_key_bytes(key, position)
        if raw.startswith(_DEV_PREFIX.encode()):
            raise ImproperlyConfigured(
                f"TZ_PRIVACY_KEYS[{position}] is the development key: set real keys")
        halves = {b"s" + raw[:16], b"e" + raw[16:]}
        if halves & seen_halves:
            raise ImproperlyConfigured(
                f"TZ_PRIVACY_KEYS[{position}] repeats an earlier key (or half of one): "
                "generate each key with Fernet.generate_key()")
        seen_halves |= halves
    if not index_key:
        raise ImproperlyConfigured("TZ_PRIVACY_INDEX_KEY is required in production")
    if index_key.startswith(_DEV_PREFIX):
        raise ImproperlyConfigured("TZ_PRIVACY_INDEX_KEY is the development key: set a real one")
    if len(index_key) < MIN_INDEX_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"TZ_PRIVACY_INDEX_KEY must be a random secret of {MIN_INDEX_KEY_LENGTH}+ characters")
    if index_key in keys:
        raise ImproperlyConfigured("TZ_PRIVACY_INDEX_KEY must differ from every TZ_PRIVACY_KEYS key")
