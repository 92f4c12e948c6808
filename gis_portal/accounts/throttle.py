"""How login throttling (django-axes) names who is trying to sign in, and when they may again.

Axes counts failures per (account key, client address). The account key is resolved the way
sign-in resolves the identifier (`backends.users_matching`), so the e-mail, "+7 701 234 56 78"
and "87012345678" of one account share one count. An identifier that names no single account is
counted under a keyed hash of its normalised form: the throttle table then holds no typed
e-mail or phone of a stranger, and unknown and known accounts lock out after the same number of
tries (the lockout says nothing about whether an account exists).
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max

from .backends import users_matching
from .phone import looks_like_phone, normalise_phone

USERNAME_FIELD = "username"  # the sign-in and admin login forms' identifier field


def normalised_identifier(identifier: str) -> str:
    identifier = (identifier or "").strip()
    if looks_like_phone(identifier):
        try:
            return normalise_phone(identifier)
        except ValidationError:
            pass
    return identifier.lower()


def key_for_identifier(identifier: str) -> str:
    users = list(users_matching(identifier).values_list("pk", flat=True)[:2])
    if len(users) == 1:
        return f"account:{users[0]}"
    digest = hmac.new(settings.SECRET_KEY.encode(), normalised_identifier(identifier).encode(),
                      hashlib.sha256).hexdigest()
    return f"unknown:{digest[:32]}"


def lockout_key(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the account key of the identifier being tried."""
    if credentials and credentials.get(USERNAME_FIELD) is not None:
        identifier = credentials[USERNAME_FIELD]
    else:
        identifier = getattr(request, "POST", {}).get(USERNAME_FIELD, "")
    # Axes asks several times per request: resolve each identifier once.
    cache = request.__dict__.setdefault("_tz_lockout_keys", {})
    if identifier not in cache:
        cache[identifier] = key_for_identifier(identifier)
    return cache[identifier]


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the request came from. Behind N reverse proxies of
    our own (AXES_IPWARE_PROXY_COUNT = N), the N-th X-Forwarded-For entry from the right: the one
    our outermost proxy appended. Entries left of it are whatever the client sent and are never
    read, or anyone could pick a fresh address for every guess."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def retry_after(request, credentials=None):
    """When the locked-out pair may try again: the last counted failure plus the cool-off."""
    from axes.handlers.database import AxesDatabaseHandler
    from axes.helpers import get_cool_off

    handler = AxesDatabaseHandler()
    last = None
    for attempts in handler.get_user_attempts(request, credentials):
        latest = attempts.aggregate(latest=Max("attempt_time"))["latest"]
        if latest and (last is None or latest > last):
            last = latest
    if last is None:
        return None
    return last + get_cool_off(request)
