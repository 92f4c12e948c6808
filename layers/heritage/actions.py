"""Rule-bound writes to the heritage layers: each one transaction, with the acting user, an
audit row and a typed error the views turn into a clear 4xx.

Culture-department staff (and akimat officers, administrators) manage the monuments and
natural sites of their areas: may(user, MANAGE_HERITAGE, record's area). Signed-in residents
report a monument's condition; the report waits in the queue of the staff of the monument's
area and its handling shows on the monument's page.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, areas_where, may
from gis_portal.errors import ActionError
from gis_portal.photos.actions import add_photo

from .models import (
    ConditionReport,
    ConditionReportEvent,
    HeritageChange,
    Monument,
    MonumentProject,
    Video,
)
from .videos import embeddable

TEXT_MAX_LENGTH = 2000
REPORTS_PER_USER_PER_DAY = 10
Status = ConditionReport.Status

# Fields staff may change on a record's page (the importer writes the rest).
EDITABLE_FIELDS = {
    "condition", "protection_status", "era", "register_number", "is_published",
    "description_kk", "description_ru", "description_en",
    "visiting_kk", "visiting_ru", "visiting_en",
}
# Handling steps staff may take from each status.
NEXT_STATUSES = {
    Status.RECEIVED: {Status.IN_WORK, Status.RESOLVED, Status.DISMISSED},
    Status.IN_WORK: {Status.RESOLVED, Status.DISMISSED},
    Status.RESOLVED: {Status.IN_WORK},
    Status.DISMISSED: {Status.IN_WORK},
}


class HeritageError(ActionError):
    pass


class NotAllowed(HeritageError):
    status = 403
    code = "not_allowed"


class Conflict(HeritageError):
    status = 409
    code = "conflict"


class RateLimited(HeritageError):
    status = 429
    code = "rate_limited"


def may_manage(user, record) -> bool:
    """May this user manage this monument or natural site? Staff of its area (or an area
    around it); a record in no area only country-wide staff."""
    return may(user, Action.MANAGE_HERITAGE, record.finest_area())


def _require_manager(user, record) -> None:
    if not may_manage(user, record):
        raise NotAllowed(_("Only culture-department or akimat staff of this object's area can "
                           "change it."))


def _audit(actor, record, action: str, details: dict | None = None) -> HeritageChange:
    return HeritageChange.objects.create(
        actor=actor, action=action, content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk, details=details or {})


def _required_text(value, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise HeritageError(message, field=field)
    if len(value) > TEXT_MAX_LENGTH:
        raise HeritageError(_("At most %(count)d characters, please.")
                            % {"count": TEXT_MAX_LENGTH}, field=field)
    return value


# --- records ---------------------------------------------------------------------------------
def update_record(*, user, record, changes: dict):
    """Change a monument's or site's condition, protection, texts, register number or
    publication; every change is audited with its old and new value."""
    _require_manager(user, record)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise HeritageError(_("These fields cannot be changed here: %(fields)s")
                            % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        diff = {}
        for name, value in changes.items():
            field = locked._meta.get_field(name)
            if field.choices and value not in {choice for choice, _label in field.choices}:
                raise HeritageError(_("%(value)s is not a valid %(field)s.")
                                    % {"value": value, "field": field.verbose_name}, field=name)
            if getattr(locked, name) != value:
                diff[name] = [getattr(locked, name), value]
                setattr(locked, name, value)
        if "register_number" in diff and locked.register_number and (
                type(record).objects.filter(register_number=locked.register_number)
                .exclude(pk=locked.pk).exists()):
            raise Conflict(_("Register number %(number)s belongs to another record.")
                           % {"number": locked.register_number}, field="register_number")
        if diff:
            locked.save()
            _audit(user, locked, "update", diff)
    record.refresh_from_db()
    return record


def add_record_photo(*, user, record, upload, caption: str = ""):
    """A photo of a monument or site, by its staff (EXIF and GPS stripped by photos)."""
    _require_manager(user, record)
    with transaction.atomic():
        photo = add_photo(user=user, target=record, upload=upload, caption=caption,
                          purpose="main")
        _audit(user, record, "add_photo", {"photo": photo.pk})
    return photo


def add_video(*, user, record, url: str, title: str = "") -> Video:
    """A video by link, from an allowed host only (settings.TZ_HERITAGE_VIDEO_HOSTS)."""
    _require_manager(user, record)
    embed = embeddable(url)  # raises VideoRefused (400) naming the allowed hosts
    with transaction.atomic():
        video = Video.objects.create(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
            url=embed.url, embed_url=embed.embed_url, host=embed.host,
            title=(title or "").strip()[:200], added_by=user)
        _audit(user, record, "add_video", {"video": video.pk, "url": embed.url})
    return video


def remove_video(*, user, video: Video) -> None:
    record = video.target
    _require_manager(user, record)
    with transaction.atomic():
        _audit(user, record, "remove_video", {"url": video.url})
        video.delete()


def videos_of(record):
    return Video.objects.filter(content_type=ContentType.objects.get_for_model(record),
                                object_id=record.pk)


# --- condition reports -----------------------------------------------------------------------
def report_condition(*, user, monument: Monument, kind: str, comment: str,
                     upload=None) -> ConditionReport:
    """A signed-in resident reports damage, litter or another problem at a monument, with an
    optional photo. It lands in the queue of the staff of the monument's area."""
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in to report a monument's condition."))
    if kind not in ConditionReport.Kind.values:
        raise HeritageError(_("Say what is wrong: damage, litter or other."), field="kind")
    comment = _required_text(comment, "comment", _("Describe what you saw."))
    if not monument.is_published:
        raise HeritageError(_("This monument is not published."))
    area = monument.finest_area()
    if area is None:
        raise HeritageError(_("This monument lies in no current area, so no staff can take "
                              "a report on it."))
    with transaction.atomic():
        # One report of a user at a time, so the daily count cannot be raced past.
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        since = timezone.now() - timedelta(days=1)
        if ConditionReport.objects.filter(reporter=user, created_at__gt=since).count() \
                >= REPORTS_PER_USER_PER_DAY:
            raise RateLimited(_("You have sent %(count)d reports in the last 24 hours, the "
                                "most allowed. Try again tomorrow.")
                              % {"count": REPORTS_PER_USER_PER_DAY})
        report = ConditionReport.objects.create(monument=monument, area=area, reporter=user,
                                                kind=kind, comment=comment)
        ConditionReportEvent.objects.create(report=report, status=Status.RECEIVED,
                                            actor=user)
        if upload is not None:
            add_photo(user=user, target=report, upload=upload, purpose="condition")
    return report


def handle_report(*, user, report: ConditionReport, status: str, note: str = "",
                  ) -> ConditionReport:
    """Staff of the report's area take it in work, resolve or dismiss it (with a note the
    public reads on the monument's page), or reopen it."""
    if status not in Status.values:
        raise HeritageError(_("Choose a status: in work, resolved or dismissed."),
                            field="status")
    note = (note or "").strip()
    if len(note) > TEXT_MAX_LENGTH:
        raise HeritageError(_("At most %(count)d characters, please.")
                            % {"count": TEXT_MAX_LENGTH}, field="note")
    if status in (Status.RESOLVED, Status.DISMISSED) and not note:
        raise HeritageError(_("Say what was done, or why the report is dismissed: the "
                              "public reads it on the monument's page."), field="note")
    with transaction.atomic():
        locked = ConditionReport.objects.select_for_update().get(pk=report.pk)
        if not may(user, Action.MANAGE_HERITAGE, locked.area):
            raise NotAllowed(_("Only culture-department or akimat staff of the monument's area "
                               "can handle this report."))
        if status not in NEXT_STATUSES[locked.status]:
            raise Conflict(_("The report is already %(status)s.")
                           % {"status": locked.get_status_display()}, field="status")
        locked.status = status
        if note:
            locked.note = note
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "note", "updated_at"])
        ConditionReportEvent.objects.create(report=locked, status=status, note=note,
                                            actor=user)
    report.refresh_from_db()
    return report


def report_queue_for(user, statuses=ConditionReport.OPEN_STATUSES):
    """Reports in the areas where the user manages heritage (an area role covers the areas
    inside it), oldest first; none for a user without such a role."""
    reports = (ConditionReport.objects.filter(status__in=statuses)
               .select_related("monument", "area__parent__parent").order_by("created_at"))
    roots = areas_where(user, Action.MANAGE_HERITAGE)
    if roots is None:
        return reports
    ids = [area.pk for area in roots]
    return reports.filter(Q(area_id__in=ids) | Q(area__parent_id__in=ids)
                          | Q(area__parent__parent_id__in=ids))


# --- restoration and landscaping projects -------------------------------------------------
def may_attach_projects(user, monument: Monument) -> bool:
    """Akimat officers (and administrators) of the monument's area: they both change the
    area's records and manage its heritage."""
    area = monument.finest_area()
    return may(user, Action.CHANGE, area) and may(user, Action.MANAGE_HERITAGE, area)


def attach_project(*, user, monument: Monument, project, kind: str) -> MonumentProject:
    """Attach a restoration or landscaping project of the projects layer to a monument."""
    if not may_attach_projects(user, monument):
        raise NotAllowed(_("Only akimat staff of the monument's area can attach a project "
                           "to it."))
    if kind not in MonumentProject.Kind.values:
        raise HeritageError(_("Choose restoration or landscaping."), field="kind")
    project_area = project.okrug or project.district or project.oblast
    if not may(user, Action.CHANGE, project_area):
        raise NotAllowed(_("You can attach only projects of the areas where you work."),
                         field="project")
    with transaction.atomic():
        if MonumentProject.objects.filter(monument=monument, project=project).exists():
            raise Conflict(_("This project is already attached to the monument."),
                           field="project")
        link = MonumentProject.objects.create(monument=monument, project=project, kind=kind,
                                              attached_by=user)
        _audit(user, monument, "attach_project", {"project": project.pk, "kind": kind})
    return link


def public_projects_of(monument: Monument):
    from layers.projects.models import SocialProject

    return (MonumentProject.objects.filter(
        monument=monument, project__status__in=SocialProject.PUBLIC_STATUSES)
        .select_related("project"))
