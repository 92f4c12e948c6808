"""GDAL's own OGC API - Features client (the OAPIF driver of ogrinfo and ogr2ogr) reads every
public collection from a running portal, and keyset paging crosses the >10,000 settlements
over real HTTP without a gap or a duplicate."""

import json
import shutil
import subprocess

import pytest
import requests

from gis_portal.ogc.collections import is_public
from layers.core.registry import layer_registry

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="gdal-bin missing")]

PUBLIC_SLUGS = sorted(layer.slug for layer in layer_registry.all() if is_public(layer))
# South of Almaty oblast: a few hundred settlements, a few dozen areas; layers elsewhere may
# have nothing in it, and then the copy must be empty too.
SPATIAL_FILTER = (76.5, 43.0, 77.5, 43.6)
# The one collection copied whole.
FULL_COPY = "settlements"
# Pages of this size keep the full copy at a dozen requests.
PAGE_SIZE = "2000"


def gdal(*arguments, timeout=120) -> str:
    result = subprocess.run(arguments, capture_output=True, text=True, timeout=timeout,
                            env={"GDAL_HTTP_TIMEOUT": "60", "CPL_DEBUG": "OFF",
                                 "PATH": "/usr/bin:/bin", "GDAL_HTTP_UNSAFESSL": "NO"})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def ogc_url(portal_server):
    return f"{portal_server}/ogc/"


def matched(ogc_url, slug, **params) -> int:
    response = requests.get(f"{ogc_url}collections/{slug}/items", timeout=60,
                            params={"limit": 1, **params})
    assert response.status_code == 200, response.text[:300]
    return response.json()["numberMatched"]


def test_ogrinfo_lists_every_public_collection_and_no_private_one(ogc_url):
    listing = gdal("ogrinfo", "-ro", "-q", f"OAPIF:{ogc_url}")
    names = {line.split(":", 1)[1].strip().split(" (")[0]
             for line in listing.splitlines() if ":" in line and line.split(":")[0].isdigit()}
    assert names == set(PUBLIC_SLUGS), listing
    assert "standin-cases" not in listing


def test_ogrinfo_reads_a_collection_summary(ogc_url):
    summary = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{ogc_url}", FULL_COPY)
    assert f"Feature Count: {matched(ogc_url, FULL_COPY)}" in summary
    for field in ("kato", "name", "population", "position_source"):
        assert f"{field}:" in summary, summary


def _copy(ogc_url, slug, tmp_path, *options) -> dict:
    target = tmp_path / f"{slug}.geojson"
    gdal("ogr2ogr", "-f", "GeoJSON", str(target), f"OAPIF:{ogc_url}", slug,
         "-oo", f"PAGE_SIZE={PAGE_SIZE}", "-preserve_fid", *options)
    return json.loads(target.read_text())


@pytest.mark.parametrize("slug", PUBLIC_SLUGS)
def test_ogr2ogr_copies_each_collection_in_a_bbox(ogc_url, slug, tmp_path):
    west, south, east, north = SPATIAL_FILTER
    copy = _copy(ogc_url, slug, tmp_path, "-spat", *map(str, SPATIAL_FILTER))
    api = requests.get(f"{ogc_url}collections/{slug}/items", timeout=60,
                       params={"limit": 10_000, "bbox": f"{west},{south},{east},{north}"}).json()
    ids = [f["id"] for f in copy["features"]]
    assert len(ids) == len(set(ids)) == api["numberMatched"] == api["numberReturned"]
    assert set(ids) == {f["id"] for f in api["features"]}


def test_ogr2ogr_copies_the_whole_settlements_collection(ogc_url, tmp_path):
    copy = _copy(ogc_url, FULL_COPY, tmp_path)
    visible = layer_registry.get(FULL_COPY).visible_queryset(None)
    assert len(copy["features"]) == matched(ogc_url, FULL_COPY) == visible.count() > 10_000
    katos = [f["properties"]["kato"] for f in copy["features"]]
    assert len(set(katos)) == len(katos)
    almaty = next(f for f in copy["features"] if f["properties"]["kato"] == "750000000")
    lon, lat = almaty["geometry"]["coordinates"]
    assert 76 < lon < 78 and 43 < lat < 44


def test_paging_crosses_the_settlements_without_gap_or_duplicate(ogc_url):
    """Next links from the first page to the last, as a client follows them (17-069r4
    /req/core/fc-next-1): every feature once, in id order, and the count matched."""
    url = f"{ogc_url}collections/{FULL_COPY}/items?limit=1500"
    ids, pages = [], 0
    while url:
        body = requests.get(url, timeout=60).json()
        assert body["numberReturned"] == len(body["features"]) <= 1500
        ids += [feature["id"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        pages += 1
        assert pages < 50
    visible = layer_registry.get(FULL_COPY).visible_queryset(None)
    expected = sorted(visible.values_list("pk", flat=True))
    assert len(expected) > 10_000 and pages == -(-len(expected) // 1500)
    assert ids == expected


def test_ogr2ogr_with_an_attribute_filter_the_server_knows(ogc_url, tmp_path):
    """`level` is a queryable of areas and a parameter of its items path in the OpenAPI
    document, which GDAL reads to send the filter to the server."""
    copy = _copy(ogc_url, "areas", tmp_path, "-where", "level = 'oblast'")
    levels = {feature["properties"]["level"] for feature in copy["features"]}
    assert levels == {"oblast"}
    assert len(copy["features"]) == matched(ogc_url, "areas", level="oblast")
