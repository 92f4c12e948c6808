"""Every filter and ordering of the help layer, on requests built for it in North Kazakhstan
(region by okrug, district and oblast; topic; publication date; age; family situation; kind
of help; status; near me), through the public API as an anonymous visitor."""

import json
from datetime import timedelta

import pytest
from django.contrib.gis.db.models.functions import Distance
from django.db import transaction
from django.utils import timezone

from layers.help import actions
from layers.help.models import HelpRequest

from .conftest import OBLAST, OKRUG_A, OKRUG_B, find_places, make, new_oblast_officer

pytestmark = pytest.mark.django_db
URL = "/api/layers/help-requests/"


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """Built once for the module (every test here only reads) inside a transaction that is
    rolled back after the last test, so nothing outlives the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_data(new_oblast_officer(), find_places())
        transaction.set_rollback(True)


def build_data(oblast_officer, places):
    today = timezone.localdate()
    year = today.year
    rows = {
        "r1": make(oblast_officer, 1, places["a1"], topic="material", kind="firewood",
                   family_tags=["lonely_pensioner"], birth_year=year - 86),
        "r2": make(oblast_officer, 2, places["a2"], topic="consultative", kind="legal",
                   family_tags=["single_mother"], birth_year=year - 36, amount_needed=None),
        "r3": make(oblast_officer, 3, places["b"], topic="labour", kind="repairs",
                   family_tags=["large_family", "disabled"], birth_year=year - 16,
                   amount_needed=None),
        "r4": make(oblast_officer, 4, places["other"], topic="material", kind="treatment",
                   family_tags=["disabled"], birth_year=year - 66,
                   amount_needed=300000),
        "r5": make(oblast_officer, 5, places["a1"], consent_method="", publish=False),
        "r6": make(oblast_officer, 6, places["a2"], topic="other", kind="household",
                   family_tags=[], birth_year=year - 26, amount_needed=None),
    }
    for key, days in (("r1", 10), ("r2", 40), ("r3", 5), ("r4", 100), ("r6", 1)):
        HelpRequest.objects.filter(pk=rows[key].pk).update(
            published_on=today - timedelta(days=days))
    actions.set_status(user=oblast_officer, help_request=rows["r6"], status="helping")
    return {key: row.pk for key, row in rows.items()}


def listed(client, **params) -> list[dict]:
    params.setdefault("area", OBLAST)
    response = client.get(URL, {"limit": 100, **params})
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)["features"]


def names(data, features) -> set[str]:
    by_pk = {pk: key for key, pk in data.items()}
    return {by_pk[f["id"]] for f in features}


def test_unpublished_or_unconsented_requests_are_never_listed(client, data):
    assert names(data, listed(client)) == {"r1", "r2", "r3", "r4", "r6"}


@pytest.mark.parametrize("params, expected", [
    ({"area": OKRUG_A}, {"r1", "r2", "r6"}),
    ({"area": OKRUG_B}, {"r3"}),
    ({"area": OKRUG_A[:4] + "00000"}, {"r1", "r2", "r3", "r6"}),
    ({"topic": "material"}, {"r1", "r4"}),
    ({"topic": "consultative"}, {"r2"}),
    ({"topic": "labour"}, {"r3"}),
    ({"kind": "repairs"}, {"r3"}),
    ({"kind": "treatment"}, {"r4"}),
    ({"family": "disabled"}, {"r3", "r4"}),
    ({"family": ["single_mother", "lonely_pensioner"]}, {"r1", "r2"}),
    ({"age_band": "0-17"}, {"r3"}),
    ({"age_band": ["60-74", "75+"]}, {"r1", "r4"}),
    ({"age_from": 60}, {"r1", "r4"}),
    ({"age_to": 30}, {"r3", "r6"}),
    ({"age_from": 35, "age_to": 40}, {"r2"}),
    ({"age_from": 30, "age_to": 40}, {"r2", "r6"}),  # 18-34 overlaps 30-40
    ({"status": "helping"}, {"r6"}),
    ({"status": "open"}, {"r1", "r2", "r3", "r4"}),
])
def test_each_filter(client, data, params, expected):
    assert names(data, listed(client, **params)) == expected


def test_publication_date_range(client, data):
    today = timezone.localdate()
    after = (today - timedelta(days=20)).isoformat()
    before = (today - timedelta(days=3)).isoformat()
    assert names(data, listed(client, published_after=after)) == {"r1", "r3", "r6"}
    assert names(data, listed(client, published_after=after, published_before=before)) == {
        "r1", "r3"}


def test_filters_combine_and_tiles_take_them_too(client, data):
    assert names(data, listed(client, area=OKRUG_A, topic="material")) == {"r1"}
    assert client.get("/tiles/help-requests/10/700/300.mvt",
                      {"kind": "repairs", "area": OKRUG_A}).status_code in (200, 204)
    assert client.get(URL, {"kind": "no-such-kind"}).status_code == 400
    assert "age_band" in client.get(URL, {"age_band": "200+"}).json()["error"]


@pytest.mark.parametrize("ordering, key", [
    ("published_on", lambda f: f["published_on"]),
    ("topic", lambda f: f["topic"]),
    ("kind", lambda f: f["kind"]),
    ("age_band", lambda f: f["age_band"]),
    ("family", lambda f: ",".join(f["family"])),
    ("settlement", lambda f: f["settlement"]),
    ("amount_needed", lambda f: -1 if f["amount_needed"] is None else float(f["amount_needed"])),
])
def test_each_ordering_both_ways_with_paging(client, data, ordering, key):
    for direction in ("", "-"):
        features, url = [], None
        params = {"area": OBLAST, "ordering": direction + ordering, "limit": 2}
        response = client.get(URL, params)
        while True:
            page = json.loads(response.content)
            features += page["features"]
            url = page.get("next")
            if not url:
                break
            response = client.get(url)
        assert names(data, features) == {"r1", "r2", "r3", "r4", "r6"}
        values = [key(f["properties"]) for f in features]
        assert values == sorted(values, reverse=direction == "-"), (ordering, direction)


def test_near_me_gives_rounded_distances_to_the_public_point(client, data, places):
    settlement = places["a1"]
    near = f"{settlement.geom.x:.5f},{settlement.geom.y:.5f}"
    features = listed(client, near=near, within=30)
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances) and distances
    assert all(d % 100 == 0 for d in distances)
    # The distance is the public point's, rounded: never the house's.
    for feature in features:
        exact = (HelpRequest.objects.filter(pk=feature["id"])
                 .annotate(d=Distance("geom", settlement.geom)).get().d.m)
        assert abs(feature["properties"]["distance_m"] - exact) <= 50
    assert names(data, features) >= {"r1", "r2", "r6"}


def test_filter_panel_describes_the_filters(client, data):
    catalogue = client.get("/api/layers/").json()
    entry = next(e for e in catalogue["layers"] if e["slug"] == "help-requests")
    described = {f["name"]: f for f in entry["filters"]}
    assert {"topic", "kind", "family", "age_band", "age_from", "age_to", "published_after",
            "published_before", "status"} <= set(described)
    assert {"firewood", "repairs", "treatment"} <= {c["value"] for c in
                                                    described["kind"]["choices"]}
    assert described["family"]["multiple"] is True
    assert entry["private"] is True and entry["position_precision_m"] == 600
