"""Revocation sources. The online source is exercised against a loopback HTTP server started
by the test; nothing here reaches the network."""

import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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


def verify_online(rsa_pki, leaf: Leaf, allowed_hosts, moment=None, **options):
    # OCSP responses carry the real time they were produced at, so the check runs now by
    # default: NOW is when the session started, possibly more than the allowed skew ago.
    moment = moment or datetime.now(UTC).replace(microsecond=0)
    challenge = make_challenge(now=moment - timedelta(minutes=1)).to_bytes()
    cms_der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)], signing_time=moment)
    source = OnlineRevocationSource(allowed_hosts, **options)
    return EdsVerifier(rsa_pki.anchors, rsa_pki.intermediates, source).verify(
        cms_der, challenge, moment=moment)


def refusal_of(call) -> EdsVerificationError:
    with pytest.raises(EdsVerificationError) as caught:
        call()
    return caught.value


def reason_of(call) -> str:
    return refusal_of(call).reason


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
    error = refusal_of(lambda: verify_online(rsa_pki, online_leaf, [fresh_server.host]))
    assert error.reason == "revocation_unknown"
    assert error.details["revocation_problems"] == "crl_fetch_failed,ocsp_nonce_mismatch"
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
                                       ocsp_responses=[parsed]).material(NOW)
    assert material.source == "offline" and material.fetchers is None
    assert [item.dump() for item in material.crls] == [rsa_pki.crl_empty] * 2
    assert material.ocsps == (parsed,)


# --- freshness: OCSP producedAt, CRL nextUpdate, files that change -----------------------------


def test_an_online_ocsp_answer_produced_too_long_ago_is_refused(rsa_pki, online_leaf,
                                                                fresh_server):
    """The loopback responder's answer carries no nonce and was produced about NOW; checked
    two hours later it is older than the one-hour default and is refused (the CRL, absent
    here, would be next). A larger limit accepts the same answer."""
    good = ocsp_for(rsa_pki, online_leaf, ocsp.OCSPCertStatus.GOOD)
    assert aocsp.OCSPResponse.load(good).nonce_value is None
    fresh_server.routes["/ocsp"] = (200, good, {})
    later = NOW + timedelta(hours=2)  # still inside the answer's thisUpdate … nextUpdate
    error = refusal_of(lambda: verify_online(rsa_pki, online_leaf, [fresh_server.host],
                                             moment=later))
    assert error.reason == "revocation_unknown"
    assert error.details["revocation_problems"] == "crl_fetch_failed,ocsp_response_too_old"
    signer = verify_online(rsa_pki, online_leaf, [fresh_server.host], moment=later,
                           ocsp_max_age=timedelta(hours=3))
    assert signer.revocation.kind == "ocsp"
    assert later - signer.revocation.produced_at < timedelta(hours=3)
    with pytest.raises(ValueError, match="positive"):
        OnlineRevocationSource([fresh_server.host], ocsp_max_age=timedelta(0))


def test_an_online_crl_past_its_next_update_is_refused(rsa_pki, online_leaf, fresh_server):
    stale = rsa_pki.intermediate.crl(number=10, this_update=NOW - timedelta(days=2),
                                     next_update=NOW - timedelta(minutes=2))
    fresh_server.routes["/ocsp"] = (500, b"", {})
    fresh_server.routes["/ca.crl"] = (200, stale, {})
    error = refusal_of(lambda: verify_online(rsa_pki, online_leaf, [fresh_server.host]))
    assert error.reason == "revocation_unknown"
    assert error.details["revocation_problems"] == "crl_past_next_update,ocsp_fetch_failed"


def sign_challenge(leaf: Leaf) -> tuple[bytes, bytes]:
    challenge = make_challenge().to_bytes()
    return challenge, build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)],
                                signing_time=NOW)


def file_verifier(rsa_pki, path) -> EdsVerifier:
    return EdsVerifier(rsa_pki.anchors, rsa_pki.intermediates,
                       OfflineRevocationSource(crl_files=[path]))


def test_an_offline_crl_past_its_next_update_is_refused(rsa_pki, tmp_path):
    """Two minutes past nextUpdate: inside the clock skew pyhanko would allow, still refused."""
    path = tmp_path / "ca.crl"
    path.write_bytes(rsa_pki.intermediate.crl(number=4, this_update=NOW - timedelta(days=1),
                                              next_update=NOW - timedelta(minutes=2)))
    challenge, cms_der = sign_challenge(rsa_pki.leaves["valid"])
    error = refusal_of(lambda: file_verifier(rsa_pki, path).verify(cms_der, challenge,
                                                                   moment=NOW))
    assert error.reason == "revocation_unknown"
    assert error.details == {"revocation_problems": "crl_past_next_update"}


def revoking_crl(rsa_pki, number: int) -> bytes:
    revoked = x509.load_der_x509_certificate(rsa_pki.leaves["revoked"].certificate.dump())
    return rsa_pki.intermediate.crl((revoked,), number=number)


def test_a_refreshed_crl_file_counts_from_the_next_verification(rsa_pki, tmp_path):
    path = tmp_path / "ca.crl"
    path.write_bytes(rsa_pki.crl_empty)
    one_verifier = file_verifier(rsa_pki, path)
    challenge, cms_der = sign_challenge(rsa_pki.leaves["revoked"])
    assert one_verifier.verify(cms_der, challenge, moment=NOW).revocation.crl_number == 1

    # Rewritten in place, same size class: the stat stamp changes, the content is re-read.
    path.write_bytes(revoking_crl(rsa_pki, 5))
    assert reason_of(lambda: one_verifier.verify(cms_der, challenge, moment=NOW)
                     ) == "certificate_revoked"

    # Replaced by rename, as a download job would do: a new inode.
    replacement = tmp_path / "ca.crl.new"
    replacement.write_bytes(rsa_pki.crl_empty)
    os.replace(replacement, path)
    assert one_verifier.verify(cms_der, challenge, moment=NOW).revocation.crl_number == 1


def test_a_crl_file_that_becomes_unreadable_fails_closed(rsa_pki, tmp_path, caplog):
    path = tmp_path / "ca.crl"
    path.write_bytes(rsa_pki.crl_empty)
    one_verifier = file_verifier(rsa_pki, path)
    challenge, cms_der = sign_challenge(rsa_pki.leaves["valid"])
    assert one_verifier.verify(cms_der, challenge, moment=NOW).revocation.kind == "crl"
    for broken in (b"half a CRL", None):
        if broken is None:
            path.unlink()
        else:
            path.write_bytes(broken)
        error = refusal_of(lambda: one_verifier.verify(cms_der, challenge, moment=NOW))
        assert error.reason == "revocation_unknown"
        assert error.details == {"revocation_problems": "revocation_file_unreadable"}
    assert f"Revocation file {path} unreadable: FileNotFoundError" in refusals(caplog)


def test_unreadable_files_are_a_configuration_error_at_start(tmp_path):
    (tmp_path / "bad.crl").write_bytes(b"not a CRL")
    with pytest.raises(ValueError):
        OfflineRevocationSource(crl_files=[tmp_path / "bad.crl"])
    with pytest.raises(OSError):
        OfflineRevocationSource(ocsp_files=[tmp_path / "missing.ocsp"])


def test_the_portals_verifier_sees_a_refreshed_crl_without_a_restart(rsa_pki, tmp_path,
                                                                      settings):
    """trust.get_verifier() keeps one verifier per process; the CRL file it was built with is
    replaced, and the next verification uses the new list."""
    from gis_portal.identity import trust

    root, intermediate, path = (tmp_path / "root.der", tmp_path / "intermediate.der",
                                tmp_path / "ca.crl")
    root.write_bytes(rsa_pki.anchors[0].dump())
    intermediate.write_bytes(rsa_pki.intermediates[0].dump())
    path.write_bytes(rsa_pki.crl_empty)
    settings.EDS_TRUST_ANCHORS, settings.EDS_TRUST_ANCHOR_SHA256 = [str(root)], []
    settings.EDS_INTERMEDIATES = [str(intermediate)]
    settings.EDS_REVOCATION, settings.EDS_REVOCATION_CRLS = "offline", [str(path)]
    challenge, cms_der = sign_challenge(rsa_pki.leaves["revoked"])
    portal_verifier = trust.get_verifier()
    assert portal_verifier.verify(cms_der, challenge, moment=NOW).revocation.crl_number == 1
    path.write_bytes(revoking_crl(rsa_pki, 6))
    assert trust.get_verifier() is portal_verifier
    assert reason_of(lambda: portal_verifier.verify(cms_der, challenge, moment=NOW)
                     ) == "certificate_revoked"
