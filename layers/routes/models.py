"""Eco-tourism routes (a map layer of lines) and the road graph the road-trip planner routes on.

- `EcoRoute`: a hiking, horse, cycling, car or water route managed by the staff of its area.
  `track` is the full track as imported (GPX/KML), kept for exports and for the length measured
  on the ellipsoid; `geom` is its simplified copy drawn on the map.
- `RoadNetwork`, `RoadNode`, `RoadEdge`: a pgRouting-ready graph (edges with source, target,
  cost and reverse_cost in km). Several networks may be stored (the shipped schematic corridor
  graph, an imported OSM extract); the planner routes on the active one.
- `RouteChange`: the audit row of every write to an eco-route.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from layers.core.models import AreaTaggedModel

MONTHS = [(m, m) for m in range(1, 13)]


class EcoRoute(AreaTaggedModel):
    class Kind(models.TextChoices):
        HIKING = "hiking", _("hiking")
        HORSE = "horse", _("horse riding")
        CYCLING = "cycling", _("cycling")
        CAR = "car", _("by car")
        WATER = "water", _("on the water")

    class Difficulty(models.TextChoices):
        EASY = "easy", _("easy")
        MODERATE = "moderate", _("moderate")
        HARD = "hard", _("hard")

    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    difficulty = models.CharField(_("difficulty"), max_length=16, choices=Difficulty.choices)
    # Length of the full track on the WGS 84 ellipsoid, set by the actions, never typed.
    length_km = models.FloatField(_("length, km"), default=0)
    duration_hours = models.FloatField(_("duration, hours"), null=True, blank=True)
    # The season as a range of months; a start after the end wraps over the new year.
    season_start_month = models.PositiveSmallIntegerField(_("season starts (month)"),
                                                          choices=MONTHS, default=1)
    season_end_month = models.PositiveSmallIntegerField(_("season ends (month)"),
                                                        choices=MONTHS, default=12)
    start_settlement = models.ForeignKey(
        "areas.Settlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("start settlement"))
    end_settlement = models.ForeignKey(
        "areas.Settlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("end settlement"))
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    organisation = models.CharField(_("responsible organisation"), max_length=255, blank=True)
    # Demo and contract rows say so on the map.
    is_sample = models.BooleanField(_("sample route"), default=False)
    published = models.BooleanField(_("published"), default=True)
    # Drawn on the map (simplified) and the full track (exports, length).
    geom = models.MultiLineStringField(_("route (simplified for display)"), srid=4326)
    track = models.MultiLineStringField(_("full track"), srid=4326)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("eco-tourism route")
        verbose_name_plural = _("eco-tourism routes")
        constraints = [
            models.CheckConstraint(condition=Q(season_start_month__gte=1,
                                               season_start_month__lte=12,
                                               season_end_month__gte=1,
                                               season_end_month__lte=12),
                                   name="routes_ecoroute_season_months"),
            models.CheckConstraint(condition=Q(length_km__gte=0),
                                   name="routes_ecoroute_length_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "kk")[:2]
        return getattr(self, f"name_{language}", "") or self.name_kk or self.name_ru

    @property
    def description(self) -> str:
        language = (get_language() or "kk")[:2]
        return (getattr(self, f"description_{language}", "") or self.description_kk
                or self.description_ru)

    def in_season(self, month: int) -> bool:
        start, end = self.season_start_month, self.season_end_month
        return start <= month <= end if start <= end else (month >= start or month <= end)


class RouteChange(models.Model):
    """Who created, changed or deleted an eco-route, and when (written by actions only)."""

    class What(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        TRACK_REPLACED = "track", _("track replaced")
        DELETED = "deleted", _("deleted")

    route_id_value = models.BigIntegerField(_("route id"))
    route_name = models.CharField(_("route name"), max_length=255)
    what = models.CharField(_("change"), max_length=16, choices=What.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("eco-route change")
        verbose_name_plural = _("eco-route changes")
        ordering = ["-at"]


class RoadNetwork(models.Model):
    """One road graph: the shipped schematic corridors or an imported OSM extract."""

    class Kind(models.TextChoices):
        SCHEMATIC = "schematic", _("schematic corridors (straight lines between cities)")
        OSM = "osm", _("OpenStreetMap road extract")
        TEST = "test", _("built by a test")

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    source = models.TextField(_("source"), blank=True)
    # The planner routes on the one active network.
    is_active = models.BooleanField(_("active"), default=False)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("road network")
        verbose_name_plural = _("road networks")
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="routes_one_active_network")]

    def __str__(self):
        return self.slug


class RoadNode(models.Model):
    """A vertex of the graph: a city or town (possible start, end and overnight stop) or, in an
    OSM extract, a road junction."""

    id = models.BigAutoField(primary_key=True)
    network = models.ForeignKey(RoadNetwork, on_delete=models.CASCADE, related_name="nodes")
    key = models.CharField(_("key"), max_length=64)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    region = models.CharField(_("region"), max_length=128, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    # A town with somewhere to stay: a day of a trip may end here.
    is_town = models.BooleanField(_("overnight stop"), default=False)
    geom = models.PointField(_("location"), srid=4326)

    class Meta:
        verbose_name = _("road graph node")
        verbose_name_plural = _("road graph nodes")
        constraints = [models.UniqueConstraint(fields=["network", "key"],
                                               name="routes_node_key_per_network")]

    def __str__(self):
        return self.name_en or self.key

    @property
    def name(self) -> str:
        language = (get_language() or "kk")[:2]
        return (getattr(self, f"name_{language}", "") or self.name_kk or self.name_ru
                or self.name_en or self.key)


class RoadEdge(models.Model):
    """A road section for pgr_dijkstra: source/target node ids, cost and reverse_cost in km
    (reverse_cost < 0 would close the reverse direction)."""

    id = models.BigAutoField(primary_key=True)
    network = models.ForeignKey(RoadNetwork, on_delete=models.CASCADE, related_name="edges")
    source = models.BigIntegerField(_("from node"))
    target = models.BigIntegerField(_("to node"))
    cost = models.FloatField(_("cost, km"))
    reverse_cost = models.FloatField(_("reverse cost, km"))
    # The road's name or number (M-32, A-2, WEWC …) as cited.
    road = models.CharField(_("road"), max_length=255, blank=True)
    # "cited" (a published section length), "straight line" (schematic geodesic length),
    # "geometry" (measured along an imported road line).
    length_source = models.CharField(_("length from"), max_length=32, blank=True)
    geom = models.LineStringField(_("geometry"), srid=4326)

    class Meta:
        verbose_name = _("road graph edge")
        verbose_name_plural = _("road graph edges")
        indexes = [models.Index(fields=["network", "source"]),
                   models.Index(fields=["network", "target"])]
