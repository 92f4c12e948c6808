"""GPX (gpxpy) and KML 2.2 (xml.etree) for eco-routes and planned trips, both ways.

Reading: `parse_track(data, filename)` returns the track's segments as lists of (lon, lat)
and refuses, with a TrackError that says what is wrong, a file that is not GPX/KML, has no
track, or has a segment of fewer than two points or a point off the globe.
Writing: `gpx_document(...)` and `kml_document(...)` take lines and waypoints, so a route and a
trip share one writer each.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import gpxpy
import gpxpy.gpx
from django.utils.translation import gettext as _

from gis_portal.errors import ActionError

KML_NS = "http://www.opengis.net/kml/2.2"
# A track file bigger than this is refused before parsing.
MAX_TRACK_BYTES = 20 * 1024 * 1024


class TrackError(ActionError):
    status = 400
    code = "bad_track"
    field = "track"


@dataclass
class ParsedTrack:
    segments: list[list[tuple[float, float]]]
    name: str = ""
    description: str = ""


@dataclass
class Waypoint:
    lon: float
    lat: float
    name: str
    description: str = ""


@dataclass
class Document:
    name: str
    description: str = ""
    lines: list[list[tuple[float, float]]] = field(default_factory=list)
    waypoints: list[Waypoint] = field(default_factory=list)


def parse_track(data: bytes, filename: str = "") -> ParsedTrack:
    if not data or not data.strip():
        raise TrackError(_("The file is empty: upload a GPX or KML file with a track."))
    if len(data) > MAX_TRACK_BYTES:
        raise TrackError(_("The file is larger than %(mb)s MB.") %
                         {"mb": MAX_TRACK_BYTES // (1024 * 1024)})
    lowered = filename.lower()
    head = data[:2000].lower()
    if lowered.endswith(".kml") or (b"<kml" in head and not lowered.endswith(".gpx")):
        track = parse_kml(data)
    else:
        track = parse_gpx(data)
    _check_segments(track.segments)
    return track


def parse_gpx(data: bytes) -> ParsedTrack:
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="strict"))
    except (UnicodeDecodeError, gpxpy.gpx.GPXException, ValueError) as exc:
        raise TrackError(_("This is not a readable GPX file (%(reason)s).") %
                         {"reason": str(exc)[:200]}) from None
    segments = []
    name, description = "", ""
    for track in gpx.tracks:
        name = name or (track.name or "")
        description = description or (track.description or "")
        for segment in track.segments:
            segments.append([(p.longitude, p.latitude) for p in segment.points])
    if not any(segments):
        # A planned route (<rte>) is a track too.
        for route in gpx.routes:
            name = name or (route.name or "")
            segments.append([(p.longitude, p.latitude) for p in route.points])
    segments = [s for s in segments if s]
    if not segments:
        raise TrackError(_("The GPX file has no track points: export the track (trk) or the "
                           "route (rte) from your device, not only waypoints."))
    return ParsedTrack(segments, name or (gpx.name or ""), description or (gpx.description or ""))


def parse_kml(data: bytes) -> ParsedTrack:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise TrackError(_("This is not a readable KML file (%(reason)s).") %
                         {"reason": str(exc)[:200]}) from None
    if not root.tag.endswith("kml"):
        raise TrackError(_("This is not a KML file: its root element is not <kml>."))
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    q = (lambda tag: f"{{{namespace}}}{tag}") if namespace else (lambda tag: tag)
    segments = []
    for line in root.iter(q("LineString")):
        coordinates = line.find(q("coordinates"))
        points = []
        for token in (coordinates.text or "").split() if coordinates is not None else []:
            parts = token.split(",")
            try:
                points.append((float(parts[0]), float(parts[1])))
            except (ValueError, IndexError):
                raise TrackError(_("A KML coordinate is not lon,lat[,alt]: %(token)s") %
                                 {"token": token[:60]}) from None
        segments.append(points)
    if not any(segments):
        raise TrackError(_("The KML file has no LineString with coordinates: export the "
                           "track as a line."))
    name = root.find(f".//{q('Document')}/{q('name')}")
    if name is None:
        name = root.find(f".//{q('Placemark')}/{q('name')}")
    description = root.find(f".//{q('Placemark')}/{q('description')}")
    return ParsedTrack([s for s in segments if s],
                       (name.text or "").strip() if name is not None else "",
                       (description.text or "").strip() if description is not None else "")


def _check_segments(segments) -> None:
    for number, segment in enumerate(segments, start=1):
        if len(segment) < 2:
            raise TrackError(_("Track segment %(n)s has only one point: a track needs at least "
                               "two.") % {"n": number})
        for lon, lat in segment:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90) or lon != lon or lat != lat:
                raise TrackError(_("Track segment %(n)s has a point off the globe "
                                   "(%(lon)s, %(lat)s).") % {"n": number, "lon": lon,
                                                             "lat": lat})
        if len(set(segment)) < 2:
            raise TrackError(_("Track segment %(n)s stays on one spot: it has no length.")
                             % {"n": number})


def segments_ewkt(segments) -> str:
    lines = ", ".join("(" + ", ".join(f"{lon!r} {lat!r}" for lon, lat in s) + ")"
                      for s in segments)
    return f"SRID=4326;MULTILINESTRING({lines})"


# --- writers ---------------------------------------------------------------------------------

def gpx_document(document: Document) -> str:
    gpx = gpxpy.gpx.GPX()
    gpx.name = document.name
    gpx.description = document.description or None
    gpx.creator = "Tugan Zher map portal"
    for waypoint in document.waypoints:
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(
            latitude=waypoint.lat, longitude=waypoint.lon, name=waypoint.name,
            description=waypoint.description or None))
    track = gpxpy.gpx.GPXTrack(name=document.name, description=document.description or None)
    for line in document.lines:
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points.extend(gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon)
                              for lon, lat in line)
        track.segments.append(segment)
    gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")


def kml_document(document: Document) -> bytes:
    """A KML 2.2 document: kml > Document > name, description, Placemarks (the lines in one
    MultiGeometry, each waypoint a Point)."""
    ET.register_namespace("", KML_NS)

    def el(parent, tag, text=None):
        node = ET.SubElement(parent, f"{{{KML_NS}}}{tag}")
        if text is not None:
            node.text = text
        return node

    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = el(root, "Document")
    el(doc, "name", document.name)
    if document.description:
        el(doc, "description", document.description)
    style = el(doc, "Style")
    style.set("id", "route")
    line_style = el(style, "LineStyle")
    el(line_style, "color", "ff1f4eb3")
    el(line_style, "width", "4")
    placemark = el(doc, "Placemark")
    el(placemark, "name", document.name)
    if document.description:
        el(placemark, "description", document.description)
    el(placemark, "styleUrl", "#route")
    container = el(placemark, "MultiGeometry") if len(document.lines) > 1 else placemark
    for line in document.lines:
        line_string = el(container, "LineString")
        el(line_string, "tessellate", "1")
        el(line_string, "coordinates", " ".join(f"{lon!r},{lat!r}" for lon, lat in line))
    for waypoint in document.waypoints:
        point_mark = el(doc, "Placemark")
        el(point_mark, "name", waypoint.name)
        if waypoint.description:
            el(point_mark, "description", waypoint.description)
        point = el(point_mark, "Point")
        el(point, "coordinates", f"{waypoint.lon!r},{waypoint.lat!r}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
