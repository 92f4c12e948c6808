"""Blind indexes: exact look-ups and de-duplication on encrypted values.

`blind_index(value, purpose)` is HMAC-SHA256 under a key derived from
settings.TZ_PRIVACY_INDEX_KEY and the purpose, so
- equal normalised values of one purpose give equal indexes (a unique constraint or an exact
  filter works),
- the same phone gives unrelated indexes under two purposes ("help.phone", "volunteer.phone"):
  one column cannot be joined with another,
- without the server's key nobody can test a guessed phone number against the column.

Normalise before indexing, with the helper of the value's kind: `normalise_phone`,
`normalise_email`, `normalise_name` (or let a BlindIndexField do both on save).
Changing TZ_PRIVACY_INDEX_KEY changes every index (and every coarsened offset): recompute
the indexes with `manage.py rotate_privacy_keys --reindex --commit`.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gis_portal.accounts.phone import normalise_phone as _accounts_normalise_phone

# A purpose is a short label such as "help.phone": no separators that could blur two domains.
_PURPOSE = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,99}")
_SPACES = re.compile(r"\s+")


def _purpose_key(purpose: str) -> bytes:
    if not _PURPOSE.fullmatch(purpose or ""):
        raise ValueError(f"blind index purpose must match {_PURPOSE.pattern}, got {purpose!r}")
    root = settings.TZ_PRIVACY_INDEX_KEY.encode()
    return hmac.new(root, b"tz-blind-index\x00" + purpose.encode(), hashlib.sha256).digest()


def blind_index(value: str, purpose: str) -> str:
    """64 hex characters: HMAC-SHA256 of the (already normalised) value under the purpose's key."""
    if not isinstance(value, str):
        raise TypeError("blind_index takes a normalised str")
    return hmac.new(_purpose_key(purpose), value.encode(), hashlib.sha256).hexdigest()


def keyed_digest(value: str, purpose: str) -> bytes:
    """The raw 32-byte HMAC of `value` under the purpose's key (for derived numbers such as the
    coarsening offset, not for storage)."""
    return hmac.new(_purpose_key(purpose), value.encode(), hashlib.sha256).digest()


def normalise_phone(raw: str) -> str:
    """+7XXXXXXXXXX however it was typed (8 701 …, +7 (701) …); ValidationError otherwise.
    The same rule as sign-in by phone (gis_portal.accounts.phone)."""
    return _accounts_normalise_phone(raw)


def normalise_email(raw: str) -> str:
    """Trimmed and lower-cased; ValidationError when it is not one address."""
    value = unicodedata.normalize("NFC", (raw or "").strip()).lower()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or _SPACES.search(value):
        raise ValidationError(_("Enter a valid e-mail address."))
    return value


def normalise_name(raw: str) -> str:
    """A person's or place's name folded for matching: Unicode NFC, case folded, ё → е,
    runs of spaces as one, no spaces at the ends. Kazakh letters (ә ғ қ ң ө ұ ү һ і) are kept
    as they are: they are different letters, not variants of Russian ones."""
    value = unicodedata.normalize("NFC", raw or "").casefold().replace("ё", "е")
    return _SPACES.sub(" ", value).strip()


def normalise_text(raw: str) -> str:
    """Exact text, only trimmed (for values with their own canonical form, e.g. IIN digits)."""
    return (raw or "").strip()


# The kinds a BlindIndexField names in its `normaliser` (a name, so migrations stay plain).
NORMALISERS = {
    "phone": normalise_phone,
    "email": normalise_email,
    "name": normalise_name,
    "text": normalise_text,
}
