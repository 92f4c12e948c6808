"""The authorisation matrix: each role × each action × own area / other area."""

import pytest

from gis_portal.accounts.models import StaffRole
from gis_portal.accounts.permissions import Action, areas_where, may
from layers.areas.models import AdminArea

from .factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db
Kind = StaffRole.Kind


def current(kato):
    return AdminArea.objects.get(generation__is_current=True, kato=kato)


@pytest.fixture
def areas():
    """Two districts of Almaty oblast, an okrug inside the first, and another oblast."""
    okrug = (AdminArea.objects.filter(generation__is_current=True, level="okrug",
                                      parent__parent__kato="190000000")
             .select_related("parent").first())
    own_district = okrug.parent
    other_district = (AdminArea.objects.filter(generation__is_current=True, level="district",
                                               parent__kato="190000000")
                      .exclude(pk=own_district.pk).first())
    return {"own_district": own_district, "own_okrug": okrug,
            "other_district": other_district, "other_oblast": current("470000000")}


# role → actions it may take inside its own area
EXPECTED = {
    Kind.AKIMAT_OFFICER: {Action.VIEW_PRIVATE, Action.CHANGE, Action.MODERATE,
                          Action.MANAGE_HERITAGE},
    Kind.NGO_OPERATOR: {Action.VIEW_PRIVATE, Action.CHANGE},
    Kind.SERVICE_CENTRE_OPERATOR: {Action.CONFIRM_IDENTITY},
    Kind.CULTURE_OFFICER: {Action.MANAGE_HERITAGE},
    Kind.MODERATOR: {Action.MODERATE},
    Kind.ADMINISTRATOR: set(Action),
}


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("action", list(Action))
def test_matrix(areas, kind, action):
    role = StaffRoleFactory(kind=kind, areas=[areas["own_district"]])
    allowed = action in EXPECTED[kind]
    assert may(role.user, action, areas["own_district"]) is allowed
    assert may(role.user, action, areas["own_okrug"]) is allowed  # inside the district
    country_wide = kind in StaffRole.COUNTRY_WIDE or action in {Action.CONFIRM_IDENTITY,
                                                                 Action.MANAGE_ROLES}
    assert may(role.user, action, areas["other_district"]) is (allowed and country_wide)
    assert may(role.user, action, areas["other_oblast"]) is (allowed and country_wide)


def test_an_oblast_officer_covers_every_district_of_the_oblast(areas):
    role = StaffRoleFactory(kind=Kind.AKIMAT_OFFICER, areas=[current("190000000")])
    for area in (areas["own_district"], areas["own_okrug"], areas["other_district"]):
        assert may(role.user, Action.VIEW_PRIVATE, area)
    assert not may(role.user, Action.VIEW_PRIVATE, areas["other_oblast"])


def test_residents_anonymous_and_inactive_roles_may_nothing(areas):
    from django.contrib.auth.models import AnonymousUser

    resident = UserFactory()
    inactive = StaffRoleFactory(kind=Kind.ADMINISTRATOR, is_active=False)
    for user in (resident, AnonymousUser(), inactive.user, None):
        for action in Action:
            assert not may(user, action, areas["own_district"])


def test_areas_where_lists_the_role_roots(areas):
    officer = StaffRoleFactory(kind=Kind.NGO_OPERATOR,
                               areas=[areas["own_district"], areas["other_oblast"]])
    assert areas_where(officer.user, Action.CHANGE) == {areas["own_district"],
                                                        areas["other_oblast"]}
    assert areas_where(officer.user, Action.MODERATE) == set()
    admin = StaffRoleFactory(kind=Kind.ADMINISTRATOR)
    assert areas_where(admin.user, Action.CHANGE) is None
