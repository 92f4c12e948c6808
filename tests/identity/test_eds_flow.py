"""Identity confirmation by EDS through the portal's API and page, on PostGIS with real
cryptography: the tests' own RSA and GOST authorities are the configured trust anchors, their
CRLs the offline revocation source, and the national test PKI runs end to end on a pinned
clock. Every attempt, refused or not, leaves its EdsVerification and audit rows."""

import hashlib
import json
import logging
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import pem
from django.db import connection
from django.test import Client
from django.utils import timezone

from gis_portal.identity import trust
from gis_portal.identity.actions import confirmation_status, keyed_hash
from gis_portal.identity.eds import sha256_fingerprint
from gis_portal.identity.models import (
    EdsChallenge,
    EdsVerification,
    IdentityAuditEntry,
    IdentityBinding,
    IdentityConfirmation,
)
from tests.accounts.factories import UserFactory
from tests.support.servers import ROOT

from .eds_pki import RsaAuthority, as_asn1
from .eds_portal import CHALLENGES, content_of, sign, write_trust_files
from .nca_pkcs12 import read_nca_pkcs12

pytestmark = pytest.mark.django_db
Event = IdentityAuditEntry.Event
IIN = "123456789011"  # in every test certificate, the NCA's included
ORIGIN = "https://tuganzher.test"


@pytest.fixture(scope="module")
def trust_files(rsa_pki, gost_pki, tmp_path_factory):
    return write_trust_files(tmp_path_factory.mktemp("eds-trust"), [rsa_pki, gost_pki])


@pytest.fixture
def eds(settings, trust_files):
    """EDS configured as production would be, with the tests' CAs and offline CRLs."""
    for name, value in trust_files.settings().items():
        setattr(settings, name, value)
    settings.EDS_SITE_ORIGIN = ORIGIN
    return settings


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def issue(client, **body) -> dict:
    response = client.post(CHALLENGES, body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def verify(client, challenge_id, cms: str):
    return client.post(f"{CHALLENGES}/{challenge_id}/verify", {"cms": cms},
                       content_type="application/json")


def refused(response, status: int, reason: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["reason"] == reason and body["error"], body
    return body


def failed_rows(user) -> list[str]:
    return list(EdsVerification.objects.filter(user=user, result="failed")
                .order_by("id").values_list("failure_code", flat=True))


def assert_nothing_confirmed(user):
    assert not IdentityConfirmation.objects.filter(user=user).exists()
    assert not confirmation_status(user).confirmed
    assert not IdentityAuditEntry.objects.filter(actor=user, event=Event.EDS_CONFIRMED).exists()


# --- the happy paths ---------------------------------------------------------------------------


def test_an_rsa_signature_confirms_the_identity_and_keeps_the_evidence(eds, signed_in, user,
                                                                         rsa_pki):
    assert signed_in.get("/identity/status").json() == {
        "confirmed": False, "method": None, "until": None}
    challenge = issue(signed_in)
    content = content_of(challenge)
    assert content.startswith(b"tugan-zher/eds-challenge/v1\nOrigin: https://tuganzher.test\n"
                              b"Purpose: confirm_identity\n")
    assert f"\nChallenge: {challenge['id']}\n".encode() in content
    assert f"\nUser: {user.pk}\n".encode() in content
    assert challenge["signer_params"] == {"extKeyUsageOids": ["1.2.398.3.3.4.1.1"]}
    stored = EdsChallenge.objects.get(pk=challenge["id"])
    assert bytes(stored.content) == content and stored.user == user
    assert stored.expires_at - stored.created_at == timedelta(seconds=300)

    leaf = rsa_pki.leaves["valid"]
    cms = sign(leaf, content)
    response = verify(signed_in, challenge["id"], cms)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmed"] is True and body["method"] == "eds"
    confirmation = IdentityConfirmation.objects.get(user=user)
    assert datetime.fromisoformat(body["until"]) == confirmation.expires_at
    assert confirmation.expires_at - confirmation.confirmed_at == timedelta(minutes=30)
    verification = EdsVerification.objects.get(user=user)
    assert (verification.result, verification.failure_code) == ("ok", "")
    assert confirmation.method == "eds" and confirmation.eds_verification == verification
    assert confirmation.iin_hash == verification.iin_hash == keyed_hash(IIN, "iin")
    assert confirmation.iin_last4 == verification.iin_last4 == "9011"
    # The evidence: fingerprints of the CMS and the signer's certificate (the blobs themselves
    # carry the full IIN and name, and are not kept), the CRL that vouched for it.
    assert verification.cms_sha256 == hashlib.sha256(pem.unarmor(cms.encode())[2]).hexdigest()
    assert verification.cert_sha256 == sha256_fingerprint(leaf.certificate)
    assert verification.issuer_dn == "C=KZ,CN=TEST NCA (RSA)"
    assert verification.algorithm == "rsa-pkcs1v15-sha256"
    assert verification.revocation_method == "crl"
    evidence = verification.revocation_evidence
    assert evidence["revocation"]["source"] == "offline"
    assert evidence["revocation"]["crl_number"] == 2
    assert len(evidence["chain_sha256"]) == 3 and evidence["key_purposes"] == ["sign"]
    assert IIN not in json.dumps(evidence) and "ТЕСТОВ" not in json.dumps(evidence)
    assert verification.challenge_id == stored.pk and verification.client_ip == "127.0.0.1"
    stored.refresh_from_db()
    assert stored.used_at is not None and stored.attempts == 1
    events = list(IdentityAuditEntry.objects.filter(actor=user).order_by("created_at", "id")
                  .values_list("event", flat=True))
    # The first confirmation binds the account to this IIN.
    assert events == [Event.CHALLENGE_ISSUED, Event.IDENTITY_BOUND, Event.EDS_CONFIRMED]
    confirmed = IdentityAuditEntry.objects.get(event=Event.EDS_CONFIRMED, actor=user)
    assert confirmed.confirmation == confirmation and confirmed.verification == verification

    status = signed_in.get("/identity/status").json()
    assert status["confirmed"] is True and status["method"] == "eds"
    assert "Confirmed (electronic digital signature)" in signed_in.get(
        "/accounts/profile/").content.decode()


def test_a_gost_signature_confirms_the_identity(eds, signed_in, user, gost_pki):
    challenge = issue(signed_in)
    response = verify(signed_in, challenge["id"], sign(gost_pki.valid, content_of(challenge)))
    assert response.status_code == 200, response.content
    verification = EdsVerification.objects.get(user=user)
    assert verification.algorithm == "gost34.10-2015-512"
    assert verification.revocation_evidence["revocation"]["crl_number"] == 7
    assert confirmation_status(user).method == "eds"


def test_a_confirmation_of_the_same_person_may_be_renewed(eds, signed_in, user, rsa_pki):
    leaf = rsa_pki.leaves["valid"]
    for _ in range(2):
        challenge = issue(signed_in)
        assert verify(signed_in, challenge["id"], sign(leaf, content_of(challenge))
                      ).status_code == 200
    assert IdentityConfirmation.objects.filter(user=user).count() == 2


# --- the challenge rules -----------------------------------------------------------------------


def test_a_replayed_challenge_is_refused(eds, signed_in, user, rsa_pki):
    challenge = issue(signed_in)
    cms = sign(rsa_pki.leaves["valid"], content_of(challenge))
    assert verify(signed_in, challenge["id"], cms).status_code == 200
    refused(verify(signed_in, challenge["id"], cms), 409, "challenge_used")
    assert failed_rows(user) == ["challenge_used"]
    assert IdentityConfirmation.objects.filter(user=user).count() == 1


def test_an_expired_challenge_is_refused(eds, signed_in, user, rsa_pki):
    challenge = issue(signed_in)
    cms = sign(rsa_pki.leaves["valid"], content_of(challenge))
    later = timezone.now() + timedelta(seconds=301)
    with trust.use_clock(lambda: later):
        refused(verify(signed_in, challenge["id"], cms), 410, "challenge_expired")
    assert failed_rows(user) == ["challenge_expired"]
    assert EdsChallenge.objects.get(pk=challenge["id"]).attempts == 0
    assert_nothing_confirmed(user)


def test_another_users_challenge_answers_as_if_it_did_not_exist(eds, client, rsa_pki):
    owner, intruder = UserFactory(), UserFactory()
    client.force_login(owner)
    challenge = issue(client)
    cms = sign(rsa_pki.leaves["valid"], content_of(challenge))
    client.force_login(intruder)
    foreign = refused(verify(client, challenge["id"], cms), 403, "challenge_not_found")
    unknown = refused(verify(client, uuid.uuid4(), cms), 403, "challenge_not_found")
    assert foreign == unknown
    # The audit knows which was which; the owner's challenge is untouched.
    assert failed_rows(intruder) == ["challenge_of_another_user", "challenge_unknown"]
    stored = EdsChallenge.objects.get(pk=challenge["id"])
    assert stored.attempts == 0 and stored.used_at is None
    assert_nothing_confirmed(intruder)
    assert_nothing_confirmed(owner)


def test_attempts_at_one_challenge_are_limited(eds, signed_in, user, rsa_pki):
    leaf = rsa_pki.leaves["valid"]
    challenge = issue(signed_in)
    for _ in range(3):
        refused(verify(signed_in, challenge["id"], sign(leaf, b"some other text")), 400,
                "challenge_mismatch")
    refused(verify(signed_in, challenge["id"], sign(leaf, content_of(challenge))), 429,
            "too_many_attempts")
    assert failed_rows(user) == ["challenge_mismatch"] * 3 + ["too_many_attempts"]
    assert EdsChallenge.objects.get(pk=challenge["id"]).attempts == 3
    assert_nothing_confirmed(user)


@pytest.mark.parametrize(("leaf_name", "reason"), [
    ("revoked", "certificate_revoked"),
    ("untrusted", "untrusted_root"),
    ("legal_entity", "legal_entity_certificate"),
    ("expired", "certificate_expired"),
])
def test_a_rejected_certificate_is_audited_and_confirms_nothing(eds, signed_in, user, rsa_pki,
                                                                leaf_name, reason):
    leaf = rsa_pki.leaves[leaf_name]
    challenge = issue(signed_in)
    body = refused(verify(signed_in, challenge["id"], sign(leaf, content_of(challenge))), 400,
                   reason)
    assert IIN not in body["error"]
    verification = EdsVerification.objects.get(user=user)
    assert (verification.result, verification.failure_code) == ("failed", reason)
    # What was read from the certificate is kept, the IIN only as hash and last digits.
    assert verification.cert_sha256 == sha256_fingerprint(leaf.certificate)
    assert verification.iin_hash == keyed_hash(IIN, "iin") and verification.iin_last4 == "9011"
    assert len(verification.cms_sha256) == 64
    if reason == "certificate_revoked":
        details = verification.revocation_evidence["details"]
        assert details["revocation_reason"] == "key_compromise" and details["revoked_at"]
    failed = IdentityAuditEntry.objects.get(actor=user, event=Event.EDS_FAILED)
    assert failed.verification == verification and failed.detail == reason
    stored = EdsChallenge.objects.get(pk=challenge["id"])
    assert stored.used_at is None and stored.attempts == 1
    assert_nothing_confirmed(user)


def test_garbage_is_audited_as_malformed(eds, signed_in, user):
    challenge = issue(signed_in)
    refused(verify(signed_in, challenge["id"], "bm90IGEgc2lnbmF0dXJl"), 400, "malformed_input")
    verification = EdsVerification.objects.get(user=user)
    assert verification.failure_code == "malformed_input"
    # The fingerprint of what was sent, decoded.
    assert verification.cms_sha256 == hashlib.sha256(b"not a signature").hexdigest()


def test_an_account_confirmed_as_one_person_cannot_be_confirmed_as_another(eds, signed_in, user,
                                                                          rsa_pki):
    IdentityBinding.objects.create(user=user, iin_hash=keyed_hash("990101300123", "iin"),
                                   iin_last4="0123")
    challenge = issue(signed_in)
    refused(verify(signed_in, challenge["id"], sign(rsa_pki.leaves["valid"],
                                                    content_of(challenge))),
            403, "identity_mismatch")
    verification = EdsVerification.objects.get(user=user)
    assert verification.failure_code == "identity_mismatch"
    assert verification.iin_hash == keyed_hash(IIN, "iin")
    assert not IdentityConfirmation.objects.filter(user=user, method="eds").exists()
    assert EdsChallenge.objects.get(pk=challenge["id"]).used_at is None


def test_one_person_confirms_one_account(eds, client, rsa_pki):
    first, second = UserFactory(), UserFactory()
    for account in (first, second):
        client.force_login(account)
        challenge = issue(client)
        response = verify(client, challenge["id"], sign(rsa_pki.leaves["valid"],
                                                        content_of(challenge)))
    refused(response, 409, "identity_in_use")
    assert confirmation_status(first).confirmed and not confirmation_status(second).confirmed
    assert EdsVerification.objects.get(user=second).failure_code == "identity_in_use"
    assert IdentityAuditEntry.objects.get(actor=second, event=Event.EDS_FAILED).detail == (
        "identity_in_use")
    assert IdentityBinding.objects.get(iin_hash=keyed_hash(IIN, "iin")).user == first


def test_the_database_keeps_no_iin_or_name_in_clear(eds, signed_in, user, rsa_pki):
    challenge = issue(signed_in)
    assert verify(signed_in, challenge["id"], sign(rsa_pki.leaves["valid"],
                                                   content_of(challenge))).status_code == 200
    challenge = issue(signed_in)
    verify(signed_in, challenge["id"], sign(rsa_pki.leaves["revoked"], content_of(challenge)))
    tables = ["identity_edsverification", "identity_identityconfirmation",
              "identity_identityauditentry", "identity_identitybinding"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT row_to_json(t)::text FROM {table} t")
            dump = " ".join(row[0] for row in cursor.fetchall())
            assert dump, table
            for personal in (IIN, "ТЕСТОВ", "ТЕСТ ТЕСТОВИЧ"):
                assert personal not in dump, (table, personal)
        cursor.execute("SELECT column_name FROM information_schema.columns "
                       "WHERE table_name = 'identity_edsverification'")
        columns = {row[0] for row in cursor.fetchall()}
    assert not columns & {"cms_der", "signer_cert_der", "signer_name"}


def test_the_page_says_what_is_kept(eds, signed_in):
    page = signed_in.get("/identity/eds/").content.decode()
    assert "Not kept: your name, your full IIN, the signature itself and your certificate." in (
        page)


# --- limits, access and configuration ----------------------------------------------------------


def test_a_new_request_replaces_the_open_one_for_the_same_target(eds, signed_in, user):
    first = issue(signed_in)
    second = issue(signed_in)  # e.g. after the user cancelled in NCALayer
    assert first["id"] != second["id"]
    for _ in range(5):
        issue(signed_in)
    open_ids = list(EdsChallenge.objects.filter(user=user, expires_at__gt=timezone.now())
                    .values_list("id", flat=True))
    assert len(open_ids) == 1


def test_open_challenges_are_capped(eds, signed_in, user):
    for n in range(3):
        issue(signed_in, target=f"help-request:{n}")
    response = signed_in.post(CHALLENGES, {"target": "help-request:9"},
                              content_type="application/json")
    refused(response, 429, "rate_limited")
    assert EdsChallenge.objects.filter(user=user).count() == 3
    # Expired challenges are no longer open.
    with trust.use_clock(lambda: timezone.now() + timedelta(minutes=6)):
        issue(signed_in)


def test_challenges_per_hour_are_limited(eds, signed_in, user):
    eds.EDS_MAX_OPEN_CHALLENGES = 100
    eds.EDS_CHALLENGES_PER_HOUR = 4
    for _ in range(4):
        issue(signed_in)
    refused(signed_in.post(CHALLENGES, {}, content_type="application/json"), 429,
            "rate_limited")
    with trust.use_clock(lambda: timezone.now() + timedelta(minutes=61)):
        issue(signed_in)
    # Another user has their own allowance.
    signed_in.force_login(UserFactory())
    issue(signed_in)


def test_the_api_needs_a_signed_in_user_and_the_csrf_token(eds, user):
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(CHALLENGES, {}, content_type="application/json").status_code == 403
    assert anonymous.get("/identity/status").status_code == 403
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(user)
    response = checked.post(CHALLENGES, {}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]
    checked.get("/identity/eds/")  # the page sets the CSRF cookie its script sends back
    token = checked.cookies["csrftoken"].value
    response = checked.post(CHALLENGES, {}, content_type="application/json",
                            headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_a_challenge_carries_a_purpose_and_target(eds, signed_in):
    challenge = issue(signed_in, purpose="reveal_contacts", target="help-request:17")
    assert b"\nPurpose: reveal_contacts\n" in content_of(challenge)
    assert b"\nTarget: help-request:17\n" in content_of(challenge)
    refused(signed_in.post(CHALLENGES, {"purpose": "anything"}, content_type="application/json"),
            400, "invalid_request")
    refused(signed_in.post(CHALLENGES, {"target": "a target with spaces"},
                           content_type="application/json"), 400, "invalid")


def test_without_trust_anchors_eds_is_unavailable(settings, signed_in, user, caplog):
    settings.EDS_TRUST_ANCHORS = []
    response = signed_in.post(CHALLENGES, {}, content_type="application/json")
    refused(response, 503, "eds_unavailable")
    assert "EDS_TRUST_ANCHORS is empty" in caplog.text
    assert not EdsChallenge.objects.exists()


def test_a_trust_anchor_that_is_not_the_pinned_one_is_refused(eds, signed_in):
    eds.EDS_TRUST_ANCHOR_SHA256 = ["00" * 32, "11" * 32]
    refused(signed_in.post(CHALLENGES, {}, content_type="application/json"), 503,
            "eds_unavailable")


def test_no_revocation_check_only_in_debug_and_loudly(eds, signed_in, user, rsa_pki, caplog):
    eds.EDS_REVOCATION = "none"
    refused(signed_in.post(CHALLENGES, {}, content_type="application/json"), 503,
            "eds_unavailable")
    eds.DEBUG = True
    challenge = issue(signed_in)
    with caplog.at_level(logging.WARNING):
        # The revoked certificate passes: this is what "none" means.
        response = verify(signed_in, challenge["id"], sign(rsa_pki.leaves["revoked"],
                                                           content_of(challenge)))
    assert response.status_code == 200
    assert EdsVerification.objects.get(user=user).revocation_method == "none"
    assert "REVOCATION CHECKING IS DISABLED" in caplog.text


def test_gost_can_be_switched_off(eds, signed_in, user, gost_pki):
    eds.EDS_ALLOW_GOST = False
    challenge = issue(signed_in)
    refused(verify(signed_in, challenge["id"], sign(gost_pki.valid, content_of(challenge))),
            400, "unsupported_algorithm")


# --- the page, the profile link and the schema -------------------------------------------------


def test_the_page_allows_exactly_the_ncalayer_socket(eds, signed_in):
    response = signed_in.get("/identity/eds/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "connect-src 'self' wss://127.0.0.1:13579;" in policy
    assert "default-src 'self'" in policy
    page = response.content.decode()
    config = json.loads(page.split('<script id="eds-config" type="application/json">')[1]
                        .split("</script>")[0])
    assert config == {"challengesUrl": "/identity/eds/challenges",
                      "ncalayerUrl": "wss://127.0.0.1:13579", "locale": "en"}
    assert "/static/identity/eds.js" in page and "/jsi18n/" in page
    # The policy follows the setting, e.g. a stand-in's plain socket.
    eds.EDS_NCALAYER_URL = "ws://127.0.0.1:40123/"
    policy = signed_in.get("/identity/eds/")["Content-Security-Policy"]
    assert "connect-src 'self' ws://127.0.0.1:40123;" in policy


def test_the_page_needs_a_signed_in_user(client):
    response = client.get("/identity/eds/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_profile_links_to_the_page(signed_in):
    assert 'href="/identity/eds/"' in signed_in.get("/accounts/profile/").content.decode()


def test_the_page_and_its_script_messages_are_translated(signed_in):
    for language, button, not_running in [
        ("kk", "NCALayer арқылы қол қою", "NCALayer іске қосылмаған."),
        ("ru", "Подписать через NCALayer", "NCALayer не запущен."),
    ]:
        signed_in.cookies["django_language"] = language
        assert button in signed_in.get("/identity/eds/").content.decode()
        catalogue = signed_in.get("/jsi18n/").content.decode()
        assert json.dumps(not_running)[1:-1] in catalogue  # the catalogue escapes non-ASCII


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths["/identity/eds/challenges"]) == {"post"}
    verify_operation = paths["/identity/eds/challenges/{challenge_id}/verify"]["post"]
    assert {"200", "403", "409", "410", "429"} <= set(verify_operation["responses"])
    assert set(paths["/identity/status"]) == {"get"}
    status_schema = schema["components"]["schemas"]["Status"]
    assert set(status_schema["properties"]) == {"confirmed", "method", "until"}


# --- the national test PKI, end to end through the portal --------------------------------------

NCA_PASSWORD = "Qwerty12"  # published with the test keys
# Inside the NCA test CRL's window (2026-08-11 … 2027-02-07); the user certificates run to 2027-05.
PINNED = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def nca_eds(settings, nca_dir):
    settings.EDS_TRUST_ANCHORS = [str(nca_dir / "root_test_gost_2022.cer")]
    settings.EDS_INTERMEDIATES = [str(nca_dir / "nca_gost2022_test.cer")]
    settings.EDS_REVOCATION = "offline"
    settings.EDS_REVOCATION_CRLS = [str(nca_dir / "nca_gost2022_test.crl")]
    settings.EDS_SITE_ORIGIN = ORIGIN
    with trust.use_clock(lambda: PINNED):
        yield nca_dir


def test_a_challenge_signed_with_the_nca_test_key_confirms_the_identity(nca_eds, signed_in,
                                                                       user):
    key = read_nca_pkcs12(nca_eds / "individual" / "valid" / "individual_valid.p12",
                          NCA_PASSWORD)
    challenge = issue(signed_in)
    assert b"\nIssued-At: 2026-09-01T09:00:00Z\n" in content_of(challenge)
    cms = sign(key, content_of(challenge), signing_time=PINNED)
    response = verify(signed_in, challenge["id"], cms)
    assert response.status_code == 200, response.content
    verification = EdsVerification.objects.get(user=user)
    assert verification.algorithm == "gost34.10-2015-512"
    assert verification.issuer_dn == "C=KZ,CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022"
    assert verification.revocation_evidence["revocation"]["crl_number"] == 166
    assert verification.iin_hash == keyed_hash(IIN, "iin")
    confirmation = IdentityConfirmation.objects.get(user=user)
    assert confirmation.confirmed_at == PINNED
    assert confirmation_status(user, at=PINNED + timedelta(minutes=1)).confirmed


def test_the_revoked_nca_test_certificate_confirms_nothing(nca_eds, signed_in, user):
    key = read_nca_pkcs12(nca_eds / "individual" / "revoked" / "individual_revoked.p12",
                          NCA_PASSWORD)
    challenge = issue(signed_in)
    refused(verify(signed_in, challenge["id"], sign(key, content_of(challenge),
                                                    signing_time=PINNED)),
            400, "certificate_revoked")
    verification = EdsVerification.objects.get(user=user)
    assert verification.revocation_evidence["details"]["revocation_reason"] == "certificate_hold"
    assert not IdentityConfirmation.objects.filter(user=user).exists()


# --- production refuses test trust -------------------------------------------------------------


def test_production_trust_refuses_test_anchors_and_unpinned_ones(tmp_path, nca_dir, rsa_pki):
    from django.core.exceptions import ImproperlyConfigured

    copied = tmp_path / "root.cer"  # the NCA test root under an innocent name
    copied.write_bytes((nca_dir / "root_test_gost_2022.cer").read_bytes())
    own_test_root = tmp_path / "own.der"
    own_test_root.write_bytes(rsa_pki.anchors[0].dump())  # "TEST ROOT (RSA)"
    production_like = tmp_path / "production.der"
    anchor = as_asn1(RsaAuthority.root("NCA RK ROOT (RSA)").certificate)
    production_like.write_bytes(anchor.dump())
    pin = sha256_fingerprint(anchor)
    for paths, pins, message in [
        ([str(nca_dir / "root_test_gost_2022.cer")], [], "NCA test PKI"),
        ([str(copied)], [], "is a test CA"),
        ([str(own_test_root)], [], "is a test CA"),
        ([str(production_like)], [], "must pin"),
        ([str(production_like)], ["ab" * 32], "do not match"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=message):
            trust.check_production_trust(paths, pins)
    trust.check_production_trust([str(production_like)], [pin.upper()])
    trust.check_production_trust([], [])  # EDS switched off: allowed


@pytest.mark.parametrize(("environment", "message"), [
    ({"EDS_REVOCATION": "none"}, "never production"),
    ({"EDS_TRUST_ANCHORS": "/srv/eds/nca-test/root_test_gost_2022.cer"}, "NCA test PKI"),
])
def test_production_settings_refuse_to_load(environment, message):
    import secrets

    from cryptography.fernet import Fernet

    secret = secrets.token_urlsafe(48)
    result = subprocess.run(
        [sys.executable, "-c", "import gis_portal.settings.prod"], cwd=ROOT,
        capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SECRET_KEY": secret,
             "TZ_IDENTITY_HASH_KEY": secret, "TZ_PRIVACY_KEYS": Fernet.generate_key().decode(),
             "TZ_PRIVACY_INDEX_KEY": secrets.token_urlsafe(48), **environment})
    assert result.returncode != 0 and message in result.stderr, result.stderr
