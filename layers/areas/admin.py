from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from gis_portal.admin import ReadOnlyAdmin
from gis_portal.identity.views import client_ip

from . import actions
from .models import (
    AdminArea,
    BoundaryGeneration,
    Settlement,
    SettlementPositionChange,
    SettlementPositionReport,
)


@admin.register(BoundaryGeneration)
class BoundaryGenerationAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "is_current", "valid_from")


@admin.register(AdminArea)
class AdminAreaAdmin(LeafletGeoAdmin):
    list_display = ("kato", "name_kk", "name_ru", "level", "generation", "approximate")
    list_filter = ("generation", "level", "approximate")
    search_fields = ("kato", "name_kk", "name_ru", "name_en")
    raw_id_fields = ("parent",)
    exclude = ("geom_simplified",)
    readonly_fields = ("area_km2",)


class SettlementAdminForm(forms.ModelForm):
    """A moved point is checked like on the settlement page: staff of the settlement's area,
    inside its district, with a reason."""

    position_reason = forms.CharField(
        label=_("Reason for moving the point"), required=False,
        max_length=actions.REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the location changes; kept in the change history."))

    # No Meta: the admin builds the form for Settlement with its own field list.

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or "geom" not in self.changed_data:
            return cleaned
        # The instance still holds the stored values here (the form's values reach it after).
        if not actions.may_move(self.acting_user, self.instance):
            self.add_error("geom", _("Only akimat staff of this settlement's district or "
                                     "rural okrug can move its point."))
        elif not (cleaned.get("position_reason") or "").strip():
            self.add_error("position_reason", _("Say why the point moves."))
        elif cleaned.get("geom") is None:
            self.add_error("geom", _("A settlement's point can be moved, not removed."))
        else:
            try:
                actions.checked_point(cleaned["geom"], actions.home_areas(self.instance))
            except actions.PositionError as error:
                self.add_error("geom", error.message)
        return cleaned


@admin.register(Settlement)
class SettlementAdmin(LeafletGeoAdmin):
    form = SettlementAdminForm
    list_display = ("kato", "name_kk", "name_ru", "population", "match", "position_source",
                    "district")
    list_filter = ("match", "position_source", "osm_place")
    search_fields = ("kato", "name_kk", "name_ru", "name_en")
    raw_id_fields = ("oblast", "district", "okrug")
    readonly_fields = ("position_source", "position_precision_m")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """A moved point goes through the same audited action as on the settlement page."""
        if not (change and "geom" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        new_point = obj.geom
        obj.geom = Settlement.objects.only("geom").get(pk=obj.pk).geom
        super().save_model(request, obj, form, change)
        actions.move_settlement(
            actor=request.user, settlement=obj, point=new_point,
            reason=form.cleaned_data["position_reason"], via=SettlementPositionChange.Via.ADMIN,
            client_ip=client_ip(request))



@admin.register(SettlementPositionChange)
class SettlementPositionChangeAdmin(ReadOnlyAdmin):
    # No person in the list: who moved a point is on the row's own page.
    list_display = ("created_at", "settlement", "via", "previous_source", "new_precision_m")
    list_filter = ("via",)
    search_fields = ("settlement__kato",)
    list_select_related = ("settlement",)


@admin.register(SettlementPositionReport)
class SettlementPositionReportAdmin(ReadOnlyAdmin):
    # Decided in the report queue (/settlements/reports/); the reporter is not listed.
    list_display = ("created_at", "settlement", "status", "decided_at")
    list_filter = ("status",)
    search_fields = ("settlement__kato",)
    list_select_related = ("settlement",)
    exclude = ("reporter", "decided_from_ip")
