"""People who need help, as the akimat and NGOs list them.

A HelpRequest keeps two kinds of data apart:

* public: topic, kind of help, family situation, age band, publication date, status, amount
  needed, a moderated description and the settlement (its areas tagged from the settlement's
  KATO code). The only position column, `geom`, is the settlement's point moved by a keyed
  offset (gis_portal.privacy.coarsen_point): never the house, never closer than the settlement.
* personal: full name, phone, address and exact position, in encrypted fields. They leave the
  database only through the reveal gate (actions.reveal_contacts → run_reveal), to staff of the
  area, and are erased when a fulfilled request has been archived long enough.

Every write goes through layers.help.actions.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_portal.identity.models import AppendOnlyModel
from gis_portal.privacy.fields import BlindIndexField, EncryptedJSONField, EncryptedTextField
from layers.core.models import AreaTaggedModel

# Age bands: (code, lowest age, highest age or None). Codes sort in age order as text.
AGE_BANDS = (
    ("0-17", 0, 17),
    ("18-34", 18, 34),
    ("35-59", 35, 59),
    ("60-74", 60, 74),
    ("75+", 75, None),
)
AGE_BAND_CHOICES = [(code, code) for code, _low, _high in AGE_BANDS]
OLDEST_AGE = 120


def age_band_for(birth_year: int, today=None) -> str:
    """The band of someone born in `birth_year`, by the age they reach this year."""
    age = (today or timezone.localdate()).year - birth_year
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    return AGE_BANDS[0][0]


class Named(models.Model):
    """A controlled list entry with a stable code and names in kk, ru and en."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self):
        return self.name()

    def name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = (language or get_language() or "kk")[:2]
        return (getattr(self, f"name_{language}", "") or self.name_kk or self.name_ru
                or self.code)

    def names(self) -> dict:
        return {"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}


class HelpKind(Named):
    """Kind of help (treatment, repairs, clothing, firewood, …): the akimat extends the list."""

    class Meta(Named.Meta):
        verbose_name = _("kind of help")
        verbose_name_plural = _("kinds of help")


class FamilySituation(Named):
    """Family situation (disabled, single mother, large family, pensioner living alone, …)."""

    class Meta(Named.Meta):
        verbose_name = _("family situation")
        verbose_name_plural = _("family situations")


class HelpRequest(AreaTaggedModel):
    class Topic(models.TextChoices):
        MATERIAL = "material", _("material")
        CONSULTATIVE = "consultative", _("consultative")
        LABOUR = "labour", _("physical labour")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        HELPING = "helping", _("someone is helping")
        FULFILLED = "fulfilled", _("fulfilled")
        ARCHIVED = "archived", _("archived")

    class ConsentMethod(models.TextChoices):
        WRITTEN = "written", _("signed consent form")
        ORAL = "oral", _("oral consent before an officer")
        NGO_FORM = "ngo_form", _("NGO's consent form")

    # Public ------------------------------------------------------------------------------
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Topic, age band and family situation have no index of their own: they are tested on
    # the rows a region and a kind narrowed (Meta's indexes). Each of their few values covers
    # a fifth to a quarter of all requests, and a bitmap of 200,000 rows from an index of
    # their own cost more than reading those rows.
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    kind = models.ForeignKey(HelpKind, to_field="code", on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("kind of help"))
    family_tags = ArrayField(models.CharField(max_length=32), default=list, blank=True,
                             verbose_name=_("family situation"))
    age_band = models.CharField(_("age"), max_length=8, choices=AGE_BAND_CHOICES)
    published_on = models.DateField(_("published"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.OPEN, db_index=True)
    amount_needed = models.DecimalField(_("amount needed, ₸"), max_digits=12, decimal_places=2,
                                        null=True, blank=True)
    # Mirror of the request's fundraiser (funding_changed), for lists and the popup.
    amount_pledged = models.DecimalField(_("pledged, ₸"), max_digits=12, decimal_places=2,
                                         default=0)
    description = models.TextField(_("description"), blank=True)
    settlement = models.ForeignKey("areas.Settlement", on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("settlement"))
    # The settlement's KATO code: all three area tags come from it (layers.core.tagging).
    settlement_kato = models.CharField(_("settlement KATO code"), max_length=9, db_index=True)
    area_kato_field = "settlement_kato"
    kato_is_exact = True
    # The public point: the settlement's point moved 150–600 m by a keyed offset.
    geom = models.PointField(_("approximate location"), srid=4326)
    helpers_asked = models.PositiveIntegerField(_("helpers who asked for contacts"), default=0)

    # Publication ---------------------------------------------------------------------------
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_method = models.CharField(_("consent given by"), max_length=16, blank=True,
                                      choices=ConsentMethod.choices)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+",
                                            verbose_name=_("consent recorded by"))
    is_published = models.BooleanField(_("published"), default=False)

    # Personal (hidden from every public surface) -----------------------------------------
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    full_name = EncryptedTextField(_("full name"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    address = EncryptedTextField(_("address"), null=True, blank=True)
    # {"lon": …, "lat": …} of the home, when the list gives it: never a geometry column.
    exact_position = EncryptedJSONField(_("exact position"), null=True, blank=True)
    phone_index = BlindIndexField(source="phone", purpose="help.phone", normaliser="phone")
    # Blind index of the normalised name, birth year and settlement: a re-uploaded list finds
    # the person it already holds instead of adding them again.
    person_index = models.CharField(max_length=64, null=True, blank=True, editable=False)

    # Bookkeeping ---------------------------------------------------------------------------
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    PERSONAL_FIELDS = ("full_name", "phone", "address", "exact_position", "birth_year",
                       "phone_index", "person_index")
    PUBLIC_STATUSES = (Status.OPEN, Status.HELPING)

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [
            models.Index(fields=["is_published", "status", "published_on"],
                         name="help_public_by_date"),
            # The list's usual question: a region, a kind of help, since a date.
            *[models.Index(fields=[level, "kind", "published_on"], name=f"help_{level}_kind_date")
              for level in ("oblast", "district", "okrug")],
        ]
        constraints = [
            models.UniqueConstraint(fields=["person_index", "kind"],
                                    condition=Q(person_index__isnull=False),
                                    name="help_one_request_per_person_and_kind"),
            models.CheckConstraint(condition=Q(is_published=False) | Q(consent_at__isnull=False),
                                   name="help_published_only_with_consent"),
            models.CheckConstraint(condition=Q(amount_needed__isnull=True)
                                   | Q(amount_needed__gt=0),
                                   name="help_amount_needed_positive"),
        ]

    def __str__(self):
        # Never personal data: this string reaches admin pages and logs.
        return f"{self.get_topic_display()} · {self.settlement_kato} · #{self.pk}"

    @property
    def target(self) -> str:
        """What the reveal gate and its audit call this request."""
        return f"help-request:{self.pk}"

    @property
    def area(self):
        """The finest area it is tagged with: staff rights are asked about this one."""
        return self.okrug or self.district or self.oblast

    @property
    def is_public(self) -> bool:
        return (self.is_published and self.consent_at is not None
                and self.status in self.PUBLIC_STATUSES and self.erased_at is None)

    # Pooled funding (gis_portal.funding) calls these on its target ------------------------
    def pledge_refusal(self, fundraiser) -> str | None:
        from django.utils.translation import gettext as _t

        if not self.is_public:
            return _t("This request is not open for help any more.")
        return None

    def funding_changed(self, fundraiser) -> None:
        """Keep the progress next to the request; the status stays as the akimat sets it."""
        type(self).objects.filter(pk=self.pk).update(amount_pledged=fundraiser.pledged_total)
        self.amount_pledged = fundraiser.pledged_total


class HelpHelper(models.Model):
    """A helper who asked for a request's contacts (once per helper and request)."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="helpers",
                                verbose_name=_("help request"))
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("helper"))
    first_asked_at = models.DateTimeField(_("first asked"), default=timezone.now)

    class Meta:
        verbose_name = _("helper of a request")
        verbose_name_plural = _("helpers of requests")
        constraints = [models.UniqueConstraint(fields=["request", "helper"],
                                               name="help_one_row_per_helper")]


class HelpEvent(AppendOnlyModel):
    """What staff did to a request: who, when, which action. Never personal data."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        CONSENT = "consent", _("consent recorded")
        PUBLISHED = "published", _("published")
        UNPUBLISHED = "unpublished", _("withdrawn from the map")
        STATUS = "status", _("status changed")
        ERASED = "erased", _("personal data erased")

    request = models.ForeignKey(HelpRequest, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("help request"))
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("help request event")
        verbose_name_plural = _("help request events")
        ordering = ["-created_at"]


class AreaChain(models.Model):
    """A chain of area tags as the trigger writes it: oblast, district, okrug, any empty.

    No database constraint: the trigger may write tags of areas a reference load is replacing
    in the same transaction. Readers join the current areas, so rows of a removed area are
    never shown; a rebuild drops them."""

    oblast = models.ForeignKey("areas.AdminArea", null=True, on_delete=models.DO_NOTHING,
                               related_name="+", db_constraint=False, db_index=False)
    district = models.ForeignKey("areas.AdminArea", null=True, on_delete=models.DO_NOTHING,
                                 related_name="+", db_constraint=False, db_index=False)
    okrug = models.ForeignKey("areas.AdminArea", null=True, on_delete=models.DO_NOTHING,
                              related_name="+", db_constraint=False, db_index=False)

    class Meta:
        abstract = True


class HelpStatCell(AreaChain):
    """The public requests of one chain of area tags, (oblast, district, okrug), any of them
    possibly empty. A request is public while it is published with consent, open or someone
    helping, and not erased (HelpRequestLayer.visible_queryset for an anonymous visitor).

    * `count` and `amount_needed`: the cells layers.core.private_stats groups and suppresses,
      so the anonymous stats read a few thousand rows instead of a million requests.
    * `request_ids` in publication-date order (undated last) and `published_dates`, the dates
      of the dated ones in the same order: the low zooms of the map count a date range as a
      run of positions (two binary searches, width_bucket) in the chain's HelpChainBitmaps.

    Maintained by the database trigger `help_area_count_sync` on every insert, update and
    delete of a request, whatever code path writes it (actions, importer, bulk SQL); a bulk
    load may disable the trigger and call `rebuild_help_area_counts()` (SQL) once after.
    A cell whose requests all left keeps count 0 (readers skip it). `amount_needed` is 0
    when none of its requests names an amount: amounts are positive
    (help_amount_needed_positive), so 0 reads as "no amount" (a NULL sum).
    """

    count = models.IntegerField(default=0)
    amount_needed = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    request_ids = ArrayField(models.BigIntegerField(), default=list)
    published_dates = ArrayField(models.DateField(), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["oblast", "district", "okrug"],
                                    nulls_distinct=False, name="help_stat_cell_chain"),
        ]
        # A low-zoom tile sums the cells of each of its areas, at the level it draws.
        indexes = [models.Index(fields=[level], name=f"help_stat_cell_{level}")
                   for level in ("oblast", "district", "okrug")]

    def __str__(self):
        return f"{self.oblast_id}/{self.district_id}/{self.okrug_id} · {self.count}"


class BitStringField(models.Field):
    """A PostgreSQL `bit varying`: read and written as a string of 0 and 1."""

    def db_type(self, connection):
        return "bit varying"


class HelpChainBitmap(AreaChain):
    """Which public requests of one chain (a HelpStatCell) have one filter value, as a bit per
    request in the cell's `request_ids` order: `key` is "topic:<code>", "kind:<code>",
    "status:<code>", "age:<band>" or "family:<code>". Keys of values no request of the chain
    has are absent.

    A low-zoom tile counts an area's requests matching every filter of the list in C-speed bit
    operations over a few rows per chain: OR the bitmaps of one filter's chosen values, AND
    across filters, cut the run of positions inside the publication-date range, count the ones
    (layers.help.aggregates). Kept by the same trigger as the cells.
    """

    cell = models.ForeignKey(HelpStatCell, on_delete=models.CASCADE, related_name="+")
    # The chain's areas are the cell's again: one index scan finds an area's bitmaps.
    key = models.CharField(max_length=64)
    bits = BitStringField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "key"],
                                               name="help_chain_bitmap_key")]
        indexes = [models.Index(fields=[level, "key"], name=f"help_chain_bitmap_{level}")
                   for level in ("oblast", "district", "okrug")]

    def __str__(self):
        return f"{self.cell_id} {self.key}"
