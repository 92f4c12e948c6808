from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gis_portal.accounts.backends import users_matching

from .actions import DOCUMENT_TYPES

DOCUMENT_LABELS = {"id_card": _("ID card"), "passport": _("passport"),
                   "residence_permit": _("residence permit")}


class InPersonConfirmationForm(forms.Form):
    account = forms.CharField(label=_("Account e-mail or phone"), max_length=254)
    iin = forms.CharField(label=_("IIN"), max_length=12, min_length=12)
    document_type = forms.ChoiceField(
        label=_("Document"), choices=[(t, DOCUMENT_LABELS[t]) for t in DOCUMENT_TYPES])
    document_number = forms.CharField(label=_("Document number"), max_length=32)
    office = forms.CharField(label=_("Public service centre office"), max_length=100)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    original_checked = forms.BooleanField(
        label=_("I checked the original document and the face matches"))

    def clean_account(self):
        users = list(users_matching(self.cleaned_data["account"])[:2])
        if len(users) != 1:
            raise ValidationError(_("No single account has this e-mail or phone."))
        return users[0]
