"""The road graph: the shipped schematic corridor graph and the importer of a real OSM extract.

Both write one `RoadNetwork` with its `RoadNode`s and pgRouting-ready `RoadEdge`s (source,
target, cost and reverse_cost in km, geometry). The planner routes on the active network.

- `load_schematic_graph(data_dir, commit=False)`: TZ_DATA_DIR/roads/kz_road_corridors_*.csv:
  62 cities joined by straight lines along the named corridors. Idempotent: nodes are kept by
  their key, edges rewritten only when they differ. Becomes active unless another network
  (an OSM import) already is.
- `import_osm_roads(path, commit=False, ...)`: trunk, primary and secondary roads of an OSM
  extract (any file GDAL reads: .osm.pbf, .gpkg, GeoJSON), split where they meet (ST_Node),
  end points as graph vertices, lengths on the ellipsoid, one-way roads closed backwards; the
  cities of the schematic graph are snapped to their nearest vertex and become the towns
  trips start, end and stop overnight in. Activating it replaces the schematic graph.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from .models import RoadEdge, RoadNetwork, RoadNode

SCHEMATIC_SLUG = "schematic-corridors"
NODES_FILE = "kz_road_corridors_nodes.csv"
EDGES_FILE = "kz_road_corridors_edges.csv"
# A day may end in a place with at least this many people (somewhere to stay the night).
TOWN_MIN_POPULATION = 2000
OSM_HIGHWAYS = ("trunk", "primary", "secondary", "trunk_link", "primary_link",
                "secondary_link")
# A city of the schematic graph further than this from every OSM road vertex is left out.
CITY_SNAP_KM = 15.0


class RoadDataError(Exception):
    """The road files are missing or unreadable: the message says which and why."""


@dataclass
class GraphReport:
    network: str
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    edges_written: int = 0
    edges_unchanged: int = 0
    activated: bool = False
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"network {self.network}",
            f"nodes: {self.nodes_created} new, {self.nodes_updated} updated, "
            f"{self.nodes_unchanged} unchanged",
            f"edges: {self.edges_written} written, {self.edges_unchanged} unchanged",
            *(["active: the planner routes on this network"] if self.activated else []),
            *self.notes,
        ]


class _DryRun(Exception):
    pass


def roads_dir(data_dir=None) -> Path:
    return Path(data_dir or settings.TZ_DATA_DIR) / "roads"


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise RoadDataError(f"road graph file {path} is missing (TZ_DATA_DIR/roads)")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _population(raw: str) -> int | None:
    try:
        return int(float(raw)) if raw else None
    except ValueError:
        return None


def is_overnight_town(name_en: str, population: int | None) -> bool:
    """Border crossings and hamlets are not where a day of a trip ends."""
    return (population or 0) >= TOWN_MIN_POPULATION and "border" not in name_en.lower()


def schematic_edge_cost(straight_km: float, cited_km: float | None) -> tuple[float, str]:
    """A road is never shorter than the straight line: a cited section length shorter than
    the straight line between its cities covers only part of the edge, so the straight line
    stands."""
    if cited_km is not None and cited_km >= straight_km:
        return cited_km, "cited"
    return straight_km, "straight line"


def load_schematic_graph(data_dir=None, commit: bool = False) -> GraphReport:
    """Load (or refresh) the schematic corridor graph; a dry run unless commit."""
    folder = roads_dir(data_dir)
    node_rows = _read_csv(folder / NODES_FILE)
    edge_rows = _read_csv(folder / EDGES_FILE)
    report = GraphReport(SCHEMATIC_SLUG)
    try:
        with transaction.atomic():
            _write_schematic(node_rows, edge_rows, report)
            if not commit:
                raise _DryRun
    except _DryRun:
        report.notes.append("dry run: nothing written (use --commit)")
    return report


def _write_schematic(node_rows, edge_rows, report: GraphReport) -> None:
    network, _created = RoadNetwork.objects.get_or_create(
        slug=SCHEMATIC_SLUG,
        defaults={"kind": RoadNetwork.Kind.SCHEMATIC,
                  "title": "Schematic national road corridors",
                  "source": "TZ_DATA_DIR/roads (compiled from public road descriptions)"})
    existing = {n.key: n for n in network.nodes.all()}
    for row in node_rows:
        key = row["node_id"].strip()
        population = _population(row.get("population", ""))
        values = {
            "name_kk": row.get("name_kk", ""), "name_ru": row.get("name_ru", ""),
            "name_en": row.get("name_en", ""), "region": row.get("region_en", ""),
            "population": population,
            "is_town": is_overnight_town(row.get("name_en", ""), population),
            "geom": f"SRID=4326;POINT({float(row['lon'])!r} {float(row['lat'])!r})",
        }
        node = existing.get(key)
        if node is None:
            existing[key] = RoadNode.objects.create(network=network, key=key, **values)
            report.nodes_created += 1
            continue
        point = values.pop("geom")
        changed = [k for k, v in values.items() if getattr(node, k) != v]
        moved = node.geom.coords != (float(row["lon"]), float(row["lat"]))
        if changed or moved:
            for k, v in values.items():
                setattr(node, k, v)
            node.geom = point
            node.save()
            report.nodes_updated += 1
        else:
            report.nodes_unchanged += 1
    wanted = []
    for row in edge_rows:
        source, target = existing.get(row["from_node"]), existing.get(row["to_node"])
        if source is None or target is None:
            raise RoadDataError(f"edge {row['from_node']}–{row['to_node']} names a node the "
                                f"nodes file does not have")
        cited = float(row["cited_section_km"]) if row.get("cited_section_km") else None
        cost, length_source = schematic_edge_cost(float(row["straight_line_km"]), cited)
        wanted.append((source.pk, target.pk, round(cost, 3), row["route_id"], length_source))
    stored = sorted(network.edges.values_list("source", "target", "cost", "road",
                                              "length_source"))
    if stored == sorted(wanted):
        report.edges_unchanged = len(wanted)
    else:
        points = {n.pk: n.geom for n in existing.values()}
        network.edges.all().delete()
        # The straight line between the two cities: the schematic graph has no road geometry.
        RoadEdge.objects.bulk_create(
            RoadEdge(network=network, source=s, target=t, cost=c, reverse_cost=c, road=road,
                     length_source=ls,
                     geom=f"SRID=4326;LINESTRING({points[s].x!r} {points[s].y!r}, "
                          f"{points[t].x!r} {points[t].y!r})")
            for s, t, c, road, ls in wanted)
        report.edges_written = len(wanted)
    if not RoadNetwork.objects.filter(is_active=True).exclude(pk=network.pk).exists():
        if not network.is_active:
            network.is_active = True
            network.save(update_fields=["is_active", "loaded_at"])
        report.activated = True


def activate_network(slug: str) -> RoadNetwork:
    """Make one network the one the planner routes on."""
    with transaction.atomic():
        network = RoadNetwork.objects.select_for_update().get(slug=slug)
        RoadNetwork.objects.exclude(pk=network.pk).filter(is_active=True).update(is_active=False)
        network.is_active = True
        network.save(update_fields=["is_active", "loaded_at"])
    return network


# --- OpenStreetMap extract -----------------------------------------------------------------

def read_osm_roads(path: Path, layer: str | None = None):
    """The trunk/primary/secondary lines of an extract as a GeoDataFrame (EPSG:4326) with the
    columns highway, ref, name, oneway."""
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise RoadDataError(f"OSM extract {path} does not exist")
    if path.name.endswith((".osm.pbf", ".osm")):
        layer = layer or "lines"  # GDAL's OSM driver: ways as lines
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # GDAL says what is wrong with the file
        raise RoadDataError(f"could not read {path.name}: {exc}") from exc
    if "highway" not in frame.columns:
        raise RoadDataError(f"{path.name} has no highway column: is it an OSM road extract?")
    frame = frame[frame["highway"].isin(OSM_HIGHWAYS) & frame.geometry.notna()].copy()
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    # GDAL's OSM driver keeps the tags it has no column for in other_tags
    # ('"oneway"=>"yes","ref"=>"A-3"'); other formats carry them as columns.
    other = frame["other_tags"].fillna("") if "other_tags" in frame.columns else None
    for column in ("ref", "name", "oneway"):
        if column not in frame.columns:
            frame[column] = (other.str.extract(rf'"{column}"=>"([^"]*)"')[0]
                             if other is not None else None)
    frame["oneway"] = frame["oneway"].map(lambda v: str(v).lower() in ("yes", "true", "1"))
    return frame.explode(index_parts=False)


def import_osm_roads(path, *, slug: str = "osm-roads", title: str = "", commit: bool = False,
                     activate: bool = True, data_dir=None, layer: str | None = None
                     ) -> GraphReport:
    """Build a routable network from an OSM road extract; a dry run unless commit."""
    frame = read_osm_roads(Path(path), layer)
    if frame.empty:
        raise RoadDataError(f"{Path(path).name} holds no trunk, primary or secondary road")
    cities = _read_csv(roads_dir(data_dir) / NODES_FILE)
    report = GraphReport(slug)
    try:
        with transaction.atomic():
            _write_osm(frame, cities, slug, title or f"OpenStreetMap roads ({Path(path).name})",
                       str(path), report)
            if activate:
                activate_network(slug)
                report.activated = True
            if not commit:
                raise _DryRun
    except _DryRun:
        report.notes.append("dry run: nothing written (use --commit)")
    return report


def _write_osm(frame, cities, slug, title, source, report: GraphReport) -> None:
    RoadNetwork.objects.filter(slug=slug).delete()  # a re-import replaces the whole network
    network = RoadNetwork.objects.create(slug=slug, kind=RoadNetwork.Kind.OSM, title=title,
                                         source=source)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE osm_lines (road text, oneway bool, geom geometry) "
                       "ON COMMIT DROP")
        rows = [(str(r.ref or r.name or r.highway), bool(r.oneway), r.geometry.wkb_hex)
                for r in frame.itertuples()]
        cursor.executemany("INSERT INTO osm_lines VALUES (%s, %s, ST_SetSRID(%s::geometry, "
                           "4326))", rows)
        cursor.execute("CREATE INDEX ON osm_lines USING gist (geom)")
        # Split every road where it meets another (ST_Node), keep each piece's road and
        # direction by the line it lies on, and make vertices of the pieces' end points.
        cursor.execute(
            """
            CREATE TEMP TABLE osm_pieces ON COMMIT DROP AS
            WITH noded AS (
                SELECT (ST_Dump(ST_Node(ST_Collect(ST_Force2D(geom))))).geom AS geom
                FROM osm_lines
            )
            SELECT n.geom, l.road, l.oneway,
                   ST_SnapToGrid(ST_StartPoint(n.geom), 1e-7) AS a,
                   ST_SnapToGrid(ST_EndPoint(n.geom), 1e-7) AS b
            FROM noded n
            CROSS JOIN LATERAL (
                SELECT road, oneway FROM osm_lines l
                WHERE ST_DWithin(l.geom, ST_LineInterpolatePoint(n.geom, 0.5), 1e-7)
                ORDER BY l.geom <-> ST_LineInterpolatePoint(n.geom, 0.5) LIMIT 1) l
            WHERE ST_Length(n.geom) > 0
            """)
        cursor.execute(
            """
            INSERT INTO routes_roadnode (network_id, key, name_kk, name_ru, name_en, region,
                                         is_town, geom)
            SELECT %s, 'v' || row_number() OVER (ORDER BY ST_X(p), ST_Y(p)), '', '', '', '',
                   false, p
            FROM (SELECT a AS p FROM osm_pieces UNION SELECT b FROM osm_pieces) points
            """, [network.pk])
        report.nodes_created = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO routes_roadedge (network_id, source, target, cost, reverse_cost, road,
                                         length_source, geom)
            SELECT %s, s.id, t.id, p.km, CASE WHEN p.oneway THEN -1 ELSE p.km END, p.road,
                   'geometry', p.geom
            FROM (SELECT *, ST_Length(geom::geography) / 1000.0 AS km FROM osm_pieces) p
            JOIN routes_roadnode s ON s.network_id = %s AND s.geom = p.a
            JOIN routes_roadnode t ON t.network_id = %s AND t.geom = p.b
            """, [network.pk] * 3)
        report.edges_written = cursor.rowcount
        cursor.execute("DROP TABLE osm_pieces, osm_lines")
    snapped = 0
    for city in cities:
        population = _population(city.get("population", ""))
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT id FROM routes_roadnode
                WHERE network_id = %s AND key LIKE 'v%%' AND ST_DWithin(
                    geom::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)
                ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 1
                """, [network.pk, float(city["lon"]), float(city["lat"]), CITY_SNAP_KM * 1000,
                      float(city["lon"]), float(city["lat"])])
            row = cursor.fetchone()
        if row is None:
            continue
        RoadNode.objects.filter(pk=row[0]).update(
            key=city["node_id"], name_kk=city.get("name_kk", ""),
            name_ru=city.get("name_ru", ""), name_en=city.get("name_en", ""),
            region=city.get("region_en", ""), population=population,
            is_town=is_overnight_town(city.get("name_en", ""), population))
        snapped += 1
    report.notes.append(f"{snapped} of {len(cities)} cities placed on the road network "
                        f"(within {CITY_SNAP_KM:g} km of a road vertex)")
