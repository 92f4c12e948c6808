"""Staff pages of the volunteer corps: what akimat officers and NGO operators do in the browser.

  /volunteers/staff/                          the desk of the officer's areas: open help
      requests (find volunteers), assignments and their answers, help to record, records to
      confirm and to review, reviews and proposed directions waiting for a moderator
  /volunteers/staff/requests/<pk>/match/      volunteers who fit one request, nearest first,
      with why each fits, and an "assign" button
  /volunteers/staff/upload/                   an NGO's list of volunteers: check, then write
  /volunteers/staff/nominations/              counts per volunteer and per area and period

Every form posts to its own URL and calls one action of layers.volunteers.actions, which
checks the rights (may(user, CHANGE | MODERATE, area)); a refusal is shown on the page with
the action's status (400, 403, 409). Lists show only the areas where the user holds the right
(areas_where). Volunteers appear as the JSON API gives them to staff: a number, what they
offer, their distance; never their name or contacts, which only the reveal gate shows (the
link to the public card leads to it).
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gis_portal.accounts.permissions import Action, areas_where, may
from layers.areas.models import AdminArea
from layers.help.models import HelpRequest

from . import actions, matching, stats
from .models import (
    DAY_CHOICES,
    Assignment,
    Direction,
    DirectionProposal,
    HelpRecord,
    KindDirection,
    Review,
    Volunteer,
)
from .views import _private

# Rows per page of each desk section.
DESK_ROWS = 50
MATCH_LIMIT = 30
UPLOAD_SESSION_KEY = "volunteers_upload"


def tagged_in(roots, prefix: str = "") -> Q:
    """Rows tagged with one of the areas (or inside them); roots None means everywhere."""
    if roots is None:
        return Q()
    if not roots:
        return Q(pk__in=[])
    ids = [area.pk for area in roots]
    return (Q(**{f"{prefix}oblast__in": ids}) | Q(**{f"{prefix}district__in": ids})
            | Q(**{f"{prefix}okrug__in": ids}))


class StaffMixin(LoginRequiredMixin):
    """Akimat officers, NGO operators and moderators: anyone who may change or moderate the
    corps' records somewhere. Everyone else signed in gets 403, the anonymous the sign-in."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.change_roots = areas_where(request.user, Action.CHANGE)
            self.moderate_roots = areas_where(request.user, Action.MODERATE)
            if self.change_roots == set() and self.moderate_roots == set():
                raise PermissionDenied(_("Only akimat and NGO staff see the volunteers' staff "
                                         "pages."))
        return super().dispatch(request, *args, **kwargs)

    def require_change_somewhere(self):
        if self.change_roots == set():
            raise PermissionDenied(_("Only akimat and NGO staff may do this."))


def _days_and_hours(slots) -> tuple[list[str], str]:
    days = dict(DAY_CHOICES)
    hours = sorted({slot % 24 for slot in slots})
    shown_days = [str(days[day]) for day in sorted({slot // 24 for slot in slots})]
    return shown_days, (f"{hours[0]:02d}:00–{hours[-1] + 1:02d}:00" if hours else "")


def _direction_names() -> dict[str, str]:
    return {d.code: d.name() for d in Direction.objects.all()}


def _referrer_or(request, fallback: str) -> str:
    """Back to the page the form was on (match page or desk), never to another site."""
    target = request.POST.get("next", "")
    if target.startswith("/volunteers/staff/") and "//" not in target:
        return target
    return fallback


# --- The desk ------------------------------------------------------------------------------

def _page_url(request, parameter: str, number: int) -> str:
    """The desk with one section turned to another page, the others where they were."""
    params = request.GET.copy()
    params[parameter] = str(number)
    return f"{request.path}?{params.urlencode()}"


class DeskView(StaffMixin, View):
    def get(self, request):
        return self.render_desk(request)

    def render_desk(self, request, *, error: str | None = None, status: int = 200):
        change, moderate = self.change_roots, self.moderate_roots
        recorded = HelpRecord.objects.filter(request=OuterRef("request"),
                                             volunteer=OuterRef("volunteer"))
        sections = {
            "requests": (HelpRequest.objects.filter(tagged_in(change))
                         .filter(is_published=True, consent_at__isnull=False,
                                 erased_at__isnull=True,
                                 status__in=HelpRequest.PUBLIC_STATUSES)
                         .select_related("kind", "settlement")
                         .order_by("-published_on", "-id")),
            "assignments": (Assignment.objects.filter(tagged_in(change, "request__"))
                            .annotate(recorded=Exists(recorded))
                            .select_related("request__kind", "request__settlement")
                            .order_by("-created_at", "-id")),
            "to_confirm": (HelpRecord.objects.filter(tagged_in(change),
                                                     confirmed_at__isnull=True)
                           .select_related("kind", "request__settlement")
                           .order_by("helped_on", "id")),
            "to_review": (HelpRecord.objects.filter(tagged_in(change),
                                                    confirmed_at__isnull=False,
                                                    review__isnull=True)
                          .select_related("kind", "request__settlement")
                          .order_by("-confirmed_at", "-id")),
            "reviews": (Review.objects.filter(tagged_in(moderate, "record__"),
                                              moderation=Review.Moderation.PENDING)
                        .select_related("record__kind", "record__request__settlement")
                        .order_by("created_at", "id")),
            "proposals": (DirectionProposal.objects.filter(tagged_in(moderate, "volunteer__"),
                                                           status=DirectionProposal.Status.PENDING)
                          .order_by("created_at", "id")),
        }
        context = {
            "error": error,
            "may_change": change != set(),
            "may_moderate": moderate != set(),
            "today": timezone.localdate().isoformat(),
            "directions": Direction.objects.filter(is_active=True),
            "via_choices": HelpRecord.ConfirmedVia.choices,
            "review_max": actions.REVIEW_MAX_CHARS,
        }
        # Each section pages on its own (?requests_page=2): an oblast's desk can hold
        # thousands of requests, and every one of them must be reachable.
        for name, queryset in sections.items():
            parameter = f"{name}_page"
            page = Paginator(queryset, DESK_ROWS).get_page(request.GET.get(parameter))
            page.parameter = parameter
            page.previous_url = (_page_url(request, parameter, page.previous_page_number())
                                 if page.has_previous() else None)
            page.next_url = (_page_url(request, parameter, page.next_page_number())
                             if page.has_next() else None)
            context[name] = page
        return _private(render(request, "volunteers/staff_desk.html", context, status=status))


class StaffActionView(StaffMixin, View):
    """POST only: one action; success → a message and back to the page; refusal → the desk
    (or the match page) again with the message and the action's status."""

    def post(self, request, pk):
        try:
            done = self.act(request, pk)
        except actions.VolunteerError as error:
            return self.refused(request, pk, error)
        messages.success(request, done)
        return redirect(_referrer_or(request, "volunteers:staff"))

    def refused(self, request, pk, error):
        desk = DeskView()
        desk.change_roots, desk.moderate_roots = self.change_roots, self.moderate_roots
        return desk.render_desk(request, error=error.message, status=error.status)

    def act(self, request, pk) -> str:
        raise NotImplementedError


def _volunteer_from(request) -> Volunteer:
    raw = request.POST.get("volunteer", "")
    volunteer = Volunteer.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if volunteer is None:
        raise actions.VolunteerNotFound(_("No such volunteer."), field="volunteer")
    return volunteer


class AssignView(StaffActionView):
    def act(self, request, pk):
        help_request = get_object_or_404(HelpRequest, pk=pk)
        volunteer = _volunteer_from(request)
        actions.assign(user=request.user, help_request=help_request, volunteer=volunteer)
        return _("Volunteer #%(volunteer)d is offered request #%(request)d; they answer on "
                 "their page.") % {"volunteer": volunteer.pk, "request": help_request.pk}

    def refused(self, request, pk, error):
        if request.POST.get("next", "").endswith("/match/"):
            help_request = get_object_or_404(HelpRequest, pk=pk)
            return MatchView.render_match(request, help_request, error=error.message,
                                          status=error.status)
        return super().refused(request, pk, error)


class RecordView(StaffActionView):
    def act(self, request, pk):
        help_request = get_object_or_404(HelpRequest, pk=pk)
        volunteer = _volunteer_from(request)
        try:
            helped_on = date.fromisoformat(request.POST.get("helped_on", ""))
        except ValueError:
            raise actions.VolunteerError(_("Give the date of help, e.g. 2026-05-14."),
                                         field="helped_on") from None
        actions.record_help(user=request.user, volunteer=volunteer, help_request=help_request,
                            helped_on=helped_on)
        return _("Help of volunteer #%(volunteer)d on request #%(request)d is recorded; "
                 "confirm it next.") % {"volunteer": volunteer.pk, "request": help_request.pk}


class ConfirmView(StaffActionView):
    def act(self, request, pk):
        record = get_object_or_404(HelpRecord, pk=pk)
        actions.confirm_record(user=request.user, record=record,
                               via=request.POST.get("via", ""))
        return _("Help record #%(record)d is confirmed.") % {"record": record.pk}


class ReviewView(StaffActionView):
    def act(self, request, pk):
        record = get_object_or_404(HelpRecord, pk=pk)
        verdict = request.POST.get("positive", "")
        if verdict not in ("1", "0"):
            raise actions.VolunteerError(_("Choose whether the review is positive or "
                                           "negative."), field="positive")
        actions.write_review(user=request.user, record=record, positive=verdict == "1",
                             text=request.POST.get("text", ""))
        return _("The review of help record #%(record)d is saved; a moderator publishes its "
                 "text.") % {"record": record.pk}


class ModerateView(StaffActionView):
    def act(self, request, pk):
        review = get_object_or_404(Review, pk=pk)
        verdict = request.POST.get("approve", "")
        if verdict not in ("1", "0"):
            raise actions.VolunteerError(_("Choose to publish or to reject the review."),
                                         field="approve")
        actions.moderate_review(user=request.user, review=review, approve=verdict == "1")
        return (_("The review is published.") if verdict == "1"
                else _("The review is rejected."))


class DecideProposalView(StaffActionView):
    def act(self, request, pk):
        proposal = get_object_or_404(DirectionProposal, pk=pk)
        decision = request.POST.get("decision", "")
        if decision == "reject":
            actions.decide_proposal(user=request.user, proposal=proposal)
            return _("The proposed direction is not added.")
        if decision == "existing":
            code = request.POST.get("existing", "")
            if not Direction.objects.filter(code=code, is_active=True).exists():
                raise actions.VolunteerError(_("Choose a direction of the list."),
                                             field="existing")
            actions.decide_proposal(user=request.user, proposal=proposal, code=code)
        elif decision == "new":
            code = slugify(request.POST.get("code", ""))[:32]
            if not code:
                raise actions.VolunteerError(_("A new direction needs a short code, e.g. "
                                               "eco_clean_up."), field="code")
            names = {lang: request.POST.get(f"name_{lang}", "") for lang in ("kk", "ru", "en")}
            if Direction.objects.filter(code=code).exists():
                raise actions.VolunteerConflict(_("This code is taken: choose the direction "
                                                  "from the list instead."), field="code")
            actions.decide_proposal(user=request.user, proposal=proposal, code=code,
                                    names=names)
        else:
            raise actions.VolunteerError(_("Choose: add as a listed direction, add as a new "
                                           "direction, or do not add."), field="decision")
        return _("The direction is added to the volunteer's questionnaire.")


# --- Matching ------------------------------------------------------------------------------

class MatchView(StaffMixin, View):
    def get(self, request, pk):
        help_request = get_object_or_404(HelpRequest.objects.select_related("kind",
                                                                           "settlement"), pk=pk)
        if not may(request.user, Action.CHANGE, help_request.area):
            raise PermissionDenied(_("Only akimat or NGO staff of the request's area may do "
                                     "this."))
        return self.render_match(request, help_request)

    @staticmethod
    def render_match(request, help_request, *, error=None, status=200):
        names = _direction_names()
        wanted = set(KindDirection.objects.filter(kind_id=help_request.kind_id)
                     .values_list("direction_id", flat=True))
        pairs = matching.volunteers_for_request(help_request.pk, limit=MATCH_LIMIT)
        found = Volunteer.objects.select_related("card").in_bulk([pk for pk, _d in pairs])
        offered = dict(Assignment.objects.filter(request=help_request)
                       .values_list("volunteer_id", "status"))
        statuses = dict(Assignment.Status.choices)
        rows = []
        for volunteer_id, distance in pairs:
            volunteer = found[volunteer_id]
            days, hours = _days_and_hours(volunteer.slots)
            card = getattr(volunteer, "card", None)
            rows.append({
                "volunteer": volunteer,
                "directions": [names.get(code, code) for code in volunteer.directions
                               if code in wanted],
                "days": days, "hours": hours,
                "km": round(distance / 1000, 1), "travel_km": volunteer.travel_km,
                "offered": statuses.get(offered.get(volunteer_id)),
                "card_id": card.pk if card else None,
            })
        context = {"help_request": help_request, "rows": rows, "error": error,
                   "wanted": [names.get(code, code) for code in sorted(wanted)],
                   "open": help_request.is_public}
        return _private(render(request, "volunteers/staff_match.html", context, status=status))


# --- Upload of an NGO's list ---------------------------------------------------------------

class UploadView(StaffMixin, View):
    """The file is checked row by row (nothing written) and the report shown; the confirm
    button writes it. Between the two the file waits in the session, encrypted."""

    template_name = "volunteers/staff_upload.html"

    def get(self, request):
        self.require_change_somewhere()
        return _private(render(request, self.template_name, {}))

    def _page(self, request, status=200, **context):
        return _private(render(request, self.template_name, context, status=status))

    def post(self, request):
        from gis_portal.privacy import crypto

        from .importer import ImportFileError, import_file

        self.require_change_somewhere()
        commit = request.POST.get("confirm") == "1"
        if commit:
            stored = request.session.get(UPLOAD_SESSION_KEY)
            if not stored:
                return self._page(request, 400, file_error=_(
                    "Upload the file again: the checked file has expired."))
            data, filename = crypto.decrypt(stored["data"]), stored["name"]
        else:
            upload = request.FILES.get("file")
            if upload is None:
                return self._page(request, 400, file_error=_("Choose a .csv or .xlsx file."))
            data, filename = upload.read(), upload.name
        try:
            report = import_file(user=request.user, data=data, filename=filename,
                                 commit=commit)
        except ImportFileError as error:
            return self._page(request, 400, file_error=error.message)
        except actions.VolunteerError as error:  # a row changed between the check and commit
            request.session.pop(UPLOAD_SESSION_KEY, None)
            return self._page(request, error.status, file_error=error.message)
        if report.committed:
            request.session.pop(UPLOAD_SESSION_KEY, None)
            messages.success(request, _("Written: %(new)d new, %(update)d updated.")
                             % report.counts())
            return redirect("volunteers:staff-upload")
        if report.ok:
            request.session[UPLOAD_SESSION_KEY] = {"name": filename,
                                                   "data": crypto.encrypt(data)}
        else:
            request.session.pop(UPLOAD_SESSION_KEY, None)
        return self._page(request, 200 if report.ok else 400, report=report,
                          counts=report.counts(), filename=filename)


class TemplateView(StaffMixin, View):
    """The upload template, headers in Kazakh and Russian."""

    def get(self, request, fmt):
        from .importer import ImportFileError, template_bytes

        self.require_change_somewhere()
        try:
            data, content_type = template_bytes(fmt)
        except ImportFileError as error:
            return HttpResponse(error.message, status=404,
                                content_type="text/plain; charset=utf-8")
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="volunteers-template.{fmt}"'
        return response


# --- Nominations ---------------------------------------------------------------------------

LEVELS = [("volunteer", gettext_lazy("Volunteers")),
          ("okrug", gettext_lazy("Rural okrugs")),
          ("district", gettext_lazy("Districts and cities")),
          ("oblast", gettext_lazy("Oblasts and cities of republican significance"))]
PERIOD_CHOICES = [("month", gettext_lazy("Month")), ("quarter", gettext_lazy("Quarter")),
                  ("year", gettext_lazy("Year"))]


class NominationsForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_CHOICES,
                               initial="month", required=False)
    level = forms.ChoiceField(label=gettext_lazy("Count per"), choices=LEVELS,
                              initial="volunteer", required=False)
    start = forms.DateField(label=gettext_lazy("From (date of help)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must come before the end date."))
        return data


def period_label(period: str, first_day: date) -> str:
    if period == "year":
        return str(first_day.year)
    if period == "quarter":
        return _("quarter %(quarter)d of %(year)d") % {"quarter": (first_day.month + 2) // 3,
                                                      "year": first_day.year}
    return date_format(first_day, "F Y")


def _areas_under(roots) -> set[int] | None:
    """Ids of the areas at or inside the roots (three levels); None means everywhere."""
    if roots is None:
        return None
    ids = [area.pk for area in roots]
    return set(AdminArea.objects.filter(Q(pk__in=ids) | Q(parent__in=ids)
                                        | Q(parent__parent__in=ids))
               .values_list("pk", flat=True))


class NominationsView(StaffMixin, View):
    """Counts of the "most active" (people helped) and "most loved" (approved positive
    reviews) nominations, per volunteer or area and period, limited to the user's areas: a
    volunteer counts in the areas of their home settlement, an area by where help was given."""

    def get(self, request):
        self.require_change_somewhere()
        form = NominationsForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return _private(render(request, "volunteers/staff_nominations.html",
                                   {"form": form, "rows": []}, status=400))
        data = form.cleaned_data if form.is_bound else {}
        period = data.get("period") or "month"
        level = data.get("level") or "volunteer"
        start, end = data.get("start"), data.get("end")
        allowed = _areas_under(self.change_roots)
        if level == "volunteer":
            rows = stats.volunteer_counts(period, start, end)
            mine = Volunteer.objects.filter(tagged_in(self.change_roots)).filter(
                pk__in={row["volunteer"] for row in rows}).values_list("pk", flat=True)
            mine = set(mine)
            rows = [dict(row, label=_("Volunteer #%(number)d") % {"number": row["volunteer"]})
                    for row in rows if row["volunteer"] in mine]
        else:
            rows = stats.area_counts(level, period, start, end)
            areas = {area.kato: area for area in AdminArea.objects.filter(
                generation__is_current=True, level=level,
                kato__in={row["kato"] for row in rows})}
            rows = [dict(row, label=f"{areas[row['kato']].name} ({row['kato']})")
                    for row in rows if row["kato"] in areas
                    and (allowed is None or areas[row["kato"]].pk in allowed)]
        for row in rows:
            row["when"] = period_label(period, row["period"])
        latest = max((row["period"] for row in rows), default=None)
        current = [row for row in rows if row["period"] == latest]
        context = {
            "form": form, "rows": rows, "level": level, "period": period,
            "latest": latest,
            "latest_label": period_label(period, latest) if latest else "",
            "most_active": sorted(current, key=lambda r: (-r["helped"], r["label"]))[:5],
            "most_loved": sorted([r for r in current if r["positive"]],
                                 key=lambda r: (-r["positive"], r["label"]))[:5],
        }
        return _private(render(request, "volunteers/staff_nominations.html", context))
