"""Admin of the heritage layers. Records are edited here by the portal's administrators (the
importer and the pages' actions are the everyday paths); reports, their steps and the audit
are written by actions only and shown read-only, without the reporter in any list."""

from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from gis_portal.admin import ReadOnlyAdmin

from .models import (
    ConditionReport,
    ConditionReportEvent,
    Dataset,
    HeritageChange,
    Monument,
    MonumentProject,
    NaturalSite,
    Video,
)


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "licence")


@admin.register(Monument)
class MonumentAdmin(LeafletGeoAdmin):
    list_display = ("name_kk", "name_ru", "kind", "significance", "era", "condition",
                    "register_number", "position_approximate", "is_published")
    list_filter = ("kind", "significance", "era", "condition", "protection_status",
                   "position_approximate", "is_published", "dataset")
    search_fields = ("name_kk", "name_ru", "name_en", "register_number")
    raw_id_fields = ("settlement",)
    readonly_fields = ("oblast", "district", "okrug")


@admin.register(NaturalSite)
class NaturalSiteAdmin(LeafletGeoAdmin):
    list_display = ("name_kk", "name_ru", "kind", "significance", "unesco_whc_id",
                    "position_approximate", "is_published")
    list_filter = ("kind", "significance", "position_approximate", "is_published", "dataset")
    search_fields = ("name_kk", "name_ru", "name_en", "register_number",
                     "protected_area_key")
    raw_id_fields = ("settlement",)
    readonly_fields = ("oblast", "district", "okrug")


@admin.register(Video)
class VideoAdmin(ReadOnlyAdmin):
    list_display = ("title", "host", "content_type", "object_id", "created_at")


@admin.register(ConditionReport)
class ConditionReportAdmin(ReadOnlyAdmin):
    # No reporter column: who reported is personal data.
    list_display = ("monument", "kind", "status", "area", "created_at")
    list_filter = ("status", "kind")
    exclude = ("reporter",)


@admin.register(ConditionReportEvent)
class ConditionReportEventAdmin(ReadOnlyAdmin):
    list_display = ("report", "status", "created_at")


@admin.register(HeritageChange)
class HeritageChangeAdmin(ReadOnlyAdmin):
    list_display = ("action", "content_type", "object_id", "actor", "created_at")
    list_filter = ("action",)


@admin.register(MonumentProject)
class MonumentProjectAdmin(ReadOnlyAdmin):
    list_display = ("monument", "project", "kind", "attached_at")
