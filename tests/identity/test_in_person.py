"""Identity confirmation at a public service centre, the status API and audited reveals."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gis_portal.accounts.models import StaffRole
from gis_portal.identity.actions import (
    IdentityError,
    NotAllowed,
    NotConfirmed,
    confirm_in_person,
    confirmation_status,
    revoke_confirmation,
    run_reveal,
)
from gis_portal.identity.models import IdentityAuditEntry, IdentityConfirmation
from tests.accounts.factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db
Event = IdentityAuditEntry.Event


@pytest.fixture
def operator():
    return StaffRoleFactory(kind=StaffRole.Kind.SERVICE_CENTRE_OPERATOR).user


def confirm(operator, user, **overrides):
    values = {"iin": "123456789011", "document_type": "id_card",
              "document_number": "N0412345", "office": "ЦОН Алматы, Бостандық"}
    values.update(overrides)
    return confirm_in_person(operator=operator, user=user, **values)


def test_operator_confirms_and_the_status_says_how_and_until_when(operator):
    helper = UserFactory()
    assert confirmation_status(helper).confirmed is False
    confirmation = confirm(operator, helper)
    status = confirmation_status(helper)
    assert status.confirmed and status.method == "service_centre"
    assert status.until == confirmation.expires_at > timezone.now() + timedelta(days=300)
    # Only a keyed hash and the last four digits of the IIN and the document are kept.
    assert confirmation.iin_last4 == "9011" and "123456789011" not in confirmation.iin_hash
    assert "N0412345" not in confirmation.document_number_hash
    entry = IdentityAuditEntry.objects.get(event=Event.IN_PERSON_CONFIRMED)
    assert entry.actor == operator and entry.subject_user == helper


@pytest.mark.parametrize("kind", [k for k in StaffRole.Kind
                                  if k not in (StaffRole.Kind.SERVICE_CENTRE_OPERATOR,
                                               StaffRole.Kind.ADMINISTRATOR)])
def test_other_roles_cannot_confirm(kind):
    somebody = StaffRoleFactory(kind=kind).user
    with pytest.raises(NotAllowed):
        confirm(somebody, UserFactory())
    with pytest.raises(NotAllowed):
        confirm(UserFactory(), UserFactory())
    assert not IdentityConfirmation.objects.exists()


@pytest.mark.parametrize("overrides, message", [
    ({"iin": "12345"}, "12 digits"),
    ({"document_type": "library_card"}, "Document type"),
    ({"document_number": " "}, "number"),
    ({"office": ""}, "office"),
])
def test_bad_input_is_refused_and_nothing_written(operator, overrides, message):
    with pytest.raises(IdentityError, match=message):
        confirm(operator, UserFactory(), **overrides)
    assert not IdentityConfirmation.objects.exists()
    assert not IdentityAuditEntry.objects.exists()


def test_an_operator_cannot_confirm_themselves(operator):
    with pytest.raises(NotAllowed):
        confirm(operator, operator)


def test_reveal_needs_an_active_confirmation_and_is_audited(operator):
    helper = UserFactory()
    with pytest.raises(NotConfirmed):
        run_reveal(user=helper, target="help-request:1", fields=["phone"],
                   reveal=lambda: {"phone": "+7 700 000 00 00"})
    refused = IdentityAuditEntry.objects.get(event=Event.REVEAL_REFUSED)
    assert refused.actor == helper and refused.target == "help-request:1"

    confirmation = confirm(operator, helper)
    contacts = run_reveal(user=helper, target="help-request:1", fields=["phone"],
                          reveal=lambda: {"phone": "+7 700 000 00 00"})
    assert contacts == {"phone": "+7 700 000 00 00"}
    reveal = IdentityAuditEntry.objects.get(event=Event.REVEAL)
    assert reveal.confirmation == confirmation and reveal.fields == ["phone"]


def test_expired_or_revoked_confirmations_do_not_count(operator):
    helper = UserFactory()
    confirmation = confirm(operator, helper)
    assert not confirmation_status(helper, at=confirmation.expires_at).confirmed
    revoke_confirmation(actor=operator, confirmation=confirmation, reason="document lost")
    assert not confirmation_status(helper).confirmed
    with pytest.raises(IdentityError):
        revoke_confirmation(actor=operator, confirmation=confirmation, reason="again")
    with pytest.raises(NotConfirmed):
        run_reveal(user=helper, target="volunteer:7", fields=["phone"], reveal=dict)


def test_audit_rows_are_append_only_in_the_orm_and_the_database(operator):
    confirm(operator, UserFactory())
    entry = IdentityAuditEntry.objects.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        IdentityAuditEntry.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE identity_identityauditentry SET detail = 'edited'")


def test_operator_page_confirms_an_account_found_by_phone(client, operator):
    helper = UserFactory(phone="+77012345678")
    client.force_login(operator)
    response = client.post("/identity/in-person/", {
        "account": "8 701 234 56 78", "iin": "123456789011", "document_type": "id_card",
        "document_number": "N0412345", "office": "ЦОН Талғар", "note": "",
        "original_checked": "on"})
    assert response.status_code == 302
    assert confirmation_status(helper).confirmed


def test_operator_page_is_closed_to_others(client):
    client.force_login(UserFactory())
    assert client.get("/identity/in-person/").status_code == 403
    client.logout()
    assert client.get("/identity/in-person/").status_code == 302


def test_operator_page_requires_the_document_check(client, operator):
    helper = UserFactory(email="h@example.kz")
    client.force_login(operator)
    response = client.post("/identity/in-person/", {
        "account": "h@example.kz", "iin": "123456789011", "document_type": "id_card",
        "document_number": "N0412345", "office": "ЦОН Талғар"})
    assert response.status_code == 200
    assert not confirmation_status(helper).confirmed


def test_identity_records_are_read_only_in_the_admin(client, operator):
    confirm(operator, UserFactory())
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    confirmation = IdentityConfirmation.objects.get()
    page = client.get(f"/admin/identity/identityconfirmation/{confirmation.pk}/change/")
    assert page.status_code == 200 and "123456789011" not in page.content.decode()
    assert client.get("/admin/identity/identityauditentry/").status_code == 200
    assert client.get("/admin/identity/identityconfirmation/add/").status_code == 403
    entry = IdentityAuditEntry.objects.get()
    deleted = client.post(f"/admin/identity/identityauditentry/{entry.pk}/delete/",
                          {"post": "yes"})
    assert deleted.status_code == 403 and IdentityAuditEntry.objects.filter(pk=entry.pk).exists()
