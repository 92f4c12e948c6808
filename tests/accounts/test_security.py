"""Account security over real HTTP: login throttling (django-axes) keyed the way sign-in reads
the identifier, changes of e-mail / phone / password behind the current password, and sign-up
and sign-in pages that never tell whether an address has an account."""

import re
import uuid
from datetime import timedelta

import pytest
import requests
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client, RequestFactory

from gis_portal.accounts.models import SecurityNotice, User

from .factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "steppe-wind-2026"
PHONE = "+77012345678"
# One account, typed five ways: all count as one account for the throttle.
SPELLINGS = ["+7 701 234 56 78", "87012345678", "8 (701) 234-56-78", "7012345678",
             "aigerim@example.kz"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def english_client(address="127.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def sign_in(client, identifier, password):
    return client.post("/accounts/login/", {"username": identifier, "password": password})


@pytest.fixture
def aigerim():
    return UserFactory(username="aigerim@example.kz", email="aigerim@example.kz", phone=PHONE,
                       password=PASSWORD)


# --- login throttling --------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_from_this_address_however_it_is_typed(aigerim):
    client = english_client()
    for identifier in SPELLINGS[:4]:
        response = sign_in(client, identifier, "wrong-password")
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()
    locked = sign_in(client, SPELLINGS[4], "wrong-password")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Try again in 15 minutes, after" in text and 'role="alert"' in text
    assert 890 <= int(locked["Retry-After"]) <= 901
    # Locked even with the right password, in any spelling...
    assert sign_in(client, "87012345678", PASSWORD).status_code == 429
    assert not client.get("/accounts/profile/").wsgi_request.user.is_authenticated
    # ...but only from this address: the owner elsewhere still signs in.
    assert sign_in(english_client("10.1.2.3"), PHONE, PASSWORD).status_code == 302
    # The throttle table names the account, not the typed e-mail or phone.
    keys = set(AccessAttempt.objects.values_list("username", flat=True))
    assert f"account:{aigerim.pk}" in keys
    assert not [key for key in keys if "701" in key or "aigerim" in key]


def test_lockout_ends_after_the_cool_off(aigerim):
    client = english_client()
    for _ in range(5):
        sign_in(client, PHONE, "wrong-password")
    assert sign_in(client, PHONE, PASSWORD).status_code == 429
    # Fifteen minutes later (the attempts' time moved back instead of waiting).
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=15, seconds=5)
        attempt.save()
    assert sign_in(client, PHONE, PASSWORD).status_code == 302


def test_a_good_sign_in_clears_the_count(aigerim):
    client = english_client()
    for _ in range(4):
        assert sign_in(client, "87012345678", "wrong-password").status_code == 200
    assert sign_in(client, "aigerim@example.kz", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=f"account:{aigerim.pk}").exists()
    client.post("/accounts/logout/")
    for _ in range(4):
        assert sign_in(client, PHONE, "wrong-password").status_code == 200
    assert sign_in(client, PHONE, PASSWORD).status_code == 302


def test_unknown_and_known_accounts_answer_alike(aigerim):
    wrong_password = sign_in(english_client(), "aigerim@example.kz", "wrong-password")
    unknown = sign_in(english_client(), "nobody@example.kz", "wrong-password")
    assert wrong_password.status_code == unknown.status_code == 200

    def body(response, identifier):
        return CSRF.sub("", response.content.decode()).replace(identifier, "IDENTIFIER")

    assert body(wrong_password, "aigerim@example.kz") == body(unknown, "nobody@example.kz")
    # An unknown identifier locks out after as many tries as a known one.
    client = english_client()
    statuses = [sign_in(client, "8 777 000 00 00", "x").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert sign_in(client, "+77770000000", "x").status_code == 429
    assert not AccessAttempt.objects.filter(username__contains="777").exists()


def test_the_admin_login_goes_through_the_same_throttle(aigerim):
    aigerim.is_staff = True
    aigerim.save()
    client = english_client()
    for _ in range(4):
        response = client.post("/admin/login/", {"username": PHONE, "password": "wrong"})
        assert response.status_code == 200
    assert client.post("/admin/login/", {"username": PHONE, "password": "x"}).status_code == 429
    # The same count as the portal's own sign-in page.
    assert sign_in(client, "aigerim@example.kz", PASSWORD).status_code == 429


def test_lockout_over_http_against_gunicorn(portal_server):
    """The real server: an identifier typed two ways is locked out after five tries."""
    number = f"70{uuid.uuid4().int % 10**8:08d}"  # unused by anyone, fresh each run
    spellings = [f"+7 {number[:3]} {number[3:6]} {number[6:]}", f"8{number}"]
    session = requests.Session()
    session.cookies.set("django_language", "en")
    statuses = []
    for attempt in range(6):
        page = session.get(f"{portal_server}/accounts/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{portal_server}/accounts/login/", timeout=10,
            data={"csrfmiddlewaretoken": token, "username": spellings[attempt % 2],
                  "password": "not-the-password"},
            headers={"Referer": f"{portal_server}/accounts/login/"})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert "Too many wrong passwords" in response.text and "Retry-After" in response.headers


def test_behind_our_proxy_the_address_it_saw_counts(aigerim, settings):
    """One proxy of ours appends the peer to X-Forwarded-For; what the client wrote before it
    does not give a fresh address per guess."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    client = english_client("10.0.0.1")  # the proxy
    statuses = [client.post("/accounts/login/", {"username": PHONE, "password": "x"},
                            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code
                for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    other = client.post("/accounts/login/", {"username": PHONE, "password": PASSWORD},
                        HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302
    attempts = AccessAttempt.objects.filter(username=f"account:{aigerim.pk}")
    assert set(attempts.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_every_authentication_must_name_its_request(aigerim):
    """The throttle sees only authenticate() calls that pass the request: one without it is
    refused loudly instead of skipping the throttle. Tests sign in with force_login, or with
    client.login(request=...)."""
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username=PHONE, password=PASSWORD)
    client = english_client()
    assert client.login(request=RequestFactory().post("/accounts/login/"), username=PHONE,
                        password=PASSWORD)
    assert client.get("/accounts/profile/").status_code == 200


# --- changes of e-mail, phone and password -----------------------------------------------------

def signed_in_client(identifier, password=PASSWORD, address="127.0.0.1"):
    client = english_client(address)
    assert sign_in(client, identifier, password).status_code == 302
    return client


def change_contact(client, **data):
    return client.post("/accounts/profile/contact/",
                       {f"contact-{name}": value for name, value in data.items()})


def test_changing_the_email_needs_the_current_password(aigerim):
    client = signed_in_client("aigerim@example.kz")
    response = change_contact(client, email="thief@example.kz", phone=PHONE,
                              current_password="not-it")
    assert response.status_code == 403
    text = response.content.decode()
    assert "This is not your current password" in text
    assert 'aria-invalid="true"' in text and 'id="id_contact-current_password-errors"' in text
    response = change_contact(client, email="thief@example.kz", phone=PHONE, current_password="")
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    aigerim.refresh_from_db()
    assert aigerim.email == "aigerim@example.kz" and not mail.outbox


def test_a_contact_change_ends_other_sessions_and_tells_the_old_email(aigerim):
    here, elsewhere = signed_in_client("aigerim@example.kz"), signed_in_client(PHONE)
    response = change_contact(here, email="Aigerim.New@example.kz", phone="8 707 111 22 33",
                              current_password=PASSWORD)
    assert response.status_code == 302
    aigerim.refresh_from_db()
    assert (aigerim.email, aigerim.phone) == ("aigerim.new@example.kz", "+77071112233")
    # This session stays signed in; the other one is signed out.
    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/").status_code == 302
    # The old e-mail no longer signs in; the new one does.
    assert sign_in(english_client(), "aigerim@example.kz", PASSWORD).status_code == 200
    assert sign_in(english_client(), "aigerim.new@example.kz", PASSWORD).status_code == 302
    # The old address is told what changed and when, and nothing secret.
    assert [m.to for m in mail.outbox] == [["aigerim@example.kz"], ["aigerim@example.kz"]]
    bodies = " ".join(m.body for m in mail.outbox)
    assert "e-mail changed" in bodies and "phone changed" in bodies
    for secret in ("aigerim.new", "7071112233", "707 111", PASSWORD):
        assert secret not in bodies
    assert set(SecurityNotice.objects.values_list("change", "channel")) == {
        ("email", "email"), ("phone", "email")}


def test_a_phone_only_account_records_the_notice_as_not_sent():
    user = UserFactory(username=PHONE, email="", phone=PHONE, password=PASSWORD)
    client = signed_in_client("87012345678")
    response = change_contact(client, email="", phone="+7 707 111 22 33",
                              current_password=PASSWORD)
    assert response.status_code == 302
    assert not mail.outbox  # no e-mail to tell, and the portal has no SMS gateway
    notice = SecurityNotice.objects.get(user=user)
    assert (notice.change, notice.channel) == ("phone", "none")
    user.refresh_from_db()
    assert user.username == "+77071112233"  # the old number no longer signs in
    assert sign_in(english_client(), "87012345678", PASSWORD).status_code == 200


def test_changing_to_an_address_of_another_account_is_refused(aigerim):
    UserFactory(email="taken@example.kz")
    client = signed_in_client(PHONE)
    response = change_contact(client, email="taken@example.kz", phone=PHONE,
                              current_password=PASSWORD)
    assert response.status_code == 409
    assert "Another account signs in with this" in response.content.decode()
    aigerim.refresh_from_db()
    assert aigerim.email == "aigerim@example.kz" and not mail.outbox


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(aigerim):
    here, elsewhere = signed_in_client(PHONE), signed_in_client("aigerim@example.kz")
    new = {"password-password1": "a-new-steppe-2026", "password-password2": "a-new-steppe-2026"}
    refused = here.post("/accounts/profile/password/", {"password-current_password": "no",
                                                        **new})
    assert refused.status_code == 403 and "not your current password" in refused.content.decode()
    response = here.post("/accounts/profile/password/", {"password-current_password": PASSWORD,
                                                         **new})
    assert response.status_code == 302
    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/").status_code == 302
    aigerim.refresh_from_db()
    assert aigerim.check_password("a-new-steppe-2026")
    assert mail.outbox[0].to == ["aigerim@example.kz"]
    assert "password changed" in mail.outbox[0].body
    assert "a-new-steppe-2026" not in mail.outbox[0].body


def test_wrong_current_passwords_count_toward_the_lockout(aigerim):
    client = signed_in_client(PHONE)
    statuses = [change_contact(client, email="x@example.kz", phone="",
                               current_password="wrong").status_code for _ in range(5)]
    assert statuses == [403, 403, 403, 403, 429]
    response = change_contact(client, email="x@example.kz", phone="", current_password=PASSWORD)
    assert response.status_code == 429
    aigerim.refresh_from_db()
    assert aigerim.email == "aigerim@example.kz"


# --- sign-up does not tell whether an address is registered ------------------------------------

def sign_up(client, **overrides):
    data = {"first_name": "Айгерім", "last_name": "", "email": "aigerim@example.kz",
            "phone": "", "home_area": "", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return client.post("/accounts/signup/", data, follow=True)


def page_of(response):
    return response.status_code, response.redirect_chain, CSRF.sub("", response.content.decode())


@pytest.mark.parametrize("contact", [{"email": "aigerim@example.kz"},
                                     {"email": "", "phone": "+7 701 234 56 78"},
                                     {"email": "aigerim@example.kz", "phone": "87012345678"}])
def test_sign_up_answers_the_same_for_a_new_and_a_known_address(contact):
    new = page_of(sign_up(english_client(), **contact))
    User.objects.all().delete()
    mail.outbox.clear()
    UserFactory(email="aigerim@example.kz", phone=PHONE, password="another-password-1")
    known = page_of(sign_up(english_client(), **contact))
    assert new == known
    assert new[0] == 200 and new[1] == [("/accounts/signup/sent/", 302)]
    # The known account keeps its password.
    assert User.objects.get().check_password("another-password-1")


def test_a_known_email_gets_a_notice_instead_of_a_link():
    UserFactory(email="aigerim@example.kz", password="another-password-1")
    sign_up(english_client(), email="AIGERIM@example.kz")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aigerim@example.kz"]
    body = mail.outbox[0].body
    assert "already has an account" in body and "/accounts/password/reset/" in body
    assert "/signup/confirm/" not in body and PASSWORD not in body


def test_a_sign_up_link_does_not_take_a_phone_of_another_account():
    sign_up(english_client(), email="new@example.kz", phone="87012345678")
    UserFactory(email="first@example.kz", phone=PHONE)  # took the number meanwhile
    client = english_client()
    path = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    response = client.post(path, follow=True)
    assert "The phone number was not added" in response.content.decode()
    assert User.objects.get(email="new@example.kz").phone == ""


def test_a_phone_only_sign_up_of_a_known_number_changes_nothing():
    owner = UserFactory(email="", username=PHONE, phone=PHONE, password="another-password-1")
    sign_up(english_client(), email="", phone="8 701 234 56 78")
    assert User.objects.get() == owner and owner.check_password("another-password-1")
    assert sign_in(english_client(), PHONE, PASSWORD).status_code == 200


def test_password_reset_answers_the_same_for_a_new_and_a_known_address(aigerim):
    def reset(email):
        return page_of(english_client().post("/accounts/password/reset/", {"email": email},
                                             follow=True))

    assert reset("aigerim@example.kz") == reset("nobody@example.kz")
    assert [m.to for m in mail.outbox] == [["aigerim@example.kz"]]
