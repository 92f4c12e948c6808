"""The questionnaire as a page form: the same fields and checks as the API
(actions.input_errors runs on the result), for a resident filling it in on a phone."""

from django import forms
from django.utils.translation import gettext_lazy as _

from layers.areas.models import Settlement

from . import actions
from .models import DAY_CHOICES, LANGUAGE_CHOICES, MAX_TRAVEL_KM, Direction, Volunteer

HOURS = [(hour, f"{hour:02d}:00") for hour in range(25)]


def _direction_choices():
    return [(d.code, d.name()) for d in Direction.objects.filter(is_active=True)]


class QuestionnaireForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    email = forms.EmailField(label=_("E-mail"), required=False)
    birth_year = forms.IntegerField(label=_("Birth year"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Volunteer.Gender.choices,
                               widget=forms.RadioSelect)
    settlement = forms.CharField(label=_("Home settlement (KATO code)"), max_length=9,
                                 help_text=_("The 9-digit code of your village or town."))
    directions = forms.MultipleChoiceField(label=_("Directions"), required=False,
                                           choices=_direction_choices,
                                           widget=forms.CheckboxSelectMultiple)
    own_direction = forms.CharField(label=_("Or propose your own direction"), required=False,
                                    max_length=80)
    days = forms.TypedMultipleChoiceField(label=_("Days you are free"), coerce=int,
                                          choices=DAY_CHOICES, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    hour_from = forms.TypedChoiceField(label=_("From"), coerce=int, choices=HOURS[:24],
                                       initial=9)
    hour_to = forms.TypedChoiceField(label=_("Until"), coerce=int, choices=HOURS[1:],
                                     initial=18)
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    has_car = forms.BooleanField(label=_("I have a car"), required=False)
    car_seats = forms.IntegerField(label=_("Free seats in the car"), min_value=0, max_value=8,
                                   initial=0, required=False)
    travel_km = forms.IntegerField(label=_("I travel up to, km"), min_value=1,
                                   max_value=MAX_TRAVEL_KM, initial=10)
    education = forms.ChoiceField(label=_("Education"), required=False,
                                  choices=[("", "—"), *Volunteer.Education.choices])
    experience = forms.ChoiceField(label=_("Experience"), required=False,
                                   choices=[("", "—"), *Volunteer.Experience.choices])

    def questionnaire(self) -> actions.QuestionnaireInput:
        data = self.cleaned_data
        return actions.QuestionnaireInput(
            full_name=data["full_name"], phone=data["phone"], email=data.get("email") or "",
            birth_year=data["birth_year"], gender=data["gender"],
            settlement=Settlement.objects.filter(kato=data["settlement"].strip()).first(),
            directions=list(data["directions"]),
            own_directions=[data["own_direction"]] if data.get("own_direction") else [],
            slots=actions.slots_for(data["days"], range(data["hour_from"], data["hour_to"])),
            languages=list(data["languages"]), has_car=data["has_car"],
            car_seats=data.get("car_seats") or 0, travel_km=data["travel_km"],
            education=data.get("education") or "", experience=data.get("experience") or "")

    @classmethod
    def initial_for(cls, volunteer: Volunteer) -> dict:
        hours = sorted({slot % 24 for slot in volunteer.slots}) or [9, 17]
        return {"full_name": volunteer.full_name, "phone": volunteer.phone,
                "email": volunteer.email, "birth_year": volunteer.birth_year,
                "gender": volunteer.gender, "settlement": volunteer.settlement_kato,
                "directions": volunteer.directions,
                "days": sorted({slot // 24 for slot in volunteer.slots}),
                "hour_from": hours[0], "hour_to": hours[-1] + 1,
                "languages": volunteer.languages, "has_car": volunteer.has_car,
                "car_seats": volunteer.car_seats, "travel_km": volunteer.travel_km,
                "education": volunteer.education, "experience": volunteer.experience}
