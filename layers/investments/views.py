"""Investment project pages and API: the project's page (stable URL) with the investors'
interest form, the staff's create/edit pages and uploads, the list (home region first on
request) and the planner's gaps page, API and CSV.

Every write goes through layers.investments.actions; a refused one re-renders the page with
the action's message and its status, or answers JSON {"error", "field"} with it.
"""

import csv
import io
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from gis_portal.accounts.permissions import Action, areas_where, may
from gis_portal.views import map_config
from layers.areas.models import Settlement
from layers.core.errors import BadQuery
from layers.core.geojson import dumps
from layers.core.params import path_id
from layers.core.query import resolve_area

from . import actions, gaps, importer
from .actions import InvestmentError, ProjectInput
from .layers import sample_note
from .models import InvestmentProject, Position, Sector, SettlementEmployment

Status = InvestmentProject.Status


def _language() -> str:
    language = (get_language() or "kk")[:2]
    return language if language in ("kk", "ru", "en") else "kk"


def _error_json(error: InvestmentError | BadQuery) -> JsonResponse:
    body = {"error": error.message}
    field = getattr(error, "field", None) or getattr(error, "parameter", None)
    if field:
        body["field"] = field
    return JsonResponse(body, status=error.status)


def latest_employment(settlement) -> SettlementEmployment | None:
    return settlement.employment.order_by("-year").first()


def project_summary(project: InvestmentProject, language: str) -> dict:
    """What the public API says of a project (no responsible user, no reference)."""
    return {
        "id": project.pk,
        "title": project.title,
        "sector": project.sector,
        "sector_label": str(project.get_sector_display()),
        "status": project.status,
        "status_label": str(project.get_status_display()),
        "investment_needed": str(project.investment_needed),
        "jobs_created": project.jobs_created,
        "settlement": project.settlement_kato,
        "settlement_name": project.settlement.name,
        "district": project.district.kato if project.district else None,
        "oblast": project.oblast.kato if project.oblast else None,
        "unemployment_rate": project.unemployment_rate,
        "employment_year": project.employment_year,
        "employment_is_sample": project.employment_is_sample,
        "employment_note": sample_note() if project.employment_is_sample else None,
        "url": project.get_absolute_url(),
    }


# --- forms ---------------------------------------------------------------------------------------

class InterestForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Your message to the akimat"),
        max_length=actions.MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Who you are, what you could invest, how to reach you. Only the "
                               "akimat staff responsible for the project read it."))


class ProjectForm(forms.Form):
    title_kk = forms.CharField(label=gettext_lazy("Title (Kazakh)"), max_length=200,
                               required=False)
    title_ru = forms.CharField(label=gettext_lazy("Title (Russian)"), max_length=200,
                               required=False)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=200,
                               required=False)
    description_kk = forms.CharField(label=gettext_lazy("Description (Kazakh)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_ru = forms.CharField(label=gettext_lazy("Description (Russian)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=gettext_lazy("Description (English)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), choices=Sector.choices)
    investment_needed = forms.CharField(label=gettext_lazy("Investment needed, ₸"),
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    jobs_created = forms.CharField(label=gettext_lazy("Jobs created"),
                                   widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    settlement_kato = forms.CharField(
        label=gettext_lazy("Settlement's KATO code"), max_length=9,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    lon = forms.FloatField(label=gettext_lazy("Longitude (optional)"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    lat = forms.FloatField(label=gettext_lazy("Latitude (optional)"), required=False,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Status.choices)
    responsible_name = forms.CharField(label=gettext_lazy("Responsible official's name"),
                                       max_length=200, required=False)
    responsible_position = forms.ChoiceField(
        label=gettext_lazy("Responsible official's position"), choices=Position.choices,
        help_text=gettext_lazy("At least head of department, akim of a town or deputy akim "
                               "of a district."))

    def project_input(self, user) -> ProjectInput:
        data = self.cleaned_data
        kato = data["settlement_kato"].strip()
        settlement = Settlement.objects.filter(kato=kato).first()
        if settlement is None:
            raise InvestmentError(_("No settlement has the KATO code %(kato)s.")
                                  % {"kato": kato}, "settlement_kato")
        point = None
        if data.get("lon") is not None and data.get("lat") is not None:
            point = Point(data["lon"], data["lat"], srid=settings.SRID)
        return ProjectInput(
            title_kk=data["title_kk"], title_ru=data["title_ru"], title_en=data["title_en"],
            description_kk=data["description_kk"], description_ru=data["description_ru"],
            description_en=data["description_en"], sector=data["sector"],
            investment_needed=data["investment_needed"], jobs_created=data["jobs_created"],
            settlement=settlement, status=data["status"],
            responsible_name=data["responsible_name"],
            responsible_user=user if not data["responsible_name"].strip() else None,
            responsible_position=data["responsible_position"], point=point)

    @classmethod
    def initial_for(cls, project: InvestmentProject) -> dict:
        return {name: getattr(project, name) for name in (
            "title_kk", "title_ru", "title_en", "description_kk", "description_ru",
            "description_en", "sector", "investment_needed", "jobs_created", "status",
            "responsible_name", "responsible_position")} | {
            "settlement_kato": project.settlement_kato,
            "lon": round(project.geom.x, 6), "lat": round(project.geom.y, 6)}


class UploadForm(forms.Form):
    KINDS = [("projects", gettext_lazy("Investment projects")),
             ("employment", gettext_lazy("Employment indicators"))]
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=KINDS)
    area = forms.ChoiceField(label=gettext_lazy("Area of the list"))
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))
    commit = forms.BooleanField(
        label=gettext_lazy("Write it (leave unticked for a dry run that only checks)"),
        required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.kato, f"{a.name} ({a.kato})") for a in areas]


def _add_error(form, error: InvestmentError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- the project's page --------------------------------------------------------------------------

def _project_map(project: InvestmentProject) -> dict:
    feature = {"type": "Feature", "id": project.pk,
               "geometry": {"type": "Point", "coordinates": [project.geom.x, project.geom.y]},
               "properties": {"name": project.title, "kind": "project"}}
    return map_config() | {"geojson": {"type": "FeatureCollection", "features": [feature]},
                           "pointZoom": 10}


def render_project(request, project: InvestmentProject, *, status: int = 200,
                   interest_form=None, status_form_error: str = ""):
    can_manage = actions.may_manage(request.user, project)
    mine = None
    if request.user.is_authenticated:
        mine = project.interests.filter(investor=request.user).first()
    interests = []
    if can_manage:
        interests = list(actions.interested_investors(user=request.user, project=project))
        for interest in interests:
            interest.native_label = actions.native_label(interest.native_rank)
    context = {
        "project": project,
        "employment": latest_employment(project.settlement),
        "sample_note": sample_note(),
        "can_manage": can_manage,
        "my_interest": mine,
        "interest_form": (interest_form or InterestForm())
        if request.user.is_authenticated and mine is None and project.open_for_interest
        else None,
        "interests": interests,
        "statuses": Status.choices,
        "status_form_error": status_form_error,
        "project_map": _project_map(project),
        "areas": [a for a in (project.oblast, project.district, project.okrug) if a],
    }
    return render(request, "investments/project.html", context, status=status)


def _project(pk) -> InvestmentProject:
    return get_object_or_404(InvestmentProject.objects.select_related(
        "settlement", "oblast", "district", "okrug", "responsible_user"), pk=pk)


class ProjectView(View):
    def get(self, request, pk):
        return render_project(request, _project(pk))


class InterestView(LoginRequiredMixin, View):
    """POST message: the signed-in user registers interest."""

    def post(self, request, pk):
        project = _project(pk)
        form = InterestForm(request.POST)
        if not form.is_valid():
            return render_project(request, project, status=400, interest_form=form)
        try:
            actions.register_interest(user=request.user, project=project,
                                      message=form.cleaned_data["message"])
        except InvestmentError as error:
            _add_error(form, error)
            return render_project(request, project, status=error.status, interest_form=form)
        messages.success(request, _("Thank you. The akimat staff responsible for the project "
                                    "see your interest and will contact you."))
        return redirect(project)


class StatusView(LoginRequiredMixin, View):
    """Staff: POST status (and an optional note)."""

    def post(self, request, pk):
        project = _project(pk)
        try:
            actions.change_status(user=request.user, project=project,
                                  status=request.POST.get("status", ""),
                                  note=request.POST.get("note", "")[:1000])
        except InvestmentError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            return render_project(request, project, status=error.status,
                                  status_form_error=error.message)
        messages.success(request, _("The status is changed."))
        return redirect(project)


# --- staff: create and edit ----------------------------------------------------------------------

class StaffMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and areas_where(request.user, Action.CHANGE) == set():
            raise PermissionDenied(_("Only akimat staff manage investment projects."))
        return super().dispatch(request, *args, **kwargs)


class ProjectCreateView(StaffMixin, View):
    template = "investments/project_form.html"

    def get(self, request):
        return render(request, self.template, {"form": ProjectForm(), "project": None})

    def post(self, request):
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                project = actions.create_project(user=request.user,
                                                 data=form.project_input(request.user))
            except InvestmentError as error:
                if error.status == 403:
                    raise PermissionDenied(error.message) from error
                _add_error(form, error)
                return render(request, self.template, {"form": form, "project": None},
                              status=error.status)
            messages.success(request, _("The project is saved."))
            return redirect(project)
        return render(request, self.template, {"form": form, "project": None}, status=400)


class ProjectEditView(StaffMixin, View):
    template = "investments/project_form.html"

    def get(self, request, pk):
        project = _project(pk)
        if not actions.may_manage(request.user, project):
            raise PermissionDenied(_("Only akimat staff of this project's area can edit it."))
        form = ProjectForm(initial=ProjectForm.initial_for(project))
        return render(request, self.template, {"form": form, "project": project})

    def post(self, request, pk):
        project = _project(pk)
        if not actions.may_manage(request.user, project):
            raise PermissionDenied(_("Only akimat staff of this project's area can edit it."))
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                responsible = project.responsible_user or request.user
                actions.update_project(user=request.user, project=project,
                                       data=form.project_input(responsible))
            except InvestmentError as error:
                if error.status == 403:
                    raise PermissionDenied(error.message) from error
                _add_error(form, error)
                return render(request, self.template, {"form": form, "project": project},
                              status=error.status)
            messages.success(request, _("The project is saved."))
            return redirect(project)
        return render(request, self.template, {"form": form, "project": project}, status=400)


# --- staff: uploads ------------------------------------------------------------------------------

def _staff_areas(user):
    roots = areas_where(user, Action.CHANGE)
    if roots is None:
        from layers.areas.models import AdminArea

        return list(AdminArea.objects.filter(generation__is_current=True,
                                             level=AdminArea.Level.OBLAST).order_by("kato"))
    return sorted(roots, key=lambda area: area.kato)


class UploadView(StaffMixin, View):
    template = "investments/upload.html"

    def get(self, request):
        form = UploadForm(areas=_staff_areas(request.user))
        return render(request, self.template, {"form": form})

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, areas=_staff_areas(request.user))
        if not form.is_valid():
            return render(request, self.template, {"form": form}, status=400)
        area = resolve_area(form.cleaned_data["area"])
        if not may(request.user, Action.CHANGE, area):
            raise PermissionDenied(_("Only akimat staff of this area can upload its lists."))
        upload = form.cleaned_data["file"]
        commit = form.cleaned_data["commit"]
        try:
            content = upload.read(importer.MAX_BYTES + 1)
            if form.cleaned_data["kind"] == "projects":
                report = importer.import_projects(name=upload.name, content=content, area=area,
                                                  commit=commit, user=request.user)
            else:
                report = importer.import_employment(name=upload.name, content=content,
                                                    commit=commit, area=area)
        except InvestmentError as error:
            _add_error(form, error)
            return render(request, self.template, {"form": form}, status=error.status)
        status = 200 if report.ok else 400
        return render(request, self.template, {"form": form, "report": report,
                                               "outcomes": importer.OUTCOMES}, status=status)


def template_download(request, kind, fmt):
    if kind not in ("projects", "employment") or fmt not in ("csv", "xlsx"):
        from django.http import Http404

        raise Http404(_("Templates: projects or employment, as csv or xlsx."))
    columns = {"projects": importer.PROJECT_COLUMNS,
               "employment": importer.EMPLOYMENT_COLUMNS}[kind]
    content = importer.template(columns, fmt)
    content_type = ("text/csv; charset=utf-8" if fmt == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


# --- list and API: home region first -------------------------------------------------------------

def _listed(request):
    """Projects filtered by sector, status and area; with home_first=1 those in the signed-in
    user's home district first, then their home oblast."""
    queryset = InvestmentProject.objects.select_related("settlement", "oblast", "district")
    sector = request.GET.get("sector", "")
    if sector:
        queryset = queryset.filter(sector=actions.checked_sector(sector))
    status = request.GET.get("status", "")
    if status:
        queryset = queryset.filter(status=actions.checked_status(status))
    if request.GET.get("area"):
        area = resolve_area(request.GET["area"])
        queryset = queryset.filter(**{f"{area.level}_id": area.pk})
    home = request.GET.get("home_first", "")
    if home not in ("", "0", "1"):
        raise BadQuery(_("home_first must be 1 (your home region first) or 0"), "home_first")
    if home == "1":
        return actions.home_first(queryset, request.user)
    return queryset.order_by("-created_at", "-pk")


def project_list_api(request):
    try:
        projects = list(_listed(request)[:500])
    except (InvestmentError, BadQuery) as error:
        return _error_json(error)
    language = _language()
    body = {"projects": [project_summary(p, language)
                         | ({"home_rank": p.home_rank} if hasattr(p, "home_rank") else {})
                         for p in projects]}
    if any(p.employment_is_sample for p in projects):
        body["notice"] = sample_note()
    response = JsonResponse(body)
    response["Cache-Control"] = "private, no-store"
    return response


def project_list_page(request):
    error = ""
    try:
        projects = list(_listed(request)[:200])
    except (InvestmentError, BadQuery) as exc:
        error, projects = exc.message, []
    context = {"projects": projects, "error": error, "params": request.GET,
               "sectors": Sector.choices, "statuses": Status.choices,
               "sample_note": sample_note(),
               "has_sample": any(p.employment_is_sample for p in projects),
               "home_area": getattr(request.user, "home_area", None)
               if request.user.is_authenticated else None,
               "is_staff": request.user.is_authenticated
               and areas_where(request.user, Action.CHANGE) != set()}
    return render(request, "investments/list.html", context, status=400 if error else 200)


def _api_project(pk: str) -> InvestmentProject | None:
    """The project of an API address, or None (the API answers a JSON 404, not a page)."""
    project_id = path_id(pk)
    if project_id is None:
        return None
    return InvestmentProject.objects.filter(pk=project_id).select_related(
        "settlement", "oblast", "district").first()


def _no_project(pk: str) -> JsonResponse:
    return JsonResponse({"error": _("No investment project has the id %(id)s: ids are whole "
                                    "numbers, see /api/investments/projects/.") % {"id": pk}},
                        status=404)


def interest_api(request, pk):
    """POST {"message": "..."}: the signed-in user registers interest (201)."""
    if request.method != "POST":
        return JsonResponse({"error": _("POST a message to register interest.")}, status=405)
    project = _api_project(pk)
    if project is None:
        return _no_project(pk)
    try:
        payload = json.loads(request.body or b"{}")
        message = payload.get("message", "") if isinstance(payload, dict) else ""
    except ValueError:
        return JsonResponse({"error": _("Send JSON: {\"message\": \"...\"}")}, status=400)
    if not isinstance(message, str):
        return JsonResponse({"error": _("Send JSON: {\"message\": \"...\"}"),
                             "field": "message"}, status=400)
    try:
        interest = actions.register_interest(user=request.user, project=project,
                                             message=message)
    except InvestmentError as error:
        return _error_json(error)
    return JsonResponse({"id": interest.pk, "project": project.pk}, status=201)


def interests_api(request, pk):
    """The responsible staff's list of interested investors, natives first."""
    project = _api_project(pk)
    if project is None:
        return _no_project(pk)
    try:
        interests = actions.interested_investors(user=request.user, project=project)
    except InvestmentError as error:
        return _error_json(error)
    body = {"project": project.pk, "interests": [{
        "id": i.pk, "investor": i.investor.get_full_name() or i.investor.get_username(),
        "email": i.investor.email, "phone": i.investor.phone,
        "home_area": i.investor.home_area.kato if i.investor.home_area else None,
        "native_rank": i.native_rank, "native": actions.native_label(i.native_rank),
        "message": i.message, "created_at": i.created_at.isoformat()} for i in interests]}
    response = JsonResponse(body)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the planner's gaps --------------------------------------------------------------------------

# A settlement's page address, made once per answer (an oblast's answer lists hundreds of
# settlements; reverse() and the translated note per settlement cost more than the query).
SETTLEMENT_URL_SLOT = "000000000"


def gap_feature(gap: gaps.Gap, language: str, note: str, settlement_url: str) -> dict:
    return {"type": "Feature", "id": gap.settlement_id,
            "geometry": {"type": "Point", "coordinates": [round(gap.lon, 6), round(gap.lat, 6)]},
            "properties": {
                "kato": gap.kato, "name": gap.name(language), "oblast": gap.oblast,
                "district": gap.district, "year": gap.year,
                "working_age_population": gap.working_age_population,
                "employed": gap.employed, "unemployed": gap.unemployed,
                "unemployment_rate": gap.unemployment_rate, "source": gap.source,
                "is_sample": gap.is_sample,
                "note": note if gap.is_sample else None,
                "url": settlement_url.replace(SETTLEMENT_URL_SLOT, gap.kato)}}


def gap_collection(query: gaps.GapQuery, found: list[gaps.Gap]) -> dict:
    language = _language()
    note = sample_note()
    settlement_url = reverse("settlements:detail", args=[SETTLEMENT_URL_SLOT])
    body = {"type": "FeatureCollection", "query": query.params(),
            "numberReturned": len(found),
            "features": [gap_feature(gap, language, note, settlement_url) for gap in found]}
    if any(gap.is_sample for gap in found):
        body["notice"] = note
    return body


def gaps_api(request):
    try:
        query = gaps.parse_gap_query(request.GET)
    except BadQuery as error:
        return _error_json(error)
    body = gap_collection(query, gaps.find_gaps(query))
    return HttpResponse(dumps(body), content_type="application/geo+json")


CSV_COLUMNS = ("kato", "name", "oblast", "district", "year", "working_age_population",
               "employed", "unemployed", "unemployment_rate", "source", "is_sample", "note",
               "lon", "lat")


def _cell(value):
    """A text cell a spreadsheet will not run as a formula (sources come from uploads)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def gaps_csv(request):
    try:
        query = gaps.parse_gap_query(request.GET)
    except BadQuery as error:
        return _error_json(error)
    language = _language()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for gap in gaps.find_gaps(query):
        writer.writerow([gap.kato, _cell(gap.name(language)), gap.oblast or "",
                         gap.district or "", gap.year, gap.working_age_population, gap.employed,
                         gap.unemployed, gap.unemployment_rate, _cell(gap.source),
                         "yes" if gap.is_sample else "no",
                         sample_note() if gap.is_sample else "", round(gap.lon, 6),
                         round(gap.lat, 6)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="investment-gaps.csv"'
    return response


def gaps_page(request):
    error, error_field, found, query = "", "", [], None
    try:
        query = gaps.parse_gap_query(request.GET)
        found = gaps.find_gaps(query)
    except BadQuery as exc:
        error, error_field = exc.message, exc.parameter or ""
    params = {"within_km": request.GET.get("within_km") or f"{gaps.default_within_km():g}",
              "min_rate": request.GET.get("min_rate") or f"{gaps.default_min_rate():g}",
              "area": request.GET.get("area", "")}
    language = _language()
    collection = gap_collection(query, found) if query else {
        "type": "FeatureCollection", "features": []}
    context = {
        "gaps": found, "error": error, "error_field": error_field, "params": params,
        "language": language, "sample_note": sample_note(),
        "has_sample": any(g.is_sample for g in found),
        "csv_url": reverse("investments:gaps-csv") + "?" + request.GET.urlencode(),
        "api_url": reverse("investments:gaps-api") + "?" + request.GET.urlencode(),
        "gaps_map": map_config() | {"geojson": collection},
        "max_within_km": gaps.MAX_WITHIN_KM,
    }
    return render(request, "investments/gaps.html", context, status=400 if error else 200)
