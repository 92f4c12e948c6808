"""EdsVerifier against a throwaway GOST 34.10-2015-512 authority built in pure Python.

These prove the GOST dispatch, the NCA byte order and GOST chain/CRL validation are
self-consistent; test_eds_nca.py proves them against the national test PKI. A GOST check
costs ~0.3 s, so the file keeps to the cases that exercise distinct GOST code.
"""

from datetime import timedelta

import pytest
from asn1crypto import cms, core, keys

from gis_portal.identity.eds import (
    EdsPolicy,
    EdsVerificationError,
    EdsVerifier,
    OfflineRevocationSource,
    asn1_gost,
    gost,
    oids,
)
from gis_portal.identity.eds.algorithms import GOST2015_512, AlgorithmRegistry, gost_public_key

from .conftest import make_challenge
from .eds_cms import build_cms, gost_signer
from .eds_pki import NOW


def gost_verifier(pki, **policy) -> EdsVerifier:
    return EdsVerifier([pki.root.certificate], [pki.intermediate.certificate],
                       OfflineRevocationSource(crls=[pki.crl]), EdsPolicy(**policy))


def signed(leaf, content: bytes, **options) -> bytes:
    return build_cms(content, [gost_signer(leaf.certificate, leaf.key)], signing_time=NOW,
                     **options)


def reason_of(call) -> str:
    with pytest.raises(EdsVerificationError) as caught:
        call()
    return caught.value.reason


def test_valid_gost_signature_is_accepted(gost_pki):
    challenge = make_challenge().to_bytes()
    signer = gost_verifier(gost_pki).verify(signed(gost_pki.valid, challenge), challenge,
                                            moment=NOW)
    assert signer.algorithm == "gost34.10-2015-512"
    assert signer.iin == "123456789011"
    assert len(signer.chain.certificates_sha256) == 3
    assert (signer.revocation.kind, signer.revocation.crl_number) == ("crl", 7)


def test_revoked_gost_certificate(gost_pki):
    challenge = make_challenge().to_bytes()
    assert reason_of(lambda: gost_verifier(gost_pki).verify(
        signed(gost_pki.revoked, challenge), challenge, moment=NOW)) == "certificate_revoked"


def test_bad_gost_signature_value(gost_pki):
    challenge = make_challenge().to_bytes()
    info = cms.ContentInfo.load(signed(gost_pki.valid, challenge))
    signer_info = info["content"]["signer_infos"][0]
    signature = bytearray(signer_info["signature"].native)
    signature[0] ^= 1
    signer_info["signature"] = bytes(signature)
    assert reason_of(lambda: gost_verifier(gost_pki).verify(
        info.dump(force=True), challenge, moment=NOW)) == "bad_signature"


def test_tampered_gost_content(gost_pki):
    challenge = make_challenge().to_bytes()
    cms_der = signed(gost_pki.valid, challenge, attached=True,
                     carried_content=challenge.replace(b"User: 42", b"User: 43"))
    assert reason_of(lambda: gost_verifier(gost_pki).verify(
        cms_der, challenge, moment=NOW)) == "content_tampered"


def test_gost_can_be_disabled(gost_pki):
    challenge = make_challenge().to_bytes()
    assert reason_of(lambda: gost_verifier(
        gost_pki, algorithms=frozenset({"rsa-pkcs1v15-sha256"})).verify(
        signed(gost_pki.valid, challenge), challenge, moment=NOW + timedelta(seconds=1))
    ) == "unsupported_algorithm"


def test_cms_may_name_the_gost_key_instead_of_the_signature(gost_pki):
    key = gost_pki.valid.certificate.public_key
    registry = AlgorithmRegistry([GOST2015_512.name])
    for signature_oid in (oids.GOST2015_512_SIGNATURE, oids.GOST2015_KEY):
        assert registry.for_cms(oids.STREEBOG_512, signature_oid, key) is GOST2015_512
    assert registry.for_cms(oids.SHA256, oids.GOST2015_512_SIGNATURE, key) is None


def test_gost_primitive_refuses_malformed_values_without_raising(gost_pki):
    key = gost_pki.valid.key
    signature = key.sign(b"data")
    assert gost.verify(key.public_point, b"data", signature)
    assert not gost.verify(key.public_point, b"data", signature[:-1])
    assert not gost.verify(key.public_point[:-1], b"data", signature)
    assert not gost.verify(bytes(128), b"data", signature)  # not a point on the curve
    assert not gost.verify(key.public_point, b"data", bytes(128))  # r = s = 0


def test_gost_keys_on_other_curves_are_not_accepted(gost_pki):
    info = gost_pki.valid.certificate.public_key
    parameters = info["algorithm"]["parameters"].dump().replace(  # curve …2.2.1 -> …2.2.2
        bytes.fromhex("0a2a830e030a0101020201"), bytes.fromhex("0a2a830e030a0101020202"))
    other_curve = keys.PublicKeyInfo({
        "algorithm": {"algorithm": oids.GOST2015_KEY,
                      "parameters": core.Sequence.load(parameters)},
        "public_key": info["public_key"]})
    assert gost_public_key(info) is not None
    assert gost_public_key(keys.PublicKeyInfo.load(other_curve.dump())) is None


def test_the_asn1crypto_shim_keeps_kazakh_keys_opaque_and_installs_once(gost_pki, rsa_pki):
    hook = keys.PublicKeyInfo._spec_callbacks["public_key"]
    asn1_gost.install()
    assert keys.PublicKeyInfo._spec_callbacks["public_key"] is hook
    assert hook(gost_pki.valid.certificate.public_key) == (keys.OctetBitString, None)
    assert hook(rsa_pki.anchors[0].public_key) is keys.RSAPublicKey
