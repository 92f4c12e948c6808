"""Pages of pooled funding: a fundraiser's own page (progress, donors, the pledge form), the
form's plain POST (the page works without JavaScript), the staff's queue of pledges awaiting
the money, and a donor's own pledges.

Every write goes through gis_portal.funding.actions; a refused one re-renders the page with
the action's message and its status (400, 403, 409).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gis_portal.accounts.permissions import Action, areas_where

from . import actions
from .actions import FundingError, tenge
from .models import Fundraiser, Pledge

QUEUE_SHOWN = 200


def target_title(fundraiser: Fundraiser) -> str:
    """What the fundraiser is for, as its target names itself (`funding_title` if defined)."""
    target = fundraiser.target
    if target is None:
        return _("Fundraiser %(id)s") % {"id": fundraiser.pk}
    title = getattr(target, "funding_title", None)
    return str(title() if callable(title) else title or target)


def target_url(fundraiser: Fundraiser) -> str:
    target = fundraiser.target
    get_url = getattr(target, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


def safe_next(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return fallback


def render_fundraiser(request, fundraiser: Fundraiser, *, status: int = 200, error=None,
                      form_values=None):
    return render(request, "funding/fundraiser.html", {
        "fundraiser": fundraiser,
        "target_title": target_title(fundraiser),
        "target_url": target_url(fundraiser),
        "donors": actions.public_donors(fundraiser, limit=200),
        "pledge_error": error,
        "pledge_values": form_values or {},
        "hold_days": settings.TZ_PLEDGE_HOLD_DAYS,
    }, status=status)


class FundraiserPageView(View):
    def get(self, request, pk):
        fundraiser = get_object_or_404(Fundraiser, pk=pk)
        if not actions.is_publicly_visible(fundraiser):
            raise Http404
        return render_fundraiser(request, fundraiser)


class PledgeFormView(LoginRequiredMixin, View):
    """The pledge form's plain POST (funding/_pledge_form.html without JavaScript)."""

    def post(self, request, pk):
        fundraiser = get_object_or_404(Fundraiser, pk=pk)
        whole = request.POST.get("amount_choice") == "remainder"
        values = {"amount": request.POST.get("amount", ""), "remainder": whole,
                  "anonymous": bool(request.POST.get("anonymous"))}
        try:
            pledge = actions.pledge(user=request.user, fundraiser=fundraiser,
                                    amount=None if whole else values["amount"],
                                    anonymous=values["anonymous"])
        except FundingError as error:
            return render_fundraiser(request, fundraiser, status=error.status, error=error,
                                     form_values=values)
        messages.success(request, _("Thank you: you pledged %(amount)s. The akimat staff "
                                    "confirm it when the money arrives.")
                         % {"amount": tenge(pledge.amount)})
        return redirect(safe_next(request, fundraiser_page(fundraiser)))


def fundraiser_page(fundraiser: Fundraiser) -> str:
    return reverse("funding:fundraiser", kwargs={"pk": fundraiser.pk})


# --- the staff's queue -----------------------------------------------------------------------

class StaffOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and areas_where(request.user, Action.CHANGE) == set():
            raise PermissionDenied(_("Only akimat and NGO staff see the pledges awaiting "
                                     "confirmation."))
        return super().dispatch(request, *args, **kwargs)


def queue_context(user, error=None) -> dict:
    pledges = list(actions.pledges_awaiting_confirmation(user)[:QUEUE_SHOWN])
    for pledge in pledges:
        pledge.target_title = target_title(pledge.fundraiser)
    return {"pledges": pledges, "error": error}


class PledgeQueueView(StaffOnlyMixin, TemplateView):
    template_name = "funding/queue.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **queue_context(self.request.user)}


class PledgeDecisionView(StaffOnlyMixin, View):
    """POST …/confirm/ or …/cancel/ (optional reason) from the queue."""

    def post(self, request, pk, decision):
        pledge = get_object_or_404(Pledge.objects.select_related("fundraiser"), pk=pk)
        try:
            if decision == "confirm":
                actions.confirm_pledge(user=request.user, pledge=pledge)
                messages.success(request, _("Pledge of %(amount)s confirmed: the money has "
                                            "arrived.") % {"amount": tenge(pledge.amount)})
            else:
                actions.cancel_pledge(user=request.user, pledge=pledge,
                                      reason=request.POST.get("reason", ""))
                messages.success(request, _("Pledge of %(amount)s cancelled.")
                                 % {"amount": tenge(pledge.amount)})
        except FundingError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            return render(request, "funding/queue.html",
                          queue_context(request.user, error.message), status=error.status)
        return redirect("funding:queue")


# --- a donor's pledges -----------------------------------------------------------------------

class MyPledgesView(LoginRequiredMixin, TemplateView):
    template_name = "funding/my_pledges.html"

    def get_context_data(self, **kwargs):
        pledges = list(actions.pledges_of(self.request.user)[:500])
        for pledge in pledges:
            pledge.target_title = target_title(pledge.fundraiser)
            pledge.target_url = target_url(pledge.fundraiser)
        return {**super().get_context_data(**kwargs), "pledges": pledges,
                "error": kwargs.get("error")}


class WithdrawView(LoginRequiredMixin, View):
    def post(self, request, pk):
        pledge = get_object_or_404(Pledge.objects.select_related("fundraiser"), pk=pk)
        try:
            actions.withdraw_pledge(user=request.user, pledge=pledge)
        except FundingError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from error
            page = MyPledgesView(request=request, kwargs={})
            return render(request, MyPledgesView.template_name,
                          page.get_context_data(error=error.message), status=error.status)
        messages.success(request, _("Your pledge of %(amount)s is withdrawn.")
                         % {"amount": tenge(pledge.amount)})
        return redirect("funding:my")
