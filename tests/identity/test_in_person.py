"""Identity confirmation at a public service centre: the user's one-time code names the
account, the operator's office is an area of their role; one IIN per account and one account
per IIN; the status API; append-only audit; the admin shows no personal data."""

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from gis_portal.accounts.models import StaffRole
from gis_portal.identity.actions import (
    IN_PERSON_CODE_FAILURES_PER_HOUR,
    IdentityConflict,
    IdentityError,
    NotAllowed,
    RateLimited,
    confirm_in_person,
    confirmation_status,
    issue_in_person_code,
    keyed_hash,
    revoke_confirmation,
)
from gis_portal.identity.models import (
    IdentityAuditEntry,
    IdentityBinding,
    IdentityConfirmation,
    InPersonCode,
)
from layers.areas.models import AdminArea
from tests.accounts.factories import StaffRoleFactory, UserFactory

Event = IdentityAuditEntry.Event
IIN = "123456789011"


def districts(count=2):
    return list(AdminArea.objects.filter(generation__is_current=True, level="district")
                .order_by("kato")[:count])


@pytest.fixture
def office():
    return districts(1)[0]


@pytest.fixture
def operator(office):
    return StaffRoleFactory(kind=StaffRole.Kind.SERVICE_CENTRE_OPERATOR, areas=[office]).user


def code_of(user) -> str:
    return issue_in_person_code(user=user).code


def confirm(operator, code, area, **overrides):
    values = {"iin": IIN, "document_type": "id_card", "document_number": "N0412345"}
    values.update(overrides)
    return confirm_in_person(operator=operator, code=code, area=area, **values)


def refusals(operator) -> list[str]:
    return list(IdentityAuditEntry.objects.filter(event=Event.IN_PERSON_REFUSED, actor=operator)
                .order_by("id").values_list("detail", flat=True))


@pytest.mark.django_db
def test_the_users_code_confirms_their_account_at_the_operators_office(operator, office):
    helper = UserFactory()
    assert confirmation_status(helper).confirmed is False
    issued = issue_in_person_code(user=helper)
    assert len(issued.code) == 8 and issued.code.isdigit()
    assert issued.expires_at - timezone.now() <= timedelta(minutes=10)
    stored = InPersonCode.objects.get(user=helper)
    assert issued.code not in stored.code_hash  # kept only as a keyed hash

    confirmation = confirm(operator, issued.code, office)
    status = confirmation_status(helper)
    assert status.confirmed and status.method == "service_centre"
    assert status.until == confirmation.expires_at > timezone.now() + timedelta(days=300)
    assert confirmation.user == helper and confirmation.area == office
    assert confirmation.iin_last4 == "9011" and confirmation.iin_hash == keyed_hash(IIN, "iin")
    assert "N0412345" not in confirmation.document_number_hash
    stored.refresh_from_db()
    assert stored.used_at is not None and stored.used_by == operator
    entry = IdentityAuditEntry.objects.get(event=Event.IN_PERSON_CONFIRMED)
    assert entry.actor == operator and entry.subject_user == helper and entry.area == office
    assert IdentityBinding.objects.get(user=helper).iin_hash == keyed_hash(IIN, "iin")


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_audited(operator, office):
    helper = UserFactory()
    code = code_of(helper)
    wrong = f"{(int(code) + 1) % 10 ** 8:08d}"
    with pytest.raises(IdentityError, match="No account has this code"):
        confirm(operator, wrong, office)
    assert refusals(operator) == ["code_unknown"]
    assert not IdentityConfirmation.objects.exists()


@pytest.mark.django_db
def test_an_expired_code_is_refused(operator, office):
    helper = UserFactory()
    code = code_of(helper)
    InPersonCode.objects.filter(user=helper).update(expires_at=timezone.now())
    with pytest.raises(IdentityError, match="expired"):
        confirm(operator, code, office)
    assert refusals(operator) == ["code_expired"]
    assert not confirmation_status(helper).confirmed


@pytest.mark.django_db
def test_a_code_works_once(operator, office):
    helper = UserFactory()
    code = code_of(helper)
    confirm(operator, code, office)
    with pytest.raises(IdentityError, match="already used"):
        confirm(operator, code, office)
    assert refusals(operator) == ["code_used"]
    assert IdentityConfirmation.objects.count() == 1


@pytest.mark.django_db
def test_a_new_code_replaces_the_open_one(operator, office):
    helper = UserFactory()
    first = code_of(helper)
    second = code_of(helper)
    with pytest.raises(IdentityError, match="expired"):
        confirm(operator, first, office)
    confirm(operator, second, office)


@pytest.mark.django_db
def test_codes_per_user_are_limited():
    helper = UserFactory()
    for _ in range(5):
        code_of(helper)
    with pytest.raises(RateLimited):
        code_of(helper)


@pytest.mark.django_db
def test_an_operator_records_only_for_their_own_office(operator, office):
    other_office = districts(2)[1]
    helper = UserFactory()
    code = code_of(helper)
    with pytest.raises(NotAllowed, match="your own public service centre"):
        confirm(operator, code, other_office)
    assert refusals(operator) == ["area_not_yours"]
    refused = IdentityAuditEntry.objects.get(event=Event.IN_PERSON_REFUSED)
    assert refused.area == other_office
    # The code is still good at the right office.
    confirm(operator, code, office)


@pytest.mark.django_db
def test_wrong_codes_per_operator_are_bounded(operator, office):
    helper = UserFactory()
    good = code_of(helper)
    tried = {good}
    for n in range(IN_PERSON_CODE_FAILURES_PER_HOUR):
        guess = f"{(int(good) + n + 1) % 10 ** 8:08d}"
        tried.add(guess)
        with pytest.raises(IdentityError):
            confirm(operator, guess, office)
    # Now even the right code is refused: guessing stops here.
    with pytest.raises(RateLimited):
        confirm(operator, good, office)
    assert refusals(operator)[-1] == "too_many_attempts"
    assert not confirmation_status(helper).confirmed
    # Another operator is not affected.
    colleague = StaffRoleFactory(kind=StaffRole.Kind.SERVICE_CENTRE_OPERATOR,
                                 areas=[office]).user
    confirm(colleague, good, office)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k in StaffRole.Kind
                                  if k != StaffRole.Kind.SERVICE_CENTRE_OPERATOR])
@pytest.mark.django_db
def test_other_roles_cannot_confirm(kind, office):
    somebody = StaffRoleFactory(kind=kind, areas=[office]).user
    with pytest.raises(NotAllowed):
        confirm(somebody, code_of(UserFactory()), office)
    with pytest.raises(NotAllowed):
        confirm(UserFactory(), code_of(UserFactory()), office)
    assert not IdentityConfirmation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, message", [
    ({"iin": "12345"}, "12 digits"),
    ({"document_type": "library_card"}, "Document type"),
    ({"document_number": " "}, "number"),
    ({"code": "1234"}, "8 digits"),
    ({"area": None}, "office"),
])
@pytest.mark.django_db
def test_bad_input_is_refused_and_nothing_written(operator, office, overrides, message):
    code = code_of(UserFactory())
    before = IdentityAuditEntry.objects.count()
    values = {"code": code, "area": office, **overrides}
    with pytest.raises(IdentityError, match=message):
        confirm(operator, **values)
    assert not IdentityConfirmation.objects.exists()
    assert IdentityAuditEntry.objects.count() == before


@pytest.mark.django_db
def test_an_operator_cannot_confirm_themselves(operator, office):
    with pytest.raises(NotAllowed):
        confirm(operator, code_of(operator), office)
    assert refusals(operator) == ["own_identity"]


# --- one IIN per account, one account per IIN ---------------------------------------------------


@pytest.mark.django_db
def test_one_iin_confirms_one_account(operator, office):
    first, second = UserFactory(), UserFactory()
    confirm(operator, code_of(first), office)
    with pytest.raises(IdentityConflict) as caught:
        confirm(operator, code_of(second), office)
    assert (caught.value.status, caught.value.code) == (409, "identity_in_use")
    assert refusals(operator) == ["identity_in_use"]
    assert not confirmation_status(second).confirmed


@pytest.mark.django_db
def test_one_account_holds_one_iin(operator, office):
    helper = UserFactory()
    confirm(operator, code_of(helper), office)
    with pytest.raises(IdentityConflict) as caught:
        confirm(operator, code_of(helper), office, iin="990101300123")
    assert (caught.value.status, caught.value.code) == (403, "identity_mismatch")
    # The same person again renews.
    confirm(operator, code_of(helper), office)
    assert IdentityConfirmation.objects.filter(user=helper).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_binding():
    helper, other = UserFactory(), UserFactory()
    IdentityBinding.objects.create(user=helper, iin_hash="a" * 64, iin_last4="0000")
    with pytest.raises(DatabaseError), transaction.atomic():
        IdentityBinding.objects.create(user=other, iin_hash="a" * 64, iin_last4="0000")
    with pytest.raises(DatabaseError), transaction.atomic():
        IdentityBinding.objects.create(user=helper, iin_hash="b" * 64, iin_last4="0000")


def test_two_counters_confirming_one_iin_at_once_bind_one_account(django_db_setup,
                                                                   django_db_blocker):
    """Committed rows and one connection per thread, so the two transactions really race;
    the rows are removed afterwards instead of flushing the database."""
    with django_db_blocker.unblock():
        office = districts(1)[0]
        operators = [StaffRoleFactory(kind=StaffRole.Kind.SERVICE_CENTRE_OPERATOR,
                                      areas=[office]).user for _ in range(2)]
        helpers = [UserFactory() for _ in range(2)]
        ids = [user.pk for user in operators + helpers]
        try:
            codes = [code_of(helper) for helper in helpers]
            barrier = threading.Barrier(2)
            outcomes = []

            def attempt(index):
                try:
                    barrier.wait()
                    confirm(operators[index], codes[index], office)
                    outcomes.append("confirmed")
                except IdentityConflict as error:
                    outcomes.append(error.code)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(outcomes) == ["confirmed", "identity_in_use"]
            assert IdentityBinding.objects.filter(
                iin_hash=keyed_hash(IIN, "iin")).count() == 1
            assert IdentityConfirmation.objects.filter(user__in=helpers).count() == 1
        finally:
            remove_committed(ids)


def remove_committed(ids: list[int]) -> None:
    """The audit tables refuse DELETE by trigger; replica mode skips triggers for this
    clean-up of test rows only."""
    statements = [
        "DELETE FROM identity_identityauditentry "
        "WHERE actor_id = ANY(%s) OR subject_user_id = ANY(%s)",
        "DELETE FROM identity_identityconfirmation WHERE user_id = ANY(%s)",
        "DELETE FROM identity_identitybinding WHERE user_id = ANY(%s)",
        "DELETE FROM identity_inpersoncode WHERE user_id = ANY(%s) OR used_by_id = ANY(%s)",
        "DELETE FROM accounts_staffrole_areas WHERE staffrole_id IN "
        "(SELECT id FROM accounts_staffrole WHERE user_id = ANY(%s))",
        "DELETE FROM accounts_staffrole WHERE user_id = ANY(%s)",
        "DELETE FROM accounts_user WHERE id = ANY(%s)",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in statements:
            cursor.execute(statement, [ids] * statement.count("%s"))


# --- revocation, audit, pages, admin ------------------------------------------------------------


@pytest.mark.django_db
def test_expired_or_revoked_confirmations_do_not_count(operator, office):
    helper = UserFactory()
    confirmation = confirm(operator, code_of(helper), office)
    assert not confirmation_status(helper, at=confirmation.expires_at).confirmed
    revoke_confirmation(actor=operator, confirmation=confirmation, reason="document lost")
    assert not confirmation_status(helper).confirmed
    with pytest.raises(IdentityError):
        revoke_confirmation(actor=operator, confirmation=confirmation, reason="again")


@pytest.mark.django_db
def test_audit_rows_are_append_only_in_the_orm_and_the_database(operator, office):
    confirm(operator, code_of(UserFactory()), office)
    entry = IdentityAuditEntry.objects.filter(event=Event.IN_PERSON_CONFIRMED).get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        IdentityAuditEntry.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE identity_identityauditentry SET detail = 'edited'")


@pytest.mark.django_db
def test_the_user_gets_a_code_on_their_own_page(client):
    helper = UserFactory()
    client.force_login(helper)
    page = client.get("/identity/in-person/code/")
    assert page.status_code == 200 and "Get a code" in page.content.decode()
    response = client.post("/identity/in-person/code/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    code = response.content.decode().split("data-in-person-code>")[1][:8]
    assert InPersonCode.objects.get(user=helper).code_hash == keyed_hash(code, "in-person-code")
    assert 'href="/identity/in-person/code/"' in client.get("/accounts/profile/").content.decode()
    client.logout()
    assert client.get("/identity/in-person/code/").status_code == 302


@pytest.mark.django_db
def test_operator_page_confirms_the_account_the_code_names(client, operator, office):
    helper = UserFactory()
    code = code_of(helper)
    client.force_login(operator)
    page = client.get("/identity/in-person/").content.decode()
    assert f'<option value="{office.pk}" selected>' in page
    assert "Not kept: your name" in page
    response = client.post("/identity/in-person/", {
        "code": f"{code[:4]} {code[4:]}", "iin": IIN, "document_type": "id_card",
        "document_number": "N0412345", "area": office.pk, "note": "",
        "original_checked": "on"})
    assert response.status_code == 302
    assert confirmation_status(helper).confirmed
    response = client.post("/identity/in-person/", {
        "code": code, "iin": IIN, "document_type": "id_card", "document_number": "N0412345",
        "area": office.pk, "original_checked": "on"})
    assert response.status_code == 400 and "already used" in response.content.decode()


@pytest.mark.django_db
def test_operator_page_offers_only_the_operators_offices(client, operator, office):
    other_office = districts(2)[1]
    client.force_login(operator)
    response = client.post("/identity/in-person/", {
        "code": code_of(UserFactory()), "iin": IIN, "document_type": "id_card",
        "document_number": "N0412345", "area": other_office.pk, "original_checked": "on"})
    assert response.status_code == 200  # not one of the choices: the form itself refuses
    assert not IdentityConfirmation.objects.exists()


@pytest.mark.django_db
def test_operator_page_is_closed_to_others(client):
    client.force_login(UserFactory())
    assert client.get("/identity/in-person/").status_code == 403
    client.logout()
    assert client.get("/identity/in-person/").status_code == 302


@pytest.mark.django_db
def test_operator_page_requires_the_document_check(client, operator, office):
    helper = UserFactory()
    client.force_login(operator)
    response = client.post("/identity/in-person/", {
        "code": code_of(helper), "iin": IIN, "document_type": "id_card",
        "document_number": "N0412345", "area": office.pk})
    assert response.status_code == 200
    assert not confirmation_status(helper).confirmed


@pytest.mark.django_db
def test_identity_records_are_read_only_and_listed_without_personal_data(client, operator,
                                                                        office):
    helper = UserFactory(username="aigerim.nurlanovna", email="aigerim@example.kz",
                         phone="+77011234567")
    confirm(operator, code_of(helper), office)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    confirmation = IdentityConfirmation.objects.get()
    for url in ["/admin/identity/identityconfirmation/",
                f"/admin/identity/identityconfirmation/{confirmation.pk}/change/",
                "/admin/identity/identityauditentry/", "/admin/identity/edsverification/",
                "/admin/identity/identitybinding/", "/admin/identity/inpersoncode/",
                "/admin/identity/edschallenge/"]:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        for personal in [IIN, "9011", "aigerim", "+77011234567", "127.0.0.1",
                         confirmation.iin_hash]:
            assert personal not in text, (url, personal)
    assert client.get("/admin/identity/identityconfirmation/add/").status_code == 403
    entry = IdentityAuditEntry.objects.first()
    deleted = client.post(f"/admin/identity/identityauditentry/{entry.pk}/delete/",
                          {"post": "yes"})
    assert deleted.status_code == 403 and IdentityAuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_operator_page_answers_a_conflict_with_409(client, operator, office):
    confirm(operator, code_of(UserFactory()), office)
    client.force_login(operator)
    response = client.post("/identity/in-person/", {
        "code": code_of(UserFactory()), "iin": IIN, "document_type": "id_card",
        "document_number": "N0412345", "area": office.pk, "original_checked": "on"})
    assert response.status_code == 409
    assert "already confirmed for another account" in response.content.decode()
