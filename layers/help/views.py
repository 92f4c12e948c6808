"""Pages and API of the help layer.

Public: a request's page (public facts, the funding progress and pledge form for material
help, "I want to help"), and the reveal (POST) that shows the person's contacts to a helper
whose identity is confirmed, after a fresh step-up. Staff of an area: the upload of lists, the
record of a request (helpers who asked, status), and who revealed what and when.

Every write goes through layers.help.actions; refusals answer with their status and message.
Pages holding personal data are never cached (`Cache-Control: private, no-store`).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views import View

from gis_portal.accounts.permissions import Action, areas_where, may
from gis_portal.identity.actions import RevealRefused
from gis_portal.identity.models import IdentityAuditEntry
from layers.core.params import path_id
from layers.core.registry import layer_registry

from . import actions
from .models import FamilySituation, HelpRequest

Status = HelpRequest.Status


def _private(response):
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def visible_request(request, pk) -> HelpRequest:
    """The request if this visitor may see it on the map (the layer's own rule), else 404."""
    layer = layer_registry.get("help-requests")
    help_request = layer.visible_queryset(request).select_related("kind", "settlement").filter(
        pk=pk).first()
    if help_request is None:
        raise Http404(_("No such help request."))
    return help_request


def _family_names(help_request) -> list[str]:
    names = {tag.code: tag.name() for tag in
             FamilySituation.objects.filter(code__in=help_request.family_tags)}
    return [names.get(code, code) for code in help_request.family_tags]


def _fundraiser(help_request):
    if help_request.topic != HelpRequest.Topic.MATERIAL or not help_request.amount_needed:
        return None
    from gis_portal.funding.actions import fundraiser_for

    return fundraiser_for(help_request)


class RequestPageView(View):
    def get(self, request, pk):
        help_request = visible_request(request, pk)
        context = {
            "help_request": help_request,
            "family": _family_names(help_request),
            "fundraiser": _fundraiser(help_request),
            "may_manage": may(request.user, Action.VIEW_PRIVATE, help_request.area),
        }
        return _private(render(request, "help/request.html", context))


class ContactsView(View):
    """GET: what happens before contacts are shown, and the button. POST: the reveal; a
    refusal sends the helper to the page that fixes it (sign in, confirm identity, step up)."""

    def get(self, request, pk):
        help_request = visible_request(request, pk)
        return _private(render(request, "help/contacts.html", {"help_request": help_request}))

    def post(self, request, pk):
        help_request = visible_request(request, pk)
        try:
            contacts = actions.reveal_contacts(request=request, help_request=help_request)
        except RevealRefused as refusal:
            messages.warning(request, refusal.message)
            return redirect(refusal.action_url or help_request_url(help_request))
        except actions.HelpError as error:
            return _private(render(request, "help/contacts.html",
                                   {"help_request": help_request, "error": error.message},
                                   status=error.status))
        return _private(render(request, "help/contacts.html",
                               {"help_request": help_request, "contacts": contacts}))


def help_request_url(help_request) -> str:
    return f"/help/{help_request.pk}/"


def reveal_api(request, pk):
    """POST /api/help/<id>/reveal: {"full_name", "phone", "address"}, or
    {"error", "code", "action_url", "action_label"} with 403/404/429."""
    if request.method != "POST":
        return JsonResponse({"error": _("Use POST.")}, status=405)
    try:
        request_id = path_id(pk)
        if request_id is None:
            raise Http404(_("No such help request."))
        help_request = visible_request(request, request_id)
    except Http404 as missing:
        return _private(JsonResponse({"error": str(missing), "code": "not_found"}, status=404))
    try:
        contacts = actions.reveal_contacts(request=request, help_request=help_request)
    except RevealRefused as refusal:
        return _private(JsonResponse({"error": refusal.message, "code": refusal.code,
                                      "action_url": refusal.action_url,
                                      "action_label": str(refusal.action_label)},
                                     status=refusal.status))
    except actions.HelpError as error:
        return _private(JsonResponse({"error": error.message, "code": error.code},
                                     status=error.status))
    return _private(JsonResponse(contacts, json_dumps_params={"ensure_ascii": False}))


# --- Staff -----------------------------------------------------------------------------------

class StaffMixin(LoginRequiredMixin):
    """Staff who may see personal data somewhere (akimat officers, NGO operators, admins)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and areas_where(request.user,
                                                         Action.VIEW_PRIVATE) == set():
            raise PermissionDenied(_("Only akimat and NGO staff see this page."))
        return super().dispatch(request, *args, **kwargs)


def staff_requests(user):
    """Requests of the areas where the user may see personal data."""
    roots = areas_where(user, Action.VIEW_PRIVATE)
    rows = HelpRequest.objects.all()
    if roots is None:
        return rows
    ids = [area.pk for area in roots]
    return rows.filter(Q(oblast__in=ids) | Q(district__in=ids) | Q(okrug__in=ids))


class StaffRecordView(StaffMixin, View):
    def get(self, request, pk):
        help_request = get_object_or_404(staff_requests(request.user), pk=pk)
        return self.render(request, help_request)

    def render(self, request, help_request, status=200, error=None):
        context = {
            "help_request": help_request,
            "family": _family_names(help_request),
            "events": help_request.events.select_related("actor")[:50],
            "transitions": [(status.value, status.label) for status in
                            sorted(actions.TRANSITIONS[Status(help_request.status)])],
            "error": error,
        }
        return _private(render(request, "help/staff_record.html", context, status=status))

    def post(self, request, pk):
        help_request = get_object_or_404(staff_requests(request.user), pk=pk)
        try:
            if request.POST.get("action") == "publish":
                actions.publish_request(user=request.user, help_request=help_request)
            elif request.POST.get("action") == "withdraw":
                actions.withdraw_request(user=request.user, help_request=help_request)
            else:
                actions.set_status(user=request.user, help_request=help_request,
                                   status=request.POST.get("status", ""))
        except actions.HelpError as error:
            help_request.refresh_from_db()
            return self.render(request, help_request, error.status, error.message)
        messages.success(request, _("Saved."))
        return redirect(f"/help/staff/{help_request.pk}/")


class RevealLogView(StaffMixin, View):
    """Who revealed (or tried to reveal) which request's contacts, and when, in the staff
    member's areas."""

    def get(self, request):
        requests = staff_requests(request.user)
        targets = [f"help-request:{pk}" for pk in requests.values_list("pk", flat=True)[:20000]]
        entries = (IdentityAuditEntry.objects
                   .filter(event__in=[IdentityAuditEntry.Event.REVEAL,
                                      IdentityAuditEntry.Event.REVEAL_REFUSED],
                           target__in=targets)
                   .select_related("actor").order_by("-created_at")[:500])
        rows = [{"entry": entry, "request_id": int(entry.target.split(":")[1])}
                for entry in entries]
        return _private(render(request, "help/staff_reveals.html", {"rows": rows}))


def template_download(request, fmt):
    """The upload template with headers in Kazakh and Russian (CSV or XLSX)."""
    from .importer import template_bytes

    if not request.user.is_authenticated or areas_where(request.user, Action.CHANGE) == set():
        raise PermissionDenied(_("Only akimat and NGO staff upload lists."))
    data, content_type = template_bytes(fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="help-requests-template.{fmt}"'
    return response


UPLOAD_SESSION_KEY = "help_upload"


class UploadView(StaffMixin, View):
    """Staff upload: the file is checked row by row (nothing written); the report shows, and a
    confirm button writes it. Between the two the file waits in the session encrypted."""

    template_name = "help/staff_upload.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and areas_where(request.user, Action.CHANGE) == set():
            raise PermissionDenied(_("Only akimat and NGO staff upload lists."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return _private(render(request, self.template_name, {}))

    def post(self, request):
        from gis_portal.privacy import crypto

        from .importer import ImportFileError, import_file

        commit = request.POST.get("confirm") == "1"
        if commit:
            stored = request.session.get(UPLOAD_SESSION_KEY)
            if not stored:
                return _private(render(request, self.template_name, {
                    "file_error": _("Upload the file again: the checked file has expired.")},
                    status=400))
            data, filename = crypto.decrypt(stored["data"]), stored["name"]
        else:
            upload = request.FILES.get("file")
            if upload is None:
                return _private(render(request, self.template_name, {
                    "file_error": _("Choose a .csv or .xlsx file.")}, status=400))
            data, filename = upload.read(), upload.name
        try:
            report = import_file(user=request.user, data=data, filename=filename,
                                 commit=commit)
        except ImportFileError as error:
            return _private(render(request, self.template_name, {"file_error": error.message},
                                   status=400))
        except actions.HelpError as error:  # a row changed between the check and the commit
            return _private(render(request, self.template_name, {"file_error": error.message},
                                   status=error.status))
        if report.committed:
            request.session.pop(UPLOAD_SESSION_KEY, None)
            counts = report.counts()
            messages.success(request, _("Written: %(new)d new, %(update)d updated.") % counts)
            return redirect("help:upload")
        if report.ok:
            request.session[UPLOAD_SESSION_KEY] = {"name": filename,
                                                   "data": crypto.encrypt(data)}
        else:
            request.session.pop(UPLOAD_SESSION_KEY, None)
        return _private(render(request, self.template_name, {
            "report": report, "counts": report.counts(), "filename": filename},
            status=200 if report.ok else 400))
