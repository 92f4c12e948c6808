"""Where revocation data comes from (design/eds.md B6).

A RevocationSource hands the chain validator its revocation material for one validation:
prepared CRLs and OCSP responses (offline), fetchers limited to an allow-list of hosts
(online), or nothing at all (debug only, and loudly).
"""

import asyncio
import hashlib
import http.client
import logging
import os
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from asn1crypto import algos, core, crl, ocsp, pem, x509
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError
from pyhanko_certvalidator.fetchers import CertificateFetcher, CRLFetcher, Fetchers, OCSPFetcher

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class RevocationMaterial:
    """What one validation may use to learn revocation status."""

    source: str  # "offline", "online" or "disabled"; recorded in the evidence
    crls: tuple[crl.CertificateList, ...] = ()
    ocsps: tuple[ocsp.OCSPResponse, ...] = ()
    fetchers: Fetchers | None = None

    @property
    def checks_revocation(self) -> bool:
        return self.source != "disabled"


class RevocationSource(ABC):
    @abstractmethod
    def material(self) -> RevocationMaterial:
        """Revocation material for one validation."""


class OfflineRevocationSource(RevocationSource):
    """Prepared CRLs and OCSP responses (DER or PEM); never touches the network."""

    def __init__(self, crls: Iterable[bytes | crl.CertificateList] = (),
                 ocsp_responses: Iterable[bytes | ocsp.OCSPResponse] = ()):
        self._crls = tuple(_load(item, crl.CertificateList) for item in crls)
        self._ocsps = tuple(_load(item, ocsp.OCSPResponse) for item in ocsp_responses)

    def material(self) -> RevocationMaterial:
        return RevocationMaterial(source="offline", crls=self._crls, ocsps=self._ocsps)


class NoRevocationCheck(RevocationSource):
    """Skips revocation checking. For local development only: needs debug=True."""

    def __init__(self, *, debug: bool):
        if debug is not True:
            raise ValueError("NoRevocationCheck is for debugging only; pass debug=True")

    def material(self) -> RevocationMaterial:
        logger.warning("EDS REVOCATION CHECKING IS DISABLED: a revoked certificate would be "
                       "accepted. Never run like this in production.")
        return RevocationMaterial(source="disabled")


class RevocationFetchRefused(ValueError):
    """A revocation URL points outside the allow-list, or the response broke a limit."""


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


class _AllowListedOcspFetcher(OCSPFetcher):
    """OCSP requests (SHA-256 CertID, as NCA responders answer) to allow-listed URLs."""

    def __init__(self, client: RevocationHttpClient):
        self._client = client
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
                response = _checked_ocsp_response(body, request)
            except _FETCH_FAILURES as error:
                logger.warning("OCSP fetch from %s failed: %s", _host(url), type(error).__name__)
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
    """CRLs from the certificate's distribution points, allow-listed URLs only."""

    def __init__(self, client: RevocationHttpClient):
        self._client = client
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
                fetched.append(_load(body, crl.CertificateList))
            except _FETCH_FAILURES as error:
                logger.warning("CRL fetch from %s failed: %s", _host(url), type(error).__name__)
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
                 max_response_bytes: int = 32 * 1024 * 1024, proxy: str | None = None):
        self._client = RevocationHttpClient(HostAllowList(allowed_hosts), timeout=timeout,
                                            max_response_bytes=max_response_bytes, proxy=proxy)

    def material(self) -> RevocationMaterial:
        fetchers = Fetchers(ocsp_fetcher=_AllowListedOcspFetcher(self._client),
                            crl_fetcher=_AllowListedCrlFetcher(self._client),
                            cert_fetcher=_NoCertificateFetching())
        return RevocationMaterial(source="online", fetchers=fetchers)


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


def _checked_ocsp_response(body: bytes, request: ocsp.OCSPRequest) -> ocsp.OCSPResponse:
    response = ocsp.OCSPResponse.load(body)
    if response["response_status"].native != "successful":
        raise RevocationFetchRefused("OCSP responder did not answer 'successful'")
    # A response without a nonce is allowed (NCA may cache); a different nonce is not.
    nonce = response.nonce_value
    if nonce is not None and nonce.native != request.nonce_value.native:
        raise RevocationFetchRefused("OCSP response nonce does not match the request")
    return response


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or "?"
    except ValueError:
        return "?"


def _load(item, spec):
    if isinstance(item, spec):
        return item
    if not isinstance(item, bytes):
        raise TypeError(f"expected DER/PEM bytes or {spec.__name__}")
    if pem.detect(item):
        item = pem.unarmor(item)[2]
    return spec.load(item)
