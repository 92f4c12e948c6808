"""Fixtures of the help layer's tests: staff of North Kazakhstan, settlements in two okrugs of
one district and in another district, and a builder of requests through the real action."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gis_portal.accounts.models import StaffRole
from gis_portal.identity.actions import keyed_hash
from gis_portal.identity.models import IdentityBinding, IdentityConfirmation
from layers.areas.models import AdminArea, Settlement
from layers.help import actions
from layers.help.models import HelpRequest
from tests.accounts.factories import StaffRoleFactory, UserFactory

OBLAST = "590000000"  # North Kazakhstan: no contract rows of the help layer live there
OKRUG_A = "593233000"
OKRUG_B = "593235000"
PASSWORD = "a-long-test-password"  # the user factory's


def area(kato: str) -> AdminArea:
    return AdminArea.objects.get(generation__is_current=True, kato=kato)


@pytest.fixture
def places():
    return find_places()


def find_places() -> dict:
    """Two settlements of okrug A, one of okrug B (same district), one of another district."""
    okrug_a = list(Settlement.objects.filter(kato__startswith=OKRUG_A[:6], geom__isnull=False)
                   .exclude(kato=OKRUG_A).order_by("kato")[:2])
    okrug_b = Settlement.objects.filter(kato__startswith=OKRUG_B[:6], geom__isnull=False
                                        ).exclude(kato=OKRUG_B).order_by("kato").first()
    other = (Settlement.objects.filter(kato__startswith="59", geom__isnull=False)
             .exclude(kato__startswith="5932").exclude(kato__endswith="00000")
             .order_by("kato").first())
    return {"a1": okrug_a[0], "a2": okrug_a[1], "b": okrug_b, "other": other}


@pytest.fixture
def oblast_officer():
    return new_oblast_officer()


def new_oblast_officer():
    return StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[area(OBLAST)]).user


@pytest.fixture
def district_ngo(places):
    district = AdminArea.objects.get(generation__is_current=True, level="district",
                                     kato=OKRUG_A[:4] + "00000")
    return StaffRoleFactory(kind=StaffRole.Kind.NGO_OPERATOR, areas=[district]).user


@pytest.fixture
def far_officer():
    """Akimat officer of Almaty city: no right in North Kazakhstan."""
    return StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[area("750000000")]).user


def person(n: int, settlement, **overrides) -> actions.RequestInput:
    values = dict(
        full_name=f"Test Person {n:03d}", phone=f"+7 700 111 {n // 100:02d} {n % 100:02d}",
        address=f"Test street {n}", birth_year=1950, settlement=settlement,
        topic="material", kind="firewood", family_tags=["lonely_pensioner"],
        amount_needed=Decimal("50000"), description="Қысқа отын керек.",
        consent_method="written")
    values.update(overrides)
    return actions.RequestInput(**values)


def make(user, n, settlement, *, publish=True, **overrides) -> HelpRequest:
    help_request, _created = actions.save_request(user=user, data=person(n, settlement,
                                                                         **overrides),
                                                  publish=publish)
    return help_request


def confirm_identity(user, iin="123456789011"):
    now = timezone.now()
    IdentityBinding.objects.create(user=user, iin_hash=keyed_hash(iin, "iin"),
                                   iin_last4=iin[-4:])
    return IdentityConfirmation.objects.create(
        user=user, method=IdentityConfirmation.Method.SERVICE_CENTRE,
        iin_hash=keyed_hash(iin, "iin"), iin_last4=iin[-4:], confirmed_at=now,
        expires_at=now + timedelta(days=365))


@pytest.fixture
def helper():
    return UserFactory()
