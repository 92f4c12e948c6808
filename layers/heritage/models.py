"""Monuments and natural sites: the programme's heritage layers, and their care.

A monument is a point; a natural site is a point (a peak, a canyon) or a polygon (a lake, a
physical region, a national park or reserve) with a point on its surface for the map's pins,
the road-trip planner and distances. Positions compiled from general knowledge or geocoded
from a settlement are flagged approximate and say so everywhere they are shown.

Records tied to a settlement are tagged with their areas from the settlement's KATO code
(`settlement_kato`, copied when the settlement is set), never from an approximate point.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gis_portal.identity.models import AppendOnlyModel
from layers.areas.models import MultilingualNameMixin
from layers.core.models import AreaTaggedModel

LANGUAGES = ("kk", "ru", "en")


class Significance(models.TextChoices):
    UNESCO = "unesco", _("UNESCO World Heritage")
    REPUBLICAN = "republican", _("republican significance")
    LOCAL = "local", _("local significance")


# The road-trip planner ranks sights by this (SIGHTS_SQL's significance_rank).
SIGNIFICANCE_RANK = {Significance.UNESCO: 3, Significance.REPUBLICAN: 2, Significance.LOCAL: 1}


class Dataset(models.Model):
    """Where a group of records comes from, under which licence, credited how: shown on the
    map (the layers' attribution) and on every object's page."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    licence = models.CharField(_("licence"), max_length=100)
    attribution = models.CharField(_("attribution"), max_length=300)
    url = models.URLField(_("source address"), blank=True)
    note = models.CharField(_("note"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["code"]

    def __str__(self):
        return self.title


class TrilingualTextMixin(models.Model):
    """Description and visiting information in Kazakh, Russian and English."""

    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    visiting_kk = models.TextField(_("visiting information (Kazakh)"), blank=True)
    visiting_ru = models.TextField(_("visiting information (Russian)"), blank=True)
    visiting_en = models.TextField(_("visiting information (English)"), blank=True)

    class Meta:
        abstract = True

    def _localized(self, prefix: str, language: str | None = None) -> str:
        """The text in the given (or active) language, falling back to Kazakh, then Russian."""
        language = (language or get_language() or "kk")[:2]
        if language not in LANGUAGES:
            language = "kk"
        return (getattr(self, f"{prefix}_{language}", "") or getattr(self, f"{prefix}_kk", "")
                or getattr(self, f"{prefix}_ru", ""))

    @property
    def description(self) -> str:
        return self._localized("description")

    @property
    def visiting(self) -> str:
        return self._localized("visiting")

    def name_in(self, language: str) -> str:
        return self._localized("name", language)


class HeritageRecord(MultilingualNameMixin, TrilingualTextMixin, AreaTaggedModel):
    """What monuments and natural sites share."""

    significance = models.CharField(_("significance"), max_length=16,
                                    choices=Significance.choices, default=Significance.LOCAL,
                                    db_index=True)
    # The official register's number; unique where present (a constraint on each model).
    register_number = models.CharField(_("register number"), max_length=64, blank=True)
    # The importer's stable key of a row without a register number (dataset code + row key):
    # a reload updates the row instead of duplicating it.
    source_key = models.CharField(_("source key"), max_length=120, blank=True, editable=False)
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("dataset"))
    position_approximate = models.BooleanField(
        _("approximate position"), default=True,
        help_text=_("The point (or outline) is only roughly where the object is."))
    position_note = models.CharField(_("position note"), max_length=300, blank=True)
    settlement = models.ForeignKey("areas.Settlement", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("settlement"))
    # Copied from the settlement on save: the tags come from it (layers.core.tagging).
    settlement_kato = models.CharField(max_length=9, blank=True, editable=False)
    is_published = models.BooleanField(_("published"), default=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    area_kato_field = "settlement_kato"
    okrug_by_kato = True

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.settlement_kato = self.settlement.kato if self.settlement_id else ""
        super().save(*args, **kwargs)

    @property
    def significance_rank(self) -> int:
        return SIGNIFICANCE_RANK[self.significance]

    def finest_area(self):
        """The smallest area the record is tagged with: whose staff look after it."""
        return self.okrug or self.district or self.oblast


class Monument(HeritageRecord):
    class Kind(models.TextChoices):
        ARCHAEOLOGY = "archaeology", _("archaeology")
        ARCHITECTURE = "architecture", _("architecture and urban planning")
        MONUMENTAL_ART = "monumental_art", _("monumental art")
        MEMORIAL = "memorial", _("memorial, memory of famous natives")

    class Era(models.TextChoices):
        ANCIENT = "ancient", _("antiquity (before the 6th century)")
        MEDIEVAL = "medieval", _("Middle Ages (6th–15th centuries)")
        KHANATE = "khanate", _("Kazakh Khanate (15th–18th centuries)")
        IMPERIAL = "imperial", _("18th century to 1917")
        SOVIET = "soviet", _("Soviet period (1917–1991)")
        INDEPENDENCE = "independence", _("independent Kazakhstan (since 1991)")
        UNKNOWN = "unknown", _("not known")

    class Protection(models.TextChoices):
        REPUBLICAN_LIST = "republican_list", _("on the State list of republican significance")
        LOCAL_LIST = "local_list", _("on the local list")
        PROPOSED = "proposed", _("proposed for protection")
        NOT_LISTED = "not_listed", _("not listed")

    class Condition(models.TextChoices):
        GOOD = "good", _("good")
        SATISFACTORY = "satisfactory", _("satisfactory")
        POOR = "poor", _("poor")
        CRITICAL = "critical", _("critical, at risk")
        UNKNOWN = "unknown", _("not assessed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    era = models.CharField(_("era"), max_length=16, choices=Era.choices, default=Era.UNKNOWN,
                           db_index=True)
    protection_status = models.CharField(_("protection status"), max_length=16,
                                         choices=Protection.choices,
                                         default=Protection.NOT_LISTED)
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices,
                                 default=Condition.UNKNOWN)
    unesco_whc_id = models.PositiveIntegerField(_("UNESCO property"), null=True, blank=True)
    geom = models.PointField(_("location"), srid=4326)

    class Meta:
        verbose_name = _("monument")
        verbose_name_plural = _("monuments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["register_number"], condition=~Q(register_number=""),
                                    name="heritage_monument_register_number_unique"),
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""),
                                    name="heritage_monument_source_key_unique"),
        ]

    @property
    def point(self):
        return self.geom


class NaturalSite(HeritageRecord):
    class Kind(models.TextChoices):
        RECREATIONAL = "recreational", _("recreational site")
        LANDSCAPE = "landscape", _("natural landscape")
        NATURAL_MONUMENT = "natural_monument", _("natural monument")
        NATIONAL_PARK = "national_park", _("national park")
        RESERVE = "reserve", _("nature reserve")
        LAKE = "lake", _("lake")
        CANYON = "canyon", _("canyon")
        PEAK = "peak", _("peak")

    # Kinds whose outline holds other sights: a park lists them, a sight names its park.
    PROTECTED_AREA_KINDS = (Kind.NATIONAL_PARK, Kind.RESERVE)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    # A point (a peak, a canyon) or an outline (a lake, a region, a park): one column, so the
    # layer draws both and tagging and distances read one geometry.
    geom = models.GeometryField(_("geometry"), srid=4326)
    # A point on the surface: the pin of an outline, the road-trip planner's stop.
    point = models.PointField(_("point on the surface"), srid=4326, editable=False)
    elevation_m = models.IntegerField(_("elevation, m"), null=True, blank=True)
    area_km2 = models.FloatField(_("area, km²"), null=True, blank=True)
    unesco_whc_id = models.PositiveIntegerField(_("UNESCO property"), null=True, blank=True)
    # The protected area's key in the shared outlines (kz_protected_areas_osm `id`), which the
    # UNESCO crosswalk names.
    protected_area_key = models.CharField(_("protected area key"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("natural site")
        verbose_name_plural = _("natural sites")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["register_number"], condition=~Q(register_number=""),
                                    name="heritage_naturalsite_register_number_unique"),
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""),
                                    name="heritage_naturalsite_source_key_unique"),
            models.CheckConstraint(condition=Q(geom__isvalid=True),
                                   name="heritage_naturalsite_geom_is_valid"),
        ]

    @property
    def is_outline(self) -> bool:
        return self.geom is not None and self.geom.geom_type in ("Polygon", "MultiPolygon")

    @property
    def is_protected_area(self) -> bool:
        return self.kind in self.PROTECTED_AREA_KINDS

    def save(self, *args, **kwargs):
        if self.geom is not None:
            self.point = self.geom if self.geom.geom_type == "Point" else self.geom.point_on_surface
            self.point.srid = 4326
        super().save(*args, **kwargs)


class Video(models.Model):
    """A video of a monument or site, by link: embedded only from the allowed hosts
    (settings.TZ_HERITAGE_VIDEO_HOSTS), written by actions.add_video."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    url = models.URLField(_("link"), max_length=400)
    embed_url = models.URLField(_("embedded player address"), max_length=400)
    host = models.CharField(_("host"), max_length=100)
    title = models.CharField(_("title"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("added by"))
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.title or self.url


class ConditionReport(models.Model):
    """A signed-in resident's report on a monument's condition. It lands in the queue of the
    staff of the monument's area; its handling (status and notes) shows on the monument's
    page. Who reported it is never shown in public."""

    class Kind(models.TextChoices):
        DAMAGE = "damage", _("damage")
        LITTER = "litter", _("litter")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_WORK = "in_work", _("in work")
        RESOLVED = "resolved", _("resolved")
        DISMISSED = "dismissed", _("dismissed")

    OPEN_STATUSES = (Status.RECEIVED, Status.IN_WORK)

    monument = models.ForeignKey(Monument, on_delete=models.CASCADE,
                                 related_name="condition_reports", verbose_name=_("monument"))
    # The monument's finest area when reported: whose staff queue it lands in.
    area = models.ForeignKey("areas.AdminArea", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="heritage_condition_reports",
                                 verbose_name=_("reported by"))
    kind = models.CharField(_("what is wrong"), max_length=16, choices=Kind.choices)
    comment = models.TextField(_("comment"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.RECEIVED, db_index=True)
    # The latest public note of the staff (the history is in ConditionReportEvent).
    note = models.TextField(_("note of the staff"), blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("condition report")
        verbose_name_plural = _("condition reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area", "status"], name="heritage_report_area_status")]

    def __str__(self):
        return f"{self.monument_id} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ConditionReportEvent(AppendOnlyModel):
    """One row per step of a report's handling: received, then each change by staff."""

    report = models.ForeignKey(ConditionReport, on_delete=models.CASCADE,
                               related_name="events", verbose_name=_("report"))
    status = models.CharField(_("status"), max_length=16,
                              choices=ConditionReport.Status.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("condition report step")
        verbose_name_plural = _("condition report steps")
        ordering = ["created_at", "id"]


class HeritageChange(AppendOnlyModel):
    """The audit of staff writes to the heritage layers: who changed which record, how
    (append-only in the database too). Imports have no actor."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("heritage change")
        verbose_name_plural = _("heritage changes")
        ordering = ["-created_at", "-id"]


class MonumentProject(models.Model):
    """A restoration or landscaping project of the projects layer attached to a monument by
    akimat staff (actions.attach_project); the monument's page lists the public ones."""

    class Kind(models.TextChoices):
        RESTORATION = "restoration", _("restoration")
        LANDSCAPING = "landscaping", _("landscaping")

    monument = models.ForeignKey(Monument, on_delete=models.CASCADE, related_name="projects",
                                 verbose_name=_("monument"))
    project = models.ForeignKey("projects.SocialProject", on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("project"))
    kind = models.CharField(_("kind of work"), max_length=16, choices=Kind.choices)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("attached by"))
    attached_at = models.DateTimeField(_("attached at"), default=timezone.now)

    class Meta:
        verbose_name = _("monument project")
        verbose_name_plural = _("monument projects")
        ordering = ["-attached_at"]
        constraints = [models.UniqueConstraint(fields=["monument", "project"],
                                               name="heritage_one_link_per_project")]
