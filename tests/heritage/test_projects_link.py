"""Akimat officers attach a restoration or landscaping project of the projects layer to a
monument of their area; its page lists the project."""

import pytest

from gis_portal.accounts.models import StaffRole
from layers.areas.models import Settlement
from layers.heritage.models import HeritageChange, MonumentProject
from layers.projects import actions as project_actions
from layers.projects.actions import LineInput, ProjectInput
from tests.accounts.factories import StaffRoleFactory

from .conftest import make_monument

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    settlement = (Settlement.objects.filter(kato__startswith="19", position_source="osm",
                                            district__isnull=False)
                  .exclude(kato__endswith="000").order_by("kato").first())
    officer = StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER,
                               areas=[settlement.district]).user
    monument = make_monument((settlement.geom.x, settlement.geom.y), settlement=settlement,
                             name_en="Village obelisk", kind="memorial")
    project = project_actions.create_project(user=officer, data=ProjectInput(
        kind="infrastructure", title_kk="Ескерткішті қалпына келтіру",
        title_ru="Реставрация обелиска", title_en="Obelisk restoration",
        organisation="Ауыл әкімдігі", settlement=settlement,
        lines=[LineInput("Stone", "2", "m³", "90000")]))
    project_actions.publish_project(user=officer, project=project)
    return monument, project, officer, settlement


def test_an_akimat_officer_attaches_a_project_and_the_page_lists_it(client, place):
    monument, project, officer, settlement = place
    culture = StaffRoleFactory(kind=StaffRole.Kind.CULTURE_OFFICER,
                               areas=[settlement.district]).user
    url = f"/heritage/monuments/{monument.pk}/projects/"
    client.force_login(culture)
    assert client.post(url, {"project": project.pk, "kind": "restoration"}).status_code == 403

    client.force_login(officer)
    page = client.get(f"/heritage/monuments/{monument.pk}/").content.decode()
    assert "Obelisk restoration" in page  # offered in the form
    assert client.post(url, {"project": project.pk, "kind": "restoration"}).status_code == 302
    assert MonumentProject.objects.get(monument=monument).project == project
    assert HeritageChange.objects.filter(object_id=monument.pk, action="attach_project").exists()
    again = client.post(url, {"project": project.pk, "kind": "landscaping"})
    assert again.status_code == 409
    assert "already attached" in again.content.decode()

    client.logout()  # (a new cookie jar: the page is asked in English again)
    public = client.get(f"/heritage/monuments/{monument.pk}/", {"lang": "en"}).content.decode()
    assert "data-projects" in public and "Obelisk restoration" in public
    assert f"/projects/{project.pk}/" in public
