"""Revocation sources. The online source is exercised against a loopback HTTP server started
by the test; nothing here reaches the network."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import ocsp as aocsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp

from gis_portal.identity.eds import (
    EdsVerificationError,
    EdsVerifier,
    HostAllowList,
    OfflineRevocationSource,
    OnlineRevocationSource,
    RevocationFetchRefused,
)

from .conftest import Leaf, make_challenge
from .eds_cms import build_cms, rsa_signer
from .eds_pki import NOW, as_asn1, person_name, rsa_key


@dataclass
class RevocationServer:
    """Answers each path from `routes` (status, body, headers) and records every request."""

    port: int = 0
    routes: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server():
    state = RevocationServer()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            state.requests.append((self.command, self.path, self.rfile.read(length)))
            status, body, headers = state.routes.get(self.path, (404, b"", {}))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):  # keep test output quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def fresh_server(server):
    server.routes.clear()
    server.requests.clear()
    return server


@pytest.fixture(scope="module")
def online_leaf(rsa_pki, server) -> Leaf:
    key = rsa_key()
    certificate = rsa_pki.intermediate.issue(
        person_name(), key.public_key(), ocsp_url=f"http://{server.host}/ocsp",
        crl_url=f"http://{server.host}/ca.crl")
    return Leaf(as_asn1(certificate), key)


def verify_online(rsa_pki, leaf: Leaf, allowed_hosts, **options):
    challenge = make_challenge().to_bytes()
    cms_der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)], signing_time=NOW)
    source = OnlineRevocationSource(allowed_hosts, **options)
    return EdsVerifier(rsa_pki.anchors, rsa_pki.intermediates, source).verify(
        cms_der, challenge, moment=NOW)


def reason_of(call) -> str:
    with pytest.raises(EdsVerificationError) as caught:
        call()
    return caught.value.reason


def ocsp_for(rsa_pki, leaf: Leaf, status, nonce=None) -> bytes:
    return rsa_pki.intermediate.ocsp(x509.load_der_x509_certificate(leaf.certificate.dump()),
                                     status, nonce)


def test_online_ocsp_from_an_allowed_host(rsa_pki, online_leaf, fresh_server):
    fresh_server.routes["/ocsp"] = (200, ocsp_for(rsa_pki, online_leaf, ocsp.OCSPCertStatus.GOOD),
                                    {"Content-Type": "application/ocsp-response"})
    signer = verify_online(rsa_pki, online_leaf, [fresh_server.host])
    assert (signer.revocation.source, signer.revocation.kind) == ("online", "ocsp")
    [(method, path, body)] = fresh_server.requests
    assert (method, path) == ("POST", "/ocsp")
    request = aocsp.OCSPRequest.load(body)
    cert_id = request["tbs_request"]["request_list"][0]["req_cert"]
    assert cert_id["hash_algorithm"]["algorithm"].native == "sha256"
    assert cert_id["serial_number"].native == online_leaf.certificate.serial_number
    assert request.nonce_value is not None


def test_online_crl_when_ocsp_fails(rsa_pki, online_leaf, fresh_server):
    revoking = rsa_pki.intermediate.crl(
        (x509.load_der_x509_certificate(online_leaf.certificate.dump()),), number=9)
    fresh_server.routes["/ocsp"] = (500, b"", {})
    fresh_server.routes["/ca.crl"] = (200, revoking, {})
    assert reason_of(lambda: verify_online(rsa_pki, online_leaf, [fresh_server.host])
                     ) == "certificate_revoked"
    assert [path for _, path, _ in fresh_server.requests] == ["/ocsp", "/ca.crl"]


def test_hosts_off_the_allow_list_are_never_contacted(rsa_pki, online_leaf, fresh_server):
    fresh_server.routes["/ocsp"] = (200, ocsp_for(rsa_pki, online_leaf, ocsp.OCSPCertStatus.GOOD),
                                    {})
    assert reason_of(lambda: verify_online(
        rsa_pki, online_leaf, ["ocsp.pki.gov.kz", "crl.pki.gov.kz", "127.0.0.1"])
    ) == "revocation_unknown"  # the port differs from the default one: not allowed
    assert fresh_server.requests == []


def test_redirects_are_not_followed(rsa_pki, online_leaf, fresh_server):
    fresh_server.routes["/ocsp"] = (302, b"", {"Location": "http://169.254.169.254/latest"})
    assert reason_of(lambda: verify_online(rsa_pki, online_leaf, [fresh_server.host])
                     ) == "revocation_unknown"
    assert [path for _, path, _ in fresh_server.requests] == ["/ocsp", "/ca.crl"]


def refusals(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name == "gis_portal.identity.eds.revocation"]


def test_an_ocsp_answer_to_another_request_is_refused(rsa_pki, online_leaf, fresh_server,
                                                       caplog):
    replayed = ocsp_for(rsa_pki, online_leaf, ocsp.OCSPCertStatus.GOOD, nonce=b"0123456789abcdef")
    fresh_server.routes["/ocsp"] = (200, replayed, {})
    assert reason_of(lambda: verify_online(rsa_pki, online_leaf, [fresh_server.host])
                     ) == "revocation_unknown"
    assert f"OCSP fetch from {fresh_server.host} failed: RevocationFetchRefused" in refusals(
        caplog)


def test_oversized_revocation_responses_are_refused(rsa_pki, online_leaf, fresh_server, caplog):
    fresh_server.routes["/ocsp"] = (200, ocsp_for(rsa_pki, online_leaf, ocsp.OCSPCertStatus.GOOD),
                                    {})
    assert reason_of(lambda: verify_online(rsa_pki, online_leaf, [fresh_server.host],
                                           max_response_bytes=64)) == "revocation_unknown"
    assert f"OCSP fetch from {fresh_server.host} failed: RevocationFetchRefused" in refusals(
        caplog)


@pytest.mark.parametrize(("url", "allowed"), [
    ("http://ocsp.pki.gov.kz/", True),
    ("http://OCSP.pki.gov.kz:80/ocsp", True),
    ("https://ocsp.pki.gov.kz/", True),
    ("http://ocsp.pki.gov.kz:8080/", False),
    ("http://127.0.0.1:8080/ca.crl", True),
    ("http://127.0.0.1/ca.crl", False),
    ("http://ocsp.pki.gov.kz.evil.example/", False),
    ("http://user@ocsp.pki.gov.kz/", False),
    ("ftp://ocsp.pki.gov.kz/", False),
    ("file:///etc/passwd", False),
    ("http://[::1/", False),
])
def test_host_allow_list(url, allowed):
    allow_list = HostAllowList(["ocsp.pki.gov.kz", "127.0.0.1:8080"])
    if allowed:
        allow_list.check(url)
    else:
        with pytest.raises(RevocationFetchRefused):
            allow_list.check(url)


def test_an_empty_allow_list_is_a_configuration_error():
    with pytest.raises(ValueError, match="empty"):
        OnlineRevocationSource([" "])


def test_offline_source_takes_der_pem_and_parsed_objects(rsa_pki):
    crl_pem = x509.load_der_x509_crl(rsa_pki.crl_empty).public_bytes(serialization.Encoding.PEM)
    parsed = aocsp.OCSPResponse.load(rsa_pki.ocsp["valid"])
    material = OfflineRevocationSource(crls=[rsa_pki.crl_empty, crl_pem],
                                       ocsp_responses=[parsed]).material()
    assert material.source == "offline" and material.fetchers is None
    assert [item.dump() for item in material.crls] == [rsa_pki.crl_empty] * 2
    assert material.ocsps == (parsed,)
