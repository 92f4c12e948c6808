"""Every write of the help layer. Each action is one transaction, takes the acting user,
checks may(user, …, area) first, writes its HelpEvent row and raises a HelpError the views
turn into a clear 4xx. Messages and event rows never carry personal data.

Public interface:
  save_request(*, user, data: RequestInput, publish=False) -> (HelpRequest, created)
  publish_request(*, user, help_request), withdraw_request(*, user, help_request)
  set_status(*, user, help_request, status)
  reveal_contacts(*, request, help_request) -> {"full_name", "phone", "address"}
  erase_expired(now=None) -> int (archive fulfilled requests, erase their personal data)
  refresh_age_bands(today=None) -> int
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may
from gis_portal.errors import ActionError
from gis_portal.privacy.blind_index import blind_index, normalise_name, normalise_phone
from gis_portal.privacy.coarsen import coarsen_point
from layers.areas.models import AdminArea, Settlement

from .models import (
    AGE_BANDS,
    FamilySituation,
    HelpEvent,
    HelpHelper,
    HelpKind,
    HelpRequest,
    age_band_for,
)
from .moderation import DESCRIPTION_MAX_CHARS, personal_data_in

logger = logging.getLogger(__name__)
Status = HelpRequest.Status
Event = HelpEvent.Kind
CONTACT_FIELDS = ["full_name", "phone", "address"]
OLDEST_BIRTH_YEAR = 1900
MAX_AMOUNT = Decimal("100000000")


class HelpError(ActionError):
    status = 400
    code = "invalid"


class HelpForbidden(HelpError):
    status = 403
    code = "forbidden"


class HelpNotFound(HelpError):
    status = 404
    code = "not_found"


class HelpConflict(HelpError):
    status = 409
    code = "conflict"


@dataclass
class RequestInput:
    """One person's request as a form or an uploaded row gives it (already parsed)."""

    full_name: str
    phone: str
    address: str
    birth_year: int | None
    settlement: Settlement | None
    topic: str
    kind: str
    family_tags: list[str] = field(default_factory=list)
    amount_needed: Decimal | None = None
    description: str = ""
    consent_method: str = ""
    exact_position: dict | None = None


def settlement_area(settlement: Settlement) -> AdminArea | None:
    """The finest area of the current generation the settlement's KATO code names: its okrug,
    else its district, else its oblast (the same rule as layers.core.tagging)."""
    kato = settlement.kato
    areas = AdminArea.objects.filter(generation__is_current=True)
    return (areas.filter(level="okrug", kato=kato[:6] + "000").first()
            or areas.filter(level="district", kato__in=[kato[:4] + "00000", kato[:6] + "000"])
            .order_by("-kato").first()
            or areas.filter(level="oblast", kato=kato[:2] + "0000000").first())


def person_index_for(full_name: str, birth_year: int, settlement_kato: str) -> str:
    """Blind index of one person: the same name, birth year and settlement give the same
    index, so a re-uploaded list updates people instead of adding them twice."""
    return blind_index(f"{normalise_name(full_name)}|{birth_year}|{settlement_kato}",
                       "help.person")


def input_errors(data: RequestInput, today=None) -> list[tuple[str, str]]:
    """Everything wrong with the input, as (field, message) pairs; [] when it is valid."""
    errors = []
    year = (today or timezone.localdate()).year
    if not (data.full_name or "").strip():
        errors.append(("full_name", _("Full name is missing.")))
    if not (data.phone or "").strip():
        errors.append(("phone", _("Phone is missing.")))
    else:
        try:
            normalise_phone(data.phone)
        except ValidationError:
            errors.append(("phone", _("Phone must be a Kazakhstan number, e.g. "
                                      "+7 701 234 56 78.")))
    if not (data.address or "").strip():
        errors.append(("address", _("Address is missing.")))
    if data.birth_year is None:
        errors.append(("birth_year", _("Birth year is missing.")))
    elif not OLDEST_BIRTH_YEAR <= data.birth_year <= year:
        errors.append(("birth_year", _("Birth year must be between %(low)d and %(high)d.")
                       % {"low": OLDEST_BIRTH_YEAR, "high": year}))
    if data.settlement is None:
        errors.append(("settlement", _("Settlement is missing or unknown.")))
    elif data.settlement.geom is None:
        errors.append(("settlement", _("This settlement has no position yet.")))
    if data.topic not in HelpRequest.Topic.values:
        errors.append(("topic", _("Topic must be one of: %(choices)s.")
                       % {"choices": ", ".join(HelpRequest.Topic.values)}))
    kinds = set(HelpKind.objects.filter(is_active=True).values_list("code", flat=True))
    if data.kind not in kinds:
        errors.append(("kind", _("Kind of help must be one of: %(choices)s.")
                       % {"choices": ", ".join(sorted(kinds))}))
    tags = set(FamilySituation.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted(set(data.family_tags) - tags)
    if unknown:
        errors.append(("family_tags", _("Unknown family situation: %(unknown)s; use: "
                                        "%(choices)s.")
                       % {"unknown": ", ".join(unknown), "choices": ", ".join(sorted(tags))}))
    if data.amount_needed is not None and not (0 < data.amount_needed <= MAX_AMOUNT):
        errors.append(("amount_needed", _("Amount needed must be a positive number of tenge.")))
    if data.topic == HelpRequest.Topic.MATERIAL and data.amount_needed is None:
        errors.append(("amount_needed", _("Material help needs the amount needed.")))
    if len(data.description or "") > DESCRIPTION_MAX_CHARS:
        errors.append(("description", _("The description is longer than %(max)d characters.")
                       % {"max": DESCRIPTION_MAX_CHARS}))
    problem = personal_data_in(data.description)
    if problem:
        errors.append(("description", problem))
    if data.consent_method and data.consent_method not in HelpRequest.ConsentMethod.values:
        errors.append(("consent_method", _("Consent must be one of: %(choices)s.")
                       % {"choices": ", ".join(HelpRequest.ConsentMethod.values)}))
    return errors


def require_change(user, area) -> None:
    if area is None or not may(user, Action.CHANGE, area):
        raise HelpForbidden(_("Only akimat or NGO staff of this area may add or change its "
                              "help requests."))


def _event(help_request, kind, actor, detail="", now=None):
    HelpEvent.objects.create(request=help_request, kind=kind, actor=actor, detail=detail,
                             created_at=now or timezone.now())


def apply_input(help_request: HelpRequest, data: RequestInput, index: str, now) -> None:
    """Copy validated input onto a request (not saved): the public facts, the encrypted
    personal data, the blind indexes and the coarsened public point."""
    help_request.topic = data.topic
    help_request.kind_id = data.kind
    help_request.family_tags = sorted(set(data.family_tags))
    help_request.birth_year = data.birth_year
    help_request.age_band = age_band_for(data.birth_year)
    help_request.amount_needed = data.amount_needed
    help_request.description = (data.description or "").strip()
    help_request.settlement = data.settlement
    help_request.settlement_kato = data.settlement.kato
    help_request.full_name = data.full_name.strip()
    help_request.phone = normalise_phone(data.phone)
    help_request.address = data.address.strip()
    help_request.exact_position = data.exact_position
    help_request.person_index = index
    help_request.updated_at = now
    help_request.geom = coarsen_point(data.settlement.geom, f"help:{help_request.uid}")


@transaction.atomic
def save_request(*, user, data: RequestInput, publish: bool = False
                 ) -> tuple[HelpRequest, bool]:
    """Add a person's request, or update the one the same person (name, birth year,
    settlement) already has for this kind of help. Consent, when given, is recorded with the
    acting user and time; `publish` then puts it on the map."""
    errors = input_errors(data)
    if errors:
        name, message = errors[0]
        raise HelpError(message, field=name)
    area = settlement_area(data.settlement)
    require_change(user, area)
    now = timezone.now()
    index = person_index_for(data.full_name, data.birth_year, data.settlement.kato)
    help_request = (HelpRequest.objects.select_for_update()
                    .filter(person_index=index, kind_id=data.kind).first())
    created = help_request is None
    if created:
        help_request = HelpRequest(created_by=user, created_at=now)
    elif not may(user, Action.CHANGE, help_request.area):
        require_change(user, None)
    apply_input(help_request, data, index, now)
    if data.consent_method and help_request.consent_at is None:
        help_request.consent_at = now
        help_request.consent_method = data.consent_method
        help_request.consent_recorded_by = user
    help_request.save()
    _event(help_request, Event.CREATED if created else Event.UPDATED, user, now=now)
    if data.consent_method and help_request.consent_recorded_by_id == user.pk \
            and help_request.consent_at == now:
        _event(help_request, Event.CONSENT, user, help_request.consent_method, now=now)
    if publish and help_request.consent_at is not None and not help_request.is_published:
        _publish(user, help_request, now)
    elif help_request.is_published:
        _sync_fundraiser(user, help_request)
    return help_request, created


def _publish(user, help_request: HelpRequest, now) -> None:
    help_request.is_published = True
    help_request.published_on = help_request.published_on or timezone.localdate(now)
    HelpRequest.objects.filter(pk=help_request.pk).update(
        is_published=True, published_on=help_request.published_on)
    _event(help_request, Event.PUBLISHED, user, now=now)
    _sync_fundraiser(user, help_request)


def _sync_fundraiser(user, help_request: HelpRequest) -> None:
    """Material help with an amount is funded through gis_portal.funding: one fundraiser per
    request, its goal the amount needed and its area the request's area."""
    if help_request.topic != HelpRequest.Topic.MATERIAL or not help_request.amount_needed:
        return
    from gis_portal.funding import actions as funding

    fundraiser = funding.fundraiser_for(help_request)
    if fundraiser is None:
        funding.open_fundraiser(target=help_request, goal=help_request.amount_needed,
                                area=help_request.area)
    elif fundraiser.goal != help_request.amount_needed:
        funding.change_goal(user=user, fundraiser=fundraiser, goal=help_request.amount_needed)


def _close_fundraiser(help_request: HelpRequest, reason: str) -> None:
    from gis_portal.funding import actions as funding

    fundraiser = funding.fundraiser_for(help_request)
    if fundraiser is not None and fundraiser.is_open:
        funding.close_fundraiser(fundraiser=fundraiser, reason=reason)


def _locked(help_request: HelpRequest) -> HelpRequest:
    return HelpRequest.objects.select_for_update().get(pk=help_request.pk)


@transaction.atomic
def record_consent(*, user, help_request: HelpRequest, method: str) -> HelpRequest:
    help_request = _locked(help_request)
    require_change(user, help_request.area)
    if method not in HelpRequest.ConsentMethod.values:
        raise HelpError(_("Consent must be one of: %(choices)s.")
                        % {"choices": ", ".join(HelpRequest.ConsentMethod.values)},
                        field="consent_method")
    now = timezone.now()
    HelpRequest.objects.filter(pk=help_request.pk).update(
        consent_at=now, consent_method=method, consent_recorded_by=user)
    _event(help_request, Event.CONSENT, user, method, now=now)
    help_request.refresh_from_db()
    return help_request


@transaction.atomic
def publish_request(*, user, help_request: HelpRequest) -> HelpRequest:
    help_request = _locked(help_request)
    require_change(user, help_request.area)
    if help_request.consent_at is None:
        raise HelpConflict(_("Record the person's consent to publication first: without it "
                             "the request stays off the map."))
    if help_request.erased_at is not None or help_request.status == Status.ARCHIVED:
        raise HelpConflict(_("An archived request cannot be published again."))
    if not help_request.is_published:
        _publish(user, help_request, timezone.now())
    return help_request


@transaction.atomic
def withdraw_request(*, user, help_request: HelpRequest) -> HelpRequest:
    help_request = _locked(help_request)
    require_change(user, help_request.area)
    HelpRequest.objects.filter(pk=help_request.pk).update(is_published=False)
    _event(help_request, Event.UNPUBLISHED, user)
    _close_fundraiser(help_request, "withdrawn")
    help_request.refresh_from_db()
    return help_request


# Staff may move a request along open → helping → fulfilled → archived (or back to open
# while nobody has fulfilled it).
TRANSITIONS = {
    Status.OPEN: {Status.HELPING, Status.FULFILLED, Status.ARCHIVED},
    Status.HELPING: {Status.OPEN, Status.FULFILLED, Status.ARCHIVED},
    Status.FULFILLED: {Status.ARCHIVED},
    Status.ARCHIVED: set(),
}


@transaction.atomic
def set_status(*, user, help_request: HelpRequest, status: str) -> HelpRequest:
    help_request = _locked(help_request)
    require_change(user, help_request.area)
    current = Status(help_request.status)
    if status not in TRANSITIONS[current]:
        raise HelpConflict(_("A request that is %(current)s cannot become %(new)s.")
                           % {"current": current.label, "new": status})
    now = timezone.now()
    updates = {"status": status, "updated_at": now}
    if status == Status.FULFILLED:
        updates["fulfilled_at"] = now
    if status == Status.ARCHIVED:
        updates["archived_at"] = now
    HelpRequest.objects.filter(pk=help_request.pk).update(**updates)
    _event(help_request, Event.STATUS, user, f"{current} → {status}", now=now)
    if status in (Status.FULFILLED, Status.ARCHIVED):
        _close_fundraiser(help_request, str(status))
    help_request.refresh_from_db()
    return help_request


def reveal_contacts(*, request, help_request: HelpRequest) -> dict:
    """The person's full name, phone and address for a helper, through the reveal gate
    (gis_portal.identity.actions.run_reveal): confirmed identity, fresh step-up, daily limit,
    audit row. The first reveal to a helper counts them on the request and marks an open
    request "someone is helping". Raises RevealRefused subclasses (403/429) or HelpNotFound.
    Not to be called inside an outer transaction (the refusal's audit row must stay)."""
    from gis_portal.identity.actions import run_reveal

    if not help_request.is_public:
        raise HelpNotFound(_("This request is not open for help."))

    def reveal() -> dict:
        locked = _locked(help_request)
        if not locked.is_public:
            raise HelpNotFound(_("This request is not open for help."))
        _helper, first_time = HelpHelper.objects.get_or_create(request=locked,
                                                               helper=request.user)
        updates = {}
        if first_time:
            updates["helpers_asked"] = F("helpers_asked") + 1
        if locked.status == Status.OPEN:
            updates["status"] = Status.HELPING
        if updates:
            HelpRequest.objects.filter(pk=locked.pk).update(**updates)
        return {"full_name": locked.full_name, "phone": locked.phone, "address": locked.address}

    return run_reveal(request=request, target=help_request.target, area=help_request.area,
                      fields=CONTACT_FIELDS, reveal=reveal)


def erase_expired(now=None, days: int | None = None) -> int:
    """Archive requests fulfilled more than TZ_HELP_ERASE_AFTER_DAYS ago, and erase the
    personal data of every request archived that long: name, phone, address, exact position,
    birth year and the blind indexes go; the public facts stay for statistics. Returns how
    many requests were erased."""
    now = now or timezone.now()
    days = settings.TZ_HELP_ERASE_AFTER_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    erased = 0
    with transaction.atomic():
        fulfilled = HelpRequest.objects.filter(status=Status.FULFILLED, fulfilled_at__lte=cutoff)
        fulfilled.update(status=Status.ARCHIVED, archived_at=now, is_published=False)
        due = list(HelpRequest.objects.select_for_update()
                   .filter(status=Status.ARCHIVED, erased_at__isnull=True)
                   .filter(Q(fulfilled_at__lte=cutoff) | Q(archived_at__lte=cutoff)))
        for help_request in due:
            HelpRequest.objects.filter(pk=help_request.pk).update(
                full_name=None, phone=None, address=None, exact_position=None,
                birth_year=None, phone_index=None, person_index=None, erased_at=now,
                is_published=False)
            _event(help_request, Event.ERASED, None, now=now)
            erased += 1
    return erased


def refresh_age_bands(today=None) -> int:
    """Move people into the band of the age they reach this year (run daily)."""
    year = (today or timezone.localdate()).year
    changed = 0
    for code, low, high in AGE_BANDS:
        rows = HelpRequest.objects.filter(birth_year__isnull=False, birth_year__lte=year - low)
        if high is not None:
            rows = rows.filter(birth_year__gte=year - high)
        changed += rows.exclude(age_band=code).update(age_band=code)
    return changed
