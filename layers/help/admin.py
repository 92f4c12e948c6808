"""Admin: the controlled lists are the akimat's to extend; requests and their events are
written by layers.help.actions only and shown without any personal column."""

from django.contrib import admin

from gis_portal.admin import ReadOnlyAdmin

from .models import FamilySituation, HelpEvent, HelpKind, HelpRequest

PUBLIC_COLUMNS = ("id", "topic", "kind", "age_band", "status", "settlement_kato",
                  "is_published", "published_on", "amount_needed", "helpers_asked")


@admin.register(HelpKind, FamilySituation)
class ControlledListAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "name_ru", "name_en", "is_active", "position")
    list_editable = ("is_active", "position")
    search_fields = ("code", "name_kk", "name_ru", "name_en")


@admin.register(HelpRequest)
class HelpRequestAdmin(ReadOnlyAdmin):
    # Only public facts: names, phones, addresses, positions and birth years never show here
    # (staff of the area read them on the request's staff page, which checks their role).
    list_display = PUBLIC_COLUMNS
    list_filter = ("topic", "status", "is_published", "age_band")
    search_fields = ("settlement_kato",)
    fields = PUBLIC_COLUMNS[1:] + ("family_tags", "description", "created_at", "updated_at",
                                   "fulfilled_at", "archived_at", "erased_at")
    readonly_fields = fields
    show_full_result_count = False


@admin.register(HelpEvent)
class HelpEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "request_id", "actor", "detail")
    list_filter = ("kind",)
    fields = ("created_at", "kind", "request", "actor", "detail")
    readonly_fields = fields
    raw_id_fields = ("request",)
