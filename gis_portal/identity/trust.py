"""The portal's EDS verifier, built from the EDS_* settings (design/eds.md B5, B6).

`get_verifier()` builds it once per process and keeps it; changing an EDS_* setting (tests'
override_settings) drops it, and `reset_verifier()` does so by hand. The EDS flow reads the
time through `now()`, so a test can run it at another moment with `use_clock()`: the
national test PKI's CRL is only current inside a fixed window.

`check_production_trust()` is what prod.py runs at start-up: no NCA *test* anchor, and the
anchors exactly the recorded fingerprints.
"""

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from .eds import (
    EdsPolicy,
    EdsVerifier,
    NoRevocationCheck,
    OfflineRevocationSource,
    OnlineRevocationSource,
    RevocationSource,
    TrustConfigurationError,
    load_certificate_files,
    require_fingerprints,
    sha256_fingerprint,
)
from .eds.algorithms import GOST2015_512, RSA_SHA256

logger = logging.getLogger(__name__)

# Extended key usage of an individual person's NCA RK certificate: NCALayer offers only such keys.
INDIVIDUAL_EKU = "1.2.398.3.3.4.1.1"

# The NCA RK test CAs (shared/data/eds/nca-test: the GOST 2022 root and intermediate, the older
# GOST and RSA intermediates). Anyone can get a certificate under them: never in production.
NCA_TEST_ANCHOR_SHA256 = frozenset({
    "b995e79e7c07429f8f79e185451e5599ce342ac720000f01b3854fdfa03031a6",
    "beeffc0bdb77cd798c35983eb0715f6ef0051cccb71d7cd05505e8a4fb2c6f4d",
    "0307e8bdf77cb708b7c9d9a5799facdc6de7154447cb394af9ac9b528c3d82c7",
    "7e96a36409dc11e0fc99efae41f8c639e16a495d77c2f2278edb98580f997231",
})
_TEST_WORD = re.compile(r"\bTEST\b")
# What the challenge format accepts as an origin: scheme, lower-case host, optional port.
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")

_lock = threading.Lock()
_verifier: EdsVerifier | None = None
_clock: Callable[[], datetime] = timezone.now


def get_verifier() -> EdsVerifier:
    """The verifier of this process; ImproperlyConfigured says what is missing or wrong."""
    global _verifier
    with _lock:
        if _verifier is None:
            _verifier = build_verifier()
        return _verifier


def reset_verifier() -> None:
    global _verifier
    with _lock:
        _verifier = None


@receiver(setting_changed)
def _drop_verifier_on_setting_change(*, setting: str, **kwargs) -> None:
    if setting.startswith("EDS_") or setting == "DEBUG":
        reset_verifier()


def build_verifier() -> EdsVerifier:
    if not settings.EDS_TRUST_ANCHORS:
        raise ImproperlyConfigured("EDS_TRUST_ANCHORS is empty: no NCA RK root is trusted")
    try:
        anchors = load_certificate_files(settings.EDS_TRUST_ANCHORS)
        if settings.EDS_TRUST_ANCHOR_SHA256:
            require_fingerprints(anchors, settings.EDS_TRUST_ANCHOR_SHA256)
        intermediates = load_certificate_files(settings.EDS_INTERMEDIATES)
    except (OSError, TrustConfigurationError) as error:
        raise ImproperlyConfigured(f"EDS trust anchors or intermediates: {error}") from error
    return EdsVerifier(anchors, intermediates, revocation_source(), policy(), clock=now)


def revocation_source() -> RevocationSource:
    mode = settings.EDS_REVOCATION
    if mode == "online":
        return OnlineRevocationSource(
            settings.EDS_REVOCATION_HOSTS, timeout=settings.EDS_REVOCATION_TIMEOUT_SECONDS,
            ocsp_max_age=timedelta(seconds=settings.EDS_OCSP_MAX_AGE_SECONDS))
    if mode == "offline":
        # The files are watched: a CRL replaced on disk counts from the next verification.
        try:
            return OfflineRevocationSource(
                crl_files=settings.EDS_REVOCATION_CRLS,
                ocsp_files=settings.EDS_REVOCATION_OCSP_RESPONSES)
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(f"EDS offline revocation files: {error}") from error
    if mode == "none":
        if not settings.DEBUG:
            raise ImproperlyConfigured("EDS_REVOCATION='none' is allowed only with DEBUG")
        logger.warning("EDS_REVOCATION='none': revoked certificates will be ACCEPTED. "
                       "Development only.")
        return NoRevocationCheck(debug=True)
    raise ImproperlyConfigured(f"EDS_REVOCATION must be online, offline or none, not {mode!r}")


def policy() -> EdsPolicy:
    algorithms = {RSA_SHA256.name}
    if settings.EDS_ALLOW_GOST:
        algorithms.add(GOST2015_512.name)
    return EdsPolicy(algorithms=frozenset(algorithms))


def site_origin() -> str:
    origin = settings.EDS_SITE_ORIGIN
    if not _ORIGIN.fullmatch(origin):
        raise ImproperlyConfigured(
            f"EDS_SITE_ORIGIN must look like https://example.kz (lower case, no path), "
            f"not {origin!r}")
    return origin


def ncalayer_socket_source() -> str:
    """EDS_NCALAYER_URL as a Content-Security-Policy source: scheme, host and port."""
    parts = urlsplit(settings.EDS_NCALAYER_URL)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ImproperlyConfigured("EDS_NCALAYER_URL must be a ws:// or wss:// URL")
    return f"{parts.scheme}://{parts.netloc}"


def now() -> datetime:
    """The time of the EDS flow: issue, expiry, verification and the confirmation's window."""
    return _clock()


@contextmanager
def use_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Run the EDS flow on another clock (tests: challenge expiry, the NCA test CRL's window)."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield
    finally:
        _clock = previous


def check_production_trust(anchor_paths: Iterable[str], pins: Iterable[str]) -> None:
    """Refuse NCA test anchors and anchors that are not exactly the recorded fingerprints."""
    anchor_paths, pins = list(anchor_paths), list(pins)
    for path in anchor_paths:
        if "nca-test" in Path(path).parts:
            raise ImproperlyConfigured(f"EDS trust anchor {path} is from the NCA test PKI")
    try:
        anchors = load_certificate_files(anchor_paths)
    except (OSError, TrustConfigurationError) as error:
        raise ImproperlyConfigured(f"EDS trust anchors: {error}") from error
    for anchor in anchors:
        common_name = str(anchor.subject.native.get("common_name", ""))
        if sha256_fingerprint(anchor) in NCA_TEST_ANCHOR_SHA256 or _TEST_WORD.search(
                common_name.upper()):
            raise ImproperlyConfigured(
                f"EDS trust anchor {sha256_fingerprint(anchor)} is a test CA")
    if anchors and not pins:
        raise ImproperlyConfigured("EDS_TRUST_ANCHOR_SHA256 must pin every trust anchor")
    try:
        require_fingerprints(anchors, pins)
    except TrustConfigurationError as error:
        raise ImproperlyConfigured(str(error)) from error
