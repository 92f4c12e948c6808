"""The reveal gate: run_reveal opens personal data only to a signed-in user with an active
identity confirmation and a fresh step-up in this very session (the password again, or an
EDS signature naming the target), within a daily limit; every refusal is audited, an
anonymous one with the client address."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import timezone

from gis_portal.identity import trust
from gis_portal.identity.actions import (
    NotConfirmed,
    NotSignedIn,
    RevealLimitReached,
    StepUpRequired,
    keyed_hash,
    run_reveal,
)
from gis_portal.identity.models import IdentityAuditEntry, IdentityBinding, IdentityConfirmation
from layers.areas.models import AdminArea
from tests.accounts.factories import UserFactory

from .eds_portal import CHALLENGES, content_of, sign, write_trust_files

pytestmark = pytest.mark.django_db
Event = IdentityAuditEntry.Event
PASSWORD = "a-long-test-password"  # the factory's
CONTACTS = {"phone": "+7 700 000 00 00"}
TARGET = "help-request:42"


@pytest.fixture
def area():
    return AdminArea.objects.filter(generation__is_current=True, level="district").first()


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def confirmed(user):
    now = timezone.now()
    IdentityBinding.objects.create(user=user, iin_hash=keyed_hash("123456789011", "iin"),
                                   iin_last4="9011")
    return IdentityConfirmation.objects.create(
        user=user, method=IdentityConfirmation.Method.SERVICE_CENTRE,
        iin_hash=keyed_hash("123456789011", "iin"), iin_last4="9011", confirmed_at=now,
        expires_at=now + timedelta(days=365))


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def request_of(client: Client | None, user=None, ip="203.0.113.7"):
    """The request a layer's view would pass: this client's session and user."""
    request = RequestFactory().get("/help/42/", REMOTE_ADDR=ip)
    if client is None:
        request.user = AnonymousUser()
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    else:
        request.user = user
        request.session = client.session
    return request


def reveal(request, target=TARGET, area=None):
    return run_reveal(request=request, target=target, area=area, fields=["phone"],
                      reveal=lambda: dict(CONTACTS))


def step_up(client, password=PASSWORD):
    return client.post(f"/identity/step-up/?target={TARGET}&next=/help/42/",
                       {"password": password, "target": TARGET, "next": "/help/42/"})


def refusals() -> list[str]:
    return list(IdentityAuditEntry.objects.filter(event=Event.REVEAL_REFUSED).order_by("id")
                .values_list("detail", flat=True))


def test_an_anonymous_reveal_is_refused_and_audited_with_the_address(area):
    with pytest.raises(NotSignedIn) as caught:
        reveal(request_of(None), area=area)
    assert caught.value.action_url == "/accounts/login/?next=%2Fhelp%2F42%2F"
    entry = IdentityAuditEntry.objects.get(event=Event.REVEAL_REFUSED)
    assert entry.actor is None and entry.client_ip == "203.0.113.7"
    assert (entry.detail, entry.target, entry.area, entry.fields) == (
        "not_signed_in", TARGET, area, ["phone"])


def test_an_unconfirmed_user_is_sent_to_confirm(signed_in, user):
    assert step_up(signed_in).status_code == 302
    with pytest.raises(NotConfirmed) as caught:
        reveal(request_of(signed_in, user))
    assert caught.value.action_url == "/identity/eds/" and caught.value.status == 403
    assert "public service centre" in caught.value.message
    assert refusals() == ["identity_not_confirmed"]


def test_a_confirmation_alone_opens_nothing_without_a_step_up(signed_in, user, confirmed):
    with pytest.raises(StepUpRequired) as caught:
        reveal(request_of(signed_in, user))
    assert caught.value.action_url == (
        "/identity/step-up/?target=help-request%3A42&next=%2Fhelp%2F42%2F")
    assert "password again" in caught.value.message
    assert refusals() == ["step_up_required"]


def test_the_password_again_opens_reveals_in_this_session(signed_in, user, confirmed, area):
    page = signed_in.get(f"/identity/step-up/?target={TARGET}")
    assert page.status_code == 200 and "Confirm it is you" in page.content.decode()
    response = step_up(signed_in)
    assert response.status_code == 302 and response["Location"] == "/help/42/"
    assert reveal(request_of(signed_in, user), area=area) == CONTACTS
    # A password step-up opens any target.
    assert reveal(request_of(signed_in, user), target="volunteer:7") == CONTACTS
    entries = IdentityAuditEntry.objects.filter(event=Event.REVEAL).order_by("id")
    first = entries[0]
    assert (first.actor, first.confirmation, first.target, first.area, first.fields) == (
        user, confirmed, TARGET, area, ["phone"])
    assert IdentityAuditEntry.objects.filter(event=Event.STEP_UP, actor=user,
                                             detail="password").count() == 1


def test_the_step_up_ends_after_its_minutes(signed_in, user, confirmed):
    step_up(signed_in)
    later = timezone.now() + timedelta(minutes=settings.TZ_REVEAL_STEP_UP_MINUTES,
                                       seconds=5)
    with trust.use_clock(lambda: later):
        with pytest.raises(StepUpRequired):
            reveal(request_of(signed_in, user))
    assert reveal(request_of(signed_in, user)) == CONTACTS


def test_another_session_of_the_same_user_has_no_step_up(signed_in, user, confirmed):
    step_up(signed_in)
    other = Client()
    other.force_login(user)
    with pytest.raises(StepUpRequired):
        reveal(request_of(other, user))
    # Nor does another user's session carry over a step-up.
    assert reveal(request_of(signed_in, user)) == CONTACTS


def test_a_wrong_password_is_refused_audited_and_limited(signed_in, user, confirmed):
    response = step_up(signed_in, "not-my-password")
    assert response.status_code == 400
    assert "This is not your password" in response.content.decode()
    with pytest.raises(StepUpRequired):
        reveal(request_of(signed_in, user))
    for _ in range(4):
        step_up(signed_in, "not-my-password")
    # Five wrong: even the right password waits now.
    assert step_up(signed_in).status_code == 429
    failed = list(IdentityAuditEntry.objects.filter(event=Event.STEP_UP_FAILED).order_by("id")
                  .values_list("detail", flat=True))
    assert failed == ["wrong_password"] * 5 + ["too_many_attempts"]


def test_the_json_step_up(signed_in, user, confirmed):
    url = "/identity/step-up"
    wrong = signed_in.post(url, {"password": "nope"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["reason"] == "wrong_password"
    right = signed_in.post(url, {"password": PASSWORD}, content_type="application/json")
    assert right.status_code == 200 and right.json()["step_up_until"]
    assert reveal(request_of(signed_in, user)) == CONTACTS
    assert Client().post(url, {"password": PASSWORD},
                         content_type="application/json").status_code == 403


def test_reveals_per_day_are_limited(settings, signed_in, user, confirmed):
    settings.TZ_REVEAL_DAILY_LIMIT = 3
    step_up(signed_in)
    for n in range(3):
        reveal(request_of(signed_in, user), target=f"help-request:{n}")
    with pytest.raises(RevealLimitReached) as caught:
        reveal(request_of(signed_in, user))
    assert caught.value.status == 429 and "24 hours" in caught.value.message
    assert refusals() == ["reveal_daily_limit"]
    tomorrow = timezone.now() + timedelta(hours=24, minutes=1)
    # A day later the old reveals no longer count.
    with trust.use_clock(lambda: tomorrow):
        signed_in.post("/identity/step-up", {"password": PASSWORD},
                       content_type="application/json")
    with trust.use_clock(lambda: tomorrow + timedelta(seconds=1)):
        assert reveal(request_of(signed_in, user)) == CONTACTS


def test_a_failing_reveal_leaves_no_reveal_row(signed_in, user, confirmed):
    step_up(signed_in)

    def broken():
        raise LookupError("no such help request")

    with pytest.raises(LookupError):
        run_reveal(request=request_of(signed_in, user), target=TARGET, area=None,
                   fields=["phone"], reveal=broken)
    assert not IdentityAuditEntry.objects.filter(event=Event.REVEAL).exists()


def test_a_reveal_needs_a_target(signed_in, user):
    with pytest.raises(ValueError):
        run_reveal(request=request_of(signed_in, user), target="", area=None, fields=[],
                   reveal=dict)


def test_the_step_up_page_needs_a_signed_in_user(client):
    response = client.get(f"/identity/step-up/?target={TARGET}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_step_up_page_ignores_a_foreign_next(signed_in, user, confirmed):
    response = signed_in.post(f"/identity/step-up/?target={TARGET}&next=https://evil.test/",
                              {"password": PASSWORD})
    assert response.status_code == 302 and "evil" not in response["Location"]


# --- the EDS step-up, bound to its target -------------------------------------------------------


@pytest.fixture(scope="module")
def trust_files(rsa_pki, tmp_path_factory):
    return write_trust_files(tmp_path_factory.mktemp("reveal-trust"), [rsa_pki])


@pytest.fixture
def eds(settings, trust_files):
    for name, value in trust_files.settings().items():
        setattr(settings, name, value)
    settings.EDS_SITE_ORIGIN = "https://tuganzher.test"
    return settings


def sign_reveal(client, rsa_pki, target):
    response = client.post(CHALLENGES, {"purpose": "reveal_contacts", "target": target},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    challenge = response.json()
    assert f"\nTarget: {target}\n".encode() in content_of(challenge)
    return client.post(f"{CHALLENGES}/{challenge['id']}/verify",
                       {"cms": sign(rsa_pki.leaves["valid"], content_of(challenge))},
                       content_type="application/json")


def test_an_eds_signature_naming_the_target_opens_only_that_target(eds, signed_in, user,
                                                                   rsa_pki):
    response = sign_reveal(signed_in, rsa_pki, "help-request:1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmed"] is True and body["step_up_until"]
    # The signature also confirmed the identity; the step-up opens its own target only.
    assert reveal(request_of(signed_in, user), target="help-request:1") == CONTACTS
    with pytest.raises(StepUpRequired):
        reveal(request_of(signed_in, user), target="help-request:2")
    assert refusals() == ["step_up_required"]
    step = IdentityAuditEntry.objects.get(event=Event.STEP_UP)
    assert (step.detail, step.target) == ("eds", "help-request:1")
    # Another session of the user has nothing.
    other = Client()
    other.force_login(user)
    with pytest.raises(StepUpRequired):
        reveal(request_of(other, user), target="help-request:1")


def test_an_identity_confirmation_signature_is_no_step_up(eds, signed_in, user, rsa_pki):
    response = signed_in.post(CHALLENGES, {}, content_type="application/json")
    challenge = response.json()
    verified = signed_in.post(f"{CHALLENGES}/{challenge['id']}/verify",
                              {"cms": sign(rsa_pki.leaves["valid"], content_of(challenge))},
                              content_type="application/json")
    assert verified.status_code == 200 and verified.json()["step_up_until"] is None
    with pytest.raises(StepUpRequired):
        reveal(request_of(signed_in, user))


def test_a_reveal_challenge_must_name_its_target(eds, signed_in):
    response = signed_in.post(CHALLENGES, {"purpose": "reveal_contacts"},
                              content_type="application/json")
    assert response.status_code == 400 and "must name" in response.json()["error"]


def test_the_step_up_page_offers_the_signature_for_its_target(eds, signed_in):
    response = signed_in.get(f"/identity/step-up/?target={TARGET}&next=/help/42/")
    page = response.content.decode()
    assert "Sign with NCALayer" in page and "/static/identity/eds.js" in page
    assert '"purpose": "reveal_contacts"' in page and f'"target": "{TARGET}"' in page
    assert "connect-src 'self' wss://127.0.0.1:13579;" in response["Content-Security-Policy"]
