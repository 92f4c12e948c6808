"""Fixtures of the pooled-funding tests: areas of two oblasts, settlements as fundraiser
targets (the target is generic: any saved record will do), donors and area staff."""

from decimal import Decimal

import pytest

from gis_portal.accounts.models import StaffRole
from gis_portal.funding import actions
from layers.areas.models import AdminArea, Settlement
from tests.accounts.factories import StaffRoleFactory, UserFactory

ALMATY_OBLAST = "190000000"
MANGYSTAU = "470000000"


def current_area(kato: str) -> AdminArea:
    return AdminArea.objects.get(generation__is_current=True, kato=kato)


@pytest.fixture
def district():
    """A district of Almaty oblast: the fundraisers' area in most tests."""
    return (AdminArea.objects.filter(generation__is_current=True, level="district",
                                     parent__kato=ALMATY_OBLAST).order_by("kato").first())


@pytest.fixture
def other_oblast():
    return current_area(MANGYSTAU)


def settlements_in(area: AdminArea):
    return Settlement.objects.filter(kato__startswith=area.kato[:4]).order_by("kato")


@pytest.fixture
def make_fundraiser(district):
    """make_fundraiser(goal="1000.00", area=None): a new fundraiser on the next settlement of
    the district (one fundraiser per target)."""
    targets = iter(settlements_in(district))

    def make(goal="1000.00", area=None):
        return actions.open_fundraiser(target=next(targets), goal=Decimal(goal),
                                       area=area or district)

    return make


@pytest.fixture
def donor():
    return UserFactory(first_name="Aigerim", last_name="Seitova")


@pytest.fixture
def officer(district):
    """An akimat officer of the fundraisers' district."""
    return StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[district]).user


@pytest.fixture
def foreign_officer(other_oblast):
    """An akimat officer of another oblast: no rights over the district's fundraisers."""
    return StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[other_oblast]).user
