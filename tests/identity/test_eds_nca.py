"""Interoperability with the national test PKI of NCA RK (settings.TZ_DATA_DIR/eds/nca-test).

GOST 34.10-2015-512: the 2022 test root, intermediate and CRL validate the individual test
certificate and reject the revoked one; the test key, decrypted from its legacy PKCS#12 in
pure Python, signs a challenge that EdsVerifier accepts end to end. Validation time is
pinned inside the CRL's window (2026-08-11 … 2027-02-07). Also checked against NCA data:
the identity rules on real individual and legal-entity certificates, NCA's GOST OCSP
response signatures, and RSA certificate and CRL signatures of the older RSA test CA.
Every test here skips, saying why, when the folder is absent.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import ocsp, pem
from asn1crypto import x509 as ax509
from asn1crypto.crl import CertificateList
from cryptography.exceptions import InvalidSignature

from gis_portal.identity.eds import (
    ChainValidator,
    EdsPolicy,
    EdsVerificationError,
    EdsVerifier,
    NoRevocationCheck,
    OfflineRevocationSource,
    errors,
    read_signer_identity,
)
from gis_portal.identity.eds.algorithms import AlgorithmRegistry, ChainSignatureValidator

from .conftest import make_challenge
from .eds_cms import build_cms, gost_signer
from .nca_pkcs12 import NcaTestKey, read_nca_pkcs12

PINNED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
PASSWORD = "Qwerty12"  # published with the test keys (NCANode-Go internal/testutil)


def certificate(path: Path) -> ax509.Certificate:
    data = path.read_bytes()
    return ax509.Certificate.load(pem.unarmor(data)[2] if pem.detect(data) else data)


@dataclass
class Nca:
    folder: Path
    root: ax509.Certificate
    intermediate: ax509.Certificate
    crl: bytes

    def key(self, relative: str) -> NcaTestKey:
        return read_nca_pkcs12(self.folder / relative, PASSWORD)

    def verifier(self) -> EdsVerifier:
        return EdsVerifier([self.root], [self.intermediate],
                           OfflineRevocationSource(crls=[self.crl]))


@pytest.fixture(scope="module")
def nca(nca_dir) -> Nca:
    return Nca(nca_dir, certificate(nca_dir / "root_test_gost_2022.cer"),
               certificate(nca_dir / "nca_gost2022_test.cer"),
               (nca_dir / "nca_gost2022_test.crl").read_bytes())


def sign_challenge(test_key: NcaTestKey) -> tuple[bytes, bytes]:
    challenge = make_challenge(now=PINNED - timedelta(minutes=1)).to_bytes()
    return challenge, build_cms(challenge, [gost_signer(test_key.certificate, test_key.key)],
                                signing_time=PINNED)


def test_a_challenge_signed_with_the_nca_test_key_verifies_end_to_end(nca):
    test_key = nca.key("individual/valid/individual_valid.p12")
    challenge, cms_der = sign_challenge(test_key)
    signer = nca.verifier().verify(cms_der, challenge, moment=PINNED)
    assert signer.iin == "123456789011"
    assert signer.full_name == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert signer.algorithm == "gost34.10-2015-512"
    assert signer.identity.key_purposes == {"sign"}
    assert signer.issuer_dn == "C=KZ,CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022"
    assert len(signer.chain.certificates_sha256) == 3
    assert (signer.revocation.kind, signer.revocation.crl_number) == ("crl", 166)


def test_the_revoked_nca_test_certificate_is_rejected(nca):
    challenge, cms_der = sign_challenge(nca.key("individual/revoked/individual_revoked.p12"))
    with pytest.raises(errors.CertificateRevoked) as caught:
        nca.verifier().verify(cms_der, challenge, moment=PINNED)
    assert caught.value.details["revocation_reason"] == "certificate_hold"
    assert caught.value.details["revoked_at"].startswith("2026-05-08")


def test_a_tampered_nca_crl_is_not_evidence(nca):
    crl = bytearray(nca.crl)
    crl[-3] ^= 1
    test_key = nca.key("individual/valid/individual_valid.p12")
    validator = ChainValidator([nca.root], [nca.intermediate],
                               OfflineRevocationSource(crls=[bytes(crl)]), EdsPolicy())
    with pytest.raises(EdsVerificationError) as caught:
        validator.validate(test_key.certificate, [], PINNED)
    assert caught.value.reason == "revocation_unknown"


@pytest.mark.parametrize(("p12", "accept_legal_entity", "outcome"), [
    ("individual/valid/individual_valid.p12", False, ("123456789011", None)),
    ("legal/valid/head.p12", False, "legal_entity_certificate"),
    ("legal/valid/employee.p12", False, "legal_entity_certificate"),
    ("legal/valid/infosystem.p12", False, "legal_entity_certificate"),
    ("legal/valid/treasury_client.p12", False, "legal_entity_certificate"),
    ("legal/valid/head.p12", True, ("123456789011", "123456789021")),
    ("legal/valid/treasury_client.p12", True, "missing_iin"),
])
def test_identity_rules_on_real_nca_certificates(nca, p12, accept_legal_entity, outcome):
    leaf = nca.key(p12).certificate
    if isinstance(outcome, str):
        with pytest.raises(EdsVerificationError) as caught:
            read_signer_identity(leaf, accept_legal_entity=accept_legal_entity)
        assert caught.value.reason == outcome
    else:
        identity = read_signer_identity(leaf, accept_legal_entity=accept_legal_entity)
        assert (identity.iin, identity.bin) == outcome


@pytest.mark.parametrize("name", ["ocsp_response_individual_2015.bin",
                                  "ocsp_response_ceo_2015_revoked.bin"])
def test_nca_gost_ocsp_responses_verify_with_our_signature_code(nca, name):
    """NCA's GOST-2015 OCSP responder (2022): response and responder certificate signatures."""
    response = ocsp.OCSPResponse.load((nca.folder / "legacy-2004" / "ocsp" / name).read_bytes())
    basic = response.basic_ocsp_response
    responder = basic["certs"][0]
    validator = ChainSignatureValidator(AlgorithmRegistry(EdsPolicy().algorithms))
    validator.validate_signature(responder["signature_value"].native,
                                 responder["tbs_certificate"].dump(), nca.intermediate.public_key,
                                 responder["signature_algorithm"])
    tbs = basic["tbs_response_data"].dump()
    validator.validate_signature(basic["signature"].native, tbs, responder.public_key,
                                 basic["signature_algorithm"])
    with pytest.raises(InvalidSignature):
        validator.validate_signature(basic["signature"].native, tbs[:-1] + bytes([tbs[-1] ^ 1]),
                                     responder.public_key, basic["signature_algorithm"])


def test_nca_rsa_test_certificates_and_crl_signatures_verify(nca):
    """The older RSA test CA (certificates of 2022). Its root is not published, so its
    intermediate serves as the anchor; pyhanko cannot then find a path for a CRL signed by
    the anchor itself, so the CRL's signature and contents are checked directly."""
    legacy = nca.folder / "legacy-2004"
    anchor = certificate(legacy / "ca" / "nca_rsa_test.crt")
    validator = ChainValidator([anchor], [], NoRevocationCheck(debug=True), EdsPolicy())
    moment = datetime(2022, 6, 1, tzinfo=UTC)  # inside the certificates' validity
    crl = CertificateList.load((legacy / "crl" / "nca_rsa_test.crl").read_bytes())
    ChainSignatureValidator(AlgorithmRegistry(EdsPolicy().algorithms)).validate_signature(
        crl["signature"].native, crl["tbs_cert_list"].dump(), anchor.public_key,
        crl["signature_algorithm"])
    revoked_serials = {item["user_certificate"].native
                       for item in crl["tbs_cert_list"]["revoked_certificates"]}
    for name, purposes in (("individual_valid_sign_2004_rsa.cer", {"sign"}),
                           ("individual_valid_sign_2004_rsa_auth.cer", {"auth"})):
        leaf = certificate(legacy / "certs" / name)
        assert len(validator.validate(leaf, [], moment).certificates_sha256) == 2
        assert leaf.serial_number not in revoked_serials
        identity = read_signer_identity(leaf)
        assert (identity.iin, identity.key_purposes) == ("123456789011", purposes)


def test_the_nca_chain_is_judged_at_server_time(nca):
    """The NCA test CRL is current until 2027-02-07. A signature made and checked after that
    is refused whatever it claims, because the CRL is refused at the server's moment; the
    same key checked inside the window (PINNED) passes, as above."""
    after_next_update = datetime(2027, 2, 8, 12, 0, tzinfo=UTC)
    test_key = nca.key("individual/valid/individual_valid.p12")
    challenge = make_challenge(now=after_next_update - timedelta(minutes=1)).to_bytes()
    cms_der = build_cms(challenge, [gost_signer(test_key.certificate, test_key.key)],
                        signing_time=after_next_update - timedelta(seconds=30))
    with pytest.raises(errors.RevocationUnknown) as caught:
        nca.verifier().verify(cms_der, challenge, moment=after_next_update)
    assert caught.value.details == {"revocation_problems": "crl_past_next_update"}
