"""Every rule-bound write of a social project: one transaction each, taking the acting user,
writing a ProjectEvent and raising a typed ProjectError that views and the importer turn into
a clear message (400 bad input, 403 not allowed, 409 wrong stage).

Workflow: draft → published (fundraiser opened, goal = price) → fully funded (the confirmed
total reached the price; back to published if a confirmed pledge is cancelled before work
starts) → in progress (fundraiser closed) → completed with a report (photos, amount spent per
estimate line) → archived. A moderator rejects (draft, published) or hides (any public stage)
a project with a reason; both close the fundraiser. Pledges already made stay with the
funding staff (confirm or cancel), as gis_portal.funding says.

Rights: the akimat and NGO staff of the project's area (permissions.may CHANGE) create, edit,
publish, start, report and archive; moderators (MODERATE) reject and hide; VIEW_PRIVATE shows
the beneficiary of targeted material aid.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, areas_where, may
from gis_portal.errors import ActionError
from layers.areas.actions import home_areas
from layers.areas.models import AdminArea, AdminAreaPart, Settlement

from .models import ZERO, EstimateLine, ProjectEvent, SocialProject

Status = SocialProject.Status
Kind = SocialProject.Kind
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
MAX_LINES = 200
MAX_PRICE = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("999999999.999")
REASON_MAX_LENGTH = 1000


class ProjectError(ActionError):
    pass


class NotAllowed(ProjectError):
    status = 403
    code = "not_allowed"


class WrongStage(ProjectError):
    status = 409
    code = "wrong_stage"


# --- areas and rights ------------------------------------------------------------------------

def settlement_area(settlement: Settlement) -> AdminArea | None:
    """The finest area the settlement's KATO code names: whose staff answer for its projects
    (a role on an area above it covers it too)."""
    return home_areas(settlement).finest


def project_area(project: SocialProject) -> AdminArea | None:
    """The project's tags come from its settlement's KATO code, so they are its home areas."""
    return project.okrug or project.district or project.oblast


def may_change(user, project: SocialProject) -> bool:
    area = project_area(project)
    return area is not None and may(user, Action.CHANGE, area)


def may_moderate(user, project: SocialProject) -> bool:
    area = project_area(project)
    return area is not None and may(user, Action.MODERATE, area)


def may_see_beneficiary(user, project: SocialProject) -> bool:
    area = project_area(project)
    return area is not None and may(user, Action.VIEW_PRIVATE, area)


def may_view(user, project: SocialProject) -> bool:
    """The public sees published and later stages; drafts, rejected and hidden projects
    only the staff and moderators of the area."""
    return project.is_public or may_change(user, project) or may_moderate(user, project)


def projects_managed_by(user):
    """Projects of every stage in the areas where the user may change records."""
    from django.db.models import Q

    projects = SocialProject.objects.select_related("settlement")
    roots = areas_where(user, Action.CHANGE)
    if roots is None:
        return projects
    ids = [area.pk for area in roots]
    return projects.filter(Q(oblast_id__in=ids) | Q(district_id__in=ids) | Q(okrug_id__in=ids))


def _require_change(user, project: SocialProject) -> None:
    if not may_change(user, project):
        raise NotAllowed(_("Only akimat or NGO staff of this project's area may change it."))


def _require_stage(project: SocialProject, allowed: tuple, doing: str) -> None:
    if project.status not in allowed:
        raise WrongStage(_("The project is %(status)s: it cannot be %(doing)s now.")
                         % {"status": project.get_status_display(), "doing": doing})


def _lock(project: SocialProject) -> SocialProject:
    return (SocialProject.objects.select_for_update(of=("self",))
            .select_related("settlement", "oblast", "district", "okrug").get(pk=project.pk))


def _event(project, actor, action, *, from_status="", note="") -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, actor=actor, action=action,
                                       from_status=from_status, to_status=project.status,
                                       note=note)


def _set_status(project: SocialProject, status: str, **changes) -> str:
    previous = project.status
    project.status = status
    project.updated_at = timezone.now()
    for name, value in changes.items():
        setattr(project, name, value)
    SocialProject.objects.filter(pk=project.pk).update(
        status=status, updated_at=project.updated_at, **changes)
    return previous


# --- input: amounts, estimate lines, geometry -------------------------------------------------

_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def parse_decimal(value, places: Decimal) -> Decimal | None:
    """A non-negative number typed by people or read from a spreadsheet: spaces between
    thousands and a decimal comma allowed. None when it is not such a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = re.sub(r"[ \u00a0\u202f]", "", str(value).strip())
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if text.startswith("-"):
            try:
                return Decimal(text)  # negative: reported as negative, not as "not a number"
            except InvalidOperation:
                return None
        if not _NUMBER.match(text):
            return None
        number = Decimal(text)
    if not number.is_finite():
        return None
    if number != number.quantize(places, rounding=ROUND_HALF_UP):
        return None
    return number.quantize(places)


@dataclass
class LineInput:
    name: str
    quantity: object
    unit: str
    unit_price: object


@dataclass
class CleanLine:
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def clean_estimate(lines: list[LineInput]) -> list[CleanLine]:
    """Estimate lines checked one by one; the first bad line is refused with a message that
    names it (its number and item) and says what to fix."""
    if not lines:
        raise ProjectError(_("Add at least one estimate line: item, quantity, unit and unit "
                             "price."), "estimate")
    if len(lines) > MAX_LINES:
        raise ProjectError(_("An estimate has at most %(count)d lines.") % {"count": MAX_LINES},
                           "estimate")
    cleaned = []
    for number, line in enumerate(lines, start=1):
        name = (line.name or "").strip()
        label = (_("Estimate line %(number)d (%(name)s)") % {"number": number, "name": name}
                 if name else _("Estimate line %(number)d") % {"number": number})
        if not name:
            raise ProjectError(_("%(line)s: name the item.") % {"line": label}, "estimate")
        if len(name) > 300:
            raise ProjectError(_("%(line)s: the item's name is longer than 300 characters.")
                               % {"line": label}, "estimate")
        quantity = parse_decimal(line.quantity, MILLI)
        if quantity is None:
            raise ProjectError(_("%(line)s: the quantity must be a number, e.g. 12 or 2.5 "
                                 "(at most three decimals).") % {"line": label}, "estimate")
        if quantity <= 0:
            raise ProjectError(_("%(line)s: the quantity must be more than zero.")
                               % {"line": label}, "estimate")
        if quantity > MAX_QUANTITY:
            raise ProjectError(_("%(line)s: the quantity is too large.") % {"line": label},
                               "estimate")
        unit = (line.unit or "").strip()
        if not unit:
            raise ProjectError(_("%(line)s: give the unit, e.g. pcs, m², hours.")
                               % {"line": label}, "estimate")
        if len(unit) > 32:
            raise ProjectError(_("%(line)s: the unit is longer than 32 characters.")
                               % {"line": label}, "estimate")
        unit_price = parse_decimal(line.unit_price, CENT)
        if unit_price is None:
            raise ProjectError(_("%(line)s: the unit price must be a number of tenge, e.g. "
                                 "15000 or 15000.50.") % {"line": label}, "estimate")
        if unit_price <= 0:
            raise ProjectError(_("%(line)s: the unit price must be more than zero tenge.")
                               % {"line": label}, "estimate")
        clean = CleanLine(name=name, quantity=quantity, unit=unit, unit_price=unit_price)
        if clean.total > MAX_PRICE:
            raise ProjectError(_("%(line)s: the line's total is too large.") % {"line": label},
                               "estimate")
        cleaned.append(clean)
    if sum((line.total for line in cleaned), ZERO) > MAX_PRICE:
        raise ProjectError(_("The estimate's total is too large."), "estimate")
    return cleaned


def estimate_total(lines: list[CleanLine]) -> Decimal:
    return sum((line.total for line in lines), ZERO)


def _in_kazakhstan(geometry) -> bool:
    return AdminAreaPart.objects.filter(generation__is_current=True,
                                        level=AdminArea.Level.OBLAST,
                                        geom__intersects=geometry).exists()


def clean_location(settlement: Settlement, point: Point | None,
                   site: Polygon | None) -> tuple[Point, Polygon | None]:
    """The public point (given, else a point on the site's surface, else the settlement's
    point) and the optional site outline, both checked: valid, in WGS 84, inside the
    settlement's district (or its city/oblast)."""
    if site is not None:
        site = GEOSGeometry(site.wkt, srid=site.srid or settings.SRID)
        if site.srid != settings.SRID:
            site.transform(settings.SRID)
        if site.geom_type != "Polygon":
            raise ProjectError(_("The site outline must be one polygon."), "site")
        if not site.valid:
            raise ProjectError(_("The site outline crosses itself: draw it again."), "site")
    if point is None:
        point = site.point_on_surface if site is not None else settlement.geom
    if point is None:
        raise ProjectError(_("Give the project's location: longitude and latitude, or a site "
                             "outline (the settlement has no point)."), "lon")
    point = point.clone()
    if point.srid is None:
        point.srid = settings.SRID
    elif point.srid != settings.SRID:
        point.transform(settings.SRID)
    if not _in_kazakhstan(point):
        raise ProjectError(_("The point %(lon).5f, %(lat).5f is outside Kazakhstan. Longitude "
                             "comes first (east, 46–88), then latitude (north, 40–56).")
                           % {"lon": point.x, "lat": point.y}, "lon")
    boundary = home_areas(settlement).boundary
    if boundary is not None and not AdminArea.objects.filter(
            pk=boundary.pk, geom__intersects=point).exists():
        raise ProjectError(_("The point %(lon).5f, %(lat).5f is outside %(area)s, where "
                             "%(settlement)s is.")
                           % {"lon": point.x, "lat": point.y, "area": boundary.name,
                              "settlement": settlement.name}, "lon")
    return point, site


# --- create and edit -------------------------------------------------------------------------

@dataclass
class ProjectInput:
    kind: str
    title_kk: str
    organisation: str
    settlement: Settlement
    lines: list[LineInput]
    title_ru: str = ""
    title_en: str = ""
    description_kk: str = ""
    description_ru: str = ""
    description_en: str = ""
    point: Point | None = None
    site: Polygon | None = None
    deadline: date | None = None
    report_due: date | None = None
    beneficiary_name: str = ""
    beneficiary_details: str = ""
    reference: str = ""
    reference_area: AdminArea | None = None
    extra: dict = field(default_factory=dict)


def _clean(data: ProjectInput) -> dict:
    if data.kind not in Kind.values:
        raise ProjectError(_("Choose the kind: infrastructure, provision, targeted material "
                             "aid or charitable action."), "kind")
    title_kk = (data.title_kk or "").strip()
    if not title_kk and not (data.title_ru or "").strip():
        raise ProjectError(_("Give the project's title in Kazakh (or at least in Russian)."),
                           "title_kk")
    organisation = (data.organisation or "").strip()
    if not organisation:
        raise ProjectError(_("Name the responsible organisation."), "organisation")
    for name, limit in (("title_kk", 200), ("title_ru", 200), ("title_en", 200),
                        ("organisation", 200), ("reference", 64)):
        if len((getattr(data, name) or "").strip()) > limit:
            raise ProjectError(_("Keep it under %(count)d characters.") % {"count": limit}, name)
    if data.deadline and data.report_due and data.report_due < data.deadline:
        raise ProjectError(_("The report cannot be due before the fundraising deadline."),
                           "report_due")
    beneficiary_name = (data.beneficiary_name or "").strip()
    if data.kind != Kind.TARGETED_AID and beneficiary_name:
        raise ProjectError(_("Only targeted material aid names a beneficiary."),
                           "beneficiary_name")
    lines = clean_estimate(data.lines)
    point, site = clean_location(data.settlement, data.point, data.site)
    return {
        "kind": data.kind, "title_kk": title_kk, "title_ru": (data.title_ru or "").strip(),
        "title_en": (data.title_en or "").strip(),
        "description_kk": (data.description_kk or "").strip(),
        "description_ru": (data.description_ru or "").strip(),
        "description_en": (data.description_en or "").strip(),
        "organisation": organisation, "settlement": data.settlement,
        "settlement_kato": data.settlement.kato, "geom": point, "site": site,
        "deadline": data.deadline, "report_due": data.report_due,
        "beneficiary_name": beneficiary_name,
        "beneficiary_details": (data.beneficiary_details or "").strip()
        if data.kind == Kind.TARGETED_AID else "",
        "lines": lines,
    }


def _write_lines(project: SocialProject, lines: list[CleanLine]) -> None:
    project.estimate_lines.all().delete()
    EstimateLine.objects.bulk_create([
        EstimateLine(project=project, position=number, name=line.name,
                     quantity=line.quantity, unit=line.unit, unit_price=line.unit_price,
                     total=line.total)
        for number, line in enumerate(lines, start=1)])


def create_project(*, user, data: ProjectInput, trusted: bool = False) -> SocialProject:
    """A draft project of the settlement's area, by staff of that area. `trusted`: the
    command-line importer, run by the portal's operators, with no user."""
    area = settlement_area(data.settlement)
    if not trusted and (area is None or not may(user, Action.CHANGE, area)):
        raise NotAllowed(_("Only akimat or NGO staff of %(settlement)s's area may add its "
                           "projects.") % {"settlement": data.settlement.name})
    values = _clean(data)
    lines = values.pop("lines")
    with transaction.atomic():
        project = SocialProject(**values, price=estimate_total(lines), created_by=user,
                                reference=(data.reference or "").strip(),
                                reference_area=data.reference_area if data.reference else None)
        project.save()
        _write_lines(project, lines)
        _event(project, user, "created")
    return project


def update_project(*, user, project: SocialProject, data: ProjectInput,
                   trusted: bool = False) -> SocialProject:
    """Edit a draft or a project still raising funds. A published project's new price
    becomes its fundraiser's goal; it cannot drop below what is already pledged."""
    from gis_portal.funding.actions import change_goal, fundraiser_for, open_fundraiser

    if not trusted:
        _require_change(user, project)
    values = _clean(data)
    lines = values.pop("lines")
    if not trusted and data.settlement.pk != project.settlement_id:
        new_area = settlement_area(data.settlement)
        if new_area is None or not may(user, Action.CHANGE, new_area):
            raise NotAllowed(_("You may not move the project to %(settlement)s.")
                             % {"settlement": data.settlement.name})
    price = estimate_total(lines)
    with transaction.atomic():
        locked = _lock(project)
        _require_stage(locked, (Status.DRAFT, Status.PUBLISHED), _("edited"))
        if price < locked.pledged:
            raise WrongStage(_("%(pledged)s ₸ is already pledged: the estimate's total "
                               "(%(price)s ₸) cannot be less than that.")
                             % {"pledged": locked.pledged, "price": price}, "estimate")
        for name, value in values.items():
            setattr(locked, name, value)
        locked.price = price
        locked.updated_at = timezone.now()
        if data.reference:
            locked.reference = data.reference.strip()
            locked.reference_area = data.reference_area
        locked.save()
        _write_lines(locked, lines)
        if locked.status == Status.PUBLISHED:
            fundraiser = fundraiser_for(locked)
            if fundraiser is not None and fundraiser.goal != price:
                if trusted:
                    open_fundraiser(target=locked, goal=price, area=project_area(locked))
                else:
                    change_goal(user=user, fundraiser=fundraiser, goal=price)
            _refresh_funded(locked, user)
        _event(locked, user, "edited")
    project.refresh_from_db()
    return project


# --- workflow --------------------------------------------------------------------------------

def publish_project(*, user, project: SocialProject) -> SocialProject:
    """Draft → published: the fundraiser opens with the estimate's total as its goal."""
    from gis_portal.funding.actions import open_fundraiser

    _require_change(user, project)
    with transaction.atomic():
        locked = _lock(project)
        _require_stage(locked, (Status.DRAFT,), _("published"))
        if locked.price <= 0 or not locked.estimate_lines.exists():
            raise ProjectError(_("Add the cost estimate before publishing: its total is the "
                                 "amount residents raise."), "estimate")
        if locked.kind == Kind.TARGETED_AID and not locked.beneficiary_name:
            raise ProjectError(_("Targeted material aid names its beneficiary (kept private) "
                               "before it is published."), "beneficiary_name")
        previous = _set_status(locked, Status.PUBLISHED, published_at=timezone.now())
        open_fundraiser(target=locked, goal=locked.price, area=project_area(locked), user=user)
        _event(locked, user, "published", from_status=previous)
    project.refresh_from_db()
    return project


def start_project(*, user, project: SocialProject) -> SocialProject:
    """Fully funded → in progress: the money is there, the work starts; no more pledges."""
    _require_change(user, project)
    with transaction.atomic():
        locked = _lock(project)
        _require_stage(locked, (Status.FUNDED,), _("started (it must be fully funded)"))
        previous = _set_status(locked, Status.IN_PROGRESS)
        _close_fundraiser(locked, user, _("the work has started"))
        _event(locked, user, "started", from_status=previous)
    project.refresh_from_db()
    return project


def submit_report(*, user, project: SocialProject, spent: dict, note_kk: str = "",
                  note_ru: str = "", note_en: str = "", photos=()) -> SocialProject:
    """In progress → completed: the amount spent on every estimate line (keyed by line id
    or position) and at least one photo; the variance per line and in total follows."""
    from gis_portal.photos.actions import add_photo

    _require_change(user, project)
    with transaction.atomic():
        locked = _lock(project)
        _require_stage(locked, (Status.IN_PROGRESS,), _("reported on"))
        lines = list(locked.estimate_lines.order_by("position"))
        amounts = {}
        for line in lines:
            raw = spent.get(line.pk, spent.get(str(line.pk), spent.get(line.position)))
            label = _("Estimate line %(number)d (%(name)s)") % {"number": line.position,
                                                                "name": line.name}
            if raw is None or str(raw).strip() == "":
                raise ProjectError(_("%(line)s: give the amount spent.") % {"line": label},
                                   f"spent_{line.pk}")
            amount = parse_decimal(raw, CENT)
            if amount is None:
                raise ProjectError(_("%(line)s: the amount spent must be a number of tenge.")
                                   % {"line": label}, f"spent_{line.pk}")
            if amount < 0:
                raise ProjectError(_("%(line)s: the amount spent cannot be negative.")
                                   % {"line": label}, f"spent_{line.pk}")
            if amount > MAX_PRICE:
                raise ProjectError(_("%(line)s: the amount spent is too large.")
                                   % {"line": label}, f"spent_{line.pk}")
            amounts[line.pk] = amount
        photos = [photo for photo in photos if photo]
        if not photos:
            raise ProjectError(_("Add at least one photo of the finished work."), "photos")
        if not ((note_kk or "").strip() or (note_ru or "").strip()):
            raise ProjectError(_("Say in a few words what was done (in Kazakh or Russian)."),
                               "note_kk")
        for line in lines:
            EstimateLine.objects.filter(pk=line.pk).update(spent=amounts[line.pk])
        for upload in photos:
            add_photo(user=user, target=locked, upload=upload, purpose="report",
                      caption=str(_("Completion report")))
        previous = _set_status(
            locked, Status.COMPLETED, report_submitted_at=timezone.now(),
            report_note_kk=(note_kk or "").strip(), report_note_ru=(note_ru or "").strip(),
            report_note_en=(note_en or "").strip())
        _close_fundraiser(locked, user, _("the project is completed"))
        _event(locked, user, "reported", from_status=previous)
    project.refresh_from_db()
    return project


def archive_project(*, user, project: SocialProject) -> SocialProject:
    """Completed → archived: kept on the map as history."""
    _require_change(user, project)
    with transaction.atomic():
        locked = _lock(project)
        _require_stage(locked, (Status.COMPLETED,), _("archived (it needs its report first)"))
        previous = _set_status(locked, Status.ARCHIVED)
        _close_fundraiser(locked, user, _("the project is archived"))
        _event(locked, user, "archived", from_status=previous)
    project.refresh_from_db()
    return project


MODERATION = {
    "reject": (Status.REJECTED, (Status.DRAFT, Status.PUBLISHED)),
    "hide": (Status.HIDDEN, SocialProject.PUBLIC_STATUSES),
}


def moderate_project(*, user, project: SocialProject, decision: str,
                     reason: str) -> SocialProject:
    """A moderator rejects (a draft or a project raising funds) or hides (any public stage)
    a project, with a reason the staff read. The fundraiser closes."""
    if not may_moderate(user, project):
        raise NotAllowed(_("Only moderators may reject or hide projects."))
    if decision not in MODERATION:
        raise ProjectError(_("Choose reject or hide."), "decision")
    reason = (reason or "").strip()
    if not reason:
        raise ProjectError(_("Give the reason: the project's staff read it."), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ProjectError(_("Keep it under %(count)d characters.")
                           % {"count": REASON_MAX_LENGTH}, "reason")
    status, allowed = MODERATION[decision]
    with transaction.atomic():
        locked = _lock(project)
        _require_stage(locked, allowed, _("rejected") if decision == "reject" else _("hidden"))
        previous = _set_status(locked, status, moderation_reason=reason)
        _close_fundraiser(locked, user, reason)
        _event(locked, user, decision, from_status=previous, note=reason)
    project.refresh_from_db()
    return project


def restore_project(*, user, project: SocialProject) -> SocialProject:
    """A moderator shows a hidden project again, at the stage it was hidden from."""
    from gis_portal.funding.actions import fundraiser_for, reopen_fundraiser

    if not may_moderate(user, project):
        raise NotAllowed(_("Only moderators may restore hidden projects."))
    with transaction.atomic():
        locked = _lock(project)
        _require_stage(locked, (Status.HIDDEN,), _("restored"))
        hidden = locked.events.filter(action="hide").order_by("-created_at", "-id").first()
        back_to = hidden.from_status if hidden else Status.PUBLISHED
        previous = _set_status(locked, back_to, moderation_reason="")
        if back_to == Status.PUBLISHED:
            fundraiser = fundraiser_for(locked)
            if fundraiser is not None:
                reopen_fundraiser(fundraiser=fundraiser, user=user)
        _event(locked, user, "restored", from_status=previous)
    project.refresh_from_db()
    return project


def _close_fundraiser(project: SocialProject, user, reason: str) -> None:
    from gis_portal.funding.actions import close_fundraiser, fundraiser_for

    fundraiser = fundraiser_for(project)
    if fundraiser is not None and fundraiser.is_open:
        close_fundraiser(fundraiser=fundraiser, reason=str(reason)[:300], user=user)


def add_project_photo(*, user, project: SocialProject, upload, caption: str = ""):
    """A photo of the project (its place, its need), shown on its page."""
    from gis_portal.photos.actions import add_photo

    _require_change(user, project)
    with transaction.atomic():
        photo = add_photo(user=user, target=project, upload=upload, caption=caption,
                          purpose="main")
        _event(project, user, "photo_added")
    return photo


# --- funding (called by gis_portal.funding inside its transaction) ----------------------------

def on_funding_changed(project: SocialProject, fundraiser) -> None:
    """Mirror the fundraiser's totals onto the project and move between published and fully
    funded. Fully funded means the CONFIRMED total (money received) reached the price:
    pledges can expire or be cancelled, so counting them would announce money that may never
    come."""
    locked = SocialProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    SocialProject.objects.filter(pk=locked.pk).update(
        pledged=fundraiser.pledged_total, confirmed=fundraiser.confirmed_total)
    locked.pledged, locked.confirmed = fundraiser.pledged_total, fundraiser.confirmed_total
    _refresh_funded(locked, None)
    project.pledged, project.confirmed = locked.pledged, locked.confirmed
    project.status = locked.status


def _refresh_funded(project: SocialProject, user) -> None:
    reached = project.price > 0 and project.confirmed >= project.price
    if project.status == Status.PUBLISHED and reached:
        previous = _set_status(project, Status.FUNDED)
        _event(project, user, "fully_funded", from_status=previous)
    elif project.status == Status.FUNDED and not reached:
        previous = _set_status(project, Status.PUBLISHED)
        _event(project, user, "funding_reopened", from_status=previous)


def pledge_refusal(project: SocialProject) -> str | None:
    """Why the project takes no pledge now, or None while it raises funds."""
    if project.status == Status.PUBLISHED:
        if project.deadline and project.deadline < timezone.localdate():
            return _("The fundraising deadline of this project has passed.")
        return None
    if project.status in (Status.DRAFT, Status.REJECTED, Status.HIDDEN):
        return _("This project is not published: it takes no pledges.")
    if project.status == Status.FUNDED:
        return _("This project is fully funded: thank you, no more pledges are needed.")
    return _("This project is %(status)s: it takes no more pledges.") % {
        "status": project.get_status_display()}
