"""Rule-bound writes of investment projects: each is one transaction, takes the acting user,
writes its audit row (InvestmentEvent) and raises a typed InvestmentError that views turn
into a clear 4xx.

- `create_project(...)` / `update_project(...)`: staff of the settlement's area (may CHANGE);
  the responsible official's position must be at least MIN_RESPONSIBLE_RANK.
- `change_status(...)`: the same staff move a project along; completed and cancelled are final.
- `register_interest(...)`: a signed-in investor registers interest with a short message.
- `interested_investors(...)`: the responsible staff's list, natives of the region first.
- `home_first(...)`: projects in the asking user's home region first.
- `refresh_project_employment(...)`: copy each settlement's latest indicator onto its projects.
"""

from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may
from gis_portal.errors import ActionError
from layers.areas.actions import home_areas
from layers.areas.models import Settlement

from .models import (
    MIN_RESPONSIBLE_RANK,
    MONEY_DIGITS,
    POSITION_RANK,
    QUALIFYING_POSITIONS,
    InvestmentEvent,
    InvestmentProject,
    InvestorInterest,
    Position,
    Sector,
)

Status = InvestmentProject.Status
FINAL_STATUSES = (Status.COMPLETED, Status.CANCELLED)
MESSAGE_MAX_LENGTH = 500
MAX_INVESTMENT = Decimal(10) ** (MONEY_DIGITS - 2) - Decimal("0.01")
MAX_JOBS = 100_000


class InvestmentError(ActionError):
    pass


class NotAllowed(InvestmentError):
    status = 403
    code = "not_allowed"


class Conflict(InvestmentError):
    status = 409
    code = "conflict"


# --- checking values ---------------------------------------------------------------------------

def qualifying_positions_text() -> str:
    """E.g. "head of department, akim of a town, deputy akim of a district, …"."""
    return ", ".join(str(Position(p).label) for p in QUALIFYING_POSITIONS)


def checked_position(raw) -> str:
    """The position's value if it is on the controlled list and senior enough; an
    InvestmentError naming the positions that qualify otherwise."""
    value = str(raw or "").strip()
    if value not in Position.values:
        raise InvestmentError(
            _("Choose the responsible official's position from the list. Positions that may "
              "answer for an investment project: %(positions)s.")
            % {"positions": qualifying_positions_text()}, "responsible_position")
    if POSITION_RANK[value] < MIN_RESPONSIBLE_RANK:
        raise InvestmentError(
            _("A %(position)s cannot be responsible for an investment project. The official "
              "must be at least head of department, akim of a town or deputy akim of a "
              "district; positions that qualify: %(positions)s.")
            % {"position": Position(value).label, "positions": qualifying_positions_text()},
            "responsible_position")
    return value


def checked_money(raw, field: str = "investment_needed") -> Decimal:
    text = str(raw if raw is not None else "").strip().replace(" ", "").replace("\u00a0", "")
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InvestmentError(_("The investment must be an amount in tenge, e.g. 25000000 or "
                                "25000000.50; got %(value)r.") % {"value": str(raw)},
                              field) from None
    if not value.is_finite() or value <= 0:
        raise InvestmentError(_("The investment must be more than zero tenge."), field)
    if value > MAX_INVESTMENT:
        raise InvestmentError(_("The investment is too large: at most %(max)s tenge.")
                              % {"max": f"{MAX_INVESTMENT:,.2f}"}, field)
    return value.quantize(Decimal("0.01"))


def checked_jobs(raw, field: str = "jobs_created") -> int:
    text = str(raw if raw is not None else "").strip()
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise InvestmentError(_("Jobs created must be a whole number, e.g. 12; got %(value)r.")
                              % {"value": str(raw)}, field)
    if not (0 <= number <= MAX_JOBS):
        raise InvestmentError(_("Jobs created must be between 0 and %(max)d.")
                              % {"max": MAX_JOBS}, field)
    return int(number)


def checked_sector(raw) -> str:
    value = str(raw or "").strip()
    if value not in Sector.values:
        raise InvestmentError(_("Choose the sector from the list: %(sectors)s.")
                              % {"sectors": ", ".join(str(label) for label in Sector.labels)},
                              "sector")
    return value


def checked_status(raw) -> str:
    value = str(raw or "").strip()
    if value not in Status.values:
        raise InvestmentError(_("Choose the status from the list: %(statuses)s.")
                              % {"statuses": ", ".join(str(label) for label in Status.labels)},
                              "status")
    return value


@dataclass
class ProjectInput:
    """What staff give for a project (a form, an upload row). Point None: the settlement's."""

    title_kk: str
    sector: str
    investment_needed: object
    jobs_created: object
    settlement: Settlement
    responsible_position: str
    title_ru: str = ""
    title_en: str = ""
    description_kk: str = ""
    description_ru: str = ""
    description_en: str = ""
    status: str = Status.PROPOSED
    responsible_user: object = None
    responsible_name: str = ""
    point: Point | None = None

    def cleaned(self) -> dict:
        """Model field values, every rule checked; InvestmentError on the first broken one."""
        titles = {f"title_{lang}": (getattr(self, f"title_{lang}") or "").strip()
                  for lang in ("kk", "ru", "en")}
        if not titles["title_kk"] and not titles["title_ru"]:
            raise InvestmentError(_("Give the project's title in Kazakh or Russian."),
                                  "title_kk")
        for name, value in titles.items():
            if len(value) > 200:
                raise InvestmentError(_("Keep the title under 200 characters."), name)
        if self.settlement is None:
            raise InvestmentError(_("Choose the project's settlement."), "settlement")
        responsible_name = (self.responsible_name or "").strip()
        if self.responsible_user is None and not responsible_name:
            raise InvestmentError(_("Name the responsible official, or choose a portal user."),
                                  "responsible_name")
        point = self.point
        if point is None:
            point = self.settlement.geom
        if point is None:
            raise InvestmentError(_("The settlement has no position on the map: give the "
                                    "project's longitude and latitude."), "lon")
        point = point.clone()
        if point.srid is None:
            point.srid = settings.SRID
        return {
            **titles,
            "description_kk": (self.description_kk or "").strip(),
            "description_ru": (self.description_ru or "").strip(),
            "description_en": (self.description_en or "").strip(),
            "sector": checked_sector(self.sector),
            "investment_needed": checked_money(self.investment_needed),
            "jobs_created": checked_jobs(self.jobs_created),
            "status": checked_status(self.status),
            "settlement": self.settlement,
            "geom": point,
            "responsible_user": self.responsible_user,
            "responsible_name": responsible_name[:200],
            "responsible_position": checked_position(self.responsible_position),
        }


PROJECT_INPUT_FIELDS = [f.name for f in fields(ProjectInput)]


# --- rights ------------------------------------------------------------------------------------

def settlement_area(settlement: Settlement):
    """The finest current area the settlement's KATO code names: whose staff answer for it."""
    return home_areas(settlement).finest


def may_manage_settlement(user, settlement: Settlement) -> bool:
    area = settlement_area(settlement)
    return area is not None and may(user, Action.CHANGE, area)


def may_manage(user, project: InvestmentProject) -> bool:
    """May this user edit the project and see its interested investors?"""
    area = project.okrug or project.district or project.oblast
    return area is not None and may(user, Action.CHANGE, area)


def _require_staff(user, settlement: Settlement) -> None:
    if not may_manage_settlement(user, settlement):
        raise NotAllowed(_("Only akimat staff of this settlement's area can manage its "
                           "investment projects."))


def _event(project, actor, action, from_status="", to_status="", note="") -> None:
    InvestmentEvent.objects.create(project=project, actor=actor, action=action,
                                   from_status=from_status, to_status=to_status, note=note)


# --- writes ------------------------------------------------------------------------------------

def create_project(*, user, data: ProjectInput, reference: str = "",
                   reference_area=None) -> InvestmentProject:
    values = data.cleaned()
    _require_staff(user, values["settlement"])
    with transaction.atomic():
        project = InvestmentProject(**values, created_by=user, reference=reference,
                                    reference_area=reference_area)
        project.save()
        refresh_project_employment(settlement_ids=[project.settlement_id])
        _event(project, user, "create", to_status=project.status)
    project.refresh_from_db()
    return project


def update_project(*, user, project: InvestmentProject, data: ProjectInput,
                   note: str = "") -> InvestmentProject:
    values = data.cleaned()
    _require_staff(user, project.settlement)
    _require_staff(user, values["settlement"])
    with transaction.atomic():
        locked = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        previous = locked.status
        if previous in FINAL_STATUSES and values["status"] != previous:
            raise Conflict(_("This project is %(status)s: its status can no longer change.")
                           % {"status": locked.get_status_display()}, "status")
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        refresh_project_employment(settlement_ids=[locked.settlement_id])
        _event(locked, user, "update", previous, locked.status, note)
    project.refresh_from_db()
    return project


def change_status(*, user, project: InvestmentProject, status: str,
                  note: str = "") -> InvestmentProject:
    status = checked_status(status)
    _require_staff(user, project.settlement)
    with transaction.atomic():
        locked = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        previous = locked.status
        if previous in FINAL_STATUSES:
            raise Conflict(_("This project is %(status)s: its status can no longer change.")
                           % {"status": locked.get_status_display()}, "status")
        InvestmentProject.objects.filter(pk=locked.pk).update(status=status,
                                                              updated_at=timezone.now())
        _event(locked, user, "status", previous, status, note)
    project.refresh_from_db()
    return project


def register_interest(*, user, project: InvestmentProject, message: str) -> InvestorInterest:
    """A signed-in user tells the project's staff they may invest."""
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in to register your interest as an investor."))
    message = (message or "").strip()
    if not message:
        raise InvestmentError(_("Write a short message: who you are and what you could "
                                "invest."), "message")
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvestmentError(_("Keep the message under %(count)d characters.")
                              % {"count": MESSAGE_MAX_LENGTH}, "message")
    with transaction.atomic():
        locked = InvestmentProject.objects.select_for_update().get(pk=project.pk)
        if not locked.open_for_interest:
            raise Conflict(_("This project is %(status)s: it no longer takes investors' "
                             "interest.") % {"status": locked.get_status_display()})
        if InvestorInterest.objects.filter(project=locked, investor=user).exists():
            raise Conflict(_("You have already registered interest in this project. The "
                             "akimat will contact you."))
        interest = InvestorInterest.objects.create(project=locked, investor=user,
                                                   message=message)
        _event(locked, user, "interest")
    return interest


# --- natives of the region first ----------------------------------------------------------------

def _within(prefix: str, area) -> Q:
    """The user's home area is `area` or inside it (home areas are districts or okrugs)."""
    if area is None:
        return Q(pk__in=[])
    return (Q(**{f"{prefix}home_area": area}) | Q(**{f"{prefix}home_area__parent": area})
            | Q(**{f"{prefix}home_area__parent__parent": area}))


def native_rank(project: InvestmentProject, prefix: str = "") -> Case:
    """0: the user comes from the project's district; 1: from its oblast; 2: elsewhere."""
    return Case(When(_within(prefix, project.district), then=Value(0)),
                When(_within(prefix, project.oblast), then=Value(1)),
                default=Value(2), output_field=IntegerField())


def native_label(rank: int) -> str:
    return {0: _("from this district"), 1: _("from this oblast")}.get(rank, "")


def interested_investors(*, user, project: InvestmentProject):
    """Interests in the project, natives of its district first, then of its oblast, then the
    rest, each group oldest first. Only the project's responsible staff may read them."""
    if not may_manage(user, project):
        raise NotAllowed(_("Only akimat staff of this project's area see its interested "
                           "investors."))
    return (InvestorInterest.objects.filter(project=project)
            .select_related("investor__home_area")
            .annotate(native_rank=native_rank(project, prefix="investor__"))
            .order_by("native_rank", "created_at", "pk"))


def home_rank(user):
    """0: a project in the user's home district; 1: in their home oblast; 2: elsewhere (also
    for a user without a home area)."""
    area = getattr(user, "home_area", None) if user is not None else None
    if area is None:
        return Value(2, output_field=IntegerField())
    chain = [area, *reversed(area.ancestors())]
    district = next((a for a in chain if a.level == "district"), None)
    oblast = next((a for a in chain if a.level == "oblast"), None)
    whens = []
    if district is not None:
        whens.append(When(district=district, then=Value(0)))
    if oblast is not None:
        whens.append(When(oblast=oblast, then=Value(1)))
    if not whens:
        return Value(2, output_field=IntegerField())
    return Case(*whens, default=Value(2), output_field=IntegerField())


def home_first(queryset, user):
    """The projects, those in the user's home district first, then their home oblast."""
    return queryset.annotate(home_rank=home_rank(user)).order_by("home_rank", "-created_at",
                                                                  "-pk")


# --- employment indicators on projects -----------------------------------------------------------

def refresh_project_employment(settlement_ids=None) -> int:
    """Copy each settlement's latest employment indicator (rate, year, sample flag) onto its
    projects; projects of a settlement without any get NULLs. Returns rows touched."""
    where, params = "", []
    if settlement_ids is not None:
        where = "WHERE q.settlement_id = ANY(%s)"
        params = [list(settlement_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE investments_investmentproject p SET
              unemployment_rate = latest.rate, employment_year = latest.year,
              employment_is_sample = latest.is_sample
            FROM (
              SELECT q.id, e.unemployment_rate::float8 AS rate, e.year, e.is_sample
              FROM investments_investmentproject q
              LEFT JOIN LATERAL (
                SELECT unemployment_rate, year, is_sample FROM investments_settlementemployment
                WHERE settlement_id = q.settlement_id ORDER BY year DESC LIMIT 1) e ON true
              {where}) latest
            WHERE p.id = latest.id
            """, params)
        return cursor.rowcount
