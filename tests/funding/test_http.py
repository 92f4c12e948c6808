"""The funding API and pages over HTTP (Django's test client with real sessions and CSRF):
shapes, bad input, 401/403/404/409, the staff queue and a donor's pledges."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from gis_portal.funding import actions
from gis_portal.funding.models import FundingEvent, Pledge

pytestmark = pytest.mark.django_db
D = Decimal


def signed_in(user, *, csrf_checks=False) -> Client:
    client = Client(enforce_csrf_checks=csrf_checks)
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def post_json(client, url, body=None, **extra):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json",
                       **extra)


def test_progress_and_public_donor_list(client, make_fundraiser, donor, officer):
    fundraiser = make_fundraiser("2000.00")
    first = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("500"))
    actions.pledge(user=donor, fundraiser=fundraiser, amount=D("250.25"), anonymous=True)
    actions.confirm_pledge(user=officer, pledge=first)
    response = client.get(f"/api/funding/{fundraiser.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": fundraiser.pk, "goal": "2000.00", "pledged": "750.25", "confirmed": "500.00",
        "remaining": "1249.75", "percent_pledged": "37.5", "percent_confirmed": "25.0",
        "is_open": True, "donor_count": 2,
        "donors": [{"name": "Anonymous donor", "amount": "250.25", "confirmed": False},
                   {"name": "Aigerim Seitova", "amount": "500.00", "confirmed": True}]}
    assert donor.email not in response.content.decode()
    for missing in ("999999999", "abc", "99999999999999999999999", "１"):
        response = client.get(f"/api/funding/{missing}/")
        assert response.status_code == 404 and "error" in response.json()


def test_pledging_through_the_api(make_fundraiser, donor):
    fundraiser = make_fundraiser("1000.00")
    client = signed_in(donor)
    url = f"/api/funding/{fundraiser.pk}/pledges/"
    response = post_json(client, url, {"amount": "400.50", "anonymous": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pledge"]["amount"] == "400.50" and body["pledge"]["status"] == "active"
    assert body["pledge"]["anonymous"] is True
    assert body["fundraiser"]["remaining"] == "599.50"
    over = post_json(client, url, {"amount": "600"})
    assert over.status_code == 409
    assert over.json()["code"] == "over_remainder" and over.json()["remaining"] == "599.50"
    assert "599.50" in over.json()["error"]
    rest = post_json(client, url, {"amount": "remainder"})
    assert rest.status_code == 201 and rest.json()["pledge"]["amount"] == "599.50"
    assert post_json(client, url, {"amount": "remainder"}).status_code == 409


@pytest.mark.parametrize("body, message", [
    ({"amount": "abc"}, "must be a number"), ({"amount": -5}, "more than zero"),
    ({"amount": 0}, "more than zero"), ({"amount": "1.234"}, "two decimals"),
    ({"amount": None}, "Give an amount"), ({}, "Give an amount"),
    ({"amount": "5", "anonymous": "yes"}, "true or false"), ({"amount": {"x": 1}}, "number"),
])
def test_bad_pledges_are_400_with_a_message(make_fundraiser, donor, body, message):
    fundraiser = make_fundraiser()
    response = post_json(signed_in(donor), f"/api/funding/{fundraiser.pk}/pledges/", body)
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]
    assert not Pledge.objects.filter(fundraiser=fundraiser).exists()


def test_a_body_that_is_not_json_is_400(make_fundraiser, donor):
    fundraiser = make_fundraiser()
    response = signed_in(donor).post(f"/api/funding/{fundraiser.pk}/pledges/", data="{oops",
                                     content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_a_closed_fundraiser_is_409(make_fundraiser, donor):
    fundraiser = make_fundraiser()
    actions.close_fundraiser(fundraiser=fundraiser, reason="The project is completed.")
    response = post_json(signed_in(donor), f"/api/funding/{fundraiser.pk}/pledges/",
                         {"amount": "10"})
    assert response.status_code == 409 and response.json()["code"] == "closed"


def test_anonymous_is_401_and_a_missing_csrf_token_is_403(client, make_fundraiser, donor):
    fundraiser = make_fundraiser()
    url = f"/api/funding/{fundraiser.pk}/pledges/"
    response = post_json(client, url, {"amount": "10"})
    assert response.status_code == 401 and response.json()["code"] == "not_signed_in"
    strict = signed_in(donor, csrf_checks=True)
    assert post_json(strict, url, {"amount": "10"}).status_code == 403
    strict.get(f"/funding/{fundraiser.pk}/")  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    assert post_json(strict, url, {"amount": "10"}, HTTP_X_CSRFTOKEN=token).status_code == 201


def test_staff_confirm_and_cancel_by_area(make_fundraiser, donor, officer, foreign_officer):
    fundraiser = make_fundraiser()
    pledge = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("100"))
    other = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("50"))
    confirm = f"/api/funding/pledges/{pledge.pk}/confirm/"
    for user in (foreign_officer, donor):
        response = post_json(signed_in(user), confirm)
        assert response.status_code == 403, response.content
        assert "area" in response.json()["error"]
    assert post_json(Client(), confirm).status_code == 401
    response = post_json(signed_in(officer), confirm)
    assert response.status_code == 200
    assert response.json()["pledge"]["status"] == "confirmed"
    assert response.json()["fundraiser"]["confirmed"] == "100.00"
    assert post_json(signed_in(officer), confirm).status_code == 409
    cancel = post_json(signed_in(officer), f"/api/funding/pledges/{other.pk}/cancel/",
                       {"reason": "no money"})
    assert cancel.status_code == 200 and cancel.json()["fundraiser"]["pledged"] == "100.00"
    assert FundingEvent.objects.get(pledge=other, kind="cancelled").note == "no money"
    too_long = post_json(signed_in(officer), f"/api/funding/pledges/{pledge.pk}/cancel/",
                         {"reason": "x" * 501})
    assert too_long.status_code == 400
    assert post_json(signed_in(officer), "/api/funding/pledges/999999999/confirm/"
                     ).status_code == 404


def test_the_donor_withdraws_through_the_api(make_fundraiser, donor):
    pledge = actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("100"))
    url = f"/api/funding/pledges/{pledge.pk}/withdraw/"
    assert post_json(signed_in(pledge.donor.__class__.objects.create(username="stranger")),
                     url).status_code == 403
    response = post_json(signed_in(donor), url)
    assert response.status_code == 200 and response.json()["pledge"]["status"] == "withdrawn"
    assert post_json(signed_in(donor), url).status_code == 409


# --- pages ---------------------------------------------------------------------------------------

def test_the_pledge_form_works_without_javascript(make_fundraiser, donor):
    fundraiser = make_fundraiser("1000.00")
    client = signed_in(donor)
    page = client.get(f"/funding/{fundraiser.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="amount"' in html and 'value="remainder"' in html and 'name="anonymous"' in html
    assert "1,000.00 ₸" in html
    response = client.post(f"/funding/{fundraiser.pk}/pledge/",
                           {"amount_choice": "amount", "amount": "1 200", "next": "/funding/my/"})
    assert response.status_code == 409
    assert "Only 1,000.00 ₸ remains" in response.content.decode()
    response = client.post(f"/funding/{fundraiser.pk}/pledge/",
                           {"amount_choice": "amount", "amount": "12,50", "anonymous": "1",
                            "next": "/funding/my/"})
    assert response.status_code == 302 and response["Location"] == "/funding/my/"
    pledge = Pledge.objects.get(fundraiser=fundraiser)
    assert pledge.amount == D("12.50") and pledge.anonymous
    response = client.post(f"/funding/{fundraiser.pk}/pledge/",
                           {"amount_choice": "remainder", "amount": "",
                            "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/funding/{fundraiser.pk}/"
    fundraiser.refresh_from_db()
    assert fundraiser.remaining == 0
    bad = client.post(f"/funding/{fundraiser.pk}/pledge/", {"amount": "x"})
    assert bad.status_code in (400, 409)


def test_the_form_asks_anonymous_visitors_to_sign_in(client, make_fundraiser):
    fundraiser = make_fundraiser()
    html = client.get(f"/funding/{fundraiser.pk}/").content.decode()
    assert "Sign in to pledge" in html and 'name="amount"' not in html
    response = client.post(f"/funding/{fundraiser.pk}/pledge/", {"amount": "5"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_staff_queue(make_fundraiser, donor, officer, foreign_officer):
    fundraiser = make_fundraiser()
    pledge = actions.pledge(user=donor, fundraiser=fundraiser, amount=D("100"))
    mine = signed_in(officer).get("/funding/pledges/")
    assert mine.status_code == 200
    html = mine.content.decode()
    assert f"/funding/pledges/{pledge.pk}/confirm/" in html and donor.username in html
    assert donor.email not in html and "Seitova" not in html
    foreign = signed_in(foreign_officer).get("/funding/pledges/").content.decode()
    assert f"/funding/pledges/{pledge.pk}/" not in foreign
    assert signed_in(donor).get("/funding/pledges/").status_code == 403
    assert signed_in(foreign_officer).post(
        f"/funding/pledges/{pledge.pk}/confirm/").status_code == 403
    response = signed_in(officer).post(f"/funding/pledges/{pledge.pk}/confirm/")
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == "confirmed"
    again = signed_in(officer).post(f"/funding/pledges/{pledge.pk}/cancel/",
                                    {"reason": "refunded"})
    assert again.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == "cancelled"
    refused = signed_in(officer).post(f"/funding/pledges/{pledge.pk}/confirm/")
    assert refused.status_code == 409 and "only a pledge awaiting" in refused.content.decode()


def test_my_pledges_and_withdraw(make_fundraiser, donor):
    pledge = actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("70"))
    client = signed_in(donor)
    html = client.get("/funding/my/").content.decode()
    assert "70.00 ₸" in html and f"/funding/my/{pledge.pk}/withdraw/" in html
    stranger = signed_in(donor.__class__.objects.create(username="stranger2"))
    assert stranger.post(f"/funding/my/{pledge.pk}/withdraw/").status_code == 403
    assert client.post(f"/funding/my/{pledge.pk}/withdraw/").status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == "withdrawn"
    assert client.post(f"/funding/my/{pledge.pk}/withdraw/").status_code == 409


def test_localized_amounts_in_russian(make_fundraiser):
    fundraiser = make_fundraiser("1234567.50")
    client = Client()
    client.cookies["django_language"] = "ru"
    html = client.get(f"/funding/{fundraiser.pk}/").content.decode()
    assert "1\u00a0234\u00a0567,50 ₸" in html or "1 234 567,50 ₸" in html


def test_the_admin_lists_no_personal_data(make_fundraiser, donor):
    from tests.accounts.factories import UserFactory

    actions.pledge(user=donor, fundraiser=make_fundraiser(), amount=D("5"))
    admin = UserFactory(is_staff=True, is_superuser=True)
    html = signed_in(admin).get("/admin/funding/pledge/").content.decode()
    assert donor.username in html
    assert donor.email not in html and "Seitova" not in html
    assert signed_in(admin).get("/admin/funding/pledge/add/").status_code == 403


def test_a_fundraiser_of_a_target_that_is_not_public_is_not_shown(client, make_fundraiser,
                                                                  monkeypatch):
    from layers.areas.models import Settlement

    fundraiser = make_fundraiser()
    monkeypatch.setattr(Settlement, "is_public", property(lambda self: False), raising=False)
    assert client.get(f"/api/funding/{fundraiser.pk}/").status_code == 404
    assert client.get(f"/funding/{fundraiser.pk}/").status_code == 404
    monkeypatch.setattr(Settlement, "is_public", lambda self: True, raising=False)
    assert client.get(f"/api/funding/{fundraiser.pk}/").status_code == 200
