"""Contacts of a volunteer only after identity confirmation and a fresh step-up, through the
reveal gate; audited, limited per day; the volunteer is told who looked and when."""

import pytest
from django.test import override_settings

from gis_portal.identity.models import IdentityAuditEntry
from layers.volunteers.models import ContactNotice, VolunteerCard
from tests.accounts.factories import UserFactory

from .conftest import PASSWORD, confirm_identity, enter

pytestmark = pytest.mark.django_db
Event = IdentityAuditEntry.Event


@pytest.fixture
def listed(oblast_officer, places):
    """A volunteer with an account, in a group of five: on the list."""
    owner = UserFactory()
    volunteers = [enter(oblast_officer, n, places["a1"], full_name=f"Revealable Volunteer {n}",
                        phone=f"+7 700 333 44 {n:02d}") for n in range(1, 6)]
    volunteers[0].user = owner
    volunteers[0].save()
    return volunteers[0], owner


def step_up(client, volunteer):
    target = volunteer.target
    response = client.post(f"/identity/step-up/?target={target}",
                           {"password": PASSWORD, "target": target, "next": "/"})
    assert response.status_code == 302


def test_reveal_needs_confirmation_and_step_up_and_tells_the_volunteer(client, listed,
                                                                        resident):
    volunteer, owner = listed
    card = VolunteerCard.objects.get(volunteer=volunteer)
    url = f"/api/volunteers/{card.pk}/reveal"
    assert client.post(url).json()["code"] == "not_signed_in"
    resident.first_name, resident.last_name = "Aigerim", "Requesterova"
    resident.save()
    client.force_login(resident)
    assert client.post(url).json()["code"] == "identity_not_confirmed"
    confirm_identity(resident)
    refused = client.post(url)
    assert refused.status_code == 403 and refused.json()["code"] == "step_up_required"
    assert not ContactNotice.objects.exists()
    step_up(client, volunteer)
    shown = client.post(url)
    assert shown.status_code == 200
    assert shown.json() == {"full_name": "Revealable Volunteer 1", "phone": "+77003334401",
                            "email": "test.volunteer.1@example.kz"}
    assert "no-store" in shown["Cache-Control"]
    entry = IdentityAuditEntry.objects.get(event=Event.REVEAL, target=volunteer.target)
    assert entry.actor == resident and entry.fields == ["full_name", "phone", "email"]
    assert IdentityAuditEntry.objects.filter(event=Event.REVEAL_REFUSED,
                                             target=volunteer.target).count() == 3
    notice = ContactNotice.objects.get(volunteer=volunteer)
    assert notice.requester == resident and notice.requester_name == "Aigerim Requesterova"
    assert notice.confirmed_by == "service_centre"
    # The volunteer sees it on their own page.
    client.force_login(owner)
    page = client.get("/volunteers/me/")
    assert page.status_code == 200
    assert b"Aigerim Requesterova" in page.content and b"saw your contacts" in page.content
    notice.refresh_from_db()
    assert notice.seen_at is not None
    # The HTML path: a card page button that ends in the contacts page.
    client.force_login(resident)
    step_up(client, volunteer)  # a new session: the step-up is asked again
    html = client.post(f"/volunteers/{card.pk}/contacts/")
    assert html.status_code == 200 and b"+77003334401" in html.content
    assert ContactNotice.objects.filter(volunteer=volunteer).count() == 2


@override_settings(TZ_REVEAL_DAILY_LIMIT=1)
def test_reveals_are_rate_limited(client, listed, resident):
    volunteer, _owner = listed
    cards = list(VolunteerCard.objects.filter(place_kato=volunteer.settlement_kato[:6] + "000"))
    confirm_identity(resident)
    client.force_login(resident)
    step_up(client, cards[0].volunteer)
    step_up(client, cards[1].volunteer)
    assert client.post(f"/api/volunteers/{cards[0].pk}/reveal").status_code == 200
    limited = client.post(f"/api/volunteers/{cards[1].pk}/reveal")
    assert limited.status_code == 429 and limited.json()["code"] == "reveal_daily_limit"
    assert ContactNotice.objects.count() == 1
