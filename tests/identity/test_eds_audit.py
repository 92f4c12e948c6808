"""Audit records of verification attempts: JSON-safe, and the IIN only as a keyed hash plus
its last four digits unless the caller allows more."""

import hashlib
import hmac
import json

import pytest
from django.conf import settings

from gis_portal.identity.eds import (
    EdsVerificationError,
    EdsVerifier,
    OfflineRevocationSource,
    audit_record,
    iin_keyed_hash,
)

from .conftest import make_challenge
from .eds_cms import build_cms, rsa_signer
from .eds_pki import NOW

KEY = b"audit-test-key-0123456789"
IIN = "123456789011"


def verify(rsa_pki, leaf_name: str, crl: bytes):
    leaf = rsa_pki.leaves[leaf_name]
    challenge = make_challenge().to_bytes()
    cms_der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)], signing_time=NOW)
    return EdsVerifier(rsa_pki.anchors, rsa_pki.intermediates,
                       OfflineRevocationSource(crls=[crl])).verify(cms_der, challenge, moment=NOW)


def test_a_success_record(rsa_pki):
    signer = verify(rsa_pki, "valid", rsa_pki.crl_empty)
    record = audit_record(signer, iin_key=KEY)
    text = json.dumps(record)
    assert IIN not in text
    assert record["result"] == "ok" and record["failure_code"] == ""
    assert record["iin_hash"] == hmac.new(KEY, b"iin:" + IIN.encode(), hashlib.sha256).hexdigest()
    assert (record["iin_last4"], record["iin"]) == ("9011", None)
    assert record["signer_name"] == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert record["certificate_sha256"] == signer.certificate_sha256
    assert record["chain_sha256"] == list(signer.chain.certificates_sha256)
    assert record["challenge_id"] == signer.challenge.challenge_id
    assert record["revocation"]["kind"] == "crl" and record["revocation"]["crl_number"] == 1
    assert record["signing_time"] == NOW.isoformat()
    assert audit_record(signer, iin_key=KEY, store_full_iin=True)["iin"] == IIN


def test_a_failure_record_keeps_what_was_known_of_the_signer(rsa_pki):
    with pytest.raises(EdsVerificationError) as caught:
        verify(rsa_pki, "revoked", rsa_pki.crl_revoking)
    record = audit_record(caught.value, iin_key=KEY)
    assert IIN not in json.dumps(record)
    assert record["result"] == "failed" and record["failure_code"] == "certificate_revoked"
    assert record["details"]["revocation_reason"] == "key_compromise"
    assert record["iin_last4"] == "9011" and record["iin_hash"] == iin_keyed_hash(IIN, KEY)
    assert record["certificate_sha256"] == caught.value.signer.certificate_sha256


def test_a_failure_before_any_certificate_is_read(rsa_pki):
    with pytest.raises(EdsVerificationError) as caught:
        EdsVerifier(rsa_pki.anchors, [], OfflineRevocationSource()).verify(
            b"garbage", make_challenge().to_bytes(), moment=NOW)
    record = audit_record(caught.value, iin_key=KEY)
    assert json.loads(json.dumps(record)) == record
    assert (record["failure_code"], record["iin_hash"], record["certificate_sha256"]) == (
        "malformed_input", None, None)


def test_the_hash_matches_the_identity_apps_keyed_hash():
    from gis_portal.identity.actions import keyed_hash

    key = settings.TZ_IDENTITY_HASH_KEY.encode()
    assert iin_keyed_hash(IIN, key) == keyed_hash(IIN, "iin")


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="at least"):
        iin_keyed_hash(IIN, b"short")
