import pytest
from django.contrib.gis.geos import Point

from gis_portal.accounts.models import StaffRole
from layers.areas.models import AdminArea
from layers.heritage.models import Monument
from tests.accounts.factories import StaffRoleFactory, UserFactory

# Central Almaty (inside Almaty city, 750000000) and central Astana (710000000).
ALMATY_POINT = (76.9450, 43.2380)
ASTANA_POINT = (71.4300, 51.1280)


def current_area(kato: str) -> AdminArea:
    return AdminArea.objects.get(generation__is_current=True, kato=kato)


@pytest.fixture
def almaty():
    return current_area("750000000")


@pytest.fixture
def astana():
    return current_area("710000000")


def make_monument(point=ALMATY_POINT, **fields) -> Monument:
    values = {"name_kk": "Сынақ кесенесі", "name_ru": "Тестовый мавзолей",
              "name_en": "Test mausoleum", "kind": Monument.Kind.ARCHITECTURE,
              "significance": "local", "geom": Point(*point, srid=4326),
              "position_approximate": False}
    values.update(fields)
    return Monument.objects.create(**values)


@pytest.fixture
def monument():
    return make_monument()


@pytest.fixture
def astana_monument():
    return make_monument(ASTANA_POINT, name_en="Astana test monument")


@pytest.fixture
def culture_officer(almaty):
    return StaffRoleFactory(kind=StaffRole.Kind.CULTURE_OFFICER, areas=[almaty]).user


@pytest.fixture
def astana_culture_officer(astana):
    return StaffRoleFactory(kind=StaffRole.Kind.CULTURE_OFFICER, areas=[astana]).user


@pytest.fixture
def resident():
    return UserFactory()
