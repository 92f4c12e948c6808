from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from layers.areas.models import AdminArea

from .models import User
from .phone import normalise_phone


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


class ContactFieldsMixin:
    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk
                                                                     ).exists():
            raise forms.ValidationError(_("An account with this e-mail already exists."))
        return email

    def clean_phone(self):
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return ""
        phone = normalise_phone(raw)
        if User.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("An account with this phone number already exists."))
        return phone


class SignUpForm(ContactFieldsMixin, forms.ModelForm):
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    home_area = HomeAreaField()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "home_area"]
        labels = {"email": _("E-mail"), "phone": _("Phone")}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors:
            raise forms.ValidationError(_("Give an e-mail address or a phone number: you "
                                          "will sign in with it."))
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        if password1:
            try:
                password_validation.validate_password(password1, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = user.email or user.phone
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class SignInForm(AuthenticationForm):
    username = forms.CharField(label=_("E-mail or phone"), max_length=254,
                               widget=forms.TextInput(attrs={"autofocus": True,
                                                             "autocomplete": "username"}))


class ProfileForm(ContactFieldsMixin, forms.ModelForm):
    home_area = HomeAreaField()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "home_area",
                  "preferred_language"]
        labels = {"email": _("E-mail"), "phone": _("Phone")}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors:
            raise forms.ValidationError(_("Keep an e-mail address or a phone number to sign "
                                          "in with."))
        return cleaned
