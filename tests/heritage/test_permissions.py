"""Culture-department staff manage the monuments of their own area, and nothing else."""

import pytest

from gis_portal.accounts.models import StaffRole
from gis_portal.accounts.permissions import Action, areas_where, may
from layers.heritage import actions
from layers.heritage.models import HeritageChange, Monument
from tests.accounts.factories import StaffRoleFactory

pytestmark = pytest.mark.django_db


def test_culture_officer_manages_heritage_of_their_area_only(culture_officer, almaty, astana,
                                                             monument, astana_monument):
    assert may(culture_officer, Action.MANAGE_HERITAGE, almaty)
    # An area inside theirs (the monument's city district) is theirs too.
    assert monument.finest_area() != almaty and monument.oblast == almaty
    assert actions.may_manage(culture_officer, monument)
    assert not may(culture_officer, Action.MANAGE_HERITAGE, astana)
    assert not actions.may_manage(culture_officer, astana_monument)
    assert areas_where(culture_officer, Action.MANAGE_HERITAGE) == {almaty}


def test_culture_officers_get_nothing_else(culture_officer, almaty):
    for action in set(Action) - {Action.MANAGE_HERITAGE}:
        assert not may(culture_officer, action, almaty), action


def test_akimat_officers_and_administrators_manage_heritage(almaty, astana):
    akimat = StaffRoleFactory(kind=StaffRole.Kind.AKIMAT_OFFICER, areas=[almaty]).user
    admin = StaffRoleFactory(kind=StaffRole.Kind.ADMINISTRATOR).user
    ngo = StaffRoleFactory(kind=StaffRole.Kind.NGO_OPERATOR, areas=[almaty]).user
    assert may(akimat, Action.MANAGE_HERITAGE, almaty)
    assert not may(akimat, Action.MANAGE_HERITAGE, astana)
    assert may(admin, Action.MANAGE_HERITAGE, astana)
    assert not may(ngo, Action.MANAGE_HERITAGE, almaty)


def test_update_is_refused_outside_the_area_and_audited_inside(culture_officer, monument,
                                                              astana_monument):
    with pytest.raises(actions.NotAllowed):
        actions.update_record(user=culture_officer, record=astana_monument,
                              changes={"condition": "poor"})
    actions.update_record(user=culture_officer, record=monument,
                          changes={"condition": "poor"})
    assert Monument.objects.get(pk=monument.pk).condition == "poor"
    change = HeritageChange.objects.get(object_id=monument.pk, action="update")
    assert change.actor == culture_officer
    assert change.details == {"condition": ["unknown", "poor"]}
    with pytest.raises(PermissionError):
        change.delete()


def test_the_page_form_follows_the_area(client, culture_officer, monument, astana_monument):
    client.force_login(culture_officer)
    page = client.get(f"/heritage/monuments/{monument.pk}/").content.decode()
    assert "data-manage" in page
    assert "data-manage" not in client.get(
        f"/heritage/monuments/{astana_monument.pk}/").content.decode()
    response = client.post(f"/heritage/monuments/{astana_monument.pk}/manage/",
                           {"condition": "poor", "protection_status": "local_list"})
    assert response.status_code == 403
    response = client.post(f"/heritage/monuments/{monument.pk}/manage/",
                           {"condition": "critical", "protection_status": "local_list"})
    assert response.status_code == 302
    monument.refresh_from_db()
    assert (monument.condition, monument.protection_status) == ("critical", "local_list")
    assert Monument.objects.get(pk=astana_monument.pk).condition == "unknown"


def test_staff_add_photos_residents_cannot(client, culture_officer, resident, monument):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gis_portal.photos.actions import photos_of
    from gis_portal.photos.drawing import drawn_photo

    def upload():
        return SimpleUploadedFile("m.jpg", drawn_photo("Mausoleum", 2).read(),
                                  content_type="image/jpeg")

    url = f"/heritage/monuments/{monument.pk}/photos/"
    client.force_login(resident)
    assert client.post(url, {"photo": upload(), "caption": "x"}).status_code == 403
    client.force_login(culture_officer)
    assert client.post(url, {"photo": upload(), "caption": "South portal"}).status_code == 302
    photo = photos_of(monument, purpose="main").get()
    assert photo.uploaded_by == culture_officer
    page = client.get(f"/heritage/monuments/{monument.pk}/").content.decode()
    assert photo.thumbnail_url in page and "South portal" in page
