"""EdsVerifier against throwaway RSA authorities: real signatures, real chains, real CRLs and
OCSP responses; each rejection carries its own reason code."""

import base64
import logging
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7

from gis_portal.identity.eds import (
    ALL_ERRORS,
    EdsPolicy,
    EdsVerificationError,
    EdsVerifier,
    NoRevocationCheck,
    OfflineRevocationSource,
    TrustConfigurationError,
    load_certificates,
    oids,
    require_fingerprints,
    sha256_fingerprint,
)

from .conftest import USER_ID, make_challenge
from .eds_cms import as_pem, build_cms, ecdsa_signer, rsa_signer
from .eds_pki import NOW, as_asn1

IIN = "123456789011"


def verifier(pki, *, crls=(), ocsps=(), source=None, **policy) -> EdsVerifier:
    return EdsVerifier(pki.anchors, pki.intermediates,
                       source or OfflineRevocationSource(crls=crls, ocsp_responses=ocsps),
                       EdsPolicy(**policy))


def crl_verifier(pki, **policy) -> EdsVerifier:
    return verifier(pki, crls=[pki.crl_empty], **policy)


def sign(leaf, content: bytes, **options) -> bytes:
    make_signer = ecdsa_signer if isinstance(leaf.key, ec.EllipticCurvePrivateKey) else rsa_signer
    signer = make_signer(leaf.certificate, leaf.key)
    return build_cms(content, [signer], signing_time=options.pop("signing_time", NOW), **options)


def rejected(reason: str, call) -> EdsVerificationError:
    with pytest.raises(EdsVerificationError) as caught:
        call()
    assert caught.value.reason == reason, caught.value.message
    return caught.value


def test_every_reason_code_is_distinct():
    reasons = [error.reason for error in ALL_ERRORS]
    assert len(reasons) == len(set(reasons))


def test_pyca_detached_signature_with_ocsp_good_is_accepted(rsa_pki):
    """A CMS from an independent producer (cryptography's PKCS7 builder, as OpenSSL writes it)."""
    leaf = rsa_pki.leaves["valid"]
    now = datetime.now(UTC)  # the builder stamps the real signing time
    challenge = make_challenge(now=now - timedelta(minutes=1)).to_bytes()
    der = (pkcs7.PKCS7SignatureBuilder().set_data(challenge)
           .add_signer(x509.load_der_x509_certificate(leaf.certificate.dump()), leaf.key,
                       hashes.SHA256())
           .sign(serialization.Encoding.DER,
                 [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))
    signer = verifier(rsa_pki, ocsps=[rsa_pki.ocsp["valid"]]).verify(der, challenge, moment=now)
    assert signer.iin == IIN
    assert signer.full_name == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert signer.identity.surname == "ТЕСТОВ" and signer.identity.patronymic == "ТЕСТОВИЧ"
    assert signer.identity.key_purposes == {"sign"}
    assert signer.algorithm == "rsa-pkcs1v15-sha256"
    assert signer.certificate_sha256 == sha256_fingerprint(leaf.certificate)
    assert signer.certificate_serial == format(leaf.certificate.serial_number, "x")
    assert signer.issuer_dn == "C=KZ,CN=TEST NCA (RSA)"
    assert signer.chain.certificates_sha256 == (
        sha256_fingerprint(leaf.certificate), sha256_fingerprint(rsa_pki.intermediates[0]),
        sha256_fingerprint(rsa_pki.anchors[0]))
    assert signer.revocation.kind == "ocsp" and signer.revocation.source == "offline"
    assert signer.revocation.ocsp_response_der == rsa_pki.ocsp["valid"]
    assert signer.challenge.user_id == USER_ID
    assert IIN not in repr(signer) and "ТЕСТОВ" not in repr(signer)


def test_attached_pem_with_crl_is_accepted_and_validated_at_server_time(rsa_pki):
    challenge = make_challenge().to_bytes()
    signing_time = NOW - timedelta(seconds=30)
    cms_pem = as_pem(sign(rsa_pki.leaves["valid"], challenge, attached=True,
                          signing_time=signing_time))
    signer = crl_verifier(rsa_pki).verify(cms_pem.decode("ascii"), challenge, moment=NOW)
    assert signer.signing_time == signing_time and signer.validation_time == NOW
    assert signer.revocation.kind == "crl" and signer.revocation.crl_number == 1


def test_base64_auth_key_without_signing_time_is_accepted(rsa_pki):
    challenge = make_challenge().to_bytes()
    der = build_cms(challenge, [rsa_signer(rsa_pki.leaves["auth"].certificate,
                                           rsa_pki.leaves["auth"].key, oids.RSA_KEY)])
    signer = crl_verifier(rsa_pki).verify(base64.b64encode(der), challenge, moment=NOW)
    assert signer.identity.key_purposes == {"auth"}
    assert signer.signing_time is None and signer.validation_time == NOW


def test_the_clock_gives_the_moment_when_none_is_passed(rsa_pki):
    challenge = make_challenge().to_bytes()
    pki_verifier = EdsVerifier(rsa_pki.anchors, rsa_pki.intermediates,
                               OfflineRevocationSource(crls=[rsa_pki.crl_empty]),
                               clock=lambda: NOW)
    assert pki_verifier.verify(sign(rsa_pki.leaves["valid"], challenge), challenge).iin == IIN


def test_expired_certificate(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("certificate_expired", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["expired"], challenge), challenge, moment=NOW))


def test_not_yet_valid_certificate(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("certificate_not_yet_valid", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["not_yet_valid"], challenge), challenge, moment=NOW))


def test_revoked_certificate_by_crl(rsa_pki):
    challenge = make_challenge().to_bytes()
    error = rejected("certificate_revoked", lambda: verifier(
        rsa_pki, crls=[rsa_pki.crl_revoking]).verify(
        sign(rsa_pki.leaves["revoked"], challenge), challenge, moment=NOW))
    assert error.details == {"revoked_at": (NOW - timedelta(days=2)).isoformat(),
                             "revocation_reason": "key_compromise"}
    assert error.signer.iin == IIN
    assert error.signer.certificate_sha256 == sha256_fingerprint(
        rsa_pki.leaves["revoked"].certificate)
    assert IIN not in str(error) and IIN not in repr(error.signer)


def test_revoked_certificate_by_ocsp(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("certificate_revoked", lambda: verifier(
        rsa_pki, ocsps=[rsa_pki.ocsp["revoked"]]).verify(
        sign(rsa_pki.leaves["revoked"], challenge), challenge, moment=NOW))


def test_unknown_revocation_status_fails_closed(rsa_pki):
    challenge = make_challenge().to_bytes()
    cms_der = sign(rsa_pki.leaves["valid"], challenge)
    rejected("revocation_unknown", lambda: verifier(rsa_pki).verify(
        cms_der, challenge, moment=NOW))
    # An OCSP response about another certificate says nothing about this one.
    rejected("revocation_unknown", lambda: verifier(rsa_pki, ocsps=[rsa_pki.ocsp["revoked"]])
             .verify(cms_der, challenge, moment=NOW))


def test_a_stale_crl_leaves_the_status_unknown(rsa_pki):
    later = NOW + timedelta(days=3)  # the CRL's nextUpdate was NOW + 1 day
    challenge = make_challenge(now=later - timedelta(minutes=1)).to_bytes()
    rejected("revocation_unknown", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["valid"], challenge, signing_time=later), challenge, moment=later))


def test_revocation_may_be_optional_by_policy(rsa_pki):
    challenge = make_challenge().to_bytes()
    signer = verifier(rsa_pki, require_revocation=False).verify(
        sign(rsa_pki.leaves["valid"], challenge), challenge, moment=NOW)
    assert signer.revocation.kind == "none" and signer.revocation.source == "offline"


def test_no_revocation_check_needs_debug_and_warns_on_every_use(rsa_pki, caplog):
    with pytest.raises(ValueError, match="debug"):
        NoRevocationCheck(debug=False)
    challenge = make_challenge().to_bytes()
    debug_verifier = verifier(rsa_pki, source=NoRevocationCheck(debug=True))
    with caplog.at_level(logging.WARNING, logger="gis_portal.identity.eds.revocation"):
        for _ in range(2):
            signer = debug_verifier.verify(sign(rsa_pki.leaves["revoked"], challenge), challenge,
                                           moment=NOW)
    assert signer.revocation.source == "disabled" and signer.revocation.kind == "none"
    warnings = [r for r in caplog.records if "REVOCATION CHECKING IS DISABLED" in r.message]
    assert len(warnings) == 2 and all(r.levelno == logging.WARNING for r in warnings)


def test_untrusted_root(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("untrusted_root", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["untrusted"], challenge), challenge, moment=NOW))


def test_root_supplied_inside_the_cms_is_never_trusted(rsa_pki):
    challenge = make_challenge().to_bytes()
    leaf = rsa_pki.leaves["untrusted"]
    cms_der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)], signing_time=NOW,
                        certificates=[leaf.certificate, as_asn1(rsa_pki.rogue_root.certificate)])
    rejected("root_in_cms", lambda: crl_verifier(rsa_pki).verify(cms_der, challenge,
                                                                 moment=NOW))


def test_self_signed_signer_is_a_root_in_the_cms(rsa_pki):
    challenge = make_challenge().to_bytes()
    cms_der = sign(rsa_pki.leaves["self_signed"], challenge)
    rejected("root_in_cms", lambda: crl_verifier(rsa_pki).verify(cms_der, challenge,
                                                                 moment=NOW))


def test_the_real_root_inside_the_cms_is_harmless(rsa_pki):
    challenge = make_challenge().to_bytes()
    leaf = rsa_pki.leaves["valid"]
    cms_der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)], signing_time=NOW,
                        certificates=[leaf.certificate, *rsa_pki.intermediates,
                                      *rsa_pki.anchors])
    assert crl_verifier(rsa_pki).verify(cms_der, challenge, moment=NOW).iin == IIN


def test_an_impostor_intermediate_breaks_the_chain(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("chain_invalid", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["impostor"], challenge), challenge, moment=NOW))


def test_tampered_content(rsa_pki):
    challenge = make_challenge().to_bytes()
    cms_der = sign(rsa_pki.leaves["valid"], challenge, attached=True,
                   carried_content=challenge.replace(b"help-request:17", b"help-request:18"))
    rejected("content_tampered", lambda: crl_verifier(rsa_pki).verify(cms_der, challenge,
                                                                      moment=NOW))


def test_signature_over_another_challenge(rsa_pki):
    expected, other = make_challenge().to_bytes(), make_challenge().to_bytes()
    for attached in (False, True):
        rejected("challenge_mismatch", lambda attached=attached: crl_verifier(rsa_pki).verify(
            sign(rsa_pki.leaves["valid"], other, attached=attached), expected, moment=NOW))


def test_another_users_challenge(rsa_pki):
    expected, foreign = make_challenge().to_bytes(), make_challenge(user_id="43").to_bytes()
    rejected("challenge_wrong_user", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["valid"], foreign, attached=True), expected, moment=NOW))


def test_expired_challenge(rsa_pki):
    challenge = make_challenge()
    rejected("challenge_expired", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["valid"], challenge.to_bytes()), challenge.to_bytes(),
        moment=challenge.expires_at + timedelta(seconds=1)))


def test_signing_time_outside_the_challenge_lifetime(rsa_pki):
    challenge = make_challenge()
    for signing_time in (challenge.issued_at - timedelta(minutes=6), NOW + timedelta(minutes=6)):
        rejected("signing_time_out_of_range", lambda signing_time=signing_time: crl_verifier(
            rsa_pki).verify(sign(rsa_pki.leaves["valid"], challenge.to_bytes(),
                                 signing_time=signing_time), challenge.to_bytes(), moment=NOW))


def test_two_signers(rsa_pki):
    challenge = make_challenge().to_bytes()
    leaves = (rsa_pki.leaves["valid"], rsa_pki.leaves["auth"])
    builder = pkcs7.PKCS7SignatureBuilder().set_data(challenge)
    for leaf in leaves:
        builder = builder.add_signer(x509.load_der_x509_certificate(leaf.certificate.dump()),
                                     leaf.key, hashes.SHA256())
    cms_der = builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
    rejected("multiple_signers", lambda: crl_verifier(rsa_pki).verify(cms_der, challenge,
                                                                      moment=NOW))


def test_no_signer(rsa_pki):
    challenge = make_challenge().to_bytes()
    cms_der = cms.ContentInfo({"content_type": "signed_data", "content": {
        "version": "v1", "digest_algorithms": [], "encap_content_info": {"content_type": "data"},
        "certificates": [rsa_pki.leaves["valid"].certificate], "signer_infos": []}}).dump()
    rejected("no_signer", lambda: crl_verifier(rsa_pki).verify(cms_der, challenge, moment=NOW))


def test_no_signed_attributes(rsa_pki):
    challenge = make_challenge().to_bytes()
    leaf = rsa_pki.leaves["valid"]
    cms_der = (pkcs7.PKCS7SignatureBuilder().set_data(challenge)
               .add_signer(x509.load_der_x509_certificate(leaf.certificate.dump()), leaf.key,
                           hashes.SHA256())
               .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature,
                                                  pkcs7.PKCS7Options.NoAttributes]))
    rejected("no_signed_attributes", lambda: crl_verifier(rsa_pki).verify(cms_der, challenge,
                                                                          moment=NOW))


@pytest.mark.parametrize("carried", ["another", "none"])
def test_signer_certificate_missing(rsa_pki, carried):
    challenge = make_challenge().to_bytes()
    leaf = rsa_pki.leaves["valid"]
    cms_der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)],
                        certificates=[rsa_pki.leaves["auth"].certificate] if carried == "another"
                        else [])
    rejected("signer_certificate_missing", lambda: crl_verifier(rsa_pki).verify(
        cms_der, challenge, moment=NOW))


def test_bad_signature_value(rsa_pki):
    challenge = make_challenge().to_bytes()
    info = cms.ContentInfo.load(sign(rsa_pki.leaves["valid"], challenge))
    signer_info = info["content"]["signer_infos"][0]
    signature = bytearray(signer_info["signature"].native)
    signature[10] ^= 1
    signer_info["signature"] = bytes(signature)
    rejected("bad_signature", lambda: crl_verifier(rsa_pki).verify(
        info.dump(force=True), challenge, moment=NOW))


def test_legal_entity_certificate(rsa_pki):
    challenge = make_challenge().to_bytes()
    cms_der = sign(rsa_pki.leaves["legal_entity"], challenge)
    rejected("legal_entity_certificate", lambda: crl_verifier(rsa_pki).verify(
        cms_der, challenge, moment=NOW))
    signer = crl_verifier(rsa_pki, accept_legal_entity=True).verify(cms_der, challenge,
                                                                    moment=NOW)
    assert (signer.identity.organization, signer.identity.bin) == ('АО "ТЕСТ"', "123456789021")


def test_certificate_without_iin(rsa_pki):
    challenge = make_challenge().to_bytes()
    error = rejected("missing_iin", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["no_iin"], challenge), challenge, moment=NOW))
    assert error.signer.iin is None


def test_certificate_without_the_individual_purpose(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("not_individual_certificate", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["not_individual"], challenge), challenge, moment=NOW))


def test_key_usage_without_digital_signature(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("key_usage_not_allowed", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["no_digital_signature"], challenge), challenge, moment=NOW))


@pytest.mark.parametrize("leaf_name", ["ecdsa", "rsa_1024"])
def test_unsupported_signer_algorithm(rsa_pki, leaf_name):
    challenge = make_challenge().to_bytes()
    error = rejected("unsupported_algorithm", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves[leaf_name], challenge), challenge, moment=NOW))
    assert set(error.details) == {"digest_algorithm", "signature_algorithm", "key_algorithm"}


def test_unsupported_algorithm_in_the_chain(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("unsupported_algorithm", lambda: crl_verifier(rsa_pki).verify(
        sign(rsa_pki.leaves["sha512_signed"], challenge), challenge, moment=NOW))


def test_rsa_disabled_by_policy(rsa_pki):
    challenge = make_challenge().to_bytes()
    rejected("unsupported_algorithm", lambda: crl_verifier(
        rsa_pki, algorithms=frozenset({"gost34.10-2015-512"})).verify(
        sign(rsa_pki.leaves["valid"], challenge), challenge, moment=NOW))


@pytest.mark.parametrize("garbage", [
    b"hello", b"\x30\x03\x02\x01", b"\x30" + bytes(40), "MIIB not base64 !",
    "привет", b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", b"",
    base64.b64encode(b"\x30\x03\x02\x01\x05"),
], ids=["text", "truncated-der", "zero-der", "bad-base64", "non-ascii", "wrong-pem", "empty",
        "base64-not-cms"])
def test_garbage_input(rsa_pki, garbage):
    challenge = make_challenge().to_bytes()
    rejected("malformed_input", lambda: crl_verifier(rsa_pki).verify(garbage, challenge,
                                                                     moment=NOW))


def test_signed_data_of_another_content_type_is_malformed(rsa_pki):
    challenge = make_challenge().to_bytes()
    digested = cms.ContentInfo({"content_type": "data", "content": challenge}).dump()
    rejected("malformed_input", lambda: crl_verifier(rsa_pki).verify(digested, challenge,
                                                                     moment=NOW))


def test_oversized_input_is_refused_before_parsing(rsa_pki):
    challenge = make_challenge().to_bytes()
    cms_der = sign(rsa_pki.leaves["valid"], challenge)
    small = crl_verifier(rsa_pki, max_input_bytes=len(cms_der) - 1)
    rejected("input_too_large", lambda: small.verify(cms_der, challenge, moment=NOW))
    # Garbage over the cap is refused for its size: the parser never sees it.
    rejected("input_too_large", lambda: crl_verifier(rsa_pki).verify(
        b"\x30" * (64 * 1024 + 1), challenge, moment=NOW))


def test_too_many_certificates(rsa_pki):
    challenge = make_challenge().to_bytes()
    leaf = rsa_pki.leaves["valid"]
    cms_der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)],
                        certificates=[leaf.certificate] * 11)
    rejected("input_too_large", lambda: crl_verifier(rsa_pki).verify(cms_der, challenge,
                                                                     moment=NOW))


def test_a_naive_moment_is_a_programming_error(rsa_pki):
    challenge = make_challenge().to_bytes()
    with pytest.raises(ValueError, match="timezone"):
        crl_verifier(rsa_pki).verify(b"x", challenge, moment=NOW.replace(tzinfo=None))


def test_trust_anchors_are_required_and_checkable(rsa_pki):
    with pytest.raises(ValueError, match="trust anchor"):
        EdsVerifier([], rsa_pki.intermediates, OfflineRevocationSource())
    pem_bundle = b"".join(authority.certificate.public_bytes(serialization.Encoding.PEM)
                          for authority in (rsa_pki.root, rsa_pki.intermediate))
    loaded = load_certificates(pem_bundle)
    assert [c.dump() for c in loaded] == [rsa_pki.anchors[0].dump(),
                                         rsa_pki.intermediates[0].dump()]
    require_fingerprints(loaded[:1], [sha256_fingerprint(rsa_pki.anchors[0]).upper()])
    with pytest.raises(TrustConfigurationError, match="fingerprints"):
        require_fingerprints(loaded, [sha256_fingerprint(rsa_pki.anchors[0])])
    with pytest.raises(TrustConfigurationError):
        load_certificates(b"not a certificate")


def test_a_backdated_signing_time_does_not_hide_a_revocation(rsa_pki):
    """The certificate was revoked before the challenge existed; the client claims to have
    signed before the revocation (still inside the allowed skew). The chain is judged at
    the server's moment, so the revocation counts."""
    challenge = make_challenge()  # issued a minute before NOW
    revoked_at = challenge.issued_at - timedelta(minutes=2)
    signing_time = challenge.issued_at - timedelta(minutes=4)  # before the revocation
    leaf = rsa_pki.leaves["revoked"]
    revoking = rsa_pki.intermediate.crl(
        (x509.load_der_x509_certificate(leaf.certificate.dump()),), number=3,
        revoked_at=revoked_at)
    error = rejected("certificate_revoked", lambda: verifier(rsa_pki, crls=[revoking]).verify(
        sign(leaf, challenge.to_bytes(), signing_time=signing_time), challenge.to_bytes(),
        moment=NOW))
    assert error.details["revoked_at"] == revoked_at.isoformat()
    # The same signature from a certificate that is not revoked passes: only the
    # revocation refused it, and the claimed signing time stays on record.
    valid = rsa_pki.leaves["valid"]
    signer = verifier(rsa_pki, crls=[revoking]).verify(
        sign(valid, challenge.to_bytes(), signing_time=signing_time), challenge.to_bytes(),
        moment=NOW)
    assert signer.signing_time == signing_time and signer.validation_time == NOW

