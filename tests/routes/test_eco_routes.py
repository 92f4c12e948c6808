"""Eco-routes: GPX/KML import and export (parsed back and compared), broken tracks refused
with nothing written, staff rights by area, the layer's filters, and trip exports."""

import io
import json
import xml.etree.ElementTree as ET

import gpxpy
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from pyproj import Geod

from layers.areas.models import AdminArea
from layers.routes import actions
from layers.routes.demo import wiggly_track
from layers.routes.formats import KML_NS
from layers.routes.models import EcoRoute, RouteChange
from tests.accounts.factories import StaffRoleFactory, UserFactory
from tests.support.clients import english_client

pytestmark = pytest.mark.django_db

GEOD = Geod(ellps="WGS84")
# A recorded-looking track in Ile-Alatau (Almaty oblast, Talgar district), about 12 km.
TRACK = wiggly_track([(77.30, 43.20), (77.35, 43.17), (77.40, 43.15)], per_leg=60,
                     wiggle_deg=0.0004)
# The same shape in Mangystau.
MANGYSTAU_TRACK = [(52.9 + i * 0.01, 43.4 + i * 0.002) for i in range(20)]


def gpx_bytes(points, name="Talgar pass", segments=None) -> bytes:
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack(name=name)
    for segment_points in segments or [points]:
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points.extend(gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon,
                                                      elevation=1500)
                              for lon, lat in segment_points)
        track.segments.append(segment)
    gpx.tracks.append(track)
    return gpx.to_xml().encode()


def same_points(a, b, tolerance=1e-9) -> bool:
    """Two lists of (lon, lat) are the same track, point by point."""
    a, b = list(a), list(b)
    return len(a) == len(b) and all(abs(p[0] - q[0]) <= tolerance and abs(p[1] - q[1])
                                    <= tolerance for p, q in zip(a, b, strict=True))


def geodesic_km(points) -> float:
    lons, lats = zip(*points, strict=True)
    return GEOD.line_length(lons, lats) / 1000


def area(kato):
    return AdminArea.objects.get(generation__is_current=True, kato=kato)


@pytest.fixture
def almaty_oblast_staff():
    return StaffRoleFactory(areas=[area("190000000")]).user


@pytest.fixture
def route(almaty_oblast_staff):
    return actions.import_route(user=almaty_oblast_staff, data=gpx_bytes(TRACK),
                                filename="talgar.gpx",
                                fields={"name_en": "Talgar pass", "kind": "horse",
                                        "difficulty": "hard", "season_start_month": "6",
                                        "season_end_month": "9", "duration_hours": "8"})


def upload(client, data, filename="track.gpx", **fields):
    return client.post("/api/routes/import",
                       {"track": SimpleUploadedFile(filename, data), **fields})


# --- import -----------------------------------------------------------------------------

def test_gpx_import_keeps_the_full_track_and_measures_it_on_the_ellipsoid(route):
    assert route.track.num_coords == len(TRACK)
    assert same_points(route.track[0].coords, TRACK)
    assert route.length_km == pytest.approx(geodesic_km(TRACK), rel=1e-4)
    # Simplified for display: fewer vertices, still within a few metres of the track.
    assert 2 <= route.geom.num_coords < route.track.num_coords
    assert shapely.hausdorff_distance(shapely.from_wkt(route.geom.wkt),
                                      shapely.from_wkt(route.track.wkt)) < 0.0005
    assert route.oblast.kato == "190000000"
    assert route.name_kk == "Talgar pass"  # the track's name where none was given
    change = RouteChange.objects.get(route_id_value=route.pk)
    assert change.what == "created" and "talgar.gpx" in change.note


def test_staff_import_over_http_and_multi_segment_tracks(almaty_oblast_staff):
    client = english_client()
    client.force_login(almaty_oblast_staff)
    first, second = TRACK[:60], TRACK[70:]
    response = upload(client, gpx_bytes(None, segments=[first, second]), name_ru="Перевал",
                      kind="cycling", difficulty="easy")
    assert response.status_code == 201, response.content
    route = EcoRoute.objects.get(pk=response.json()["id"])
    assert len(route.track) == 2
    assert route.length_km == pytest.approx(geodesic_km(first) + geodesic_km(second), rel=1e-4)


BROKEN = [
    (b"", "track.gpx", "empty"),
    (b"   \n", "track.gpx", "empty"),
    (b"this is not xml", "track.gpx", "not a readable GPX"),
    (b"<?xml version='1.0'?><gpx version='1.1'><trk><trkseg><trkpt lat='43.2' lon='77.3'>",
     "track.gpx", "not a readable GPX"),
    (b"<?xml version='1.0'?><gpx version='1.1' creator='x' xmlns='http://www.topografix.com/"
     b"GPX/1/1'><wpt lat='43.2' lon='77.3'/></gpx>", "track.gpx", "no track points"),
    (b"<?xml version='1.0'?><gpx version='1.1' creator='x' xmlns='http://www.topografix.com/"
     b"GPX/1/1'><trk><trkseg><trkpt lat='43.2' lon='77.3'/></trkseg></trk></gpx>",
     "track.gpx", "only one point"),
    (b"<?xml version='1.0'?><gpx version='1.1' creator='x' xmlns='http://www.topografix.com/"
     b"GPX/1/1'><trk><trkseg><trkpt lat='43.2' lon='77.3'/><trkpt lat='43.2' lon='77.3'/>"
     b"</trkseg></trk></gpx>", "track.gpx", "no length"),
    (b"<?xml version='1.0'?><gpx version='1.1' creator='x' xmlns='http://www.topografix.com/"
     b"GPX/1/1'><trk><trkseg></trkseg></trk></gpx>", "track.gpx", "no track points"),
    (b"<kml xmlns='http://www.opengis.net/kml/2.2'><Document><Placemark><Point><coordinates>"
     b"77.3,43.2</coordinates></Point></Placemark></Document></kml>", "t.kml", "no LineString"),
]


@pytest.mark.parametrize("data, filename, message", BROKEN)
def test_a_broken_or_empty_track_is_refused_and_writes_nothing(almaty_oblast_staff, data,
                                                               filename, message):
    client = english_client()
    client.force_login(almaty_oblast_staff)
    routes, changes = EcoRoute.objects.count(), RouteChange.objects.count()
    response = upload(client, data, filename, name_en="Broken")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert response.json()["field"] == "track"
    assert (EcoRoute.objects.count(), RouteChange.objects.count()) == (routes, changes)


def test_bad_fields_are_refused_before_anything_is_written(almaty_oblast_staff):
    client = english_client()
    client.force_login(almaty_oblast_staff)
    routes = EcoRoute.objects.count()
    response = upload(client, gpx_bytes(TRACK), kind="rocket")
    assert response.status_code == 400 and "Kind must be one of" in response.json()["error"]
    response = upload(client, gpx_bytes(TRACK), name_en="Bad\x00name")
    assert response.status_code == 400 and response.json()["field"] == "name_en"
    response = upload(client, gpx_bytes(TRACK), season_start_month="13")
    assert response.status_code == 400 and response.json()["field"] == "season_start_month"
    assert EcoRoute.objects.count() == routes


# --- rights by area -----------------------------------------------------------------------

def test_only_staff_of_the_area_manage_its_routes(route, almaty_oblast_staff):
    mangystau_staff = StaffRoleFactory(areas=[area("470000000")]).user
    resident = UserFactory()
    routes = EcoRoute.objects.count()
    for user in (mangystau_staff, resident):
        client = english_client()
        client.force_login(user)
        response = upload(client, gpx_bytes(TRACK))
        assert response.status_code == 403, response.content
        assert "areas you are staff of" in response.json()["error"]
        assert client.post(f"/api/routes/{route.pk}/", {"name_en": "Mine"}).status_code == 403
        assert client.delete(f"/api/routes/{route.pk}/").status_code == 403
    assert english_client().post("/api/routes/import", {}).status_code == 403
    # Mangystau's staff may add routes in Mangystau, but not Almaty oblast's staff.
    client = english_client()
    client.force_login(mangystau_staff)
    assert upload(client, gpx_bytes(MANGYSTAU_TRACK)).status_code == 201
    client.force_login(almaty_oblast_staff)
    assert upload(client, gpx_bytes(MANGYSTAU_TRACK)).status_code == 403
    assert EcoRoute.objects.count() == routes + 1
    # The area's own staff change and delete; each write is audited.
    response = client.post(f"/api/routes/{route.pk}/", {"name_en": "Talgar pass, renamed"})
    assert response.status_code == 200
    route.refresh_from_db()
    assert route.name_en == "Talgar pass, renamed"
    assert client.delete(f"/api/routes/{route.pk}/").status_code == 200
    assert not EcoRoute.objects.filter(pk=route.pk).exists()
    assert list(RouteChange.objects.filter(route_id_value=route.pk).values_list(
        "what", flat=True).order_by("at", "id")) == ["created", "changed", "deleted"]


# --- exports ------------------------------------------------------------------------------

def test_gpx_export_parses_back_to_the_full_track(client, route):
    response = client.get(f"/routes/{route.pk}/route.gpx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gpx+xml"
    assert "attachment" in response["Content-Disposition"]
    gpx = gpxpy.parse(response.content.decode())
    points = [(p.longitude, p.latitude) for p in gpx.tracks[0].segments[0].points]
    assert same_points(points, TRACK)
    assert gpx.tracks[0].name == "Talgar pass"
    assert gpx.length_2d() / 1000 == pytest.approx(route.length_km, rel=0.01)


def test_kml_export_is_kml_2_2_and_parses_back(client, route, tmp_path):
    response = client.get(f"/routes/{route.pk}/route.kml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.google-earth.kml+xml"
    root = ET.fromstring(response.content)
    ns = {"k": KML_NS}
    assert root.tag == f"{{{KML_NS}}}kml"
    document = root.find("k:Document", ns)
    assert document.find("k:name", ns).text == "Talgar pass"
    # KML 2.2: Document's features come after its name and styles; coordinates are lon,lat.
    children = [child.tag.split("}")[1] for child in document]
    assert children.index("Style") < children.index("Placemark")
    text = document.find("k:Placemark/k:LineString/k:coordinates", ns).text
    points = [tuple(map(float, token.split(","))) for token in text.split()]
    assert same_points(points, TRACK)
    # GDAL's KML reader agrees.
    import pyogrio

    path = tmp_path / "route.kml"
    path.write_bytes(response.content)
    frame = pyogrio.read_dataframe(path)
    assert same_points([c[:2] for c in frame.geometry[0].coords], TRACK)
    # And the portal reads its own KML back as the same track.
    client_staff = english_client()
    client_staff.force_login(route.created_by)
    again = upload(client_staff, response.content, "again.kml")
    assert again.status_code == 201
    assert EcoRoute.objects.get(pk=again.json()["id"]).length_km == pytest.approx(
        route.length_km, rel=1e-6)


def test_trip_gpx_and_kml(client):
    response = client.get("/api/routes/plan.gpx", {"preset": "west-east", "km_per_day": 500})
    assert response.status_code == 200
    gpx = gpxpy.parse(response.content.decode())
    points = gpx.tracks[0].segments[0].points
    assert (points[0].longitude, points[0].latitude) == pytest.approx((51.168222, 43.635336))
    assert (points[-1].longitude, points[-1].latitude) == pytest.approx((82.627479, 49.948444))
    plan = client.get("/api/routes/plan", {"preset": "west-east", "km_per_day": 500}).json()
    assert len(gpx.waypoints) == len(plan["days"]) + len(plan["sights"])
    assert gpx.length_2d() / 1000 == pytest.approx(plan["km"], rel=0.15)
    response = client.get("/api/routes/plan.kml", {"preset": "west-east", "km_per_day": 500})
    root = ET.fromstring(response.content)
    text = root.find(f".//{{{KML_NS}}}LineString/{{{KML_NS}}}coordinates").text
    coords = [tuple(map(float, t.split(","))) for t in text.split()]
    line = plan["geojson"]["features"][0]["geometry"]["coordinates"]
    assert same_points(coords, line)
    assert client.get("/api/routes/plan.gpx", {"start": "almaty",
                                               "end": "dostyk"}).status_code == 409


# --- the layer's filters ------------------------------------------------------------------

def listed(client, **params):
    response = client.get("/api/layers/eco-routes/", {"limit": 500, **params})
    assert response.status_code == 200, response.content
    return {f["id"] for f in json.loads(response.content)["features"]}


def test_filters(client, route, almaty_oblast_staff):
    winter = actions.import_route(user=almaty_oblast_staff, data=gpx_bytes(TRACK[:40]),
                                  filename="winter.gpx",
                                  fields={"name_en": "Winter ski tour", "kind": "hiking",
                                          "difficulty": "easy", "season_start_month": "11",
                                          "season_end_month": "2"})
    assert route.pk in listed(client, kind="horse") and winter.pk not in listed(client,
                                                                                kind="horse")
    assert winter.pk in listed(client, difficulty="easy")
    assert route.pk not in listed(client, difficulty="easy")
    # Seasons: June–September, and November–February over the new year.
    assert route.pk in listed(client, season=7) and winter.pk not in listed(client, season=7)
    assert winter.pk in listed(client, season=1) and route.pk not in listed(client, season=1)
    assert winter.pk in listed(client, season=12)
    # Length range.
    assert route.pk in listed(client, min_length_km=route.length_km - 0.5,
                              max_length_km=route.length_km + 0.5)
    assert route.pk not in listed(client, min_length_km=route.length_km + 0.5)
    assert winter.pk in listed(client, max_length_km=winter.length_km + 0.01)
    # Area, and "within N km of me".
    assert route.pk in listed(client, area="190000000")
    assert route.pk not in listed(client, area="750000000")
    assert route.pk in listed(client, near="77.35,43.17", within=2)
    assert route.pk not in listed(client, near="76.95,43.25", within=10)
    assert client.get("/api/layers/eco-routes/", {"season": 13}).status_code == 400
    assert client.get("/api/layers/eco-routes/", {"kind": "rocket"}).status_code == 400


def test_unpublished_routes_are_not_shown(client, route):
    route.published = False
    route.save()
    assert route.pk not in listed(client)
    assert client.get(f"/routes/{route.pk}/").status_code == 404
    assert client.get(f"/routes/{route.pk}/route.gpx").status_code == 404


def test_route_page_and_sights_api(client, route):
    response = client.get(f"/routes/{route.pk}/")
    assert response.status_code == 200
    assert b"Talgar pass" in response.content and b"route.gpx" in response.content
    sights = client.get(f"/api/routes/{route.pk}/sights").json()
    assert sights["route"] == route.pk and isinstance(sights["sights"], list)
    assert client.get(f"/api/routes/{route.pk}/sights", {"buffer_km": "900"}).status_code == 400
    # A wrong id is answered in JSON, as the rest of the API: unknown, unpublished, not a number.
    route.published = False
    route.save()
    for wrong in (route.pk, route.pk + 1000, "abc", "9" * 40):
        response = client.get(f"/api/routes/{wrong}/sights", {"lang": "en"})
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert "whole numbers" in response.json()["error"]


def test_photos_of_a_route(route, almaty_oblast_staff):
    from gis_portal.photos.actions import photos_of
    from gis_portal.photos.drawing import drawn_photo

    photo_file = drawn_photo("Talgar pass", 3)
    upload_file = SimpleUploadedFile("pass.jpg", photo_file.read(), content_type="image/jpeg")
    actions.add_route_photo(user=almaty_oblast_staff, route=route, upload=upload_file,
                            caption="The pass")
    assert [p.caption for p in photos_of(route)] == ["The pass"]
    with pytest.raises(actions.RouteError):
        actions.add_route_photo(user=UserFactory(), route=route,
                                upload=SimpleUploadedFile("x.jpg", io.BytesIO(b"x").read()))
    # Over HTTP: staff of the area add one, shown on the route's page; others are refused.
    client = english_client()
    client.force_login(almaty_oblast_staff)
    response = client.post(f"/api/routes/{route.pk}/photos", {
        "photo": SimpleUploadedFile("view.jpg", drawn_photo("View", 4).read(),
                                    content_type="image/jpeg"), "caption": "The view"})
    assert response.status_code == 201, response.content
    assert "The view" in client.get(f"/routes/{route.pk}/").content.decode()
    client.force_login(UserFactory())
    response = client.post(f"/api/routes/{route.pk}/photos", {
        "photo": SimpleUploadedFile("view.jpg", drawn_photo("View", 5).read(),
                                    content_type="image/jpeg")})
    assert response.status_code == 403
    assert len(photos_of(route)) == 2


def test_staff_import_page(almaty_oblast_staff):
    client = english_client()
    assert client.get("/routes/import/").status_code == 302  # sign in first
    client.force_login(almaty_oblast_staff)
    assert client.get("/routes/import/").status_code == 200
    response = client.post("/routes/import/", {
        "track": SimpleUploadedFile("pass.gpx", gpx_bytes(TRACK)), "name_en": "From the page",
        "kind": "cycling", "difficulty": "easy", "season_start_month": "5",
        "season_end_month": "9"})
    assert response.status_code == 302
    route = EcoRoute.objects.get(name_en="From the page")
    assert response["Location"] == f"/routes/{route.pk}/"
    routes = EcoRoute.objects.count()
    response = client.post("/routes/import/", {
        "track": SimpleUploadedFile("empty.gpx", b""), "name_en": "Nothing"})
    assert response.status_code == 400
    assert "The file is empty" in response.content.decode()
    assert EcoRoute.objects.count() == routes


def test_admin_pages(route):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = english_client()
    client.force_login(admin)
    for url in ("/admin/routes/ecoroute/", f"/admin/routes/ecoroute/{route.pk}/change/",
                "/admin/routes/routechange/", "/admin/routes/roadnetwork/",
                "/admin/routes/roadedge/", "/admin/routes/roadnode/"):
        assert client.get(url).status_code == 200, url
