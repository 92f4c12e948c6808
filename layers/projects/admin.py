"""Admin of social projects: read-only, because every write has rules (layers.projects.
actions). The list never shows the beneficiary of targeted material aid."""

from django.contrib import admin

from gis_portal.admin import ReadOnlyAdmin

from .models import EstimateLine, ProjectEvent, SocialProject


class EstimateLineInline(admin.TabularInline):
    model = EstimateLine
    extra = 0
    can_delete = False
    fields = ("position", "name", "quantity", "unit", "unit_price", "total", "spent")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SocialProject)
class SocialProjectAdmin(ReadOnlyAdmin):
    list_display = ("id", "title_kk", "kind", "status", "organisation", "settlement_kato",
                    "price", "pledged", "confirmed")
    list_filter = ("status", "kind")
    search_fields = ("title_kk", "title_ru", "organisation", "reference", "settlement_kato")
    # The beneficiary's identity stays on the project page, for staff of the area only.
    exclude = ("beneficiary_name", "beneficiary_details")
    inlines = [EstimateLineInline]


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "project", "action", "from_status", "to_status", "actor")
    list_filter = ("action",)
