from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from gis_portal.identity.actions import confirmation_status

from . import actions, throttle
from .forms import ContactChangeForm, PasswordChangeForm, ProfileForm, SignInForm, SignUpForm


class SignUpView(FormView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("accounts:signup_sent")

    def form_valid(self, form):
        data = form.cleaned_data
        actions.start_signup(request=self.request, details=actions.SignupDetails(
            first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
            phone=data["phone"], home_area=data["home_area"], password=data["password1"]))
        # The same answer for a new and a known address: nothing here says which it was.
        return super().form_valid(form)


class SignUpSentView(TemplateView):
    template_name = "accounts/signup_sent.html"


class SignUpConfirmView(View):
    """The link from the sign-up e-mail. GET shows a button, POST creates the account: a mail
    scanner that opens links does not finish somebody's sign-up."""

    template_name = "accounts/signup_confirm.html"

    def get(self, request, token):
        valid = actions.pending_signup(token) is not None
        return render(request, self.template_name, {"valid": valid},
                      status=200 if valid else 404)

    def post(self, request, token):
        try:
            finished = actions.finish_signup(request=request, token=token)
        except actions.SignupLinkInvalid as error:
            return render(request, self.template_name, {"valid": False, "error": error.message},
                          status=error.status)
        messages.success(request, _("Welcome! Your account is ready."))
        if finished.phone_dropped:
            messages.warning(request, _("The phone number was not added: another account "
                                        "signs in with it. You sign in with your e-mail."))
        return redirect("accounts:profile")


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: too many wrong passwords for this account from this address."""
    retry_at = throttle.retry_after(request, credentials)
    now = timezone.now()
    if retry_at is None or retry_at < now:
        retry_at = now
    seconds = int((retry_at - now).total_seconds()) + 1
    response = render(request, "accounts/locked_out.html",
                      {"retry_at": retry_at, "minutes": max(1, -(-seconds // 60))}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class ProfileView(LoginRequiredMixin, View):
    """The profile page: personal details, sign-in contacts, password: three forms, each posted
    to its own address, the page shown again with the one that has errors."""

    template_name = "accounts/profile.html"

    def forms(self, **bound):
        user = self.request.user
        return {"form": bound.get("form") or ProfileForm(instance=user),
                "contact_form": bound.get("contact_form") or ContactChangeForm(
                    initial={"email": user.email, "phone": user.phone}),
                "password_form": bound.get("password_form") or PasswordChangeForm(user)}

    def page(self, status=200, **bound):
        user = self.request.user
        context = {**self.forms(**bound), "identity": confirmation_status(user),
                   "roles": user.staff_roles.filter(is_active=True)}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.page()

    def post(self, request):
        form = ProfileForm(request.POST, instance=request.user)
        if not form.is_valid():
            return self.page(status=400, form=form)
        form.save()
        messages.success(request, _("Profile saved."))
        return redirect("accounts:profile")


class ContactChangeView(ProfileView):
    def get(self, request):
        return redirect("accounts:profile")

    def post(self, request):
        form = ContactChangeForm(request.POST)
        if not form.is_valid():
            return self.page(status=400, contact_form=form)
        try:
            notices = actions.change_contact(
                request=request, current_password=form.cleaned_data["current_password"],
                email=form.cleaned_data["email"], phone=form.cleaned_data["phone"])
        except actions.AccountError as error:
            form.add_error(error.field, error.message)
            return self.page(status=error.status, contact_form=form)
        if notices:
            messages.success(request, _("Saved. You are signed out everywhere else."))
        if any(n.channel == n.Channel.EMAIL for n in notices):
            messages.info(request, _("We told your previous e-mail address about the change."))
        return redirect("accounts:profile")


class PasswordChangeView(ProfileView):
    def get(self, request):
        return redirect("accounts:profile")

    def post(self, request):
        form = PasswordChangeForm(request.user, request.POST)
        if not form.is_valid():
            return self.page(status=400, password_form=form)
        try:
            actions.change_password(request=request,
                                    current_password=form.cleaned_data["current_password"],
                                    new_password=form.cleaned_data["password1"])
        except actions.AccountError as error:
            form.add_error(error.field, error.message)
            return self.page(status=error.status, password_form=form)
        messages.success(request, _("Password changed. You are signed out everywhere else."))
        return redirect("accounts:profile")
