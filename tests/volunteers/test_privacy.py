"""Volunteers' personal data stays apart: encrypted in the database, absent from every public
surface of the list (API, tiles at every zoom, exports, stats, pages, errors, log lines) and
from the admin list; the public point is a point of the shown area, not the settlement."""

import logging

import mapbox_vector_tile
import pytest
from django.db import connection

from gis_portal.accounts.models import StaffRole
from layers.volunteers.layers import VolunteerLayer
from layers.volunteers.models import VolunteerCard
from tests.accounts.factories import StaffRoleFactory
from tests.help.test_privacy import body, tile_xy

from .conftest import OBLAST, OKRUG_A, enter

pytestmark = pytest.mark.django_db

PLANTED = {"full_name": "Qwertyvolunteer Plantedova", "phone": "+7 777 864 20 13",
           "email": "planted.volunteer@example.kz"}
PHONE_DIGITS = ("7778642013", "864 20 13", "8642013")
BIRTH_YEAR = 1993


@pytest.fixture
def planted(oblast_officer, places):
    volunteer = enter(oblast_officer, 77, places["a1"], full_name=PLANTED["full_name"],
                      phone=PLANTED["phone"], email=PLANTED["email"], birth_year=BIRTH_YEAR)
    for n in range(78, 83):  # a group of five others like them: listed at okrug level
        enter(oblast_officer, n, places["a2"], birth_year=BIRTH_YEAR)
    return volunteer


def assert_clean(data: bytes, settlement, where: str):
    text = data.decode("utf-8", "replace")
    for value in PLANTED.values():
        assert value not in text, (where, value)
    for digits in PHONE_DIGITS:
        assert digits not in text, (where, digits)
    assert str(BIRTH_YEAR) not in text, where
    assert settlement.kato not in text, where
    for value in (settlement.geom.x, settlement.geom.y):
        assert f"{value:.4f}" not in text, (where, value)


def test_raw_columns_hold_no_plaintext(planted):
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone, email, phone_index, person_index "
                       "FROM volunteers_volunteer WHERE id = %s", [planted.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert "Qwertyvolunteer" not in raw and "864" not in raw and "planted." not in raw


def test_privacy_walk_of_every_public_surface(client, planted, places, caplog):
    settlement = places["a1"]
    card = VolunteerCard.objects.get(volunteer=planted)
    assert card.place_kato == OKRUG_A
    slug = "volunteers"
    caplog.set_level(logging.DEBUG)
    urls = [
        "/api/layers/",
        f"/api/layers/{slug}/?area={OBLAST}",
        f"/api/layers/{slug}/?area={OBLAST}&ordering=-age&limit=2",
        f"/api/layers/{slug}/?near={settlement.geom.x},{settlement.geom.y}&within=50",
        f"/api/layers/{slug}/{card.pk}/",
        f"/api/layers/{slug}/export.csv?area={OBLAST}",
        f"/api/layers/{slug}/export.geojson?area={OBLAST}",
        f"/api/layers/{slug}/export.gpkg?area={OBLAST}",
        f"/tiles/{slug}.json",
        "/volunteers/",
        f"/volunteers/?area={OBLAST}&direction=teaching",
        f"/volunteers/{card.pk}/",
        "/api/schema/",
        f"/api/layers/{slug}/?ordering=full_name",
        f"/api/layers/{slug}/?phone={PLANTED['phone']}",
        f"/api/layers/{slug}/?volunteer={planted.pk}",
        f"/api/layers/{slug}/?birth_year={BIRTH_YEAR}",
        f"/api/layers/{slug}/999999999/",
        "/volunteers/999999999/",
        f"/api/volunteers/match/request/{planted.pk}",
    ]
    for level in ("oblast", "district", "okrug"):
        urls.append(f"/api/layers/{slug}/stats?level={level}")
    seen = False
    for z in range(4, 15):
        x, y = tile_xy(card.geom.x, card.geom.y, z)
        urls.append(f"/tiles/{slug}/{z}/{x}/{y}.mvt")
        sx, sy = tile_xy(settlement.geom.x, settlement.geom.y, z)
        urls.append(f"/tiles/{slug}/{z}/{sx}/{sy}.mvt")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 204, 400, 403, 404), (url, response.status_code)
        data = body(response)
        assert_clean(data, settlement, url)
        if url.endswith(".mvt") and response.status_code == 200:
            features = mapbox_vector_tile.decode(data).get(slug, {}).get("features", [])
            if int(url.split("/")[3]) <= VolunteerLayer.aggregate_tiles_max_zoom:
                for feature in features:  # low zooms: one point per area with its count
                    assert set(feature["properties"]) == {"count", "level", "kato", "name"}
                    assert feature["properties"]["count"] >= 5, (url, feature["properties"])
                continue
            seen |= any(f["id"] == card.pk for f in features)
            for feature in features:
                assert set(feature["properties"]) <= {"age", "gender", "directions",
                                                      "has_car"}
    assert seen, "the card was in none of its tiles"
    detail = client.get(f"/api/layers/{slug}/{card.pk}/").json()
    assert set(detail["properties"]) == {
        "age", "gender", "place", "place_level", "place_name", "directions", "days", "slots",
        "has_car", "languages", "name", "url"}
    refused = client.post(f"/api/volunteers/{card.pk}/reveal")
    assert refused.status_code == 403
    assert_clean(refused.content, settlement, "refused reveal")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert_clean(logged.encode(), settlement, "log lines")


def test_admin_list_holds_no_personal_data(client, planted, places):
    admin = StaffRoleFactory(kind=StaffRole.Kind.ADMINISTRATOR).user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    for url in ("/admin/volunteers/volunteer/", "/admin/volunteers/volunteercard/",
                "/admin/volunteers/volunteerevent/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(body(response), places["a1"], url)
