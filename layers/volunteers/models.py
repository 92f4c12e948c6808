"""The volunteer corps: questionnaires, the anonymised public list, assignments to people who
need help, help records and reviews.

A Volunteer row is the questionnaire. Its personal data (name, phone, e-mail) is encrypted
(gis_portal.privacy) and leaves the database only through the reveal gate
(actions.reveal_contacts → run_reveal). Birth year, home settlement and its point are kept in
plain columns for the anonymity rule and matching, but are hidden from every public surface.

The public list is not the Volunteer table: it is VolunteerCard, a release rebuilt by
layers.volunteers.anonymity after every change, in which every row's age, gender and place are
shared by at least TZ_PRIVACY_MIN_GROUP listed volunteers (see that module).

Every write goes through layers.volunteers.actions.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_portal.identity.models import AppendOnlyModel
from gis_portal.privacy.fields import BlindIndexField, EncryptedTextField
from layers.core.models import AreaTaggedModel
from layers.help.models import Named

LANGUAGE_CHOICES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
# A weekly hour slot is day * 24 + hour, Monday 0:00 = 0, Sunday 23:00 = 167.
HOURS_IN_WEEK = 7 * 24
DAY_CHOICES = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
               (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]
MAX_TRAVEL_KM = 300


class Direction(Named):
    """A direction of volunteering in the controlled list (consulting, teaching, …)."""

    class Meta(Named.Meta):
        verbose_name = _("direction")
        verbose_name_plural = _("directions")


class KindDirection(models.Model):
    """Which directions answer which kind of help: matching reads this table, so the akimat
    changes the mapping as data, in the admin."""

    kind = models.ForeignKey("help.HelpKind", to_field="code", on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("kind of help"))
    direction = models.ForeignKey(Direction, to_field="code", on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("direction"))

    class Meta:
        verbose_name = _("direction answering a kind of help")
        verbose_name_plural = _("directions answering kinds of help")
        constraints = [models.UniqueConstraint(fields=["kind", "direction"],
                                               name="volunteers_one_kind_direction")]

    def __str__(self):
        return f"{self.kind_id} → {self.direction_id}"


class Volunteer(AreaTaggedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        LEFT = "left", _("left the corps")

    class Gender(models.TextChoices):
        FEMALE = "f", _("female")
        MALE = "m", _("male")

    class Education(models.TextChoices):
        SECONDARY = "secondary", _("secondary school")
        VOCATIONAL = "vocational", _("vocational")
        HIGHER = "higher", _("higher")
        STUDENT = "student", _("student")

    class Experience(models.TextChoices):
        NONE = "none", _("no experience yet")
        SOME = "some", _("up to a year")
        YEARS = "years", _("one to three years")
        LONG = "long", _("more than three years")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="volunteer",
                                verbose_name=_("account"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.ACTIVE, db_index=True)

    # Questionnaire (not identifying alone; never shown except through the card) ------------
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices,
                                 blank=True)
    experience = models.CharField(_("experience"), max_length=8, choices=Experience.choices,
                                  blank=True)
    has_car = models.BooleanField(_("has a car"), default=False)
    car_seats = models.PositiveSmallIntegerField(_("free seats in the car"), default=0)
    languages = ArrayField(models.CharField(max_length=2), default=list, blank=True,
                           verbose_name=_("languages"))
    directions = ArrayField(models.CharField(max_length=32), default=list, blank=True,
                            verbose_name=_("directions"))
    slots = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True,
                       verbose_name=_("weekly hours"))
    travel_km = models.PositiveSmallIntegerField(_("travels up to, km"), default=10)

    # Personal (hidden from every public surface) -----------------------------------------
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    full_name = EncryptedTextField(_("full name"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), null=True, blank=True)
    email = EncryptedTextField(_("e-mail"), null=True, blank=True)
    phone_index = BlindIndexField(source="phone", purpose="volunteers.phone",
                                  normaliser="phone")
    # Blind index of name, birth year and settlement: an NGO list uploaded twice finds the
    # volunteer it already holds.
    person_index = models.CharField(max_length=64, null=True, blank=True, editable=False,
                                    unique=True)
    settlement = models.ForeignKey("areas.Settlement", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("home settlement"))
    settlement_kato = models.CharField(_("settlement KATO code"), max_length=9, blank=True,
                                       db_index=True)
    area_kato_field = "settlement_kato"
    kato_is_exact = True
    # The home settlement's point (never the house): matching measures travel from here.
    geom = models.PointField(_("home settlement point"), srid=4326, null=True, blank=True)

    # Bookkeeping ---------------------------------------------------------------------------
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("paper questionnaire entered by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    PERSONAL_FIELDS = ("full_name", "phone", "email", "phone_index", "person_index",
                       "birth_year", "settlement", "settlement_kato", "geom", "user",
                       "entered_by")

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [
            GinIndex(fields=["directions"], name="volunteers_directions_gin"),
            GinIndex(fields=["slots"], name="volunteers_slots_gin"),
            models.Index(fields=["status"], condition=Q(status="active"),
                         name="volunteers_active"),
            # Matching reads the longest travel distance of active volunteers: one look-up.
            models.Index(fields=["travel_km"], condition=Q(status="active"),
                         name="volunteers_active_travel"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(travel_km__lte=MAX_TRAVEL_KM),
                                   name="volunteers_travel_km_bounded"),
        ]

    def __str__(self):
        # Never personal data: this string reaches admin pages and logs.
        return f"volunteer #{self.pk}"

    @property
    def target(self) -> str:
        """What the reveal gate and its audit call this volunteer."""
        return f"volunteer:{self.pk}"

    @property
    def area(self):
        """The finest area of the home settlement: staff rights are asked about this one."""
        return self.okrug or self.district or self.oblast

    @property
    def is_listed(self) -> bool:
        return self.status == self.Status.ACTIVE


class DirectionProposal(models.Model):
    """A volunteer's "my own" direction; a moderator may promote it into the list."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a moderator")
        PROMOTED = "promoted", _("added to the list")
        REJECTED = "rejected", _("not added")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE,
                                  related_name="proposals", verbose_name=_("volunteer"))
    text = models.CharField(_("proposed direction"), max_length=80)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    promoted_to = models.ForeignKey(Direction, to_field="code", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("added as"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)

    class Meta:
        verbose_name = _("proposed direction")
        verbose_name_plural = _("proposed directions")

    def __str__(self):
        return self.text


class VolunteerCard(AreaTaggedModel):
    """One row of the anonymised public list: what a listed volunteer offers, with age, gender
    and place shown only as precisely as the anonymity rule allows. Its area tags are the
    shown place's (a card shown at district level has no okrug), so area= cannot narrow it."""

    volunteer = models.OneToOneField(Volunteer, on_delete=models.CASCADE, related_name="card")
    age_shown = models.CharField(_("age"), max_length=8, db_index=True)
    gender_shown = models.CharField(_("gender"), max_length=1, blank=True)
    place_kato = models.CharField(_("place"), max_length=9, db_index=True)
    place_level = models.CharField(_("place shown as"), max_length=8)
    area_kato_field = "place_kato"
    kato_is_exact = True
    directions = ArrayField(models.CharField(max_length=32), default=list)
    slots = ArrayField(models.PositiveSmallIntegerField(), default=list)
    days = ArrayField(models.PositiveSmallIntegerField(), default=list)
    has_car = models.BooleanField(_("has a car"), default=False)
    languages = ArrayField(models.CharField(max_length=2), default=list)
    # A point of the shown area (the same for everyone shown there), never a settlement's.
    geom = models.PointField(_("area"), srid=4326)

    class Meta:
        verbose_name = _("public volunteer card")
        verbose_name_plural = _("public volunteer cards")
        indexes = [
            GinIndex(fields=["directions"], name="volunteers_card_dir_gin"),
            GinIndex(fields=["slots"], name="volunteers_card_slots_gin"),
            GinIndex(fields=["languages"], name="volunteers_card_lang_gin"),
        ]

    def __str__(self):
        return f"card #{self.pk}"


class VolunteerAreaCount(models.Model):
    """How many cards of the public list share one combination of the values the list filters
    on (age shown, car, directions, languages, days, weekly hour slots), per area and map
    level. The map's low
    zooms are drawn from these (layers.volunteers.aggregates). A database trigger on
    VolunteerCard keeps them current in the transaction that changes the cards (migration
    0004): nothing writes them from Python.

    `level` is the map level the count is drawn at; `area` is the card's area of that level,
    or, for a card shown wider (a district-level card at the okrug level), the area it is
    shown at: so every card is counted once at every level, where the list draws it."""

    level = models.CharField(max_length=16)
    # Not a database constraint: a reference load may replace areas while counts hold them.
    area = models.ForeignKey("areas.AdminArea", on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+")
    age_shown = models.CharField(max_length=8)
    has_car = models.BooleanField()
    # Sorted, without repeats: one cell per combination.
    directions = ArrayField(models.CharField(max_length=32))
    languages = ArrayField(models.CharField(max_length=2))
    days = ArrayField(models.PositiveSmallIntegerField())
    # day × 24 + hour, as on the card: the hours filter tests these (days alone test `days`).
    slots = ArrayField(models.PositiveSmallIntegerField(), default=list)
    count = models.IntegerField(default=0)

    class Meta:
        # The count rides in the index: a tile sums an area's cells by an index-only scan.
        constraints = [models.UniqueConstraint(
            fields=["level", "area", "age_shown", "has_car", "directions", "languages", "days",
                    "slots"],
            include=["count"], name="volunteers_area_count_cell")]

    def __str__(self):
        return f"{self.level} {self.area_id}: {self.count}"


class VolunteerAreaTotal(models.Model):
    """All cards of the public list counted at one area and map level (the sum of its
    VolunteerAreaCount cells): an unfiltered tile reads one row per area however varied the
    cards are. Kept by the same trigger, in the same statement (migration 0006)."""

    level = models.CharField(max_length=16)
    area = models.ForeignKey("areas.AdminArea", on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "area"], include=["count"],
                                               name="volunteers_area_total")]

    def __str__(self):
        return f"{self.level} {self.area_id}: {self.count}"


class ContactNotice(models.Model):
    """Told to the volunteer: someone whose identity is confirmed saw their contacts."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="notices")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("who"))
    requester_name = models.CharField(_("name"), max_length=300)
    confirmed_by = models.CharField(_("identity confirmed by"), max_length=32)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact notice")
        verbose_name_plural = _("contact notices")
        ordering = ["-created_at"]


class Assignment(models.Model):
    """Staff offer a help request to a volunteer; the volunteer accepts or declines."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("offered")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    request = models.ForeignKey("help.HelpRequest", on_delete=models.PROTECT,
                                related_name="volunteer_assignments",
                                verbose_name=_("help request"))
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT,
                                  related_name="assignments", verbose_name=_("volunteer"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.OFFERED, db_index=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("assigned by"))
    created_at = models.DateTimeField(_("assigned"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["request", "volunteer"],
                                               name="volunteers_one_assignment")]


class HelpRecord(AreaTaggedModel):
    """Help given by a volunteer to a person (one per volunteer and request), confirmed once.
    Its area tags are the help request's settlement's: counts per area read them."""

    class ConfirmedVia(models.TextChoices):
        PERSON = "person", _("the person helped (told to staff)")
        STAFF = "staff", _("staff of the area")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records",
                                  verbose_name=_("volunteer"))
    request = models.ForeignKey("help.HelpRequest", on_delete=models.PROTECT,
                                related_name="volunteer_records", verbose_name=_("help request"))
    kind = models.ForeignKey("help.HelpKind", to_field="code", on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("kind of help"))
    helped_on = models.DateField(_("helped on"))
    settlement_kato = models.CharField(max_length=9, db_index=True)
    area_kato_field = "settlement_kato"
    kato_is_exact = True
    geom = models.PointField(srid=4326, null=True, blank=True)  # unused: tags come from KATO
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, db_index=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("confirmed by"))
    confirmed_via = models.CharField(_("confirmed through"), max_length=8, blank=True,
                                     choices=ConfirmedVia.choices)

    class Meta:
        verbose_name = _("help record")
        verbose_name_plural = _("help records")
        constraints = [models.UniqueConstraint(fields=["volunteer", "request"],
                                               name="volunteers_one_record_per_request")]

    def __str__(self):
        return f"help record #{self.pk}"


class Review(models.Model):
    """The person helped (or staff for them) about one help record: at most one per record,
    so each record counts at most once; the text is published after moderation."""

    class Moderation(models.TextChoices):
        PENDING = "pending", _("waiting for a moderator")
        APPROVED = "approved", _("published")
        REJECTED = "rejected", _("rejected")

    record = models.OneToOneField(HelpRecord, on_delete=models.PROTECT, related_name="review",
                                  verbose_name=_("help record"))
    positive = models.BooleanField(_("positive"))
    text = models.CharField(_("text"), max_length=280, blank=True)
    moderation = models.CharField(_("moderation"), max_length=8, choices=Moderation.choices,
                                  default=Moderation.PENDING, db_index=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("written by"))
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("moderated by"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")


class VolunteerEvent(AppendOnlyModel):
    """What happened to a questionnaire: who, when, which action. Never personal data."""

    class Kind(models.TextChoices):
        CREATED = "created", _("signed up")
        UPDATED = "updated", _("updated")
        PAUSED = "paused", _("paused")
        RESUMED = "resumed", _("resumed")
        LEFT = "left", _("left; personal data erased")
        ASSIGNED = "assigned", _("assigned to a request")
        ANSWERED = "answered", _("answered an assignment")
        RECORDED = "recorded", _("help recorded")
        CONFIRMED = "confirmed", _("help confirmed")
        REVIEWED = "reviewed", _("reviewed")
        MODERATED = "moderated", _("review moderated")
        PROMOTED = "promoted", _("proposed direction decided")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("volunteer event")
        verbose_name_plural = _("volunteer events")
        ordering = ["-created_at"]
