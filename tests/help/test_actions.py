"""Rule-bound writes of the help layer: rights by area, consent before publication, the
moderated description, one request per person and kind, status, erasure, and material help
through the pooled funding."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from gis_portal.accounts.models import StaffRole
from layers.help import actions
from layers.help.models import HelpEvent, HelpRequest
from layers.help.moderation import personal_data_in
from tests.accounts.factories import StaffRoleFactory, UserFactory

from .conftest import OKRUG_A, make, person

pytestmark = pytest.mark.django_db


def test_staff_of_the_area_write_others_are_refused(oblast_officer, district_ngo, far_officer,
                                                    places):
    assert make(oblast_officer, 1, places["a1"]).pk
    assert make(district_ngo, 2, places["b"]).pk
    moderator = StaffRoleFactory(kind=StaffRole.Kind.MODERATOR).user
    for user in (far_officer, moderator, UserFactory()):
        with pytest.raises(actions.HelpForbidden) as refused:
            make(user, 3, places["a1"])
        assert refused.value.status == 403
    # The district's NGO may not write in another district of the oblast.
    with pytest.raises(actions.HelpForbidden):
        make(district_ngo, 4, places["other"])
    assert HelpRequest.objects.filter(settlement_kato__startswith="59").count() == 2


def test_areas_come_from_the_settlements_kato_code(oblast_officer, places):
    help_request = make(oblast_officer, 1, places["a1"])
    assert help_request.okrug.kato == OKRUG_A
    assert help_request.district.kato == OKRUG_A[:4] + "00000"
    assert help_request.oblast.kato == "590000000"
    assert help_request.area == help_request.okrug


def test_no_publication_without_consent(oblast_officer, places):
    help_request = make(oblast_officer, 1, places["a1"], consent_method="", publish=True)
    assert not help_request.is_published
    with pytest.raises(actions.HelpConflict) as refused:
        actions.publish_request(user=oblast_officer, help_request=help_request)
    assert "consent" in refused.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpRequest.objects.filter(pk=help_request.pk).update(is_published=True)
    actions.record_consent(user=oblast_officer, help_request=help_request, method="oral")
    published = actions.publish_request(user=oblast_officer, help_request=help_request)
    assert published.is_published and published.published_on == timezone.localdate()
    assert published.consent_recorded_by == oblast_officer
    assert {"consent", "published"} <= set(
        HelpEvent.objects.filter(request=help_request).values_list("kind", flat=True))


@pytest.mark.parametrize("text, what", [
    ("Звоните +7 701 234 56 78", "phone"),
    ("тел 87012345678 после обеда", "phone"),
    ("номер 2-12-34", "phone"),
    ("ИИН 900101300123", "IIN"),
    ("пишите ivanov@mail.kz", "e-mail"),
    ("живёт на ул. Абая 12", "street address"),
    ("Абай көшесі, 15 үй", "street address"),
    ("кв. 7", "street address"),
])
def test_description_with_personal_data_is_refused_saying_what(oblast_officer, places, text,
                                                               what):
    with pytest.raises(actions.HelpError) as refused:
        make(oblast_officer, 1, places["a1"], description=text)
    assert refused.value.field == "description" and what in refused.value.message
    for token in text.split():
        if any(ch.isdigit() for ch in token) or "@" in token:
            assert token not in refused.value.message


@pytest.mark.parametrize("text", [
    "Нужны дрова на зиму, 5 кубометров.", "Нужно 150 000 тенге на лечение.",
    "Үйді жөндеуге көмек керек.", "Трое детей, 2 из них школьники.",
])
def test_ordinary_descriptions_pass(text):
    assert personal_data_in(text) is None


def test_invalid_input_is_refused_field_by_field(oblast_officer, places):
    for overrides, field in [({"phone": "12345"}, "phone"), ({"birth_year": 1800}, "birth_year"),
                             ({"full_name": " "}, "full_name"), ({"kind": "nope"}, "kind"),
                             ({"family_tags": ["nope"]}, "family_tags"),
                             ({"amount_needed": None}, "amount_needed")]:
        with pytest.raises(actions.HelpError) as refused:
            make(oblast_officer, 1, places["a1"], **overrides)
        assert refused.value.field == field
    assert not HelpRequest.objects.filter(settlement_kato__startswith="59").exists()


def test_the_same_person_is_updated_not_added(oblast_officer, places):
    first = make(oblast_officer, 1, places["a1"], full_name="Ёлкина  Айгуль")
    again, created = actions.save_request(
        user=oblast_officer, data=person(1, places["a1"], full_name="елкина айгуль",
                                         phone="8 700 999 00 00"))
    assert not created and again.pk == first.pk and again.phone == "+77009990000"
    other_kind = make(oblast_officer, 1, places["a1"], full_name="Ёлкина Айгуль",
                      kind="clothing")
    assert other_kind.pk != first.pk


def test_status_moves_and_erasure_after_the_configured_days(oblast_officer, places, settings):
    settings.TZ_HELP_ERASE_AFTER_DAYS = 90
    old = make(oblast_officer, 1, places["a1"])
    recent = make(oblast_officer, 2, places["a1"])
    for row in (old, recent):
        actions.set_status(user=oblast_officer, help_request=row, status="fulfilled")
    with pytest.raises(actions.HelpConflict):
        actions.set_status(user=oblast_officer, help_request=old, status="open")
    HelpRequest.objects.filter(pk=old.pk).update(
        fulfilled_at=timezone.now() - timedelta(days=91))
    call_command("erase_help_personal_data")  # dry run
    assert HelpRequest.objects.get(pk=old.pk).full_name is not None
    call_command("erase_help_personal_data", "--commit")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == "archived" and old.erased_at is not None
    assert (old.full_name, old.phone, old.address, old.exact_position, old.birth_year,
            old.phone_index, old.person_index) == (None,) * 7
    assert old.topic == "material" and old.age_band  # public facts stay for statistics
    assert recent.status == "fulfilled" and recent.full_name == "Test Person 002"


def test_material_help_is_funded_through_the_pooled_fundraiser(oblast_officer, places, helper):
    from gis_portal.funding import actions as funding

    help_request = make(oblast_officer, 1, places["a1"], amount_needed=Decimal("40000"))
    fundraiser = funding.fundraiser_for(help_request)
    assert fundraiser.goal == Decimal("40000") and fundraiser.area == help_request.area
    funding.pledge(user=helper, fundraiser=fundraiser, amount=Decimal("15000"))
    help_request.refresh_from_db()
    assert help_request.amount_pledged == Decimal("15000") and help_request.status == "open"
    with pytest.raises(funding.FundingError):
        funding.pledge(user=helper, fundraiser=fundraiser, amount=Decimal("30000"))
    actions.set_status(user=oblast_officer, help_request=help_request, status="fulfilled")
    fundraiser.refresh_from_db()
    assert not fundraiser.is_open
    labour = make(oblast_officer, 2, places["a1"], topic="labour", kind="repairs",
                  amount_needed=None)
    assert funding.fundraiser_for(labour) is None


def test_staff_record_page_changes_status_and_refuses_other_areas(client, oblast_officer,
                                                                 far_officer, places):
    help_request = make(oblast_officer, 1, places["a1"])
    client.force_login(far_officer)
    assert client.post(f"/help/staff/{help_request.pk}/", {"status": "fulfilled"}
                       ).status_code == 404
    client.force_login(oblast_officer)
    page = client.get(f"/help/staff/{help_request.pk}/")
    assert page.status_code == 200 and b"Test Person" not in page.content
    assert client.post(f"/help/staff/{help_request.pk}/", {"status": "fulfilled"}
                       ).status_code == 302
    help_request.refresh_from_db()
    assert help_request.status == "fulfilled" and help_request.fulfilled_at is not None
    refused = client.post(f"/help/staff/{help_request.pk}/", {"status": "open"})
    assert refused.status_code == 409
    # Fulfilled requests leave the public map.
    assert client.get(f"/help/{help_request.pk}/").status_code == 200  # staff still see it
    client.logout()
    assert client.get(f"/help/{help_request.pk}/").status_code == 404


def test_demo_loader_makes_obviously_fake_people_once():
    from layers.help.demo import load_demo_help_requests

    report = {"created": [], "unchanged": []}
    load_demo_help_requests(report)
    assert report["created"] and not report["unchanged"]
    people = [row for row in HelpRequest.objects.filter(created_by__isnull=True)
              if row.full_name.startswith("Demo Person")]
    by_name = {row.full_name: row for row in people}
    assert by_name["Demo Person 001"].phone == "+77000000001"
    oblasts = {row.oblast_id for row in people}
    assert len(oblasts) >= 4
    again = {"created": [], "unchanged": []}
    load_demo_help_requests(again)
    assert again["unchanged"] and not again["created"]
