from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import DOCUMENT_TYPES, IN_PERSON_CODE_DIGITS, operator_offices

DOCUMENT_LABELS = {"id_card": _("ID card"), "passport": _("passport"),
                   "residence_permit": _("residence permit")}


class InPersonConfirmationForm(forms.Form):
    """The operator's form: the person's one-time code names the account, the document's data
    confirm the person. The office is one of the operator's own areas."""

    code = forms.CharField(
        label=_("The person's one-time code"), max_length=16,
        help_text=_("The person opens “Confirm at a public service centre” in their profile, "
                    "signed in on their own phone, and shows you the code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    iin = forms.CharField(label=_("IIN"), max_length=12, min_length=12,
                          widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                        "autocomplete": "off"}))
    document_type = forms.ChoiceField(
        label=_("Document"), choices=[(t, DOCUMENT_LABELS[t]) for t in DOCUMENT_TYPES])
    document_number = forms.CharField(label=_("Document number"), max_length=32,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    area = forms.ModelChoiceField(label=_("Your public service centre office"), queryset=None,
                                  empty_label=None)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    original_checked = forms.BooleanField(
        label=_("I checked the original document and the face matches"))

    def __init__(self, *args, operator, **kwargs):
        super().__init__(*args, **kwargs)
        offices = operator_offices(operator)
        self.fields["area"].queryset = offices
        if len(offices) == 1:
            self.fields["area"].initial = offices[0].pk
        self.fields["code"].widget.attrs["pattern"] = rf"\d{{{IN_PERSON_CODE_DIGITS}}}"


class StepUpForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
