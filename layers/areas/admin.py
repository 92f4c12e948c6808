from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from .models import AdminArea, BoundaryGeneration, Settlement


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


@admin.register(Settlement)
class SettlementAdmin(LeafletGeoAdmin):
    list_display = ("kato", "name_kk", "name_ru", "population", "match", "district")
    list_filter = ("match", "osm_place")
    search_fields = ("kato", "name_kk", "name_ru", "name_en")
    raw_id_fields = ("oblast", "district", "okrug")
