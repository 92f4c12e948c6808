from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, UpdateView

from gis_portal.identity.actions import confirmation_status

from .forms import ProfileForm, SignInForm, SignUpForm


class SignUpView(CreateView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        login(self.request, self.object,
              backend="gis_portal.accounts.backends.EmailOrPhoneBackend")
        messages.success(self.request, _("Welcome! Your account is ready."))
        return response


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset=None):
        return self.request.user

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity"] = confirmation_status(self.request.user)
        context["roles"] = self.request.user.staff_roles.filter(is_active=True)
        return context

    def form_valid(self, form):
        messages.success(self.request, _("Profile saved."))
        return super().form_valid(form)
