"""Admin: the directions and the kind-of-help mapping are the akimat's to edit; questionnaires,
cards, records, reviews and events are written by layers.volunteers.actions only and shown
without any personal column."""

from django.contrib import admin

from gis_portal.admin import ReadOnlyAdmin

from .models import (
    Assignment,
    Direction,
    DirectionProposal,
    HelpRecord,
    KindDirection,
    Review,
    Volunteer,
    VolunteerCard,
    VolunteerEvent,
)

VOLUNTEER_COLUMNS = ("id", "status", "gender", "education", "experience", "has_car",
                     "travel_km", "created_at", "left_at")


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "name_ru", "name_en", "is_active", "position")
    list_editable = ("is_active", "position")
    search_fields = ("code", "name_kk", "name_ru", "name_en")


@admin.register(KindDirection)
class KindDirectionAdmin(admin.ModelAdmin):
    list_display = ("kind", "direction")
    list_filter = ("kind", "direction")


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    # Never names, phones, e-mails, birth years or settlements (staff of the area use the
    # reveal gate like everyone else).
    list_display = VOLUNTEER_COLUMNS
    list_filter = ("status", "has_car", "education")
    fields = VOLUNTEER_COLUMNS[1:] + ("directions", "languages", "updated_at")
    readonly_fields = fields
    show_full_result_count = False


@admin.register(VolunteerCard)
class VolunteerCardAdmin(ReadOnlyAdmin):
    list_display = ("id", "age_shown", "gender_shown", "place_kato", "place_level", "has_car")
    list_filter = ("place_level", "age_shown")
    fields = ("age_shown", "gender_shown", "place_kato", "place_level", "directions", "days",
              "has_car", "languages")
    readonly_fields = fields


@admin.register(DirectionProposal)
class DirectionProposalAdmin(ReadOnlyAdmin):
    list_display = ("id", "text", "status", "promoted_to", "created_at")
    list_filter = ("status",)
    fields = ("text", "status", "promoted_to", "created_at")
    readonly_fields = fields


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "request_id", "volunteer_id", "status", "created_at", "answered_at")
    list_filter = ("status",)
    fields = ("status", "created_at", "answered_at")
    readonly_fields = fields


@admin.register(HelpRecord)
class HelpRecordAdmin(ReadOnlyAdmin):
    list_display = ("id", "volunteer_id", "request_id", "kind", "helped_on", "confirmed_at",
                    "confirmed_via")
    list_filter = ("confirmed_via", "kind")
    fields = ("kind", "helped_on", "settlement_kato", "confirmed_at", "confirmed_via")
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "record_id", "positive", "moderation", "created_at")
    list_filter = ("moderation", "positive")
    fields = ("positive", "text", "moderation", "created_at")
    readonly_fields = fields


@admin.register(VolunteerEvent)
class VolunteerEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "volunteer_id", "actor", "detail")
    list_filter = ("kind",)
    fields = ("created_at", "kind", "actor", "detail")
    readonly_fields = fields
