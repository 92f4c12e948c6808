"""Pages of social projects: the public project page (stable URL, Open Graph tags, estimate,
funding progress and the pledge form, photos, the completion report), and the staff's pages:
their projects, create and edit with the estimate, the workflow buttons, the completion
report, the moderator's reject/hide, and the list upload.

Every write goes through layers.projects.actions (or the importer); a refused one re-renders
the page with the action's message and its status (400, 403, 409).
"""

import json
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gis_portal.accounts.permissions import Action, areas_where
from gis_portal.errors import ActionError
from gis_portal.views import map_config
from layers.areas.models import AdminArea, Settlement

from . import actions, importer
from .actions import LineInput, ProjectError, ProjectInput
from .models import SocialProject

Status = SocialProject.Status
BLANK_LINES = 3


# --- forms -----------------------------------------------------------------------------------

class ProjectForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SocialProject.Kind.choices)
    title_kk = forms.CharField(label=gettext_lazy("Title in Kazakh"), max_length=200,
                               required=False)
    title_ru = forms.CharField(label=gettext_lazy("Title in Russian"), max_length=200,
                               required=False)
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=200,
                               required=False)
    description_kk = forms.CharField(label=gettext_lazy("Description in Kazakh"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description_ru = forms.CharField(label=gettext_lazy("Description in Russian"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=gettext_lazy("Description in English"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    organisation = forms.CharField(label=gettext_lazy("Responsible organisation"),
                                   max_length=200)
    settlement_kato = forms.RegexField(
        label=gettext_lazy("Settlement's KATO code"), regex=r"^\d{9}$",
        error_messages={"invalid": gettext_lazy("Nine digits, e.g. 750000000.")},
        help_text=gettext_lazy("The project's areas come from this code."))
    lon = forms.FloatField(label=gettext_lazy("Longitude (optional)"), required=False,
                           min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    lat = forms.FloatField(label=gettext_lazy("Latitude (optional)"), required=False,
                           min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    site = forms.CharField(
        label=gettext_lazy("Site outline (optional, GeoJSON polygon)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Without a point, the map shows a point inside the outline; "
                               "without either, the settlement's point."))
    deadline = forms.DateField(label=gettext_lazy("Fundraising deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    report_due = forms.DateField(label=gettext_lazy("Report due"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    beneficiary_name = forms.CharField(
        label=gettext_lazy("Beneficiary's name (targeted material aid only)"), required=False,
        max_length=300, help_text=gettext_lazy("Kept encrypted; only staff of the area see it."))
    beneficiary_details = forms.CharField(
        label=gettext_lazy("Beneficiary's details (targeted material aid only)"),
        required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _lines_from_post(post) -> list[LineInput]:
    """Estimate rows of the form (line-N-name, -quantity, -unit, -unit_price); blank rows
    are skipped."""
    lines = []
    count = min(int(post.get("line_count") or 0) if str(post.get("line_count", "")).isdigit()
                else 0, actions.MAX_LINES + BLANK_LINES)
    for number in range(1, count + 1):
        values = [post.get(f"line-{number}-{name}", "").strip()
                  for name in ("name", "quantity", "unit", "unit_price")]
        if not any(values):
            continue
        lines.append(LineInput(*values))
    return lines


def _line_rows(lines: list[LineInput]) -> list[dict]:
    rows = [{"name": line.name, "quantity": line.quantity, "unit": line.unit,
             "unit_price": line.unit_price} for line in lines]
    rows += [{"name": "", "quantity": "", "unit": "", "unit_price": ""}] * BLANK_LINES
    return [dict(row, number=number) for number, row in enumerate(rows, start=1)]


def _project_input(form: ProjectForm, lines, project=None) -> ProjectInput:
    data = form.cleaned_data
    settlement = Settlement.objects.filter(kato=data["settlement_kato"]).first()
    if settlement is None:
        raise ProjectError(_("No settlement has the KATO code %(kato)s.")
                           % {"kato": data["settlement_kato"]}, "settlement_kato")
    point = None
    if data.get("lon") is not None and data.get("lat") is not None:
        point = Point(data["lon"], data["lat"], srid=settings.SRID)
    site = None
    if data.get("site"):
        try:
            site = GEOSGeometry(data["site"])
        except (GEOSException, ValueError):
            raise ProjectError(_("The site outline is not a GeoJSON polygon."), "site") from None
        if site.srid is None:
            site.srid = settings.SRID
    return ProjectInput(
        kind=data["kind"], title_kk=data["title_kk"], title_ru=data["title_ru"],
        title_en=data["title_en"], description_kk=data["description_kk"],
        description_ru=data["description_ru"], description_en=data["description_en"],
        organisation=data["organisation"], settlement=settlement, lines=lines, point=point,
        site=site, deadline=data.get("deadline"), report_due=data.get("report_due"),
        beneficiary_name=data.get("beneficiary_name", ""),
        beneficiary_details=data.get("beneficiary_details", ""))


# --- the project page ------------------------------------------------------------------------

def _visible_project(request, pk) -> SocialProject:
    project = get_object_or_404(SocialProject.objects.select_related(
        "settlement", "oblast", "district", "okrug"), pk=pk)
    if not actions.may_view(request.user, project):
        raise Http404(_("No such project."))
    return project


def _project_map(project: SocialProject) -> dict:
    return map_config() | {
        "point": [project.geom.x, project.geom.y],
        "site": json.loads(project.site.geojson) if project.site else None,
        "overdue": project.report_overdue,
    }


def render_project(request, project: SocialProject, *, status=200, error=None,
                   moderate_form=None):
    from gis_portal.funding.actions import fundraiser_for, public_donors
    from gis_portal.photos.actions import photos_of

    fundraiser = fundraiser_for(project) if project.is_public else None
    lines = list(project.estimate_lines.order_by("position"))
    spent_total = (sum((line.spent for line in lines if line.spent is not None), Decimal(0))
                   if project.report_submitted_at else None)
    can_change = actions.may_change(request.user, project)
    context = {
        "project": project,
        "lines": lines,
        "spent_total": spent_total,
        "variance_total": spent_total - project.price if spent_total is not None else None,
        "fundraiser": fundraiser,
        "donors": public_donors(fundraiser, limit=50) if fundraiser else [],
        "photos": photos_of(project, purpose="main"),
        "report_photos": photos_of(project, purpose="report"),
        "can_change": can_change,
        "can_moderate": actions.may_moderate(request.user, project),
        "can_see_beneficiary": (project.kind == SocialProject.Kind.TARGETED_AID
                                and actions.may_see_beneficiary(request.user, project)),
        "areas": [a for a in (project.oblast, project.district, project.okrug) if a],
        "project_map": _project_map(project),
        "og_url": request.build_absolute_uri(project.get_absolute_url()),
        "og_image": None,
        "error": error,
        "moderate_form": moderate_form or ModerateForm(),
        "photo_form": PhotoForm() if can_change else None,
        "events": project.events.order_by("-created_at", "-id")[:20] if can_change else [],
    }
    first_photo = next(iter(context["photos"]), None) or next(iter(context["report_photos"]),
                                                                None)
    if first_photo is not None:
        context["og_image"] = request.build_absolute_uri(first_photo.url)
    return render(request, "projects/project.html", context, status=status)


class ProjectView(View):
    def get(self, request, pk):
        return render_project(request, _visible_project(request, pk))


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=[
        ("hide", gettext_lazy("Hide")), ("reject", gettext_lazy("Reject"))])
    reason = forms.CharField(label=gettext_lazy("Reason (the staff read it)"),
                             max_length=actions.REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=gettext_lazy("Photo (JPEG, PNG or WebP)"))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)


WORKFLOW = {
    "publish": (actions.publish_project, gettext_lazy("The project is published: residents "
                                                      "can pledge now.")),
    "start": (actions.start_project, gettext_lazy("The work has started.")),
    "archive": (actions.archive_project, gettext_lazy("The project is archived.")),
    "restore": (actions.restore_project, gettext_lazy("The project is shown again.")),
}


class ProjectActionView(LoginRequiredMixin, View):
    """POST …/publish, …/start, …/archive, …/restore, …/moderate, …/photos."""

    def post(self, request, pk, step):
        project = _visible_project(request, pk)
        moderate_form = None
        try:
            if step == "moderate":
                moderate_form = ModerateForm(request.POST)
                if not moderate_form.is_valid():
                    raise ProjectError(_("Choose hide or reject and give the reason."),
                                       "reason")
                actions.moderate_project(user=request.user, project=project,
                                         decision=moderate_form.cleaned_data["decision"],
                                         reason=moderate_form.cleaned_data["reason"])
                messages.success(request, _("Done: the project is %(status)s.")
                                 % {"status": project.get_status_display()})
            elif step == "photos":
                form = PhotoForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise ProjectError(_("Choose a photo: JPEG, PNG or WebP."), "photo")
                actions.add_project_photo(user=request.user, project=project,
                                          upload=form.cleaned_data["photo"],
                                          caption=form.cleaned_data["caption"])
                messages.success(request, _("The photo is added."))
            elif step in WORKFLOW:
                action, done = WORKFLOW[step]
                action(user=request.user, project=project)
                messages.success(request, done)
            else:
                raise Http404
        except ActionError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            project.refresh_from_db()
            return render_project(request, project, status=error.status, error=error,
                                  moderate_form=moderate_form)
        return redirect(project.get_absolute_url())


# --- create and edit -------------------------------------------------------------------------

class StaffMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and areas_where(request.user, Action.CHANGE) == set():
            raise PermissionDenied(_("Only akimat and NGO staff manage social projects."))
        return super().dispatch(request, *args, **kwargs)


def _initial(project: SocialProject) -> dict:
    return {
        "kind": project.kind, "title_kk": project.title_kk, "title_ru": project.title_ru,
        "title_en": project.title_en, "description_kk": project.description_kk,
        "description_ru": project.description_ru, "description_en": project.description_en,
        "organisation": project.organisation, "settlement_kato": project.settlement_kato,
        "lon": round(project.geom.x, 6), "lat": round(project.geom.y, 6),
        "site": project.site.geojson if project.site else "",
        "deadline": project.deadline, "report_due": project.report_due,
        "beneficiary_name": project.beneficiary_name,
        "beneficiary_details": project.beneficiary_details,
    }


def render_form(request, *, form, lines, project=None, status=200, error=None):
    if error is not None:
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return render(request, "projects/project_form.html", {
        "form": form, "project": project, "line_rows": _line_rows(lines),
        "estimate_error": error.message if error is not None and error.field == "estimate"
        else "",
    }, status=status)


class ProjectCreateView(StaffMixin, View):
    def get(self, request):
        return render_form(request, form=ProjectForm(initial={
            "settlement_kato": request.GET.get("settlement", "")}), lines=[])

    def post(self, request):
        form = ProjectForm(request.POST)
        lines = _lines_from_post(request.POST)
        if not form.is_valid():
            return render_form(request, form=form, lines=lines, status=400)
        try:
            project = actions.create_project(user=request.user,
                                             data=_project_input(form, lines))
        except ProjectError as error:
            return render_form(request, form=form, lines=lines, status=error.status,
                               error=error)
        messages.success(request, _("The draft is saved. Publish it when it is ready."))
        return redirect(project.get_absolute_url())


class ProjectEditView(StaffMixin, View):
    def _project(self, request, pk):
        project = _visible_project(request, pk)
        if not actions.may_change(request.user, project):
            raise PermissionDenied(_("Only akimat or NGO staff of this project's area may "
                                     "change it."))
        return project

    def get(self, request, pk):
        project = self._project(request, pk)
        lines = [LineInput(line.name, line.quantity.normalize(), line.unit, line.unit_price)
                 for line in project.estimate_lines.order_by("position")]
        return render_form(request, form=ProjectForm(initial=_initial(project)), lines=lines,
                           project=project)

    def post(self, request, pk):
        project = self._project(request, pk)
        form = ProjectForm(request.POST)
        lines = _lines_from_post(request.POST)
        if not form.is_valid():
            return render_form(request, form=form, lines=lines, project=project, status=400)
        try:
            actions.update_project(user=request.user, project=project,
                                   data=_project_input(form, lines, project))
        except ActionError as error:
            return render_form(request, form=form, lines=lines, project=project,
                               status=error.status, error=error)
        messages.success(request, _("The project is saved."))
        return redirect(project.get_absolute_url())


# --- the completion report -------------------------------------------------------------------

class ProjectReportView(LoginRequiredMixin, View):
    def _project(self, request, pk):
        project = _visible_project(request, pk)
        if not actions.may_change(request.user, project):
            raise PermissionDenied(_("Only akimat or NGO staff of this project's area may "
                                     "report on it."))
        return project

    def _render(self, request, project, status=200, error=None, values=None):
        values = values or {}
        lines = list(project.estimate_lines.order_by("position"))
        for line in lines:
            line.entered = values.get(f"spent_{line.pk}", "")
        return render(request, "projects/report_form.html", {
            "project": project, "lines": lines, "error": error, "values": values,
        }, status=status)

    def get(self, request, pk):
        return self._render(request, self._project(request, pk))

    def post(self, request, pk):
        project = self._project(request, pk)
        spent = {line.pk: request.POST.get(f"spent_{line.pk}", "")
                 for line in project.estimate_lines.all()}
        try:
            actions.submit_report(user=request.user, project=project, spent=spent,
                                  note_kk=request.POST.get("note_kk", ""),
                                  note_ru=request.POST.get("note_ru", ""),
                                  note_en=request.POST.get("note_en", ""),
                                  photos=request.FILES.getlist("photos"))
        except ActionError as error:
            return self._render(request, project, status=error.status, error=error,
                                values=request.POST)
        messages.success(request, _("The report is published on the project's page."))
        return redirect(project.get_absolute_url())


# --- the staff's list and the upload ---------------------------------------------------------

class StaffProjectsView(StaffMixin, View):
    def get(self, request):
        projects = (actions.projects_managed_by(request.user)
                    .order_by("-updated_at", "-id")[:300])
        return render(request, "projects/staff.html", {"projects": projects})


class ImportForm(forms.Form):
    area = forms.RegexField(label=gettext_lazy("KATO code of the area of the list"),
                            regex=r"^\d{9}$",
                            error_messages={"invalid": gettext_lazy("Nine digits.")})
    file = forms.FileField(label=gettext_lazy("The list (CSV or XLSX)"))
    commit = forms.BooleanField(label=gettext_lazy("Write the projects (otherwise only "
                                                   "check the list)"), required=False)


class ImportView(StaffMixin, View):
    def get(self, request):
        return render(request, "projects/import.html", {"form": ImportForm()})

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "projects/import.html", {"form": form}, status=400)
        area = AdminArea.objects.filter(generation__is_current=True,
                                        kato=form.cleaned_data["area"]).first()
        if area is None:
            form.add_error("area", _("No area has this KATO code."))
            return render(request, "projects/import.html", {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        try:
            report = importer.import_projects(
                name=upload.name, data=upload.read(importer.MAX_BYTES + 1), area=area,
                user=request.user, commit=form.cleaned_data["commit"])
        except ProjectError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            form.add_error("file" if error.field == "file" else None, error.message)
            return render(request, "projects/import.html", {"form": form}, status=error.status)
        return render(request, "projects/import.html",
                      {"form": form, "report": report, "area": area},
                      status=200 if report.ok else 400)


def template_download(request, fmt):
    if fmt == "xlsx":
        response = HttpResponse(importer.template_xlsx(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        response = HttpResponse(importer.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="social-projects-template.{fmt}"'
    return response
