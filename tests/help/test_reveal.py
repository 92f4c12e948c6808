"""In-person help: contacts only after identity confirmation and a fresh step-up, through the
reveal gate; every reveal audited, limited per helper per day; the request marked "someone is
helping" and counting its helpers; the area's officer sees who revealed what and when."""

import pytest
from django.test import override_settings

from gis_portal.identity.models import IdentityAuditEntry
from layers.help.models import HelpRequest
from tests.accounts.factories import UserFactory

from .conftest import PASSWORD, confirm_identity, make

pytestmark = pytest.mark.django_db
Event = IdentityAuditEntry.Event


@pytest.fixture
def request_row(oblast_officer, places):
    return make(oblast_officer, 11, places["a1"], full_name="Revealable Person",
                phone="+7 700 222 33 44", address="Revealstreet 5")


def reveal(client, help_request):
    return client.post(f"/api/help/{help_request.pk}/reveal")


def step_up(client, help_request):
    target = help_request.target
    response = client.post(f"/identity/step-up/?target={target}",
                           {"password": PASSWORD, "target": target, "next": "/"})
    assert response.status_code == 302


def test_anonymous_and_unconfirmed_helpers_are_sent_to_sign_in_or_confirm(client, request_row,
                                                                           helper):
    anonymous = reveal(client, request_row)
    assert anonymous.status_code == 403 and anonymous.json()["code"] == "not_signed_in"
    client.force_login(helper)
    step_up(client, request_row)
    unconfirmed = reveal(client, request_row)
    assert unconfirmed.status_code == 403
    assert unconfirmed.json()["code"] == "identity_not_confirmed"
    assert unconfirmed.json()["action_url"] == "/identity/eds/"
    # The page's "I want to help" sends them the same way, without showing anything.
    page = client.post(f"/help/{request_row.pk}/contacts/")
    assert page.status_code == 302 and page["Location"] == "/identity/eds/"
    assert list(IdentityAuditEntry.objects.filter(event=Event.REVEAL_REFUSED,
                                                  target=request_row.target)
                .values_list("detail", flat=True)) == [
        "identity_not_confirmed", "identity_not_confirmed", "not_signed_in"]
    request_row.refresh_from_db()
    assert request_row.status == "open" and request_row.helpers_asked == 0


def test_confirmed_helper_needs_a_step_up_then_sees_contacts(client, request_row, helper):
    confirm_identity(helper)
    client.force_login(helper)
    refused = reveal(client, request_row)
    assert refused.status_code == 403 and refused.json()["code"] == "step_up_required"
    assert refused.json()["action_url"].startswith("/identity/step-up/?target=help-request")
    step_up(client, request_row)
    shown = reveal(client, request_row)
    assert shown.status_code == 200
    assert shown.json() == {"full_name": "Revealable Person", "phone": "+77002223344",
                            "address": "Revealstreet 5"}
    assert shown["Cache-Control"].startswith("private") or "no-store" in shown["Cache-Control"]
    entry = IdentityAuditEntry.objects.get(event=Event.REVEAL, target=request_row.target)
    assert entry.actor == helper and entry.area == request_row.area
    assert entry.fields == ["full_name", "phone", "address"] and entry.confirmation is not None
    request_row.refresh_from_db()
    assert request_row.status == HelpRequest.Status.HELPING and request_row.helpers_asked == 1
    # The HTML path shows them too; asking again does not count the helper twice.
    page = client.post(f"/help/{request_row.pk}/contacts/")
    assert page.status_code == 200 and b"Revealstreet 5" in page.content
    request_row.refresh_from_db()
    assert request_row.helpers_asked == 1
    other = UserFactory()
    confirm_identity(other, iin="987654321098")
    client.force_login(other)
    step_up(client, request_row)
    assert reveal(client, request_row).status_code == 200
    request_row.refresh_from_db()
    assert request_row.helpers_asked == 2


@override_settings(TZ_REVEAL_DAILY_LIMIT=2)
def test_reveals_are_limited_per_helper_per_day(client, oblast_officer, places, helper):
    rows = [make(oblast_officer, 20 + n, places["a2"]) for n in range(3)]
    confirm_identity(helper)
    client.force_login(helper)
    step_up(client, rows[0])
    assert [reveal(client, row).status_code for row in rows] == [200, 200, 429]
    assert reveal(client, rows[2]).json()["code"] == "reveal_daily_limit"
    assert IdentityAuditEntry.objects.filter(event=Event.REVEAL, actor=helper).count() == 2


def test_unpublished_requests_cannot_be_revealed(client, oblast_officer, places, helper):
    hidden = make(oblast_officer, 30, places["a1"], consent_method="", publish=False)
    confirm_identity(helper)
    client.force_login(helper)
    step_up(client, hidden)
    assert reveal(client, hidden).status_code == 404
    assert not IdentityAuditEntry.objects.filter(event=Event.REVEAL).exists()


def test_the_area_officer_sees_who_revealed_what_and_when(client, request_row, helper,
                                                         oblast_officer, far_officer):
    confirm_identity(helper)
    client.force_login(helper)
    step_up(client, request_row)
    assert reveal(client, request_row).status_code == 200
    client.force_login(oblast_officer)
    log = client.get("/help/staff/reveals/")
    assert log.status_code == 200
    assert helper.username.encode() in log.content
    assert f"#{request_row.pk}".encode() in log.content
    record = client.get(f"/help/staff/{request_row.pk}/")
    assert record.status_code == 200 and b"Revealable" not in record.content
    client.force_login(far_officer)
    assert helper.username.encode() not in client.get("/help/staff/reveals/").content
    assert client.get(f"/help/staff/{request_row.pk}/").status_code == 404
    client.force_login(helper)
    assert client.get("/help/staff/reveals/").status_code == 403
