"""Every write of pooled funding: open, re-goal, close and reopen a fundraiser; pledge,
confirm, cancel, withdraw and expire pledges.

Each action is one transaction that first locks the fundraiser's row (SELECT … FOR UPDATE):
concurrent pledges on one fundraiser queue on that row, so the remainder one of them sees is
the remainder it gets. The fundraiser's CHECK constraints (pledged ≤ goal, …) refuse anything
the Python missed. Each action writes its FundingEvent rows and, after any change of the
totals, calls `target.funding_changed(fundraiser)` inside the transaction when the target
model defines it (a project becomes "fully funded" there).

A target may also define `pledge_refusal(fundraiser) -> str | None`: None while it accepts
pledges, otherwise the message that says why not ("the project is not published"). It is
asked under the lock before every pledge, together with the fundraiser's own is_open.
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, areas_where, may
from gis_portal.errors import ActionError
from layers.areas.models import AdminArea

from .models import CENT, MAX_AMOUNT, ZERO, FundingEvent, Fundraiser, Pledge

Status = Pledge.Status
Kind = FundingEvent.Kind
REMAINDER = "remainder"
NOTE_MAX_CHARS = 500


class FundingError(ActionError):
    """Bad input (HTTP 400): an amount that is not a positive number of tenge, …"""

    status = 400
    code = "invalid"


class FundingConflict(FundingError):
    """The request is well-formed but the fundraiser's state refuses it (HTTP 409)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, code: str = "conflict", remaining: Decimal | None = None,
                 field: str | None = None):
        super().__init__(message, field=field)
        self.code = code
        self.remaining = remaining


class FundingForbidden(FundingError):
    status = 403
    code = "forbidden"


class FundingNotSignedIn(FundingError):
    status = 401
    code = "not_signed_in"


def clock():
    """The current time; tests replace it to move through a pledge's hold."""
    return timezone.now()


def tenge(amount: Decimal) -> str:
    """1234567.5 → "1 234 567,50 ₸" in the active language's number format."""
    return _("%(amount)s ₸") % {
        "amount": number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}


# --- amounts ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+)(?:\.(\d+))?$")
# Spaces people type as thousands separators (plain, no-break, narrow no-break).
_GROUPING = re.compile(r"[ \u00a0\u202f]")


def parse_amount(value, *, field: str = "amount", allow_remainder: bool = True):
    """An amount of tenge as a Decimal with at most two decimals, more than zero; None for
    "the whole remainder" (None or "remainder"). Accepts Decimal, int, a JSON number, or text
    with a dot or a single comma as decimal separator and spaces between thousands.
    Raises FundingError (400) that says what to fix."""
    if value is None or (isinstance(value, str) and value.strip().lower() == REMAINDER):
        if allow_remainder:
            return None
        raise FundingError(_("Enter an amount in tenge."), field=field)
    not_a_number = FundingError(
        _("The amount must be a number of tenge, for example 1500 or 1500.50."), field=field)
    if isinstance(value, bool):
        raise not_a_number
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise not_a_number
        text = format(value, "f")
    elif isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = _GROUPING.sub("", value.strip())
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
    else:
        raise not_a_number
    match = _NUMBER.match(text)
    if not match:
        raise not_a_number
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise not_a_number from None
    if amount <= 0:
        raise FundingError(_("The amount must be more than zero."), field=field)
    # Before any rounding: a number past Decimal's precision cannot be quantized.
    if amount > MAX_AMOUNT:
        raise FundingError(_("The amount is too large: at most %(max)s.")
                           % {"max": tenge(MAX_AMOUNT)}, field=field)
    if amount != amount.quantize(CENT):
        raise FundingError(_("The amount can have at most two decimals (tiyn)."), field=field)
    return amount.quantize(CENT)


def _note(text: str) -> str:
    text = (text or "").strip()
    if len(text) > NOTE_MAX_CHARS:
        raise FundingError(_("The reason is too long: at most %(count)d characters.")
                           % {"count": NOTE_MAX_CHARS}, field="reason")
    return text


# --- shared steps ----------------------------------------------------------------------------

def _signed_in(user, message: str):
    if user is None or not user.is_authenticated or not user.is_active:
        raise FundingNotSignedIn(message)


def _lock(fundraiser_id: int) -> Fundraiser:
    return Fundraiser.objects.select_for_update().get(pk=fundraiser_id)


# Area rows carry boundary polygons (megabytes for an oblast): rights need only the chain.
AREA_GEOMETRY = ("geom", "geom_simplified")


def _area_of(fundraiser: Fundraiser) -> AdminArea:
    return AdminArea.objects.defer(*AREA_GEOMETRY).get(pk=fundraiser.area_id)


def _copy_state(source: Fundraiser, into: Fundraiser) -> None:
    """The caller's instance shows the totals the action left behind."""
    if into is source:
        return
    for name in ("goal", "pledged_total", "confirmed_total", "is_open", "closed_reason",
                 "updated_at", "area_id"):
        setattr(into, name, getattr(source, name))


def _save_totals(fundraiser: Fundraiser) -> None:
    fundraiser.save(update_fields=["goal", "pledged_total", "confirmed_total", "updated_at"])


def _event(fundraiser, kind, *, actor=None, pledge=None, amount=None, note="", now=None):
    FundingEvent.objects.create(fundraiser=fundraiser, pledge=pledge, kind=kind, actor=actor,
                                amount=amount, note=note, created_at=now or clock())


def _notify_target(fundraiser: Fundraiser) -> None:
    target = fundraiser.target
    hook = getattr(target, "funding_changed", None)
    if callable(hook):
        hook(fundraiser)


def _expire_stale(fundraiser: Fundraiser, now) -> int:
    """Under the fundraiser's lock: expire its active pledges whose hold has ended and give
    their amount back to the remainder. Returns how many expired."""
    stale = list(fundraiser.pledges.select_for_update()
                 .filter(status=Status.ACTIVE, expires_at__lte=now).order_by("pk"))
    if not stale:
        return 0
    Pledge.objects.filter(pk__in=[p.pk for p in stale]).update(
        status=Status.EXPIRED, decided_at=now, decided_by=None)
    fundraiser.pledged_total -= sum((p.amount for p in stale), ZERO)
    _save_totals(fundraiser)
    FundingEvent.objects.bulk_create([
        FundingEvent(fundraiser=fundraiser, pledge=p, kind=Kind.EXPIRED, actor=None,
                     amount=p.amount, created_at=now,
                     note=_("not confirmed within %(days)d days")
                     % {"days": settings.TZ_PLEDGE_HOLD_DAYS})
        for p in stale])
    return len(stale)


def _require_staff(user, fundraiser: Fundraiser, message: str) -> None:
    _signed_in(user, _("Sign in as akimat or NGO staff of the area."))
    if not may(user, Action.CHANGE, _area_of(fundraiser)):
        raise FundingForbidden(message)


# --- fundraisers -----------------------------------------------------------------------------

def open_fundraiser(*, target, goal, area, user=None) -> Fundraiser:
    """The fundraiser of `target` (any saved model instance) towards `goal` tenge, its pledges
    handled by the staff of `area`. Opening it again for the same target updates its goal and
    area and reopens it, so a re-published record keeps its pledges."""
    goal = parse_amount(goal, field="goal", allow_remainder=False)
    content_type = ContentType.objects.get_for_model(target)
    with transaction.atomic():
        fundraiser = (Fundraiser.objects.select_for_update()
                      .filter(content_type=content_type, object_id=target.pk).first())
        now = clock()
        if fundraiser is None:
            fundraiser = Fundraiser.objects.create(content_type=content_type,
                                                   object_id=target.pk, goal=goal, area=area)
            _event(fundraiser, Kind.OPENED, actor=user, amount=goal, now=now)
            return fundraiser
        if goal < fundraiser.pledged_total:
            raise _goal_below_pledged(fundraiser)
        changed_goal = goal != fundraiser.goal
        fundraiser.goal, fundraiser.area = goal, area
        reopened = not fundraiser.is_open
        fundraiser.is_open, fundraiser.closed_reason = True, ""
        fundraiser.save()
        if changed_goal:
            _event(fundraiser, Kind.GOAL_CHANGED, actor=user, amount=goal, now=now)
            _notify_target(fundraiser)
        if reopened:
            _event(fundraiser, Kind.REOPENED, actor=user, now=now)
        return fundraiser


def _goal_below_pledged(fundraiser: Fundraiser) -> FundingConflict:
    return FundingConflict(
        _("%(pledged)s is already pledged: the goal cannot be less than that.")
        % {"pledged": tenge(fundraiser.pledged_total)}, code="goal_below_pledged", field="goal")


def change_goal(*, user, fundraiser: Fundraiser, goal) -> Fundraiser:
    """Staff of the fundraiser's area change its goal (a corrected estimate); never below what
    is already pledged."""
    goal = parse_amount(goal, field="goal", allow_remainder=False)
    with transaction.atomic():
        locked = _lock(fundraiser.pk)
        _require_staff(user, locked, _("Only staff of the fundraiser's area may change its "
                                       "goal."))
        if goal < locked.pledged_total:
            raise _goal_below_pledged(locked)
        if goal != locked.goal:
            locked.goal = goal
            _save_totals(locked)
            _event(locked, Kind.GOAL_CHANGED, actor=user, amount=goal)
            _notify_target(locked)
    _copy_state(locked, fundraiser)
    return fundraiser


def close_fundraiser(*, fundraiser: Fundraiser, reason: str, user=None) -> Fundraiser:
    """No more pledges (the target was completed, fulfilled, withdrawn…). Pledges already
    made stay as they are: staff still confirm or cancel them, or they expire."""
    with transaction.atomic():
        locked = _lock(fundraiser.pk)
        reason = (reason or "").strip()[:300]
        if locked.is_open or locked.closed_reason != reason:
            locked.is_open, locked.closed_reason = False, reason
            locked.save(update_fields=["is_open", "closed_reason", "updated_at"])
            _event(locked, Kind.CLOSED, actor=user, note=reason)
    _copy_state(locked, fundraiser)
    return fundraiser


def reopen_fundraiser(*, fundraiser: Fundraiser, user=None) -> Fundraiser:
    with transaction.atomic():
        locked = _lock(fundraiser.pk)
        if not locked.is_open:
            locked.is_open, locked.closed_reason = True, ""
            locked.save(update_fields=["is_open", "closed_reason", "updated_at"])
            _event(locked, Kind.REOPENED, actor=user)
    _copy_state(locked, fundraiser)
    return fundraiser


def fundraiser_for(target) -> Fundraiser | None:
    if target is None or target.pk is None:
        return None
    return (Fundraiser.objects.filter(content_type=ContentType.objects.get_for_model(target),
                                      object_id=target.pk).first())


# --- pledges ---------------------------------------------------------------------------------

def pledge(*, user, fundraiser: Fundraiser, amount, anonymous: bool = False) -> Pledge:
    """Pledge `amount` tenge (None or "remainder": exactly what remains at the moment of the
    lock). Refused with 409 when the fundraiser does not accept pledges or the amount is
    above the remainder (the message says how much remains), 400 for a bad amount."""
    _signed_in(user, _("Sign in to pledge."))
    amount = parse_amount(amount)
    with transaction.atomic():
        locked = _lock(fundraiser.pk)
        now = clock()
        # Dead pledges never hold the remainder: expire this fundraiser's stale ones first.
        _expire_stale(locked, now)
        refusal = _pledge_refusal(locked)
        if refusal:
            raise FundingConflict(refusal, code="closed")
        remaining = locked.remaining
        if remaining <= 0:
            raise FundingConflict(_("The goal is already fully pledged: nothing remains to "
                                    "pledge."), code="fully_pledged", remaining=ZERO,
                                  field="amount")
        if amount is None:
            amount = remaining
        elif amount > remaining:
            raise FundingConflict(
                _("Only %(remaining)s remains to be pledged: pledge that much or less.")
                % {"remaining": tenge(remaining)}, code="over_remainder",
                remaining=remaining, field="amount")
        created = Pledge.objects.create(
            fundraiser=locked, donor=user, amount=amount, anonymous=bool(anonymous),
            created_at=now, expires_at=now + timedelta(days=settings.TZ_PLEDGE_HOLD_DAYS))
        locked.pledged_total += amount
        _save_totals(locked)
        _event(locked, Kind.PLEDGED, actor=user, pledge=created, amount=amount, now=now)
        _notify_target(locked)
    _copy_state(locked, fundraiser)
    return created


def _pledge_refusal(fundraiser: Fundraiser) -> str | None:
    if not fundraiser.is_open:
        if fundraiser.closed_reason:
            return _("This fundraiser is closed: %(reason)s") % {
                "reason": fundraiser.closed_reason}
        return _("This fundraiser is closed and takes no more pledges.")
    hook = getattr(fundraiser.target, "pledge_refusal", None)
    if callable(hook):
        return hook(fundraiser) or None
    return None


def _refuse_status(current: Pledge, message: str):
    raise FundingConflict(message % {"status": current.get_status_display()},
                          code="pledge_" + current.status)


def _sync_pledge(source: Pledge, into: Pledge) -> None:
    for name in ("status", "decided_at", "decided_by_id", "note"):
        setattr(into, name, getattr(source, name))


def confirm_pledge(*, user, pledge: Pledge) -> Pledge:
    """Staff of the fundraiser's area: the money of this active pledge has arrived."""
    with transaction.atomic():
        locked = _lock(pledge.fundraiser_id)
        _require_staff(user, locked, _("Only staff of the fundraiser's area may confirm its "
                                       "pledges."))
        current = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if current.status != Status.ACTIVE:
            _refuse_status(current, _("This pledge is %(status)s: only a pledge awaiting the "
                                      "money can be confirmed."))
        now = clock()
        current.status, current.decided_at, current.decided_by = Status.CONFIRMED, now, user
        current.save(update_fields=["status", "decided_at", "decided_by"])
        locked.confirmed_total += current.amount
        _save_totals(locked)
        _event(locked, Kind.CONFIRMED, actor=user, pledge=current, amount=current.amount,
               now=now)
        _notify_target(locked)
    _sync_pledge(current, pledge)
    _copy_state(locked, pledge.fundraiser)
    return pledge


def cancel_pledge(*, user, pledge: Pledge, reason: str = "") -> Pledge:
    """Staff of the fundraiser's area cancel a pledge: an active one (the money will not
    come) or a confirmed one (the money was returned). Its amount is freed."""
    reason = _note(reason)
    with transaction.atomic():
        locked = _lock(pledge.fundraiser_id)
        _require_staff(user, locked, _("Only staff of the fundraiser's area may cancel its "
                                       "pledges."))
        current = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if current.status not in Pledge.LIVE:
            _refuse_status(current, _("This pledge is %(status)s already: there is nothing "
                                      "to cancel."))
        now = clock()
        if current.status == Status.CONFIRMED:
            locked.confirmed_total -= current.amount
        locked.pledged_total -= current.amount
        current.status, current.decided_at, current.decided_by = Status.CANCELLED, now, user
        current.note = reason
        current.save(update_fields=["status", "decided_at", "decided_by", "note"])
        _save_totals(locked)
        _event(locked, Kind.CANCELLED, actor=user, pledge=current, amount=current.amount,
               note=reason, now=now)
        _notify_target(locked)
    _sync_pledge(current, pledge)
    _copy_state(locked, pledge.fundraiser)
    return pledge


def withdraw_pledge(*, user, pledge: Pledge) -> Pledge:
    """The donor takes back their own pledge while the money has not been confirmed."""
    _signed_in(user, _("Sign in to withdraw your pledge."))
    with transaction.atomic():
        locked = _lock(pledge.fundraiser_id)
        current = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if current.donor_id != user.pk:
            raise FundingForbidden(_("Only the donor may withdraw a pledge."))
        if current.status != Status.ACTIVE:
            _refuse_status(current, _("This pledge is %(status)s: only a pledge whose money "
                                      "has not been received can be withdrawn."))
        now = clock()
        locked.pledged_total -= current.amount
        current.status, current.decided_at, current.decided_by = Status.WITHDRAWN, now, user
        current.save(update_fields=["status", "decided_at", "decided_by"])
        _save_totals(locked)
        _event(locked, Kind.WITHDRAWN, actor=user, pledge=current, amount=current.amount,
               now=now)
        _notify_target(locked)
    _sync_pledge(current, pledge)
    _copy_state(locked, pledge.fundraiser)
    return pledge


def expire_pledges(now=None) -> int:
    """Expire every active pledge whose hold has ended, fundraiser by fundraiser (one short
    transaction each), and free their amounts. Returns how many expired."""
    now = now or clock()
    fundraiser_ids = list(Pledge.objects.filter(status=Status.ACTIVE, expires_at__lte=now)
                          .order_by("fundraiser_id").values_list("fundraiser_id", flat=True)
                          .distinct())
    count = 0
    for fundraiser_id in fundraiser_ids:
        with transaction.atomic():
            locked = _lock(fundraiser_id)
            expired = _expire_stale(locked, now)
            if expired:
                _notify_target(locked)
            count += expired
    return count


# --- reading ---------------------------------------------------------------------------------

def is_publicly_visible(fundraiser: Fundraiser) -> bool:
    """Whether the public may see the fundraiser (progress, donor list): not when its target
    says it is not public (`is_public`, a property or a method: a draft or hidden project, an
    unpublished help request)."""
    target = fundraiser.target
    if target is None:
        return False
    public = getattr(target, "is_public", True)
    return bool(public() if callable(public) else public)


def public_donors(fundraiser: Fundraiser, limit: int | None = None) -> list[dict]:
    """The public donor list: live pledges, newest first, each as the donor's chosen display
    (name or "anonymous donor"), the amount and whether the money has arrived."""
    pledges = (fundraiser.pledges.filter(status__in=Pledge.LIVE)
               .select_related("donor").order_by("-created_at", "-pk"))
    if limit is not None:
        pledges = pledges[:limit]
    return [{"name": p.donor_display, "amount": p.amount,
             "confirmed": p.status == Status.CONFIRMED} for p in pledges]


def donor_count(fundraiser: Fundraiser) -> int:
    return fundraiser.pledges.filter(status__in=Pledge.LIVE).count()


def pledges_awaiting_confirmation(user):
    """Active pledges of fundraisers in the areas where the user may change records (an area
    role covers the areas inside it), those whose hold ends soonest first; none for a user
    without such a role."""
    area = "fundraiser__area"
    pledges = (Pledge.objects.filter(status=Status.ACTIVE)
               .select_related(f"{area}__parent__parent", "fundraiser__content_type", "donor")
               .defer(*(f"{prefix}__{field}" for prefix in (area, f"{area}__parent",
                                                            f"{area}__parent__parent")
                        for field in AREA_GEOMETRY))
               # The partial index on active pledges' expires_at serves this order.
               .order_by("expires_at"))
    roots = areas_where(user, Action.CHANGE)
    if roots is None:
        return pledges
    ids = [area.pk for area in roots]
    return pledges.filter(Q(fundraiser__area_id__in=ids)
                          | Q(fundraiser__area__parent_id__in=ids)
                          | Q(fundraiser__area__parent__parent_id__in=ids))


def pledges_of(user):
    return (Pledge.objects.filter(donor=user).select_related("fundraiser__content_type")
            .order_by("-created_at", "-pk"))


def live_total(fundraiser: Fundraiser) -> Decimal:
    """The sum of the fundraiser's active and confirmed pledges, counted from the pledges
    themselves (the running total must always equal it)."""
    return (fundraiser.pledges.filter(status__in=Pledge.LIVE)
            .aggregate(total=Sum("amount"))["total"] or ZERO)
