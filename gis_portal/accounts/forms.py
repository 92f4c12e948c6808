from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from layers.areas.models import AdminArea

from .models import User
from .phone import normalise_phone


class AccessibleErrorsMixin:
    """Inputs with an error say so to screen readers: aria-invalid, and aria-describedby
    pointing at the error text that _form.html renders with the id `<input id>-errors`."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-errors"


class HomeAreaField(forms.ModelChoiceField):
    """Districts and cities of the current boundary generation, listed under their oblast."""

    def __init__(self, **kwargs):
        queryset = (AdminArea.objects.filter(generation__is_current=True,
                                             level=AdminArea.Level.DISTRICT)
                    .select_related("parent").order_by("parent__kato", "kato"))
        super().__init__(queryset=queryset, required=False, label=_("Home district"),
                         help_text=_("The district or city you come from."), **kwargs)

    def label_from_instance(self, area):
        return f"{area.parent.name} › {area.name}" if area.parent else area.name


class ContactFields(forms.Form):
    """E-mail and phone in the form sign-in looks them up by. Whether another account already
    uses them is not checked here: sign-up must not tell, and a profile change checks it in
    actions.change_contact after the password."""

    email = forms.EmailField(label=_("E-mail"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30,
                            help_text=_("A Kazakhstan number, e.g. +7 701 234 56 78."),
                            widget=forms.TextInput(attrs={"autocomplete": "tel",
                                                          "inputmode": "tel"}))
    no_contact_message = _("Give an e-mail address or a phone number: you will sign in with it.")

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_phone(self):
        raw = (self.cleaned_data.get("phone") or "").strip()
        return normalise_phone(raw) if raw else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors:
            raise forms.ValidationError(self.no_contact_message)
        return cleaned


class NewPasswordFields(forms.Form):
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def password_owner(self, cleaned):
        """The (possibly unsaved) user the password must not resemble."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        if password1:
            try:
                password_validation.validate_password(password1, self.password_owner(cleaned))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignUpForm(AccessibleErrorsMixin, ContactFields, NewPasswordFields):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    home_area = HomeAreaField()
    field_order = ["first_name", "last_name", "email", "phone", "home_area", "password1",
                   "password2"]

    def password_owner(self, cleaned):
        return User(first_name=cleaned.get("first_name", ""),
                    last_name=cleaned.get("last_name", ""), email=cleaned.get("email", ""),
                    username=cleaned.get("email") or cleaned.get("phone") or "")


class SignInForm(AccessibleErrorsMixin, AuthenticationForm):
    username = forms.CharField(label=_("E-mail or phone"), max_length=254,
                               widget=forms.TextInput(attrs={"autofocus": True,
                                                             "autocomplete": "username"}))
    # One message for an unknown account and a wrong password: sign-in does not tell which
    # addresses have an account.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail or phone and the password do not match an account. "
                           "Check both, or reset your password."),
    }


class ProfileForm(AccessibleErrorsMixin, forms.ModelForm):
    home_area = HomeAreaField()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "home_area", "preferred_language"]


def current_password_field():
    return forms.CharField(
        label=_("Current password"), strip=False,
        help_text=_("To protect your account, changes to how you sign in need your password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ContactChangeForm(AccessibleErrorsMixin, ContactFields):
    """New e-mail and phone; the current password is checked by actions.change_contact."""

    no_contact_message = _("Keep an e-mail address or a phone number to sign in with.")
    prefix = "contact"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["current_password"] = current_password_field()


class PasswordChangeForm(AccessibleErrorsMixin, NewPasswordFields):
    prefix = "password"

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields = {"current_password": current_password_field(), **self.fields}
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")

    def password_owner(self, cleaned):
        return self.user
