from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from gis_portal.accounts.permissions import Action, may

from . import trust
from .actions import IdentityError, confirm_in_person, confirmation_status
from .forms import InPersonConfirmationForm


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


class InPersonConfirmationView(LoginRequiredMixin, FormView):
    """The public service centre operator's form after an ID check."""

    form_class = InPersonConfirmationForm
    template_name = "identity/in_person.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may(request.user, Action.CONFIRM_IDENTITY):
            raise PermissionDenied(_("Only public service centre operators can confirm "
                                     "identities in person."))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            confirmation = confirm_in_person(
                operator=self.request.user, user=data["account"], iin=data["iin"],
                document_type=data["document_type"], document_number=data["document_number"],
                office=data["office"], note=data["note"], client_ip=client_ip(self.request))
        except IdentityError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Identity of %(user)s confirmed until %(until)s.") % {
            "user": data["account"], "until": confirmation.expires_at.date()})
        return redirect("identity:in-person")


class EdsConfirmationView(LoginRequiredMixin, TemplateView):
    """The page that asks NCALayer to sign a challenge and sends the signature to the API."""

    template_name = "identity/eds.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity"] = confirmation_status(self.request.user)
        context["eds_config"] = {
            "challengesUrl": reverse("identity:eds-challenges"),
            "ncalayerUrl": settings.EDS_NCALAYER_URL,
            "locale": get_language(),
        }
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The page may open exactly one socket besides its own origin: NCALayer's.
        response["Content-Security-Policy"] = "; ".join([
            "default-src 'self'",
            f"connect-src 'self' {trust.ncalayer_socket_source()}",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ])
        return response
