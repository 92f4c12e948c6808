"""Personal data of people who need help stays apart: encrypted in the database, absent from
every public surface (API, tiles at every zoom, exports, stats, pages, errors, admin list,
log lines), and the public point never closer than the settlement."""

import logging
import math
import struct

import mapbox_vector_tile
import pytest
from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.db import connection

from gis_portal.accounts.models import StaffRole
from layers.help.layers import HelpRequestLayer
from layers.help.models import HelpRequest
from tests.accounts.factories import StaffRoleFactory

from .conftest import OBLAST, make

pytestmark = pytest.mark.django_db

PLANTED = {
    "full_name": "Qwertyplanted Zhanbolatova",
    "phone": "+7 777 913 58 24",
    "address": "Plantedstreet 4417, flat 93",
}
PHONE_DIGITS = ("7779135824", "913 58 24", "9135824")
# The house, 3 km east of the settlement: nothing public may point at it.
HOUSE_OFFSET_DEG = 0.04


def tile_xy(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def planted(oblast_officer, places):
    settlement = places["a1"]
    house = {"lon": round(settlement.geom.x + HOUSE_OFFSET_DEG, 6),
             "lat": round(settlement.geom.y + 0.0137, 6)}
    help_request = make(oblast_officer, 77, settlement, full_name=PLANTED["full_name"],
                        phone=PLANTED["phone"], address=PLANTED["address"], birth_year=1937,
                        exact_position=house)
    # Enough neighbours that stats show the okrug rather than suppress it.
    for n in range(78, 84):
        make(oblast_officer, n, settlement)
    return help_request, house


def assert_clean(data: bytes, house: dict, where: str):
    text = data.decode("utf-8", "replace")
    for value in PLANTED.values():
        assert value not in text, (where, value)
    for digits in PHONE_DIGITS:
        assert digits not in text, (where, digits)
    assert "1937" not in text, where
    for value in (house["lon"], house["lat"]):
        assert f"{value:.3f}" not in text, (where, value)
        for order in "<>":
            assert struct.pack(f"{order}d", value) not in data, (where, value)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_raw_columns_hold_no_plaintext_and_no_geometry_holds_the_house(planted):
    help_request, house = planted
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone, address, exact_position, phone_index, "
                       "person_index FROM help_helprequest WHERE id = %s", [help_request.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
        cursor.execute("SELECT f_geometry_column FROM geometry_columns "
                       "WHERE f_table_name = 'help_helprequest'")
        geometry_columns = {row[0] for row in cursor.fetchall()}
    assert_clean(raw.encode(), house, "raw row")
    assert "Plantedstreet" not in raw and "+7777" not in raw
    assert geometry_columns == {"geom"}
    # Through the model the values come back.
    fresh = HelpRequest.objects.get(pk=help_request.pk)
    assert fresh.phone == "+77779135824" and fresh.exact_position == house


def test_public_point_sits_150_to_600_m_from_the_settlement_never_at_the_house(planted,
                                                                                 places):
    help_request, house = planted
    for row in HelpRequest.objects.filter(settlement=places["a1"]).annotate(
            d=Distance("geom", places["a1"].geom)):
        assert 150 <= row.d.m <= 601, row.d.m
    house_point = Point(house["lon"], house["lat"], srid=4326)
    from_house = HelpRequest.objects.filter(pk=help_request.pk).annotate(
        d=Distance("geom", house_point)).get().d.m
    assert from_house > 2000
    # The point depends on the record only: the same record keeps its point on re-upload.
    again = make(help_request.created_by, 77, places["a1"], full_name=PLANTED["full_name"],
                 phone=PLANTED["phone"], address=PLANTED["address"], birth_year=1937,
                 exact_position={"lon": 70.0, "lat": 50.0})
    assert again.pk == help_request.pk and again.geom.equals_exact(help_request.geom, 1e-9)


def test_privacy_walk_of_every_public_surface(client, planted, places, caplog,
                                              oblast_officer):
    help_request, house = planted
    settlement = places["a1"]
    slug = "help-requests"
    caplog.set_level(logging.DEBUG)
    urls = [
        "/api/layers/",
        f"/api/layers/{slug}/?area={OBLAST}",
        f"/api/layers/{slug}/?area={OBLAST}&ordering=-published_on&limit=2",
        f"/api/layers/{slug}/?near={settlement.geom.x},{settlement.geom.y}&within=20",
        f"/api/layers/{slug}/{help_request.pk}/",
        f"/api/layers/{slug}/export.csv?area={OBLAST}",
        f"/api/layers/{slug}/export.geojson?area={OBLAST}",
        f"/api/layers/{slug}/export.gpkg?area={OBLAST}",
        f"/tiles/{slug}.json",
        f"/help/{help_request.pk}/",
        f"/help/{help_request.pk}/contacts/",
        "/api/schema/",
        # Errors
        f"/api/layers/{slug}/?ordering=full_name",
        f"/api/layers/{slug}/?phone={PLANTED['phone']}",
        f"/api/layers/{slug}/?full_name=x",
        f"/api/layers/{slug}/999999999/",
        f"/api/layers/{slug}/stats?level=okrug&topic=material",
        "/help/999999999/",
    ]
    for level in ("oblast", "district", "okrug"):
        urls.append(f"/api/layers/{slug}/stats?level={level}")
        urls.append(f"/api/layers/{slug}/stats?level={level}&area={OBLAST}")
    for z in range(4, 15):
        x, y = tile_xy(help_request.geom.x, help_request.geom.y, z)
        urls.append(f"/tiles/{slug}/{z}/{x}/{y}.mvt")
        hx, hy = tile_xy(house["lon"], house["lat"], z)
        urls.append(f"/tiles/{slug}/{z}/{hx}/{hy}.mvt")
    # A lone request in an otherwise empty okrug: no low-zoom count may single it out.
    lone = make(oblast_officer, 90, places["b"])
    lone_okrug = lone.okrug.kato
    for z in range(4, 10):
        x, y = tile_xy(lone.geom.x, lone.geom.y, z)
        urls.append(f"/tiles/{slug}/{z}/{x}/{y}.mvt")
        for dx in (-1, 1):
            urls.append(f"/tiles/{slug}/{z}/{x + dx}/{y}.mvt")
    planted_areas = {help_request.okrug.kato, help_request.district.kato,
                     help_request.oblast.kato}
    seen_feature = False
    seen_count = False
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 204, 400, 404), (url, response.status_code)
        data = body(response)
        assert_clean(data, house, url)
        if url.endswith(".mvt") and response.status_code == 200:
            decoded = mapbox_vector_tile.decode(data)
            features = decoded.get(slug, {}).get("features", [])
            if int(url.split("/")[3]) > HelpRequestLayer.aggregate_tiles_max_zoom:
                seen_feature |= any(f["id"] == help_request.pk for f in features)
                for feature in features:
                    assert set(feature["properties"]) <= {"topic", "kind", "age_band",
                                                          "status"}
                continue
            for feature in features:  # low zooms: one point per area with its count
                properties = feature["properties"]
                assert set(properties) == {"count", "level", "kato", "name"}, url
                assert properties["count"] >= settings.TZ_PRIVACY_MIN_GROUP, (url, properties)
                assert properties["kato"] != lone_okrug, url
                seen_count |= properties["kato"] in planted_areas
    assert seen_feature, "the request was in none of its tiles"
    assert seen_count, "the planted request's areas were in none of the low-zoom tiles"
    detail = client.get(f"/api/layers/{slug}/{help_request.pk}/").json()
    assert set(detail["properties"]) == {
        "topic", "kind", "kind_name", "family", "age_band", "published_on", "status",
        "amount_needed", "amount_pledged", "description", "settlement", "settlement_name",
        "helpers_asked", "name", "url"}
    assert detail["properties"]["url"] == f"/help/{help_request.pk}/"
    # Refused reveals answer with a reason, never the data; the log lines hold none of it.
    refused = client.post(f"/api/help/{help_request.pk}/reveal")
    assert refused.status_code == 403
    assert_clean(refused.content, house, "refused reveal")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert_clean(logged.encode(), house, "log lines")


def test_staff_stats_and_admin_list_hold_no_personal_data(client, planted):
    help_request, house = planted
    admin = StaffRoleFactory(kind=StaffRole.Kind.ADMINISTRATOR).user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    for url in ("/admin/help/helprequest/", f"/admin/help/helprequest/{help_request.pk}/change/",
                "/admin/help/helpevent/", "/api/layers/help-requests/stats?level=okrug",
                f"/api/layers/help-requests/export.csv?area={OBLAST}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(body(response), house, url)


def test_stats_suppress_small_groups(client, oblast_officer, places):
    lonely = places["other"]
    make(oblast_officer, 90, lonely)
    stats = client.get("/api/layers/help-requests/stats", {"level": "okrug",
                                                           "area": OBLAST}).json()
    assert stats["min_group"] == 5
    shown = [row for row in stats["areas"] if row["kato"]]
    assert all(row["count"] >= 5 for row in shown)
    assert not any(row["kato"] and row["kato"][:6] == lonely.kato[:6] for row in shown)
