"""Kazakhstan's administrative geography: oblast → district → rural okrug → settlement.

One AdminArea model serves every level. Oblast and district polygons come in boundary
generations (the 2018 set before the June 2022 reform and the 2024 set after it); exactly one
generation is current and drives lookups and area tagging. Rural okrugs have no public
polygons: theirs are derived from their settlements and flagged approximate.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from data.boundaries.names import settlement_search_key, shown_former_names
from gis_portal.identity.models import AppendOnlyModel
from layers.core.models import AreaTaggedModel


class BoundaryGeneration(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    label = models.CharField(_("label"), max_length=200)
    is_current = models.BooleanField(_("current"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)

    class Meta:
        verbose_name = _("boundary generation")
        verbose_name_plural = _("boundary generations")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="areas_one_current_generation",
            )
        ]

    def __str__(self):
        return self.label

    @classmethod
    def current(cls) -> "BoundaryGeneration":
        return cls.objects.get(is_current=True)


class MultilingualNameMixin(models.Model):
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Kazakh, then Russian."""
        language = (get_language() or "kk")[:2]
        return getattr(self, f"name_{language}", "") or self.name_kk or self.name_ru

    def names(self) -> dict:
        return {"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}


class AdminArea(MultilingualNameMixin):
    class Level(models.TextChoices):
        OBLAST = "oblast", _("oblast")
        DISTRICT = "district", _("district")
        OKRUG = "okrug", _("rural okrug")

    generation = models.ForeignKey(
        BoundaryGeneration, on_delete=models.CASCADE, related_name="areas",
        verbose_name=_("boundary generation"),
    )
    kato = models.CharField(_("KATO code"), max_length=9, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    # The KATO classifier's own wording of the unit type, e.g. "Г.А." (city administration).
    kind = models.CharField(_("kind"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
        verbose_name=_("parent"),
    )
    geom = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    # Overview geometry for small scales (z ≤ 8 tiles, the choropleth, ?simplify=true).
    geom_simplified = models.MultiPolygonField(srid=4326, null=True, blank=True)
    approximate = models.BooleanField(
        _("approximate boundary"), default=False,
        help_text=_("Derived, not official: drawn from the area's settlements."),
    )
    # Why an area has no polygon, or how an approximate one was made; shown to users as-is.
    geometry_note = models.CharField(_("geometry note"), max_length=300, blank=True)
    area_km2 = models.FloatField(_("area, km²"), null=True, blank=True)

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["generation", "kato"]
        constraints = [
            models.UniqueConstraint(fields=["generation", "kato"], name="areas_kato_per_generation"),
            models.CheckConstraint(
                condition=Q(geom__isvalid=True) | Q(geom__isnull=True),
                name="areas_adminarea_geom_is_valid",
            ),
        ]
        indexes = [models.Index(fields=["generation", "level"], name="areas_generation_level_idx")]

    def __str__(self):
        return f"{self.name} ({self.kato})"

    def ancestors(self) -> list["AdminArea"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class AdminAreaPart(models.Model):
    """ST_Subdivide pieces of an area's boundary: point lookups scan a few small polygons.

    Level and generation are copied from the area so a lookup filters one indexed table.
    """

    area = models.ForeignKey(AdminArea, on_delete=models.CASCADE, related_name="parts")
    generation = models.ForeignKey(BoundaryGeneration, on_delete=models.CASCADE)
    level = models.CharField(max_length=16, choices=AdminArea.Level.choices)
    geom = models.PolygonField(srid=4326)

    class Meta:
        indexes = [models.Index(fields=["generation", "level"], name="areas_part_gen_level_idx")]


class Settlement(MultilingualNameMixin, AreaTaggedModel):
    """A KATO settlement and its point, always saying where the point comes from.

    Gazetteer points (OpenStreetMap, GeoNames) are matched by name inside the district; a
    settlement no gazetteer places gets a fallback point (its okrug's centre village, else a
    point inside its okrug or district), flagged by position_source and with a precision.
    Staff corrections are never overwritten by a reload.
    """

    class Match(models.TextChoices):
        EXACT = "exact", _("name matched in its district")
        NONE = "none", _("not geocoded")

    class PositionSource(models.TextChoices):
        OSM = "osm", _("OpenStreetMap place")
        GEONAMES = "geonames", _("GeoNames place")
        OKRUG_CENTRE = "okrug_centre", _("centre of its rural okrug (approximate)")
        DISTRICT = "district", _("inside its okrug or district (approximate)")
        STAFF = "staff", _("corrected by staff")

    kato = models.CharField(_("KATO code"), max_length=9, unique=True)
    kind = models.CharField(_("kind"), max_length=64, blank=True)
    geom = models.PointField(_("location"), srid=4326, null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    osm_id = models.BigIntegerField(_("OpenStreetMap id"), null=True, blank=True)
    osm_place = models.CharField(_("OpenStreetMap place type"), max_length=32, blank=True)
    match = models.CharField(
        _("geocoding"), max_length=16, choices=Match.choices, default=Match.NONE
    )
    # Null only while no point is known (before the reference pipeline placed it).
    position_source = models.CharField(
        _("position source"), max_length=16, choices=PositionSource.choices,
        null=True, blank=True, db_index=True,
    )
    position_precision_m = models.PositiveIntegerField(
        _("position precision, m"), null=True, blank=True,
        help_text=_("How far the real settlement may be from the point, in metres."),
    )
    # What a renamed town was called (data/boundaries/other_names.csv): natives who left
    # before the renaming, and old maps, still use those names.
    former_names = models.CharField(_("former names"), max_length=300, blank=True, default="",
                                    editable=False)
    # The Latin keys of the Kazakh, Russian and former names (data.boundaries.names.
    # settlement_search_key), so a search typed in Latin letters, or by a former name, finds
    # the place; kept in step by save() and the importer.
    name_search = models.TextField(_("Latin search keys of the names"), blank=True, default="",
                                   editable=False)
    # Rows without a point are tagged by the parents their KATO code names; the okrug always
    # comes from the code (a fallback point may lie in a neighbouring okrug's polygon).
    area_kato_field = "kato"
    okrug_by_kato = True

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["kato"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position_precision_m__isnull=True) | Q(position_precision_m__gt=0),
                name="areas_settlement_precision_positive",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.kato})"

    def save(self, *args, **kwargs):
        self.former_names = shown_former_names(self.kato)
        self.name_search = settlement_search_key(self.kato, self.name_kk, self.name_ru)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"kato", "name_kk", "name_ru"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "former_names", "name_search"}
        super().save(*args, **kwargs)


class SettlementPositionChange(AppendOnlyModel):
    """One row per move of a settlement's point by staff: on the settlement page, in the
    admin, or by accepting a resident's report. Who, from where, to where, when, why and from
    which client address; written by layers.areas.actions.move_settlement only."""

    class Via(models.TextChoices):
        PAGE = "page", _("settlement page")
        ADMIN = "admin", _("administration")
        REPORT = "report", _("resident's report accepted")

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT,
                                   related_name="position_changes",
                                   verbose_name=_("settlement"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    via = models.CharField(_("through"), max_length=16, choices=Via.choices)
    previous_geom = models.PointField(_("previous location"), srid=4326, null=True,
                                      blank=True)
    previous_source = models.CharField(_("previous position source"), max_length=16,
                                       blank=True)
    previous_precision_m = models.PositiveIntegerField(_("previous precision, m"), null=True,
                                                       blank=True)
    new_geom = models.PointField(_("new location"), srid=4326)
    new_precision_m = models.PositiveIntegerField(_("new precision, m"))
    reason = models.TextField(_("reason"))
    report = models.ForeignKey("SettlementPositionReport", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("resident's report"))
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement position change")
        verbose_name_plural = _("settlement position changes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.settlement_id} · {self.created_at:%Y-%m-%d %H:%M}"


class SettlementPositionReport(models.Model):
    """A signed-in resident's report that a settlement's point is wrong, with the point they
    suggest. It waits in the queue of the staff of the settlement's area until accepted (the
    point moves, audited) or dismissed with a reason; the reporter sees the outcome."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the akimat")
        ACCEPTED = "accepted", _("accepted: the point was moved")
        DISMISSED = "dismissed", _("dismissed")

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT,
                                   related_name="position_reports",
                                   verbose_name=_("settlement"))
    # The finest area the settlement belongs to by its KATO code (okrug, else district, else
    # oblast) when reported: the queue of whose staff the report lands in.
    area = models.ForeignKey(AdminArea, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="settlement_position_reports",
                                 verbose_name=_("reported by"))
    suggested_geom = models.PointField(_("suggested location"), srid=4326)
    comment = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_from_ip = models.GenericIPAddressField(null=True, blank=True)
    change = models.ForeignKey(SettlementPositionChange, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("position change"))

    class Meta:
        verbose_name = _("settlement position report")
        verbose_name_plural = _("settlement position reports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["reporter", "created_at"],
                                name="areas_report_reporter_time")]

    def __str__(self):
        return f"{self.settlement_id} · {self.get_status_display()}"
