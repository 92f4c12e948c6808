"""Fixtures of the volunteer corps' tests: the help layer's places and staff of North
Kazakhstan (no contract volunteers live there), and builders of questionnaires through the
real actions."""

import pytest

from layers.volunteers import actions
from layers.volunteers.models import Volunteer
from tests.accounts.factories import UserFactory
from tests.help.conftest import (  # noqa: F401  (fixtures shared with the help layer)
    OBLAST,
    OKRUG_A,
    OKRUG_B,
    PASSWORD,
    area,
    confirm_identity,
    district_ngo,
    far_officer,
    helper,
    oblast_officer,
    places,
)


def questionnaire(n: int, settlement, **overrides) -> actions.QuestionnaireInput:
    values = dict(
        full_name=f"Test Volunteer {n:03d}", phone=f"+7 700 555 {n // 100:02d} {n % 100:02d}",
        email=f"test.volunteer.{n}@example.kz", birth_year=1995, gender="f",
        settlement=settlement, directions=["teaching"],
        slots=actions.slots_for([0, 1], range(9, 12)), education="higher", experience="some",
        has_car=False, car_seats=0, languages=["kk", "ru"], travel_km=20)
    values.update(overrides)
    return actions.QuestionnaireInput(**values)


def enter(user, n, settlement, **overrides) -> Volunteer:
    volunteer, _created = actions.enter_paper(user=user,
                                              data=questionnaire(n, settlement, **overrides))
    return volunteer


@pytest.fixture
def resident():
    return UserFactory()
