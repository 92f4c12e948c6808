from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from gis_portal.accounts.permissions import Action, may

from . import trust
from .actions import (
    IdentityError,
    client_ip,
    confirm_in_person,
    confirmation_status,
    issue_in_person_code,
    operator_offices,
    step_up_until,
    step_up_with_password,
)
from .forms import InPersonConfirmationForm, StepUpForm
from .models import Purpose

__all__ = ["client_ip"]


def ncalayer_page_policy() -> str:
    """The signing pages may open exactly one socket besides their own origin: NCALayer's."""
    return "; ".join([
        "default-src 'self'",
        f"connect-src 'self' {trust.ncalayer_socket_source()}",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def eds_config(**extra) -> dict:
    return {"challengesUrl": reverse("identity:eds-challenges"),
            "ncalayerUrl": settings.EDS_NCALAYER_URL, "locale": get_language(), **extra}


class InPersonConfirmationView(LoginRequiredMixin, FormView):
    """The public service centre operator's form after an ID check."""

    form_class = InPersonConfirmationForm
    template_name = "identity/in_person.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may(request.user, Action.CONFIRM_IDENTITY):
            raise PermissionDenied(_("Only public service centre operators can confirm "
                                     "identities in person."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "operator": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_office"] = operator_offices(self.request.user).exists()
        context["code_minutes"] = settings.TZ_IN_PERSON_CODE_MINUTES
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            confirmation = confirm_in_person(
                operator=self.request.user, code=data["code"], iin=data["iin"],
                document_type=data["document_type"], document_number=data["document_number"],
                area=data["area"], note=data["note"], client_ip=client_ip(self.request))
        except IdentityError as error:
            form.add_error(None, error.message)
            response = self.form_invalid(form)
            response.status_code = error.status  # e.g. 409 for an IIN bound to another account
            return response
        messages.success(self.request, _(
            "Identity confirmed until %(until)s (IIN ending %(last4)s).") % {
            "until": confirmation.expires_at.date(), "last4": confirmation.iin_last4})
        return redirect("identity:in-person")


class InPersonCodeView(LoginRequiredMixin, TemplateView):
    """The user's own page: a one-time code to show the operator at the counter, which proves
    the person there holds this account."""

    template_name = "identity/in_person_code.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity"] = confirmation_status(self.request.user)
        context["code_minutes"] = settings.TZ_IN_PERSON_CODE_MINUTES
        return context

    def post(self, request):
        context = self.get_context_data()
        try:
            context["issued"] = issue_in_person_code(user=request.user,
                                                     client_ip=client_ip(request))
        except IdentityError as error:
            context["error"] = error.message
            response = self.render_to_response(context, status=error.status)
        else:
            response = self.render_to_response(context)
        response["Cache-Control"] = "no-store"  # the code must not stay in a cache
        return response


class EdsConfirmationView(LoginRequiredMixin, TemplateView):
    """The page that asks NCALayer to sign a challenge and sends the signature to the API."""

    template_name = "identity/eds.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity"] = confirmation_status(self.request.user)
        context["eds_config"] = eds_config()
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = ncalayer_page_policy()
        return response


class StepUpView(LoginRequiredMixin, FormView):
    """Before contacts are shown: the password again, or an EDS signature naming the target.
    ?target=help-request:42 names what is to be revealed, ?next= where to go back."""

    form_class = StepUpForm
    template_name = "identity/step_up.html"

    def target(self) -> str:
        return (self.request.GET.get("target") or self.request.POST.get("target") or "")[:100]

    def next_url(self) -> str:
        candidate = self.request.GET.get("next") or self.request.POST.get("next") or ""
        if url_has_allowed_host_and_scheme(candidate, {self.request.get_host()},
                                           self.request.is_secure()):
            return candidate
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = self.target()
        context.update(
            target=target, next_url=self.next_url(),
            identity=confirmation_status(self.request.user),
            minutes=settings.TZ_REVEAL_STEP_UP_MINUTES,
            until=step_up_until(self.request, target) if target else None,
            eds_config=eds_config(purpose=Purpose.REVEAL_CONTACTS.value, target=target,
                                  next=self.next_url()))
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Content-Security-Policy"] = ncalayer_page_policy()
        return response

    def form_valid(self, form):
        try:
            until = step_up_with_password(request=self.request,
                                          password=form.cleaned_data["password"])
        except IdentityError as error:
            form.add_error("password", error.message)
            return self.render_to_response(self.get_context_data(form=form),
                                           status=error.status)
        messages.success(self.request, _("Thank you. You can see contacts until %(until)s.")
                         % {"until": timezone.localtime(until).strftime("%H:%M")})
        return redirect(self.next_url() or f"{reverse('identity:step-up')}?"
                        f"{urlencode({'target': self.target()})}")

