"""Pages of monuments and natural sites, the condition reports on monuments and the staff's
queue of them.

A page reads without a map or a script (light on a phone and a slow connection). Every write
goes through layers.heritage.actions; a refused one re-renders the page with the action's
message and its status (400, 403, 409, 429). Pages that show videos frame the allowed players
only (frame-src added by django-csp's decorator for those pages).
"""

from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gis_portal.accounts.permissions import Action, areas_where
from gis_portal.errors import ActionError
from gis_portal.photos.actions import PhotoError, photos_of

from . import actions
from .actions import HeritageError
from .models import ConditionReport, Monument, MonumentProject, NaturalSite
from .places import parks_containing, sights_in
from .videos import player_hosts

MODELS = {"monuments": Monument, "nature": NaturalSite}
PAGE_URL_NAMES = {"monuments": "heritage:monument", "nature": "heritage:nature"}
# The players of the allowed video hosts: the only frames an object page may show.
FRAME_POLICY = csp_update({"frame-src": player_hosts()}) if player_hosts() else (lambda v: v)


# --- forms -----------------------------------------------------------------------------------
class ConditionReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What is wrong?"),
                             choices=ConditionReport.Kind.choices)
    comment = forms.CharField(label=gettext_lazy("Describe what you saw"),
                              max_length=actions.TEXT_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("The culture-department staff of the area "
                                                     "read it. Your name is not shown."))
    photo = forms.ImageField(label=gettext_lazy("Photo (optional)"), required=False,
                             help_text=gettext_lazy("JPEG, PNG or WebP. Location data is "
                                                    "removed from the photo."))


class ManageForm(forms.Form):
    condition = forms.ChoiceField(label=gettext_lazy("Condition"),
                                  choices=Monument.Condition.choices)
    protection_status = forms.ChoiceField(label=gettext_lazy("Protection status"),
                                          choices=Monument.Protection.choices)


class VideoForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("Video link"), max_length=400,
                          widget=forms.URLInput(attrs={"inputmode": "url"}))
    title = forms.CharField(label=gettext_lazy("Title of the video"), max_length=200)


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=gettext_lazy("Photo"))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)


class ProjectForm(forms.Form):
    project = forms.TypedChoiceField(label=gettext_lazy("Project"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of work"),
                             choices=MonumentProject.Kind.choices)

    def __init__(self, *args, monument=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [
            (project.pk, project.title) for project in projects_near(monument)]


def projects_near(monument):
    """Projects of the monument's district (else oblast) to choose from, newest first."""
    from layers.projects.models import SocialProject

    area = monument.district or monument.oblast
    if area is None:
        return SocialProject.objects.none()
    return SocialProject.objects.filter(**{f"{area.level}": area}).order_by("-created_at")[:200]


class HandleForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=[
        (ConditionReport.Status.IN_WORK, gettext_lazy("in work")),
        (ConditionReport.Status.RESOLVED, gettext_lazy("resolved")),
        (ConditionReport.Status.DISMISSED, gettext_lazy("dismissed")),
    ])
    note = forms.CharField(label=gettext_lazy("Note for the public"), required=False,
                           max_length=actions.TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("Shown on the monument's page. Needed to "
                                                  "resolve or dismiss."))


def local_text(record, prefix: str) -> dict | None:
    """A kk/ru/en text in the reader's language, else Kazakh, else Russian, else English,
    with the language it is written in (the page marks a fallback with its lang)."""
    language = (get_language() or "kk")[:2]
    for candidate in dict.fromkeys((language, "kk", "ru", "en")):
        text = getattr(record, f"{prefix}_{candidate}", "") or ""
        if text.strip():
            return {"text": text, "lang": candidate, "fallback": candidate != language}
    return None


def _attach_error(form, error: ActionError):
    if form is not None:
        form.add_error(error.field if error.field in form.fields else None, error.message)


# --- the object pages ------------------------------------------------------------------------
def render_record(request, layer: str, record, *, status: int = 200, forms_: dict | None = None,
                  error: ActionError | None = None, error_form: str = ""):
    forms_ = forms_ or {}
    can_manage = actions.may_manage(request.user, record)
    is_monument = layer == "monuments"
    can_report = is_monument and request.user.is_authenticated
    if error is not None:
        _attach_error(forms_.get(error_form), error)
    areas = [area for area in (record.oblast, record.district, record.okrug) if area]
    context = {
        "layer": layer,
        "record": record,
        "is_monument": is_monument,
        "areas": areas,
        "name": local_text(record, "name"),
        "description": local_text(record, "description"),
        "visiting": local_text(record, "visiting"),
        "approximate": record.position_approximate,
        "parks": list(parks_containing(record)),
        "sights": (sights_in(record) if not is_monument and record.is_protected_area
                   else None),
        "photos": list(photos_of(record, purpose="main")),
        "videos": list(actions.videos_of(record)),
        "reports": (list(record.condition_reports.prefetch_related("events")[:20])
                    if is_monument else []),
        "my_reports": (list(record.condition_reports.filter(reporter=request.user)[:10])
                       if can_report else []),
        "can_report": can_report,
        "can_manage": can_manage,
        "report_form": forms_.get("report") or ConditionReportForm() if can_report else None,
        "manage_form": (forms_.get("manage") or ManageForm(initial={
            "condition": record.condition, "protection_status": record.protection_status})
            if can_manage and is_monument else None),
        "video_form": forms_.get("video") or VideoForm() if can_manage else None,
        "photo_form": forms_.get("photo") or PhotoForm() if can_manage else None,
        "projects": list(actions.public_projects_of(record)) if is_monument else [],
        "project_form": (forms_.get("project") or ProjectForm(monument=record)
                         if is_monument and actions.may_attach_projects(request.user, record)
                         else None),
    }
    return render(request, "heritage/record.html", context, status=status)


def _published(layer: str, pk: int, user):
    model = MODELS[layer]
    record = get_object_or_404(model.objects.select_related(
        "oblast", "district", "okrug", "settlement", "dataset"), pk=pk)
    if not record.is_published and not actions.may_manage(user, record):
        raise PermissionDenied(_("This object is not published."))
    return record


@method_decorator(FRAME_POLICY, name="dispatch")
class RecordView(View):
    layer = "monuments"

    def get(self, request, pk):
        return render_record(request, self.layer, _published(self.layer, pk, request.user))


@method_decorator(FRAME_POLICY, name="dispatch")
class ConditionReportView(LoginRequiredMixin, View):
    """A resident reports a monument's condition: POST kind, comment, optional photo."""

    def post(self, request, pk):
        monument = _published("monuments", pk, request.user)
        form = ConditionReportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render_record(request, "monuments", monument, status=400,
                                 forms_={"report": form})
        try:
            actions.report_condition(user=request.user, monument=monument,
                                     kind=form.cleaned_data["kind"],
                                     comment=form.cleaned_data["comment"],
                                     upload=form.cleaned_data.get("photo"))
        except ActionError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            if isinstance(error, PhotoError):
                error.field = "photo"
            return render_record(request, "monuments", monument, status=error.status,
                                 forms_={"report": form}, error=error, error_form="report")
        messages.success(request, _("Thank you. The culture-department staff of the area will "
                                    "look at your report; its handling appears on this page."))
        return redirect("heritage:monument", pk=pk)


@method_decorator(FRAME_POLICY, name="dispatch")
class ManageView(LoginRequiredMixin, View):
    """Staff change a monument's condition and protection status, or add a photo or video:
    POST to .../manage/, .../photos/ or .../videos/."""

    layer = "monuments"
    what = "manage"

    def post(self, request, pk, layer=None):
        self.layer = layer or self.layer
        if self.layer not in MODELS:
            raise Http404
        record = _published(self.layer, pk, request.user)
        if self.what != "project" and not actions.may_manage(request.user, record):
            raise PermissionDenied(_("Only culture-department or akimat staff of this "
                                     "object's area can change it."))
        if self.what == "project":
            return self.attach_project(request, record)
        form_class = {"manage": ManageForm, "photo": PhotoForm, "video": VideoForm}[self.what]
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            return render_record(request, self.layer, record, status=400,
                                 forms_={self.what: form})
        data = form.cleaned_data
        try:
            if self.what == "manage":
                actions.update_record(user=request.user, record=record, changes=data)
                messages.success(request, _("Saved. The change is recorded."))
            elif self.what == "photo":
                actions.add_record_photo(user=request.user, record=record,
                                         upload=data["photo"], caption=data["caption"])
                messages.success(request, _("The photo is added."))
            else:
                actions.add_video(user=request.user, record=record, url=data["url"],
                                  title=data["title"])
                messages.success(request, _("The video is added."))
        except ActionError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            if isinstance(error, PhotoError):
                error.field = "photo"
            return render_record(request, self.layer, record, status=error.status,
                                 forms_={self.what: form}, error=error, error_form=self.what)
        return redirect(PAGE_URL_NAMES[self.layer], pk=pk)

    def attach_project(self, request, monument):
        from layers.projects.models import SocialProject

        form = ProjectForm(request.POST, monument=monument)
        try:
            if not actions.may_attach_projects(request.user, monument):
                raise actions.NotAllowed(_("Only akimat staff of the monument's area can "
                                           "attach a project to it."))
            if not form.is_valid():
                return render_record(request, "monuments", monument, status=400,
                                     forms_={"project": form})
            project = get_object_or_404(SocialProject, pk=form.cleaned_data["project"])
            actions.attach_project(user=request.user, monument=monument, project=project,
                                   kind=form.cleaned_data["kind"])
        except ActionError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            return render_record(request, "monuments", monument, status=error.status,
                                 forms_={"project": form}, error=error, error_form="project")
        messages.success(request, _("The project is attached."))
        return redirect("heritage:monument", pk=monument.pk)


# --- the staff's queue -----------------------------------------------------------------------
class HeritageStaffMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if (request.user.is_authenticated
                and areas_where(request.user, Action.MANAGE_HERITAGE) == set()):
            raise PermissionDenied(_("Only culture-department and akimat staff see the reports "
                                     "on monuments."))
        return super().dispatch(request, *args, **kwargs)


class ReportQueueView(HeritageStaffMixin, TemplateView):
    template_name = "heritage/report_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = list(actions.report_queue_for(self.request.user)
                       .prefetch_related("events")[:200])
        for report in reports:
            report.handle_form = kwargs.get("forms", {}).get(report.pk) or HandleForm(
                prefix=f"report-{report.pk}")
            report.photos = list(photos_of(report, purpose="condition"))
        context["reports"] = reports
        context["error"] = kwargs.get("error")
        return context


class HandleReportView(HeritageStaffMixin, View):
    """POST status and note for one report."""

    def post(self, request, pk):
        report = get_object_or_404(ConditionReport, pk=pk)
        form = HandleForm(request.POST, prefix=f"report-{pk}")
        try:
            if not form.is_valid():
                raise HeritageError(_("Choose a status: in work, resolved or dismissed."),
                                    field="status")
            actions.handle_report(user=request.user, report=report,
                                  status=form.cleaned_data["status"],
                                  note=form.cleaned_data["note"])
        except HeritageError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            _attach_error(form, error)
            view = ReportQueueView(request=request, kwargs={})
            context = view.get_context_data(error=error.message, forms={pk: form})
            return render(request, ReportQueueView.template_name, context, status=error.status)
        messages.success(request, _("Report on %(name)s: %(status)s.")
                         % {"name": report.monument.name, "status": report.get_status_display()})
        return redirect("heritage:reports")
