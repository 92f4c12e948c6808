"""Investment projects for rural settlements with low employment (programme section 2.2.2).

A project belongs to a settlement and is tagged from the settlement's KATO code (exact), not
from the approximate okrug polygon its point may fall in. Each has a sector, the investment
it needs, the jobs it creates and a responsible official of at least a qualifying rank.

Employment indicators come per settlement and year (SettlementEmployment), imported from CSV
or XLSX. A project carries a copy of its settlement's latest indicator (rate, year, sample
flag), written by one function (actions.refresh_project_employment) after every import and
every project save, so the map, filters, ordering and tiles read one row.

Investors register interest (InvestorInterest); the responsible staff see natives of the
region first. Every change is a function of layers.investments.actions, audited in
InvestmentEvent.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gis_portal.identity.models import AppendOnlyModel
from layers.core.models import AreaTaggedModel

MONEY_DIGITS = 14  # up to 999 999 999 999.99 tenge


class Sector(models.TextChoices):
    """The controlled list of sectors an investment project belongs to."""

    AGRICULTURE = "agriculture", _("agriculture and livestock")
    FOOD_PROCESSING = "food_processing", _("food processing")
    MANUFACTURING = "manufacturing", _("manufacturing")
    CONSTRUCTION_MATERIALS = "construction_materials", _("construction materials")
    TOURISM = "tourism", _("tourism")
    TRADE_SERVICES = "trade_services", _("trade and services")
    LOGISTICS = "logistics", _("transport and logistics")
    ENERGY = "energy", _("energy")
    CRAFTS = "crafts", _("crafts and small business")
    DIGITAL = "digital", _("digital services")


class Position(models.TextChoices):
    """The controlled list of officials' positions, lowest first (see POSITION_RANK)."""

    SPECIALIST = "specialist", _("specialist of an akimat")
    CHIEF_SPECIALIST = "chief_specialist", _("chief specialist of an akimat")
    DEPUTY_HEAD_OF_DEPARTMENT = "deputy_head_of_department", _("deputy head of department")
    AKIM_OF_RURAL_OKRUG = "akim_of_rural_okrug", _("akim of a rural okrug or village")
    HEAD_OF_DEPARTMENT = "head_of_department", _("head of department")
    AKIM_OF_TOWN = "akim_of_town", _("akim of a town")
    DEPUTY_AKIM_OF_DISTRICT = "deputy_akim_of_district", _("deputy akim of a district")
    AKIM_OF_DISTRICT = "akim_of_district", _("akim of a district")
    DEPUTY_AKIM_OF_OBLAST = "deputy_akim_of_oblast", _("deputy akim of an oblast")
    AKIM_OF_OBLAST = "akim_of_oblast", _("akim of an oblast")


# A position's rank: higher is more senior. Positions of the same rank are equivalent for
# the rule; the programme names head of department, akim of a town and deputy akim of a
# district as the lowest that may answer for an investment project.
POSITION_RANK = {
    Position.SPECIALIST: 1,
    Position.CHIEF_SPECIALIST: 2,
    Position.DEPUTY_HEAD_OF_DEPARTMENT: 3,
    Position.AKIM_OF_RURAL_OKRUG: 3,
    Position.HEAD_OF_DEPARTMENT: 4,
    Position.AKIM_OF_TOWN: 4,
    Position.DEPUTY_AKIM_OF_DISTRICT: 4,
    Position.AKIM_OF_DISTRICT: 5,
    Position.DEPUTY_AKIM_OF_OBLAST: 6,
    Position.AKIM_OF_OBLAST: 7,
}
MIN_RESPONSIBLE_RANK = 4
QUALIFYING_POSITIONS = tuple(p for p in Position if POSITION_RANK[p] >= MIN_RESPONSIBLE_RANK)


class InvestmentProject(AreaTaggedModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        SEEKING_INVESTOR = "seeking_investor", _("seeking an investor")
        INVESTOR_FOUND = "investor_found", _("investor found")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    # Investors may register interest while the project still looks for money.
    OPEN_FOR_INTEREST = (Status.PROPOSED, Status.SEEKING_INVESTOR)

    title_kk = models.CharField(_("title (Kazakh)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, db_index=True)
    investment_needed = models.DecimalField(_("investment needed, ₸"), max_digits=MONEY_DIGITS,
                                            decimal_places=2)
    # A public copy as a double (JSON numbers, MVT values, sums), generated by the database.
    investment_figure = models.GeneratedField(
        expression=Cast("investment_needed", FloatField()), output_field=FloatField(),
        db_persist=True)
    jobs_created = models.PositiveIntegerField(_("jobs created"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PROPOSED, db_index=True)

    settlement = models.ForeignKey("areas.Settlement", on_delete=models.PROTECT,
                                   related_name="investment_projects",
                                   verbose_name=_("settlement"))
    # The settlement's KATO code: the areas are tagged from it (layers.core.tagging).
    settlement_kato = models.CharField(_("settlement KATO code"), max_length=9, editable=False)
    area_kato_field = "settlement_kato"
    kato_is_exact = True
    geom = models.PointField(_("location"), srid=4326)

    # The responsible official: a portal user or a named official, always with a position
    # from the controlled list, at least MIN_RESPONSIBLE_RANK (checked by the database too).
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("responsible official (portal user)"))
    responsible_name = models.CharField(_("responsible official's name"), max_length=200,
                                        blank=True)
    responsible_position = models.CharField(_("responsible official's position"),
                                            max_length=32, choices=Position.choices)

    # The settlement's latest employment indicator, copied by actions.refresh_project_
    # employment (never edited by hand).
    unemployment_rate = models.FloatField(_("unemployment rate, %"), null=True, blank=True,
                                          editable=False)
    employment_year = models.PositiveSmallIntegerField(_("year of the indicator"), null=True,
                                                       blank=True, editable=False)
    employment_is_sample = models.BooleanField(_("sample values"), null=True, blank=True,
                                               editable=False)

    # The akimat's own reference for the project, unique within the area it was uploaded for:
    # re-uploading a list updates these projects instead of duplicating them.
    reference = models.CharField(_("akimat's reference"), max_length=64, blank=True)
    reference_area = models.ForeignKey(
        "areas.AdminArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("area of the reference"))

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(investment_needed__gt=0),
                                   name="investments_investment_positive"),
            models.CheckConstraint(
                condition=Q(responsible_position__in=[p.value for p in QUALIFYING_POSITIONS]),
                name="investments_responsible_rank"),
            models.CheckConstraint(
                condition=Q(responsible_user__isnull=False) | ~Q(responsible_name=""),
                name="investments_responsible_named"),
            models.UniqueConstraint(fields=["reference_area", "reference"],
                                    condition=~Q(reference=""),
                                    name="investments_one_reference_per_area"),
        ]
        indexes = [
            models.Index(fields=["investment_figure"], name="investments_figure"),
            models.Index(fields=["jobs_created"], name="investments_jobs"),
            models.Index(fields=["settlement"], name="investments_settlement"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.settlement_id:
            self.settlement_kato = self.settlement.kato
        super().save(*args, **kwargs)

    def _text(self, prefix: str) -> str:
        language = (get_language() or "kk")[:2]
        return (getattr(self, f"{prefix}_{language}", "") or getattr(self, f"{prefix}_kk")
                or getattr(self, f"{prefix}_ru"))

    @property
    def title(self) -> str:
        return self._text("title")

    @property
    def description(self) -> str:
        return self._text("description")

    @property
    def responsible_display(self) -> str:
        """The official's name (a user's full name, else the named official) and position."""
        name = self.responsible_name
        if not name and self.responsible_user_id:
            user = self.responsible_user
            name = user.get_full_name() or user.get_username()
        return f"{name}, {self.get_responsible_position_display()}"

    @property
    def open_for_interest(self) -> bool:
        return self.status in self.OPEN_FOR_INTEREST

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("investments:detail", args=[self.pk])


class SettlementEmployment(models.Model):
    """Employment indicators of one settlement in one year. is_sample marks made-up demo
    values, which every page and response that shows them labels as such."""

    settlement = models.ForeignKey("areas.Settlement", on_delete=models.CASCADE,
                                   related_name="employment", verbose_name=_("settlement"))
    year = models.PositiveSmallIntegerField(_("year"))
    working_age_population = models.PositiveIntegerField(_("working-age population"))
    employed = models.PositiveIntegerField(_("employed"))
    unemployed = models.PositiveIntegerField(_("unemployed"))
    unemployment_rate = models.DecimalField(_("unemployment rate, %"), max_digits=5,
                                            decimal_places=2)
    source = models.CharField(_("source"), max_length=200)
    is_sample = models.BooleanField(_("sample values, not official statistics"), default=False)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("settlement employment indicator")
        verbose_name_plural = _("settlement employment indicators")
        ordering = ["settlement", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "year"],
                                    name="investments_employment_per_year"),
            models.CheckConstraint(condition=Q(unemployment_rate__gte=0)
                                   & Q(unemployment_rate__lte=100),
                                   name="investments_employment_rate_range"),
            models.CheckConstraint(
                condition=Q(employed__lte=F("working_age_population"))
                & Q(unemployed__lte=F("working_age_population")),
                name="investments_employment_within_population"),
        ]

    def __str__(self):
        return f"{self.settlement_id} · {self.year}: {self.unemployment_rate}%"


class InvestorInterest(models.Model):
    """A signed-in user's interest in investing in a project, with a short message. Only the
    project's responsible staff (and the investor) see it."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.CASCADE,
                                related_name="interests", verbose_name=_("project"))
    investor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="investment_interests",
                                 verbose_name=_("investor"))
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("investor's interest")
        verbose_name_plural = _("investors' interests")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["project", "investor"],
                                               name="investments_one_interest_per_investor")]

    def __str__(self):
        return f"{self.project_id} · {self.investor_id}"


class InvestmentEvent(AppendOnlyModel):
    """Audit of a project: who did what, when, from which status to which."""

    project = models.ForeignKey(InvestmentProject, on_delete=models.PROTECT,
                                related_name="events", verbose_name=_("project"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("investment project event")
        verbose_name_plural = _("investment project events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.project_id} · {self.action} · {self.created_at:%Y-%m-%d %H:%M}"
