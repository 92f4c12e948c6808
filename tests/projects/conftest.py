"""Fixtures of the social project tests: a rural settlement with a known point, its areas,
staff of that area and of another oblast, a moderator, residents, and a project factory."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_portal.accounts.models import StaffRole
from gis_portal.photos.drawing import drawn_photo
from layers.areas.actions import home_areas
from layers.areas.models import AdminArea, Settlement
from layers.projects import actions
from layers.projects.actions import LineInput, ProjectInput
from tests.accounts.factories import StaffRoleFactory, UserFactory

MANGYSTAU = "470000000"


@pytest.fixture
def settlement():
    """A village of Almaty oblast with an OpenStreetMap point, a district and an okrug that
    holds none of the committed contract projects."""
    from layers.projects.models import SocialProject

    candidates = (Settlement.objects.filter(kato__startswith="19", position_source="osm",
                                            okrug__isnull=False)
                  .exclude(kato__endswith="000").order_by("kato"))
    for candidate in candidates[:300]:
        areas = home_areas(candidate)
        if (areas.okrug and areas.district and areas.boundary
                and not SocialProject.objects.filter(okrug=areas.okrug).exists()):
            return candidate
    pytest.skip("no rural settlement with an okrug found")


@pytest.fixture
def areas(settlement):
    return home_areas(settlement)


@pytest.fixture
def officer(areas):
    """An akimat officer of the settlement's district."""
    return StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[areas.district]).user


@pytest.fixture
def ngo(areas):
    return StaffRoleFactory(kind=StaffRole.Kind.NGO_OPERATOR, areas=[areas.okrug]).user


@pytest.fixture
def stranger_staff():
    """An akimat officer of another oblast (Mangystau)."""
    area = AdminArea.objects.get(generation__is_current=True, kato=MANGYSTAU)
    return StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[area]).user


@pytest.fixture
def moderator():
    return StaffRoleFactory(kind=StaffRole.Kind.MODERATOR).user


@pytest.fixture
def resident():
    return UserFactory(first_name="Aigerim", last_name="Seitova")


def lines(*rows):
    return [LineInput(*row) for row in rows] or [LineInput("Cement", "10", "bag", "3500")]


@pytest.fixture
def make_project(settlement, officer):
    """make_project(**fields) → a draft by the district's officer; publish=True publishes."""

    def make(publish=False, user=None, **fields):
        values = {"kind": "infrastructure", "title_kk": "Мектеп шатыры",
                  "title_ru": "Крыша школы", "title_en": "School roof",
                  "organisation": "Ауыл әкімдігі", "settlement": settlement,
                  "lines": lines(("Roofing sheet", "120", "m²", "6500"),
                                 ("Labour", "1", "set", "220000"))}
        values.update(fields)
        project = actions.create_project(user=user or officer, data=ProjectInput(**values))
        if publish:
            actions.publish_project(user=user or officer, project=project)
        return project

    return make


def photo_upload(name="work.jpg", seed=1):
    content = drawn_photo("Finished work", seed)
    return SimpleUploadedFile(name, content.read(), content_type="image/jpeg")


PRICE = Decimal("1000000.00")  # 120 × 6500 + 220000
