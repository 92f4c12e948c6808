"""The road graph: the schematic loader (dry run, idempotent) and the importer of an OSM road
extract, tried on a tiny extract written here."""

import json

import pytest
from django.core.management import call_command
from pyproj import Geod

from layers.routes.models import RoadEdge, RoadNetwork, RoadNode
from layers.routes.planner import TripRequest, plan_trip
from layers.routes.roads import (
    SCHEMATIC_SLUG,
    RoadDataError,
    import_osm_roads,
    load_schematic_graph,
)

pytestmark = pytest.mark.django_db

ALMATY = (76.945728, 43.236392)
KONAEV = (77.053342, 43.864948)
# A trunk road from Almaty to Konaev, a secondary road crossing it, a residential street the
# importer leaves out, and a one-way primary road leaving Konaev.
TRUNK = [ALMATY, (76.99, 43.50), KONAEV]
CROSSING = [(76.80, 43.48), (77.20, 43.52)]
EXTRACT = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"highway": "trunk", "ref": "A-3", "name": "Almaty–Konaev",
                                       "oneway": "no"},
     "geometry": {"type": "LineString", "coordinates": TRUNK}},
    {"type": "Feature", "properties": {"highway": "secondary", "ref": "KV-1", "name": None,
                                       "oneway": None},
     "geometry": {"type": "LineString", "coordinates": CROSSING}},
    {"type": "Feature", "properties": {"highway": "residential", "ref": None, "name": "Street",
                                       "oneway": None},
     "geometry": {"type": "LineString", "coordinates": [(76.90, 43.25), (76.92, 43.26)]}},
    {"type": "Feature", "properties": {"highway": "primary", "ref": "P-9", "name": None,
                                       "oneway": "yes"},
     "geometry": {"type": "LineString", "coordinates": [KONAEV, (77.30, 43.95)]}},
]}


def test_schematic_loader_is_a_dry_run_unless_committed_and_idempotent():
    # The test database holds the committed graph (tests/routes/contract_data.py).
    network = RoadNetwork.objects.get(slug=SCHEMATIC_SLUG)
    assert network.is_active
    assert (network.nodes.count(), network.edges.count()) == (62, 73)
    report = load_schematic_graph(commit=True)
    assert (report.nodes_unchanged, report.edges_unchanged) == (62, 73)
    assert report.nodes_created == report.edges_written == 0
    # A dry run reports what it would do and writes nothing.
    RoadNode.objects.filter(network=network, key="aktau").update(population=1)
    report = load_schematic_graph(commit=False)
    assert report.nodes_updated == 1 and "dry run" in report.notes[-1]
    assert RoadNode.objects.get(network=network, key="aktau").population == 1
    call_command("load_road_graph", "--commit", stdout=open("/dev/null", "w"))
    assert RoadNode.objects.get(network=network, key="aktau").population == 273830
    # Edges cost km: a cited section length where it is not shorter than the straight line.
    edge = RoadEdge.objects.get(network=network, source=network.nodes.get(key="astana").pk,
                                target=network.nodes.get(key="temirtau").pk)
    assert (edge.cost, edge.reverse_cost, edge.length_source) == (171.0, 171.0, "cited")


def test_a_missing_road_folder_is_a_clear_error(tmp_path):
    with pytest.raises(RoadDataError, match="missing"):
        load_schematic_graph(tmp_path)


@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(EXTRACT))
    return path


def test_osm_import_builds_the_topology_and_replaces_the_schematic_graph(extract):
    before = RoadNetwork.objects.count()
    import_osm_roads(extract, commit=False)
    assert RoadNetwork.objects.count() == before  # dry run
    report = import_osm_roads(extract, commit=True)
    network = RoadNetwork.objects.get(slug="osm-roads")
    assert network.is_active and report.activated
    assert not RoadNetwork.objects.get(slug=SCHEMATIC_SLUG).is_active
    # The crossing splits both roads: 2 + 2 pieces and the one-way road; no residential.
    assert network.edges.count() == 5
    assert set(network.edges.values_list("road", flat=True)) == {"A-3", "KV-1", "P-9"}
    one_way = network.edges.get(road="P-9")
    assert one_way.reverse_cost == -1
    # Almaty and Konaev sit on the road's ends: they become the network's towns.
    assert set(network.nodes.filter(is_town=True).values_list("key", flat=True)) >= {
        "almaty", "konaev"}
    # The planner now routes along the road, measured on the ellipsoid.
    trip = plan_trip(TripRequest(start="almaty", end="konaev", km_per_day=400,
                                 sights_sql=None))
    lons, lats = zip(*TRUNK, strict=True)
    assert trip.km == pytest.approx(Geod(ellps="WGS84").line_length(lons, lats) / 1000,
                                    abs=0.1)
    assert trip.network == network
    assert not any("schematic" in note for note in trip.notes)
    # Importing again replaces the network rather than adding to it.
    import_osm_roads(extract, commit=True)
    assert RoadNetwork.objects.filter(slug="osm-roads").count() == 1
    assert RoadNetwork.objects.get(slug="osm-roads").edges.count() == 5


def test_osm_import_refuses_a_file_without_roads(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"highway": "residential"},
         "geometry": {"type": "LineString", "coordinates": [(76.9, 43.2), (76.91, 43.21)]}}]}))
    with pytest.raises(RoadDataError, match="no trunk, primary or secondary"):
        import_osm_roads(path, commit=True)
    with pytest.raises(RoadDataError, match="does not exist"):
        import_osm_roads(tmp_path / "nothing.osm.pbf", commit=True)


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="43.236392" lon="76.945728"/>
  <node id="2" lat="43.50" lon="76.99"/>
  <node id="3" lat="43.864948" lon="77.053342"/>
  <node id="4" lat="43.48" lon="76.80"/>
  <node id="5" lat="43.52" lon="77.20"/>
  <node id="6" lat="43.95" lon="77.30"/>
  <node id="7" lat="43.25" lon="76.90"/>
  <node id="8" lat="43.26" lon="76.92"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="trunk"/><tag k="ref" v="A-3"/></way>
  <way id="11"><nd ref="4"/><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="secondary"/><tag k="ref" v="KV-1"/></way>
  <way id="12"><nd ref="3"/><nd ref="6"/>
    <tag k="highway" v="primary"/><tag k="ref" v="P-9"/><tag k="oneway" v="yes"/></way>
  <way id="13"><nd ref="7"/><nd ref="8"/><tag k="highway" v="residential"/></way>
</osm>
"""


def test_osm_import_reads_an_osm_file(tmp_path):
    """The same roads as an OSM file (GDAL's OSM driver, as for a .osm.pbf extract): the
    junction is a node both ways share; ref and oneway come from the driver's other_tags."""
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML)
    import_osm_roads(path, slug="osm-tiny", commit=True)
    network = RoadNetwork.objects.get(slug="osm-tiny")
    assert network.is_active
    assert network.edges.count() == 5
    assert set(network.edges.values_list("road", flat=True)) == {"A-3", "KV-1", "P-9"}
    assert network.edges.get(road="P-9").reverse_cost == -1
    assert network.edges.get(road="A-3", source=network.nodes.get(key="almaty").pk).cost > 0
    trip = plan_trip(TripRequest(start="almaty", end="konaev", km_per_day=400))
    lons, lats = zip(*TRUNK, strict=True)
    assert trip.km == pytest.approx(Geod(ellps="WGS84").line_length(lons, lats) / 1000,
                                    abs=0.1)
