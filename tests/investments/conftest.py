"""Shared places and people of the investment tests: settlements of North Kazakhstan far
apart from each other (the contract rows live in the south-east), the staff of their areas,
and a maker of projects through the actions."""

from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point

from layers.areas.models import AdminArea, Settlement
from layers.investments import actions
from layers.investments.models import Position, SettlementEmployment
from tests.accounts.factories import StaffRoleFactory

NORTH_KAZAKHSTAN = "590000000"
KM_PER_DEGREE_LAT = 111.2


def current(kato: str) -> AdminArea:
    return AdminArea.objects.get(generation__is_current=True, kato=kato)


@pytest.fixture
def oblast():
    return current(NORTH_KAZAKHSTAN)


@pytest.fixture
def far_apart_settlements(oblast):
    """Six settlements of the oblast, each more than 60 km from the others, in different
    districts, each with a point."""
    chosen = []
    candidates = (Settlement.objects.filter(oblast=oblast, geom__isnull=False,
                                            district__isnull=False)
                  .exclude(kato__endswith="00000").order_by("kato"))
    for settlement in candidates:
        if any(settlement.district_id == other.district_id
               or settlement.geom.distance(other.geom) * KM_PER_DEGREE_LAT < 60
               for other in chosen):
            continue
        chosen.append(settlement)
        if len(chosen) == 6:
            break
    assert len(chosen) == 6
    return chosen


@pytest.fixture
def oblast_staff(oblast):
    return StaffRoleFactory(areas=[oblast]).user


def north_of(point: Point, km: float) -> Point:
    return Point(point.x, point.y + km / KM_PER_DEGREE_LAT, srid=4326)


def project_input(settlement, **overrides) -> actions.ProjectInput:
    values = {
        "title_kk": "Сүт зауыты", "title_ru": "Молочный завод", "title_en": "Dairy plant",
        "sector": "food_processing", "investment_needed": "125000000",
        "jobs_created": "24", "settlement": settlement,
        "responsible_name": "A. Akimov", "responsible_position": Position.HEAD_OF_DEPARTMENT,
    }
    values.update(overrides)
    return actions.ProjectInput(**values)


@pytest.fixture
def make_project(oblast_staff):
    def make(settlement, **overrides):
        return actions.create_project(user=oblast_staff,
                                      data=project_input(settlement, **overrides))
    return make


def employment(settlement, rate, year=2024, is_sample=False) -> SettlementEmployment:
    unemployed = int(rate * 10)
    return SettlementEmployment.objects.create(
        settlement=settlement, year=year, working_age_population=1200, employed=1000 - unemployed,
        unemployed=unemployed, unemployment_rate=Decimal(str(rate)), source="test",
        is_sample=is_sample)

