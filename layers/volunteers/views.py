"""Pages and API of the volunteer corps.

Public: the anonymised list with its filters (/volunteers/), a card's page and the contact
request (POST, through the reveal gate). The volunteer: their own page (/volunteers/me/) with
who saw their contacts and when, their assignments (accept, decline), pause, resume, leave;
the questionnaire as JSON (/api/volunteers/me). Staff of an area: paper questionnaires,
matching, assignments, help records, reviews, moderation (JSON API).

Every write goes through layers.volunteers.actions; refusals answer with their status and
message. Pages that may hold personal data are never cached.
"""

import json
import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from gis_portal.accounts.permissions import Action, may
from gis_portal.errors import ActionError
from gis_portal.identity.actions import RevealRefused
from layers.areas.models import AdminArea, Settlement
from layers.core.params import path_id
from layers.help.models import HelpRequest

from . import actions, matching
from .filters import VolunteerCardFilterSet
from .forms import QuestionnaireForm
from .models import DAY_CHOICES, Assignment, Direction, HelpRecord, Review, Volunteer, VolunteerCard

PAGE_SIZE = 50


def _private(response):
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _error(error: ActionError):
    return _private(JsonResponse({"error": error.message, "field": error.field,
                                  "code": error.code}, status=error.status))


def _names(codes) -> list[str]:
    names = {d.code: d.name() for d in Direction.objects.filter(code__in=codes)}
    return [names.get(code, code) for code in codes]


def _describe(card: VolunteerCard) -> dict:
    days = dict(DAY_CHOICES)
    place = card.okrug or card.district or card.oblast
    hours = sorted({slot % 24 for slot in card.slots})
    return {"card": card, "place": place.name if place else card.place_kato,
            "directions": _names(card.directions),
            "days": [str(days[d]) for d in card.days],
            "hours": f"{hours[0]:02d}:00–{hours[-1] + 1:02d}:00" if hours else "",
            "languages": card.languages}


def _area(kato):
    if not kato:
        return None
    return AdminArea.objects.filter(generation__is_current=True, kato=str(kato)[:9]).first()


class ListPageView(View):
    """The anonymised list, filtered like the layer (same filter set, same release)."""

    def get(self, request):
        cards = (VolunteerCard.objects.select_related("oblast", "district", "okrug")
                 .order_by("place_kato", "age_shown", "id"))
        area = _area(request.GET.get("area"))
        if area is not None:
            cards = cards.filter(**{f"{area.level}_id": area.pk})
        filterset = VolunteerCardFilterSet(request.GET or None, queryset=cards)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else cards
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"filterset": filterset, "page": page,
                   "rows": [_describe(card) for card in page.object_list],
                   "total": page.paginator.count, "area": area,
                   "oblasts": AdminArea.objects.filter(generation__is_current=True,
                                                       level="oblast").order_by("kato")}
        return _private(render(request, "volunteers/list.html", context))


class CardPageView(View):
    def get(self, request, pk):
        card = get_object_or_404(VolunteerCard.objects.select_related("oblast", "district",
                                                                      "okrug"), pk=pk)
        return _private(render(request, "volunteers/card.html", _describe(card)))


class ContactsView(View):
    """POST: the reveal; a refusal sends the resident to the page that fixes it."""

    def post(self, request, pk):
        card = get_object_or_404(VolunteerCard.objects.select_related("volunteer"), pk=pk)
        try:
            contacts = actions.reveal_contacts(request=request, volunteer=card.volunteer)
        except RevealRefused as refusal:
            messages.warning(request, refusal.message)
            return redirect(refusal.action_url or f"/volunteers/{pk}/")
        except actions.VolunteerError as error:
            raise Http404(error.message) from None
        return _private(render(request, "volunteers/contacts.html",
                               {"card": card, "contacts": contacts}))


@require_POST
def reveal_api(request, pk):
    """POST /api/volunteers/<card>/reveal: {"full_name", "phone", "email"}, or
    {"error", "code", "action_url", "action_label"} with 403/404/429."""
    card_id = path_id(pk)
    card = (VolunteerCard.objects.select_related("volunteer").filter(pk=card_id).first()
            if card_id is not None else None)
    if card is None:
        return _private(JsonResponse({"error": _("No such volunteer on the list."),
                                      "code": "not_found"}, status=404))
    try:
        contacts = actions.reveal_contacts(request=request, volunteer=card.volunteer)
    except RevealRefused as refusal:
        return _private(JsonResponse({"error": refusal.message, "code": refusal.code,
                                      "action_url": refusal.action_url,
                                      "action_label": str(refusal.action_label)},
                                     status=refusal.status))
    except actions.VolunteerError as error:
        return _error(error)
    return _private(JsonResponse(contacts, json_dumps_params={"ensure_ascii": False}))


# --- The volunteer's own page ------------------------------------------------------------------

class MyPageView(LoginRequiredMixin, View):
    def get(self, request):
        volunteer = Volunteer.objects.filter(user=request.user).first()
        context = {"volunteer": volunteer}
        if volunteer is not None:
            context["notices"] = volunteer.notices.all()[:50]
            context["assignments"] = (volunteer.assignments.select_related("request__kind")
                                      .order_by("-created_at")[:50])
            volunteer.notices.filter(seen_at__isnull=True).update(seen_at=_now())
            if volunteer.status == Volunteer.Status.ACTIVE:
                pairs = matching.requests_for_volunteer(volunteer.pk, limit=10)
                context["nearby"] = [{"pk": pk, "km": round(d / 1000, 1)} for pk, d in pairs]
        return _private(render(request, "volunteers/me.html", context))

    def post(self, request):
        volunteer = get_object_or_404(Volunteer, user=request.user)
        what = request.POST.get("action")
        try:
            if what == "pause":
                actions.pause(user=request.user, volunteer=volunteer)
            elif what == "resume":
                actions.resume(user=request.user, volunteer=volunteer)
            elif what == "leave":
                actions.leave(user=request.user, volunteer=volunteer)
            elif what in ("accept", "decline"):
                assignment = get_object_or_404(Assignment, pk=request.POST.get("assignment"),
                                               volunteer=volunteer)
                actions.answer_assignment(user=request.user, assignment=assignment,
                                          accept=what == "accept")
            else:
                messages.warning(request, _("Unknown action."))
        except actions.VolunteerError as error:
            messages.warning(request, error.message)
        return redirect("volunteers:me")


class JoinView(LoginRequiredMixin, View):
    """The questionnaire page: sign up, or edit one's own questionnaire."""

    def _mine(self, request):
        return (Volunteer.objects.filter(user=request.user)
                .exclude(status=Volunteer.Status.LEFT).first())

    def get(self, request):
        volunteer = self._mine(request)
        initial = QuestionnaireForm.initial_for(volunteer) if volunteer else None
        return _private(render(request, "volunteers/join.html",
                               {"form": QuestionnaireForm(initial=initial),
                                "volunteer": volunteer}))

    def post(self, request):
        volunteer = self._mine(request)
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            try:
                if volunteer is None:
                    actions.sign_up(user=request.user, data=form.questionnaire())
                else:
                    actions.update_questionnaire(user=request.user, volunteer=volunteer,
                                                 data=form.questionnaire())
            except actions.VolunteerError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                messages.success(request, _("Your questionnaire is saved."))
                return redirect("volunteers:me")
        return _private(render(request, "volunteers/join.html",
                               {"form": form, "volunteer": volunteer}, status=400))


def _now():
    from django.utils import timezone

    return timezone.now()


# --- JSON API ----------------------------------------------------------------------------------

def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise actions.VolunteerError(_("The body must be JSON.")) from None
    if not isinstance(data, dict):
        raise actions.VolunteerError(_("The body must be a JSON object."))
    return data


# Readers of one value of a JSON body: the type the action needs, or a 400 naming the field.

def _refuse(name: str, what) -> actions.VolunteerError:
    return actions.VolunteerError(what % {"name": name}, field=name)


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _refuse(name, _("%(name)s must be a text."))
    return value


def _flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise _refuse(name, _("%(name)s must be true or false."))
    return value


def _whole_number(data: dict, name: str, default=None) -> int | None:
    value = data.get(name, default)
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,18}\s*", value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _refuse(name, _("%(name)s must be a whole number."))


def _texts(data: dict, name: str) -> list[str]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _refuse(name, _("%(name)s must be a list of texts."))
    return value


def _numbers(data: dict, name: str, low: int, high: int) -> list[int]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) and low <= item <= high
            for item in value):
        raise actions.VolunteerError(
            _("%(name)s must be a list of whole numbers from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high}, field=name)
    return value


def questionnaire_from(data: dict) -> actions.QuestionnaireInput:
    settlement = Settlement.objects.filter(kato=_text(data, "settlement")).first()
    if data.get("slots") is not None:
        slots = _numbers(data, "slots", 0, actions.HOURS_IN_WEEK - 1)
    else:  # days (0 = Monday) and hours of the day
        slots = actions.slots_for(_numbers(data, "days", 0, 6), _numbers(data, "hours", 0, 23))
    return actions.QuestionnaireInput(
        full_name=_text(data, "full_name"), phone=_text(data, "phone"),
        email=_text(data, "email"), birth_year=_whole_number(data, "birth_year"),
        gender=_text(data, "gender"), settlement=settlement,
        directions=_texts(data, "directions"), own_directions=_texts(data, "own_directions"),
        slots=slots, education=_text(data, "education"),
        experience=_text(data, "experience"), has_car=_flag(data, "has_car"),
        car_seats=_whole_number(data, "car_seats", 0) or 0,
        languages=_texts(data, "languages"), travel_km=_whole_number(data, "travel_km", 10))


def json_action(handler):
    """POST only, JSON in and out, ActionError → its status."""

    def view(request, *args, **kwargs):
        if request.method != "POST":
            return JsonResponse({"error": _("Use POST.")}, status=405)
        if not request.user.is_authenticated:
            return _private(JsonResponse({"error": _("Sign in first.")}, status=403))
        try:
            return _private(JsonResponse(handler(request, _body(request), *args, **kwargs)))
        except ActionError as error:
            return _error(error)

    view.__name__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


@json_action
def my_questionnaire(request, data):
    """Sign up, or update one's own questionnaire."""
    volunteer = (Volunteer.objects.filter(user=request.user)
                 .exclude(status=Volunteer.Status.LEFT).first())
    form = questionnaire_from(data)
    if volunteer is None:
        volunteer = actions.sign_up(user=request.user, data=form)
    else:
        volunteer = actions.update_questionnaire(user=request.user, volunteer=volunteer,
                                                 data=form)
    return {"id": volunteer.pk, "status": volunteer.status}


@json_action
def paper_questionnaire(request, data):
    """Staff enter a paper questionnaire."""
    volunteer, created = actions.enter_paper(user=request.user, data=questionnaire_from(data))
    return {"id": volunteer.pk, "created": created}


def _by_path_id(queryset, pk: str):
    """The row an API address names, or None (also for text that is no id)."""
    row_id = path_id(pk)
    return queryset.filter(pk=row_id).first() if row_id is not None else None


def _staff_request(request, pk) -> HelpRequest:
    help_request = _by_path_id(HelpRequest.objects.all(), pk)
    if help_request is None or not may(request.user, Action.CHANGE, help_request.area):
        raise actions.VolunteerNotFound(_("No such help request in your areas."))
    return help_request


def _volunteer(data: dict) -> Volunteer:
    pk = _whole_number(data, "volunteer")
    volunteer = Volunteer.objects.filter(pk=pk).first() if pk is not None else None
    if volunteer is None:
        raise actions.VolunteerNotFound(_("No such volunteer."))
    return volunteer


def match_request(request, pk):
    """GET /api/volunteers/match/request/<id>: staff of the request's area get the volunteers
    who fit it, nearest first: [{"volunteer", "distance_m"}]."""
    try:
        help_request = _staff_request(request, pk)
    except ActionError as error:
        return _error(error)
    rows = matching.volunteers_for_request(help_request.pk)
    return _private(JsonResponse({"volunteers": [{"volunteer": v, "distance_m": d}
                                                 for v, d in rows]}))


def match_volunteer(request):
    """GET /api/volunteers/match/me: open requests near the signed-in volunteer."""
    if not request.user.is_authenticated:
        return _private(JsonResponse({"error": _("Sign in first.")}, status=403))
    volunteer = Volunteer.objects.filter(user_id=request.user.pk,
                                         status=Volunteer.Status.ACTIVE).first()
    if volunteer is None:
        return _private(JsonResponse({"error": _("You are not an active volunteer.")},
                                     status=404))
    rows = matching.requests_for_volunteer(volunteer.pk)
    return _private(JsonResponse({"requests": [{"request": r, "distance_m": d,
                                                "url": f"/help/{r}/"} for r, d in rows]}))


@json_action
def assign_api(request, data, pk):
    """Staff assign a volunteer ({"volunteer": id}) to help request <pk>."""
    help_request = _staff_request(request, pk)
    assignment = actions.assign(user=request.user, help_request=help_request,
                                volunteer=_volunteer(data))
    return {"assignment": assignment.pk, "status": assignment.status}


@json_action
def record_api(request, data, pk):
    """Record help given on request <pk> ({"volunteer": id, "helped_on": "YYYY-MM-DD"})."""
    help_request = _by_path_id(HelpRequest.objects.all(), pk)
    if help_request is None:
        raise actions.VolunteerNotFound(_("No such help request."))
    try:
        helped_on = date.fromisoformat(str(data.get("helped_on")))
    except ValueError:
        raise actions.VolunteerError(_("helped_on must be a date, YYYY-MM-DD."),
                                     field="helped_on") from None
    record = actions.record_help(user=request.user, volunteer=_volunteer(data),
                                 help_request=help_request, helped_on=helped_on)
    return {"record": record.pk}


def _record(pk) -> HelpRecord:
    record = _by_path_id(HelpRecord.objects.all(), pk)
    if record is None:
        raise actions.VolunteerNotFound(_("No such help record."))
    return record


@json_action
def confirm_api(request, data, pk):
    """Confirm help record <pk> ({"via": "person"|"staff"})."""
    record = actions.confirm_record(user=request.user, record=_record(pk),
                                    via=_text(data, "via"))
    return {"record": record.pk, "confirmed_at": record.confirmed_at.isoformat()}


@json_action
def review_api(request, data, pk):
    """Review help record <pk> ({"positive": bool, "text": "…"})."""
    review = actions.write_review(user=request.user, record=_record(pk),
                                  positive=_flag(data, "positive"),
                                  text=_text(data, "text"))
    return {"review": review.pk, "moderation": review.moderation}


@json_action
def moderate_api(request, data, pk):
    """Moderate review <pk> ({"approve": bool})."""
    review = _by_path_id(Review.objects.all(), pk)
    if review is None:
        raise actions.VolunteerNotFound(_("No such review."))
    review = actions.moderate_review(user=request.user, review=review,
                                     approve=_flag(data, "approve"))
    return {"review": review.pk, "moderation": review.moderation}
