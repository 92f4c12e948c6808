"""Every write of the volunteer corps. Each action is one transaction, takes the acting user,
checks who may do it first, writes its VolunteerEvent row and raises a VolunteerError the
views turn into a clear 4xx. Messages and event rows never carry personal data.

Public interface:
  QuestionnaireInput(...)                              the questionnaire, parsed
  sign_up(*, user, data) -> Volunteer                  a person signs up themselves
  enter_paper(*, user, data, rebuild=True) -> (Volunteer, created)   a paper questionnaire
  update_questionnaire(*, user, volunteer, data) -> Volunteer
  pause(*, user, volunteer), resume(*, user, volunteer), leave(*, user, volunteer)
  decide_proposal(*, user, proposal, code=None, names=None) (promote, or reject without code)
  reveal_contacts(*, request, volunteer) -> {"full_name", "phone", "email"}
  assign(*, user, help_request, volunteer) -> Assignment
  answer_assignment(*, user, assignment, accept: bool) -> Assignment
  record_help(*, user, volunteer, help_request, helped_on) -> HelpRecord
  confirm_record(*, user, record, via) -> HelpRecord
  write_review(*, user, record, positive, text="") -> Review
  moderate_review(*, user, review, approve: bool) -> Review
Who may: the volunteer themselves (their own questionnaire, their own assignments); akimat
and NGO staff of the volunteer's (or the request's) area: may(user, CHANGE, area);
moderators of the area: may(user, MODERATE, area) for proposals and review texts.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may
from gis_portal.errors import ActionError
from gis_portal.privacy.blind_index import blind_index, normalise_name, normalise_phone
from layers.areas.models import Settlement
from layers.help.actions import settlement_area
from layers.help.moderation import personal_data_in

from .anonymity import YOUNGEST_AGE, rebuild_cards
from .models import (
    HOURS_IN_WEEK,
    LANGUAGE_CHOICES,
    MAX_TRAVEL_KM,
    Assignment,
    ContactNotice,
    Direction,
    DirectionProposal,
    HelpRecord,
    Review,
    Volunteer,
    VolunteerEvent,
)

Event = VolunteerEvent.Kind
CONTACT_FIELDS = ["full_name", "phone", "email"]
OLDEST_BIRTH_YEAR = 1920
REVIEW_MAX_CHARS = 280


class VolunteerError(ActionError):
    status = 400
    code = "invalid"


class VolunteerForbidden(VolunteerError):
    status = 403
    code = "forbidden"


class VolunteerNotFound(VolunteerError):
    status = 404
    code = "not_found"


class VolunteerConflict(VolunteerError):
    status = 409
    code = "conflict"


@dataclass
class QuestionnaireInput:
    """One questionnaire as the form, the staff page or an uploaded row gives it (parsed)."""

    full_name: str
    phone: str
    birth_year: int | None
    gender: str
    settlement: Settlement | None
    directions: list[str] = field(default_factory=list)
    own_directions: list[str] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)
    email: str = ""
    education: str = ""
    experience: str = ""
    has_car: bool = False
    car_seats: int = 0
    languages: list[str] = field(default_factory=list)
    travel_km: int = 10


def slots_for(days, hours) -> list[int]:
    """Weekly slots of the given days (0 = Monday) at the given hours."""
    return sorted({day * 24 + hour for day in days for hour in hours})


def person_index_for(full_name: str, birth_year: int, settlement_kato: str) -> str:
    return blind_index(f"{normalise_name(full_name)}|{birth_year}|{settlement_kato}",
                       "volunteers.person")


def input_errors(data: QuestionnaireInput, today=None) -> list[tuple[str, str]]:
    """Everything wrong with the questionnaire as (field, message) pairs; [] when valid."""
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
    if data.birth_year is None:
        errors.append(("birth_year", _("Birth year is missing.")))
    elif not OLDEST_BIRTH_YEAR <= data.birth_year <= year - YOUNGEST_AGE:
        errors.append(("birth_year", _("Volunteers are %(age)d or older: birth year between "
                                       "%(low)d and %(high)d.")
                       % {"age": YOUNGEST_AGE, "low": OLDEST_BIRTH_YEAR,
                          "high": year - YOUNGEST_AGE}))
    if data.gender not in Volunteer.Gender.values:
        errors.append(("gender", _("Gender must be one of: %(choices)s.")
                       % {"choices": ", ".join(Volunteer.Gender.values)}))
    if data.settlement is None:
        errors.append(("settlement", _("Home settlement is missing or unknown.")))
    elif data.settlement.geom is None:
        errors.append(("settlement", _("This settlement has no position yet.")))
    codes = set(Direction.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted(set(data.directions) - codes)
    if unknown:
        errors.append(("directions", _("Unknown direction: %(unknown)s; use: %(choices)s, or "
                                       "propose your own.")
                       % {"unknown": ", ".join(unknown), "choices": ", ".join(sorted(codes))}))
    own = [text.strip() for text in data.own_directions if text.strip()]
    if not data.directions and not own:
        errors.append(("directions", _("Choose at least one direction, or propose your own.")))
    if any(len(text) > 80 for text in own):
        errors.append(("own_directions", _("A proposed direction is at most 80 characters.")))
    if any(personal_data_in(text) for text in own):
        errors.append(("own_directions", _("A proposed direction must not hold contacts or an "
                                           "address.")))
    if any(not isinstance(s, int) or not 0 <= s < HOURS_IN_WEEK for s in data.slots):
        errors.append(("slots", _("Weekly hours must be between 0 (Monday 0:00) and 167 "
                                  "(Sunday 23:00).")))
    if data.education and data.education not in Volunteer.Education.values:
        errors.append(("education", _("Education must be one of: %(choices)s.")
                       % {"choices": ", ".join(Volunteer.Education.values)}))
    if data.experience and data.experience not in Volunteer.Experience.values:
        errors.append(("experience", _("Experience must be one of: %(choices)s.")
                       % {"choices": ", ".join(Volunteer.Experience.values)}))
    languages = {code for code, _label in LANGUAGE_CHOICES}
    if set(data.languages) - languages:
        errors.append(("languages", _("Languages must be among: kk, ru, en.")))
    if not 0 <= (data.car_seats or 0) <= 8 or (data.car_seats and not data.has_car):
        errors.append(("car_seats", _("Free seats are 0 to 8, and only with a car.")))
    if not 1 <= (data.travel_km or 0) <= MAX_TRAVEL_KM:
        errors.append(("travel_km", _("Travel distance must be 1 to %(max)d km.")
                       % {"max": MAX_TRAVEL_KM}))
    return errors


def _check(data: QuestionnaireInput) -> None:
    errors = input_errors(data)
    if errors:
        name, message = errors[0]
        raise VolunteerError(message, field=name)


def _event(volunteer, kind, actor, detail=""):
    VolunteerEvent.objects.create(volunteer=volunteer, kind=kind, actor=actor, detail=detail)


def _is_self(user, volunteer) -> bool:
    return bool(user and user.is_authenticated and volunteer.user_id == user.pk)


def _is_staff_of(user, area) -> bool:
    return area is not None and may(user, Action.CHANGE, area)


def require_self_or_staff(user, volunteer) -> None:
    if not (_is_self(user, volunteer) or _is_staff_of(user, volunteer.area)):
        raise VolunteerForbidden(_("Only the volunteer, or akimat or NGO staff of their area, "
                                   "may change this questionnaire."))


def _apply(volunteer: Volunteer, data: QuestionnaireInput, now) -> None:
    volunteer.full_name = data.full_name.strip()
    volunteer.phone = normalise_phone(data.phone)
    volunteer.email = (data.email or "").strip() or None
    volunteer.birth_year = data.birth_year
    volunteer.gender = data.gender
    volunteer.education = data.education
    volunteer.experience = data.experience
    volunteer.has_car = data.has_car
    volunteer.car_seats = data.car_seats if data.has_car else 0
    volunteer.languages = sorted(set(data.languages))
    volunteer.directions = sorted(set(data.directions))
    volunteer.slots = sorted(set(data.slots))
    volunteer.settlement = data.settlement
    volunteer.settlement_kato = data.settlement.kato
    volunteer.geom = data.settlement.geom
    volunteer.travel_km = data.travel_km
    volunteer.person_index = person_index_for(data.full_name, data.birth_year,
                                              data.settlement.kato)
    volunteer.updated_at = now


def _save_proposals(volunteer: Volunteer, data: QuestionnaireInput) -> None:
    known = set(volunteer.proposals.values_list("text", flat=True))
    for text in data.own_directions:
        text = text.strip()
        if text and text not in known:
            DirectionProposal.objects.create(volunteer=volunteer, text=text)
            known.add(text)


def _save(volunteer: Volunteer) -> None:
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        raise VolunteerConflict(_("This person is already a volunteer (same name, birth year "
                                  "and settlement)."), field="full_name") from None


@transaction.atomic
def sign_up(*, user, data: QuestionnaireInput) -> Volunteer:
    """A signed-in person fills in the questionnaire for themselves."""
    if not (user and user.is_authenticated):
        raise VolunteerForbidden(_("Sign in to become a volunteer."))
    _check(data)
    if Volunteer.objects.filter(user=user).exclude(status=Volunteer.Status.LEFT).exists():
        raise VolunteerConflict(_("You are a volunteer already: edit your questionnaire."))
    Volunteer.objects.filter(user=user).update(user=None)  # an old, erased questionnaire
    now = timezone.now()
    volunteer = Volunteer(user=user, created_at=now)
    _apply(volunteer, data, now)
    _save(volunteer)
    _save_proposals(volunteer, data)
    _event(volunteer, Event.CREATED, user)
    rebuild_cards(oblast_ids={volunteer.oblast_id})
    return volunteer


@transaction.atomic
def enter_paper(*, user, data: QuestionnaireInput, rebuild: bool = True
                ) -> tuple[Volunteer, bool]:
    """Staff enter a paper questionnaire (or an NGO list row): a person already held (same
    name, birth year and settlement) is updated, not added twice. An import of many rows
    passes rebuild=False and rebuilds the public list once at its end."""
    _check(data)
    area = settlement_area(data.settlement)
    if not _is_staff_of(user, area):
        raise VolunteerForbidden(_("Only akimat or NGO staff of this area may enter "
                                   "questionnaires."))
    now = timezone.now()
    index = person_index_for(data.full_name, data.birth_year, data.settlement.kato)
    volunteer = Volunteer.objects.select_for_update().filter(person_index=index).first()
    created = volunteer is None
    oblast_before = None if created else volunteer.oblast_id
    if created:
        volunteer = Volunteer(entered_by=user, created_at=now)
    elif not _is_staff_of(user, volunteer.area):
        raise VolunteerForbidden(_("Only akimat or NGO staff of this area may enter "
                                   "questionnaires."))
    _apply(volunteer, data, now)
    _save(volunteer)
    _save_proposals(volunteer, data)
    _event(volunteer, Event.CREATED if created else Event.UPDATED, user)
    if rebuild:
        rebuild_cards(oblast_ids={oblast_before, volunteer.oblast_id})
    return volunteer, created


def _locked(volunteer: Volunteer) -> Volunteer:
    return Volunteer.objects.select_for_update().get(pk=volunteer.pk)


@transaction.atomic
def update_questionnaire(*, user, volunteer: Volunteer, data: QuestionnaireInput) -> Volunteer:
    volunteer = _locked(volunteer)
    require_self_or_staff(user, volunteer)
    if volunteer.status == Volunteer.Status.LEFT:
        raise VolunteerConflict(_("This volunteer has left the corps."))
    _check(data)
    oblast_before = volunteer.oblast_id  # a new settlement may lie in another oblast
    _apply(volunteer, data, timezone.now())
    _save(volunteer)
    _save_proposals(volunteer, data)
    _event(volunteer, Event.UPDATED, user)
    rebuild_cards(oblast_ids={oblast_before, volunteer.oblast_id})
    return volunteer


@transaction.atomic
def pause(*, user, volunteer: Volunteer) -> Volunteer:
    """Off the public list and out of matching until resumed; nothing is erased."""
    volunteer = _locked(volunteer)
    require_self_or_staff(user, volunteer)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise VolunteerConflict(_("Only an active volunteer can pause."))
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.PAUSED,
                                                     updated_at=timezone.now())
    _event(volunteer, Event.PAUSED, user)
    rebuild_cards(oblast_ids={volunteer.oblast_id})
    volunteer.refresh_from_db()
    return volunteer


@transaction.atomic
def resume(*, user, volunteer: Volunteer) -> Volunteer:
    volunteer = _locked(volunteer)
    require_self_or_staff(user, volunteer)
    if volunteer.status != Volunteer.Status.PAUSED:
        raise VolunteerConflict(_("Only a paused volunteer can resume."))
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.ACTIVE,
                                                     updated_at=timezone.now())
    _event(volunteer, Event.RESUMED, user)
    rebuild_cards(oblast_ids={volunteer.oblast_id})
    volunteer.refresh_from_db()
    return volunteer


@transaction.atomic
def leave(*, user, volunteer: Volunteer) -> Volunteer:
    """The volunteer leaves: name, phone, e-mail, birth year, settlement, its point, the
    account link and the blind indexes are erased; the row stays, anonymous, so confirmed help
    records and reviews keep counting in the statistics of their areas."""
    volunteer = _locked(volunteer)
    require_self_or_staff(user, volunteer)
    if volunteer.status == Volunteer.Status.LEFT:
        raise VolunteerConflict(_("This volunteer has left the corps already."))
    now = timezone.now()
    Volunteer.objects.filter(pk=volunteer.pk).update(
        status=Volunteer.Status.LEFT, left_at=now, updated_at=now, full_name=None, phone=None,
        email=None, phone_index=None, person_index=None, birth_year=None, gender="",
        education="", experience="", settlement=None, settlement_kato="", geom=None,
        user=None, entered_by=None, languages=[], directions=[], slots=[], has_car=False,
        car_seats=0, oblast=None, district=None, okrug=None)
    volunteer.proposals.filter(status=DirectionProposal.Status.PENDING).delete()
    volunteer.notices.all().delete()
    Assignment.objects.filter(volunteer=volunteer, status=Assignment.Status.OFFERED).update(
        status=Assignment.Status.DECLINED, answered_at=now)
    _event(volunteer, Event.LEFT, user)
    rebuild_cards(oblast_ids={volunteer.oblast_id})  # the oblast before: erased since
    volunteer.refresh_from_db()
    return volunteer


@transaction.atomic
def decide_proposal(*, user, proposal: DirectionProposal, code: str | None = None,
                    names: dict | None = None) -> DirectionProposal:
    """A moderator promotes a "my own" direction into the controlled list (a new code with
    names in kk, ru and en, or an existing code), or rejects it (no code). The proposer gets
    the direction in their questionnaire."""
    proposal = DirectionProposal.objects.select_for_update().get(pk=proposal.pk)
    volunteer = proposal.volunteer
    area = volunteer.area
    if area is None or not may(user, Action.MODERATE, area):
        raise VolunteerForbidden(_("Only moderators of the volunteer's area decide proposed "
                                   "directions."))
    if proposal.status != DirectionProposal.Status.PENDING:
        raise VolunteerConflict(_("This proposal has been decided already."))
    if code is None:
        proposal.status = DirectionProposal.Status.REJECTED
    else:
        code = slugify(code)[:32]
        direction = Direction.objects.filter(code=code).first()
        if direction is None:
            names = names or {}
            if not all((names.get(lang) or "").strip() for lang in ("kk", "ru", "en")):
                raise VolunteerError(_("A new direction needs its name in Kazakh, Russian and "
                                       "English."), field="names")
            direction = Direction.objects.create(
                code=code, name_kk=names["kk"].strip(), name_ru=names["ru"].strip(),
                name_en=names["en"].strip(), position=Direction.objects.count())
        proposal.status = DirectionProposal.Status.PROMOTED
        proposal.promoted_to = direction
        if direction.code not in volunteer.directions:
            Volunteer.objects.filter(pk=volunteer.pk).update(
                directions=sorted({*volunteer.directions, direction.code}))
    proposal.decided_by = user
    proposal.save()
    _event(volunteer, Event.PROMOTED, user, proposal.status)
    rebuild_cards(oblast_ids={volunteer.oblast_id})
    return proposal


def _requester_name(user) -> str:
    return (user.get_full_name() or "").strip() or user.get_username()


def reveal_contacts(*, request, volunteer: Volunteer) -> dict:
    """The volunteer's name, phone and e-mail for a resident whose identity is confirmed,
    through the reveal gate (confirmation, fresh step-up, daily limit, audit row). The
    volunteer is told, in a notice on their page: who (the requester's name on the confirmed
    account), how the identity was confirmed, and when. Raises RevealRefused subclasses
    (403/429) or VolunteerNotFound. Not to be called inside an outer transaction."""
    from gis_portal.identity.actions import confirmation_status, run_reveal

    if not volunteer.is_listed:
        raise VolunteerNotFound(_("This volunteer is not on the list."))

    def reveal() -> dict:
        locked = _locked(volunteer)
        if not locked.is_listed:
            raise VolunteerNotFound(_("This volunteer is not on the list."))
        status = confirmation_status(request.user)
        ContactNotice.objects.create(
            volunteer=locked, requester=request.user,
            requester_name=_requester_name(request.user),
            confirmed_by=status.confirmation.method if status.confirmation else "")
        return {"full_name": locked.full_name, "phone": locked.phone,
                "email": locked.email or ""}

    return run_reveal(request=request, target=volunteer.target, area=volunteer.area,
                      fields=CONTACT_FIELDS, reveal=reveal)


# --- Assignments, help records, reviews ----------------------------------------------------


def _require_request_staff(user, help_request) -> None:
    if not _is_staff_of(user, help_request.area):
        raise VolunteerForbidden(_("Only akimat or NGO staff of the request's area may do "
                                   "this."))


@transaction.atomic
def assign(*, user, help_request, volunteer: Volunteer) -> Assignment:
    """Staff of the request's area offer it to an active volunteer."""
    _require_request_staff(user, help_request)
    if not help_request.is_public:
        raise VolunteerConflict(_("This request is not open for help."))
    volunteer = _locked(volunteer)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise VolunteerConflict(_("This volunteer is not active."))
    assignment, created = Assignment.objects.get_or_create(
        request=help_request, volunteer=volunteer, defaults={"assigned_by": user})
    if not created:
        raise VolunteerConflict(_("This volunteer has been offered this request already."))
    _event(volunteer, Event.ASSIGNED, user, f"request #{help_request.pk}")
    return assignment


@transaction.atomic
def answer_assignment(*, user, assignment: Assignment, accept: bool) -> Assignment:
    assignment = Assignment.objects.select_for_update().select_related("volunteer").get(
        pk=assignment.pk)
    if not _is_self(user, assignment.volunteer):
        raise VolunteerForbidden(_("Only the volunteer answers their assignments."))
    if assignment.status != Assignment.Status.OFFERED:
        raise VolunteerConflict(_("This assignment has been answered already."))
    assignment.status = Assignment.Status.ACCEPTED if accept else Assignment.Status.DECLINED
    assignment.answered_at = timezone.now()
    assignment.save(update_fields=["status", "answered_at"])
    _event(assignment.volunteer, Event.ANSWERED, user, assignment.status)
    return assignment


@transaction.atomic
def record_help(*, user, volunteer: Volunteer, help_request, helped_on: date) -> HelpRecord:
    """Staff of the request's area record help given, or the volunteer records it for a
    request they accepted. Confirmation comes next (confirm_record)."""
    accepted = Assignment.objects.filter(request=help_request, volunteer=volunteer,
                                         status=Assignment.Status.ACCEPTED).exists()
    if not (_is_staff_of(user, help_request.area) or (_is_self(user, volunteer) and accepted)):
        raise VolunteerForbidden(_("Only staff of the request's area, or the volunteer who "
                                   "accepted it, record help."))
    if helped_on > timezone.localdate():
        raise VolunteerError(_("The date of help cannot be in the future."), field="helped_on")
    if HelpRecord.objects.filter(request=help_request, volunteer=volunteer).exists():
        raise VolunteerConflict(_("This help has been recorded already."))
    record = HelpRecord(volunteer=volunteer, request=help_request, kind_id=help_request.kind_id,
                        helped_on=helped_on, settlement_kato=help_request.settlement_kato,
                        created_by=user)
    record.save()
    _event(volunteer, Event.RECORDED, user, f"request #{help_request.pk}")
    return record


@transaction.atomic
def confirm_record(*, user, record: HelpRecord, via: str) -> HelpRecord:
    """Staff of the request's area confirm the record, themselves or for the person helped.
    A record is confirmed once: a second confirmation is refused (409)."""
    record = HelpRecord.objects.select_for_update().select_related("request").get(pk=record.pk)
    _require_request_staff(user, record.request)
    if via not in HelpRecord.ConfirmedVia.values:
        raise VolunteerError(_("Confirmed through must be one of: %(choices)s.")
                             % {"choices": ", ".join(HelpRecord.ConfirmedVia.values)},
                             field="via")
    if record.confirmed_at is not None:
        raise VolunteerConflict(_("This help record is confirmed already."))
    record.confirmed_at = timezone.now()
    record.confirmed_by = user
    record.confirmed_via = via
    record.save(update_fields=["confirmed_at", "confirmed_by", "confirmed_via"])
    _event(record.volunteer, Event.CONFIRMED, user, f"record #{record.pk}")
    return record


@transaction.atomic
def write_review(*, user, record: HelpRecord, positive: bool, text: str = "") -> Review:
    """The person helped, through staff of the area, reviews a confirmed record: once."""
    record = HelpRecord.objects.select_for_update().select_related("request").get(pk=record.pk)
    _require_request_staff(user, record.request)
    if record.confirmed_at is None:
        raise VolunteerConflict(_("Confirm the help record before reviewing it."))
    text = (text or "").strip()
    if len(text) > REVIEW_MAX_CHARS:
        raise VolunteerError(_("A review is at most %(max)d characters.")
                             % {"max": REVIEW_MAX_CHARS}, field="text")
    problem = personal_data_in(text)
    if problem:
        raise VolunteerError(problem, field="text")
    if Review.objects.filter(record=record).exists():
        raise VolunteerConflict(_("This help record has a review already."))
    review = Review.objects.create(record=record, positive=bool(positive), text=text,
                                   written_by=user)
    _event(record.volunteer, Event.REVIEWED, user, "positive" if positive else "negative")
    return review


@transaction.atomic
def moderate_review(*, user, review: Review, approve: bool) -> Review:
    review = Review.objects.select_for_update().select_related("record__request").get(
        pk=review.pk)
    area = review.record.request.area
    if area is None or not may(user, Action.MODERATE, area):
        raise VolunteerForbidden(_("Only moderators of the request's area moderate reviews."))
    if review.moderation != Review.Moderation.PENDING:
        raise VolunteerConflict(_("This review has been moderated already."))
    review.moderation = Review.Moderation.APPROVED if approve else Review.Moderation.REJECTED
    review.moderated_by = user
    review.save(update_fields=["moderation", "moderated_by"])
    _event(review.record.volunteer, Event.MODERATED, user, review.moderation)
    return review
