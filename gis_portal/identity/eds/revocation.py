"""Where revocation data comes from (design/eds.md B6).

A RevocationSource hands the chain validator its revocation material for one validation at
a given moment: prepared CRLs and OCSP responses (offline, re-read when their files change),
fetchers limited to an allow-list of hosts (online), or nothing at all (debug only, and
loudly). Data set aside as unusable is named in `RevocationMaterial.problems`, so a
`revocation_unknown` failure can say why in its audit row.
"""

import asyncio
import hashlib
import http.client
import logging
import os
import threading
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from asn1crypto import algos, core, crl, ocsp, pem, x509
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError
from pyhanko_certvalidator.fetchers import CertificateFetcher, CRLFetcher, Fetchers, OCSPFetcher

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# How old an OCSP answer fetched online may be (its producedAt) when used: NCA may serve
# pre-produced answers, but an old one could hide a revocation made since.
DEFAULT_OCSP_MAX_AGE = timedelta(hours=1)
# Tolerated clock difference between this server and a responder or CRL issuer.
_ISSUER_CLOCK_SKEW = timedelta(minutes=5)

# Codes in RevocationMaterial.problems (and in a revocation_unknown failure's details).
CRL_PAST_NEXT_UPDATE = "crl_past_next_update"
CRL_NOT_YET_VALID = "crl_not_yet_valid"
CRL_FETCH_FAILED = "crl_fetch_failed"
OCSP_FETCH_FAILED = "ocsp_fetch_failed"
OCSP_NONCE_MISMATCH = "ocsp_nonce_mismatch"
OCSP_TOO_OLD = "ocsp_response_too_old"
OCSP_NOT_SUCCESSFUL = "ocsp_not_successful"
FETCH_REFUSED = "fetch_refused"
FILE_UNREADABLE = "revocation_file_unreadable"


@dataclass(frozen=True)
class RevocationMaterial:
    """What one validation may use to learn revocation status."""

    source: str  # "offline", "online" or "disabled"; recorded in the evidence
    crls: tuple[crl.CertificateList, ...] = ()
    ocsps: tuple[ocsp.OCSPResponse, ...] = ()
    fetchers: Fetchers | None = None
    # Why data was set aside; the online fetchers append to it while the validation runs.
    problems: list[str] = field(default_factory=list)

    @property
    def checks_revocation(self) -> bool:
        return self.source != "disabled"


class RevocationSource(ABC):
    @abstractmethod
    def material(self, at: datetime) -> RevocationMaterial:
        """Revocation material for one validation at the moment `at` (server time)."""


def crl_problem(item: crl.CertificateList, at: datetime) -> str | None:
    """Why a CRL cannot vouch for anything at `at`, or None when it is current.

    A CRL past its nextUpdate is refused outright (RFC 5280 requires nextUpdate, so a CRL
    without one is refused too): the issuer may have revoked certificates since."""
    tbs = item["tbs_cert_list"]
    this_update, next_update = tbs["this_update"].native, tbs["next_update"].native
    if next_update is None or at > next_update:
        return CRL_PAST_NEXT_UPDATE
    if this_update is None or at < this_update - _ISSUER_CLOCK_SKEW:
        return CRL_NOT_YET_VALID
    return None


class _RevocationFile:
    """One CRL or OCSP response file, parsed again only when the file changed.

    A stat per validation is the cheap test (device, inode, size, mtime, ctime: a file
    replaced by rename or rewritten in place); the content's SHA-256 then decides whether
    to parse again."""

    def __init__(self, path: str | Path, spec):
        self.path = Path(path)
        self._spec = spec
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._sha256: bytes | None = None
        self._item = None

    def current(self):
        """The parsed file as it is now; OSError or ValueError if it cannot be read."""
        status = os.stat(self.path)
        stamp = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns,
                 status.st_ctime_ns)
        with self._lock:
            if stamp != self._stamp:
                self._stamp = None  # a failed reload must not leave the old data in use
                data = self.path.read_bytes()
                digest = hashlib.sha256(data).digest()
                if digest != self._sha256:
                    self._item, self._sha256 = _load_checked(data, self._spec), digest
                self._stamp = stamp
            return self._item


class OfflineRevocationSource(RevocationSource):
    """Prepared CRLs and OCSP responses (DER or PEM); never touches the network.

    `crls`/`ocsp_responses` are data fixed for the life of the source. `crl_files`/
    `ocsp_files` are paths, e.g. of a scheduled CRL download: each validation checks
    whether a file changed and re-reads it if so, so a refreshed CRL counts at once. A file
    that cannot be read any more is left out (fail closed) and named in the problems.
    """

    def __init__(self, crls: Iterable[bytes | crl.CertificateList] = (),
                 ocsp_responses: Iterable[bytes | ocsp.OCSPResponse] = (), *,
                 crl_files: Iterable[str | Path] = (), ocsp_files: Iterable[str | Path] = ()):
        self._crls = tuple(_load_checked(item, crl.CertificateList) for item in crls)
        self._ocsps = tuple(_load_checked(item, ocsp.OCSPResponse) for item in ocsp_responses)
        self._crl_files = tuple(_RevocationFile(path, crl.CertificateList) for path in crl_files)
        self._ocsp_files = tuple(_RevocationFile(path, ocsp.OCSPResponse)
                                 for path in ocsp_files)
        for watched in self._crl_files + self._ocsp_files:
            watched.current()  # unreadable at start-up: a configuration error, raised now

    def material(self, at: datetime) -> RevocationMaterial:
        problems: list[str] = []
        return RevocationMaterial(
            source="offline", crls=self._crls + self._read(self._crl_files, problems),
            ocsps=self._ocsps + self._read(self._ocsp_files, problems), problems=problems)

    @staticmethod
    def _read(files: tuple[_RevocationFile, ...], problems: list[str]) -> tuple:
        items = []
        for watched in files:
            try:
                items.append(watched.current())
            except (OSError, ValueError) as error:
                logger.warning("Revocation file %s unreadable: %s", watched.path,
                               type(error).__name__)
                problems.append(FILE_UNREADABLE)
        return tuple(items)


class NoRevocationCheck(RevocationSource):
    """Skips revocation checking. For local development only: needs debug=True."""

    def __init__(self, *, debug: bool):
        if debug is not True:
            raise ValueError("NoRevocationCheck is for debugging only; pass debug=True")

    def material(self, at: datetime) -> RevocationMaterial:
        logger.warning("EDS REVOCATION CHECKING IS DISABLED: a revoked certificate would be "
                       "accepted. Never run like this in production.")
        return RevocationMaterial(source="disabled")


class RevocationFetchRefused(ValueError):
    """A revocation URL points outside the allow-list, or the response broke a limit.

    `problem` is the code recorded in RevocationMaterial.problems."""

    def __init__(self, message: str, problem: str = FETCH_REFUSED):
        super().__init__(message)
        self.problem = problem


class HostAllowList:
    """Hosts revocation data may be fetched from: "host" (default port) or "host:port"."""

    def __init__(self, entries: Iterable[str]):
        self._entries = frozenset(entry.strip().lower() for entry in entries if entry.strip())
        if not self._entries:
            raise ValueError("the allow-list of revocation hosts is empty")

    def check(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise RevocationFetchRefused("unparsable revocation URL") from None
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username:
            raise RevocationFetchRefused(f"revocation URL scheme or form not allowed: {url!r}")
        host = parts.hostname.lower()
        allowed = (f"{host}:{port}" in self._entries if port is not None
                   else host in self._entries)
        if not allowed and port == _DEFAULT_PORTS[parts.scheme]:
            allowed = host in self._entries
        if not allowed:
            raise RevocationFetchRefused(f"revocation host not in the allow-list: {url!r}")


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead outside the allow-list; NCA responders do not redirect.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise RevocationFetchRefused(f"revocation URL redirected (HTTP {code})")


class RevocationHttpClient:
    """Small blocking HTTP client: allow-listed URLs only, no redirects, no proxies unless
    given, bounded time and response size."""

    def __init__(self, allow_list: HostAllowList, *, timeout: float, max_response_bytes: int,
                 proxy: str | None = None):
        self._allow_list = allow_list
        self._timeout = timeout
        self._max = max_response_bytes
        proxies = {"http": proxy, "https": proxy} if proxy else {}
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies),
                                                   _RefuseRedirects())

    def get(self, url: str, accept: str) -> bytes:
        return self._send(urllib.request.Request(url, headers={"Accept": accept}))

    def post(self, url: str, body: bytes, content_type: str, accept: str) -> bytes:
        return self._send(urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": content_type, "Accept": accept}))

    def _send(self, request: urllib.request.Request) -> bytes:
        self._allow_list.check(request.full_url)
        with self._opener.open(request, timeout=self._timeout) as response:
            body = response.read(self._max + 1)
        if len(body) > self._max:
            raise RevocationFetchRefused("revocation response larger than allowed")
        return body


# ValueError covers RevocationFetchRefused and unparsable DER.
_FETCH_FAILURES = (urllib.error.URLError, http.client.HTTPException, OSError, ValueError)


def _problem_of(error: Exception, default: str) -> str:
    return error.problem if isinstance(error, RevocationFetchRefused) else default


class _AllowListedOcspFetcher(OCSPFetcher):
    """OCSP requests (SHA-256 CertID and a nonce, as NCA responders answer) to allow-listed
    URLs; answers with another nonce, or produced too long before `at`, are refused."""

    def __init__(self, client: RevocationHttpClient, at: datetime, max_age: timedelta,
                 problems: list[str]):
        self._client = client
        self._at = at
        self._max_age = max_age
        self._problems = problems
        self._responses: dict[tuple[bytes, int], ocsp.OCSPResponse] = {}

    async def fetch(self, cert: x509.Certificate, authority: Authority) -> ocsp.OCSPResponse:
        key = (cert.issuer.dump(), cert.serial_number)
        if key in self._responses:
            return self._responses[key]
        request = _ocsp_request(cert, authority)
        for url in cert.ocsp_urls:
            try:
                body = await asyncio.to_thread(
                    self._client.post, url, request.dump(), "application/ocsp-request",
                    "application/ocsp-response")
                response = _checked_ocsp_response(body, request, self._at, self._max_age)
            except _FETCH_FAILURES as error:
                logger.warning("OCSP fetch from %s failed: %s", _host(url), type(error).__name__)
                self._problems.append(_problem_of(error, OCSP_FETCH_FAILED))
                continue
            self._responses[key] = response
            return response
        raise OCSPFetchError("no allow-listed OCSP responder answered")

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        return list(self._responses.values())

    def fetched_responses_for_cert(self, cert: x509.Certificate) -> Iterable[ocsp.OCSPResponse]:
        response = self._responses.get((cert.issuer.dump(), cert.serial_number))
        return [response] if response is not None else []


class _AllowListedCrlFetcher(CRLFetcher):
    """CRLs from the certificate's distribution points, allow-listed URLs only. A CRL past
    its nextUpdate at `at` is refused like one that could not be fetched."""

    def __init__(self, client: RevocationHttpClient, at: datetime, problems: list[str]):
        self._client = client
        self._at = at
        self._problems = problems
        self._by_cert: dict[tuple[bytes, int], list[crl.CertificateList]] = {}

    async def fetch(self, cert: x509.Certificate, *, use_deltas=True):
        key = (cert.issuer.dump(), cert.serial_number)
        if key in self._by_cert:
            return self._by_cert[key]
        points = list(cert.crl_distribution_points)
        if use_deltas:
            points += list(cert.delta_crl_distribution_points)
        fetched = []
        for url in {point.url for point in points if point.url}:
            try:
                body = await asyncio.to_thread(self._client.get, url, "application/pkix-crl")
                item = _load_checked(body, crl.CertificateList)
            except _FETCH_FAILURES as error:
                logger.warning("CRL fetch from %s failed: %s", _host(url), type(error).__name__)
                self._problems.append(_problem_of(error, CRL_FETCH_FAILED))
                continue
            problem = crl_problem(item, self._at)
            if problem is not None:
                logger.warning("CRL from %s refused: %s", _host(url), problem)
                self._problems.append(problem)
                continue
            fetched.append(item)
        if not fetched:
            raise CRLFetchError("no allow-listed CRL could be fetched")
        self._by_cert[key] = fetched
        return fetched

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        return [item for items in self._by_cert.values() for item in items]

    def fetched_crls_for_cert(self, cert: x509.Certificate) -> Iterable[crl.CertificateList]:
        return self._by_cert[(cert.issuer.dump(), cert.serial_number)]


class _NoCertificateFetching(CertificateFetcher):
    """Issuer certificates come from configuration only: AIA caIssuers URLs are not followed,
    so a client-chosen certificate cannot steer the server's HTTP requests."""

    def fetch_cert_issuers(self, cert) -> AsyncGenerator[x509.Certificate, None]:
        return _nothing()

    def fetch_crl_issuers(self, certificate_list) -> AsyncGenerator[x509.Certificate, None]:
        return _nothing()

    def fetched_certs(self) -> Iterable[x509.Certificate]:
        return []


async def _nothing() -> AsyncGenerator[x509.Certificate, None]:
    for certificate in ():
        yield certificate


class OnlineRevocationSource(RevocationSource):
    """OCSP and CRL fetched live, only from hosts on the allow-list (design B6).

    URLs come from the certificates being checked, which the client chose; the allow-list
    keeps those URLs from pointing the server at arbitrary hosts (SSRF).
    """

    def __init__(self, allowed_hosts: Iterable[str], *, timeout: float = 5.0,
                 max_response_bytes: int = 32 * 1024 * 1024, proxy: str | None = None,
                 ocsp_max_age: timedelta = DEFAULT_OCSP_MAX_AGE):
        self._client = RevocationHttpClient(HostAllowList(allowed_hosts), timeout=timeout,
                                            max_response_bytes=max_response_bytes, proxy=proxy)
        if ocsp_max_age <= timedelta(0):
            raise ValueError("the OCSP answers' maximum age must be positive")
        self._ocsp_max_age = ocsp_max_age

    def material(self, at: datetime) -> RevocationMaterial:
        # Fresh fetchers per validation: nothing fetched is reused for a later one.
        problems: list[str] = []
        fetchers = Fetchers(
            ocsp_fetcher=_AllowListedOcspFetcher(self._client, at, self._ocsp_max_age, problems),
            crl_fetcher=_AllowListedCrlFetcher(self._client, at, problems),
            cert_fetcher=_NoCertificateFetching())
        return RevocationMaterial(source="online", fetchers=fetchers, problems=problems)


def _ocsp_request(cert: x509.Certificate, authority: Authority) -> ocsp.OCSPRequest:
    issuer_key = authority.public_key["public_key"].contents[1:]  # BIT STRING value bytes
    cert_id = ocsp.CertId({
        "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
        "issuer_name_hash": authority.name.sha256,
        "issuer_key_hash": hashlib.sha256(issuer_key).digest(),
        "serial_number": cert.serial_number,
    })
    nonce = ocsp.TBSRequestExtension({"extn_id": "nonce", "critical": False,
                                      "extn_value": core.OctetString(os.urandom(16))})
    return ocsp.OCSPRequest({"tbs_request": {
        "request_list": [{"req_cert": cert_id}],
        "request_extensions": [nonce],
    }})


def _checked_ocsp_response(body: bytes, request: ocsp.OCSPRequest, at: datetime,
                           max_age: timedelta) -> ocsp.OCSPResponse:
    """The responder's answer if it answers this request and is fresh at `at`.

    A response without a nonce is allowed (NCA may serve pre-produced answers), a different
    nonce is not; either way producedAt must lie within `max_age` before `at`, so neither
    a replayed nor a long-cached answer can hide a recent revocation."""
    response = _load_checked(body, ocsp.OCSPResponse)
    if response["response_status"].native != "successful":
        raise RevocationFetchRefused("OCSP responder did not answer 'successful'",
                                     OCSP_NOT_SUCCESSFUL)
    nonce = response.nonce_value
    if nonce is not None and nonce.native != request.nonce_value.native:
        raise RevocationFetchRefused("OCSP response nonce does not match the request",
                                     OCSP_NONCE_MISMATCH)
    try:
        produced_at = response.basic_ocsp_response["tbs_response_data"]["produced_at"].native
    except (KeyError, TypeError, AttributeError):
        raise RevocationFetchRefused("OCSP response without a basic response",
                                     OCSP_NOT_SUCCESSFUL) from None
    if not at - max_age <= produced_at <= at + _ISSUER_CLOCK_SKEW:
        raise RevocationFetchRefused("OCSP response produced too long ago", OCSP_TOO_OLD)
    return response


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or "?"
    except ValueError:
        return "?"


def _load_checked(item, spec):
    """A CRL or OCSP response from DER/PEM bytes (or already parsed), every field parsed now,
    so that data which is not what it claims fails here with ValueError rather than later
    inside the chain validation."""
    if isinstance(item, spec):
        return item
    if not isinstance(item, bytes):
        raise TypeError(f"expected DER/PEM bytes or {spec.__name__}")
    try:
        if pem.detect(item):
            item = pem.unarmor(item)[2]
        loaded = spec.load(item, strict=True)
        loaded.native  # noqa: B018 (parse every field now, inside this guard)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as error:
        raise ValueError(f"not a valid {spec.__name__}") from error
    return loaded
