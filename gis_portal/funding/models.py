"""Pooled funding: many people pledge towards one goal (a social project's price, a help
request's need), and the sum of live pledges never exceeds the goal.

A Fundraiser belongs to any target record (generic relation) and keeps running totals of its
pledges, guarded by CHECK constraints: 0 ≤ confirmed_total ≤ pledged_total ≤ goal. Every write
goes through gis_portal.funding.actions, which locks the fundraiser's row (SELECT … FOR UPDATE)
before it changes a pledge, so concurrent pledges queue on that row and the CHECK is the last
line of defence. Every change is a row of the append-only FundingEvent audit.
"""

from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_portal.identity.models import AppendOnlyModel

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# DecimalField(max_digits=14, decimal_places=2): the largest amount a column can hold.
MAX_AMOUNT = Decimal("999999999999.99")


def money_field(verbose_name, **kwargs):
    """Tenge with tiyn: every amount of the portal."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Fundraiser(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("target type"))
    object_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("content_type", "object_id")
    # Staff of this area (and of the areas around it) confirm and cancel its pledges.
    area = models.ForeignKey("areas.AdminArea", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area"))
    goal = money_field(_("goal, ₸"))
    # Running totals, changed only under the row lock: active + confirmed pledges, and the
    # confirmed (money received) part of them.
    pledged_total = money_field(_("pledged, ₸"), default=ZERO)
    confirmed_total = money_field(_("confirmed, ₸"), default=ZERO)
    is_open = models.BooleanField(_("accepting pledges"), default=True)
    closed_reason = models.CharField(_("why closed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("fundraiser")
        verbose_name_plural = _("fundraisers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"],
                                    name="funding_one_fundraiser_per_target"),
            models.CheckConstraint(condition=Q(goal__gt=0), name="funding_goal_positive"),
            models.CheckConstraint(condition=Q(confirmed_total__gte=0),
                                   name="funding_confirmed_not_negative"),
            models.CheckConstraint(condition=Q(confirmed_total__lte=F("pledged_total")),
                                   name="funding_confirmed_within_pledged"),
            models.CheckConstraint(condition=Q(pledged_total__lte=F("goal")),
                                   name="funding_pledged_within_goal"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} · {self.pledged_total}/{self.goal} ₸"

    @property
    def remaining(self) -> Decimal:
        return self.goal - self.pledged_total

    def progress(self) -> dict:
        """Goal, pledged, confirmed and remaining tenge, and the pledged and confirmed shares
        in percent (one decimal, rounded down: 100 only when the goal is reached)."""
        return {
            "goal": self.goal,
            "pledged": self.pledged_total,
            "confirmed": self.confirmed_total,
            "remaining": self.remaining,
            "percent_pledged": percent(self.pledged_total, self.goal),
            "percent_confirmed": percent(self.confirmed_total, self.goal),
        }


def percent(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


class Pledge(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("awaiting the money")
        CONFIRMED = "confirmed", _("money received")
        CANCELLED = "cancelled", _("cancelled by staff")
        WITHDRAWN = "withdrawn", _("withdrawn by the donor")
        EXPIRED = "expired", _("expired")

    # Statuses whose amount counts towards the fundraiser's pledged_total.
    LIVE = (Status.ACTIVE, Status.CONFIRMED)

    fundraiser = models.ForeignKey(Fundraiser, on_delete=models.PROTECT, related_name="pledges",
                                   verbose_name=_("fundraiser"))
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="funding_pledges", verbose_name=_("donor"))
    amount = money_field(_("amount, ₸"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.ACTIVE)
    # Listed as "anonymous donor" in the public donor list instead of the donor's name.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    created_at = models.DateTimeField(_("pledged at"), default=timezone.now)
    # An active pledge not confirmed by then expires (settings.TZ_PLEDGE_HOLD_DAYS).
    expires_at = models.DateTimeField(_("held until"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_pledge_positive"),
        ]
        indexes = [
            models.Index(fields=["fundraiser", "status"], name="funding_pledge_status_idx"),
            models.Index(fields=["expires_at"], condition=Q(status="active"),
                         name="funding_pledge_active_exp_idx"),
            models.Index(fields=["donor", "-created_at"], name="funding_pledge_donor_idx"),
        ]

    def __str__(self):
        return f"{self.amount} ₸ · {self.get_status_display()}"

    @property
    def donor_display(self) -> str:
        """What the public donor list shows: the donor's full name, else their username, or
        "Anonymous donor" by the donor's choice. Never an e-mail or phone."""
        if self.anonymous:
            return str(_("Anonymous donor"))
        return self.donor.get_full_name().strip() or self.donor.get_username()


class FundingEvent(AppendOnlyModel):
    """The audit of pooled funding: one row per state change (who, what, when, how much).
    Append-only in the ORM and by a database trigger."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("fundraiser opened")
        GOAL_CHANGED = "goal_changed", _("goal changed")
        CLOSED = "closed", _("fundraiser closed")
        REOPENED = "reopened", _("fundraiser reopened")
        PLEDGED = "pledged", _("pledged")
        CONFIRMED = "confirmed", _("pledge confirmed")
        CANCELLED = "cancelled", _("pledge cancelled")
        WITHDRAWN = "withdrawn", _("pledge withdrawn")
        EXPIRED = "expired", _("pledge expired")

    fundraiser = models.ForeignKey(Fundraiser, on_delete=models.PROTECT, related_name="events",
                                   verbose_name=_("fundraiser"))
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="events", verbose_name=_("pledge"))
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    # None: the portal itself (an expiry, a target closing its fundraiser).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    # The pledge's amount, or the new goal for opened/goal_changed.
    amount = money_field(_("amount, ₸"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("funding event")
        verbose_name_plural = _("funding events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
