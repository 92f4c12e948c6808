"""Filters of the anonymised volunteer list, as the programme lists them: direction, weekly
availability (day and hours), car, language, and region (the core's `area=` KATO code of an
oblast, district or okrug, matched against the place each card is shown at). Every filter
selects rows of the one fixed release (layers.volunteers.anonymity): none changes how a row
is shown, none reads a hidden column."""

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from .anonymity import SHOWN_AGES
from .models import DAY_CHOICES, LANGUAGE_CHOICES, Direction, VolunteerCard

# The list page shows multiple choices as checkboxes (keyboard and screen-reader friendly).
CHECKBOXES = forms.CheckboxSelectMultiple
HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


def _direction_choices():
    return [(d.code, d.name()) for d in Direction.objects.filter(is_active=True)]


def window_slots(days, hour_from, hour_to) -> list[int]:
    """Weekly slots of the chosen days (all days when none) from hour_from up to hour_to."""
    days = sorted({int(day) for day in days}) or list(range(7))
    low = 0 if hour_from is None else int(hour_from)
    high = 24 if hour_to is None else int(hour_to)
    return [day * 24 + hour for day in days for hour in range(low, high)]


class VolunteerCardFilterSet(df.FilterSet):
    direction = df.MultipleChoiceFilter(choices=_direction_choices, method="filter_direction",
                                        label=_("Direction"), widget=CHECKBOXES)
    day = df.MultipleChoiceFilter(choices=DAY_CHOICES, method="filter_availability",
                                  label=_("Available on"), widget=CHECKBOXES)
    hour_from = df.NumberFilter(method="filter_availability", min_value=0, max_value=23,
                                label=_("Available from (hour)"))
    hour_to = df.NumberFilter(method="filter_availability", min_value=1, max_value=24,
                              label=_("Available until (hour)"))
    car = df.BooleanFilter(field_name="has_car", label=_("Has a car"))
    language = df.MultipleChoiceFilter(choices=LANGUAGE_CHOICES, method="filter_language",
                                       label=_("Language"), widget=CHECKBOXES)
    age = df.MultipleChoiceFilter(field_name="age_shown", label=_("Age"),
                                  choices=[(code, code) for code in SHOWN_AGES])

    class Meta:
        model = VolunteerCard
        fields = []

    def filter_direction(self, queryset, name, value):
        """Any of the chosen directions (GIN index)."""
        return queryset.filter(directions__overlap=list(value)) if value else queryset

    def filter_language(self, queryset, name, value):
        return queryset.filter(languages__overlap=list(value)) if value else queryset

    def filter_availability(self, queryset, name, value):
        """Day and hours together: available at one hour at least of the window, on one of
        the chosen days. Applied once, by whichever of the three comes first."""
        if getattr(self, "_availability_done", False):
            return queryset
        self._availability_done = True
        data = self.form.cleaned_data
        days, low, high = data.get("day") or [], data.get("hour_from"), data.get("hour_to")
        if not days and low is None and high is None:
            return queryset
        if low is None and high is None:
            return queryset.filter(days__overlap=[int(day) for day in days])
        return queryset.filter(slots__overlap=window_slots(days, low, high))
