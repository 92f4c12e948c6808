"""Sign-up, sign-in by e-mail or phone, profile with a home area, password reset."""

import re

import pytest
from django.core import mail
from django.test import Client

from gis_portal.accounts.models import User
from layers.areas.models import AdminArea

from .factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "steppe-wind-2026"


def district(kato="194000000"):  # Talgar district, Almaty oblast
    return AdminArea.objects.get(generation__is_current=True, kato=kato)


def sign_up(client, **overrides):
    data = {"first_name": "Айгерім", "last_name": "Сейітова", "email": "aigerim@example.kz",
            "phone": "", "home_area": "", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def finish_from_mail(client, message):
    """Open the sign-up link in the e-mail and press the button."""
    path = re.search(r"http://testserver(/accounts/signup/confirm/\S+/)", message.body).group(1)
    assert client.get(path).status_code == 200
    return client.post(path)


def test_sign_up_with_email_and_home_area_signs_in_from_the_link(client):
    home = district()
    response = sign_up(client, home_area=home.pk)
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/sent/"
    assert not User.objects.exists()  # nothing until the address is proven
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aigerim@example.kz"]
    assert finish_from_mail(client, mail.outbox[0])["Location"] == "/accounts/profile/"
    user = User.objects.get(email="aigerim@example.kz")
    assert user.home_area == home and user.check_password(PASSWORD)
    assert client.get("/accounts/profile/").status_code == 200
    # The link works once.
    path = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    assert Client().get(path).status_code == 404
    again = Client(headers={"Cookie": "django_language=en"}).post(path)
    assert again.status_code == 400 and "no longer works" in again.content.decode()


def test_sign_up_with_phone_only_normalises_it(client):
    assert sign_up(client, email="", phone="8 (701) 234-56-78").status_code == 302
    assert User.objects.get(phone="+77012345678").username == "+77012345678"
    response = client.post("/accounts/login/", {"username": "+7 701 234 56 78",
                                                "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("overrides, message", [
    ({"email": "", "phone": ""}, "e-mail address or a phone number"),
    ({"phone": "12345"}, "Kazakhstan phone number"),
    ({"email": "not-an-address"}, "valid email"),
    ({"password2": "something-else-1"}, "passwords differ"),
    ({"password1": "123", "password2": "123"}, "too short"),
])
def test_sign_up_errors_say_what_to_fix(client, overrides, message):
    response = sign_up(client, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode() or "form-errors" in \
        response.content.decode()
    assert not User.objects.exists() and not mail.outbox


@pytest.mark.parametrize("identifier", ["aigerim@example.kz", "AIGERIM@example.kz",
                                        "+7 701 234 56 78", "87012345678"])
def test_sign_in_with_email_or_phone(client, identifier):
    UserFactory(email="aigerim@example.kz", phone="+77012345678", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_is_refused(client):
    UserFactory(email="aigerim@example.kz", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "aigerim@example.kz",
                                                "password": "wrong-password"})
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated


def test_profile_changes_home_area_and_needs_sign_in(client):
    assert client.get("/accounts/profile/").status_code == 302
    user = UserFactory(email="aigerim@example.kz", password=PASSWORD)
    client.force_login(user)
    home = district()
    response = client.post("/accounts/profile/", {
        "first_name": "Айгерім", "last_name": "", "home_area": home.pk,
        "preferred_language": "kk"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.home_area == home


def test_a_message_reaches_the_next_page_once_and_api_answers_leave_messages_alone(client):
    user = UserFactory(email="aigerim@example.kz", password=PASSWORD)
    client.force_login(user)
    saved = client.post("/accounts/profile/", {
        "first_name": "Айгерім", "last_name": "", "home_area": "",
        "preferred_language": "kk"}, follow=True)
    assert [m.level_tag for m in saved.context["messages"]] == ["success"]
    assert [m.level_tag for m in client.get("/accounts/profile/").context["messages"]] == []
    api = client.get("/api/layers/settlements/?limit=1")
    assert api.status_code == 200
    assert "messages" not in api.cookies


def test_password_reset_by_email(client):
    user = UserFactory(email="aigerim@example.kz", password=PASSWORD)
    assert client.post("/accounts/password/reset/",
                       {"email": "aigerim@example.kz"}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    response = client.post(response.redirect_chain[-1][0], {
        "new_password1": "a-new-steppe-2026", "new_password2": "a-new-steppe-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-steppe-2026")
