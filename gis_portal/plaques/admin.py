from django.contrib import admin

from gis_portal.admin import ReadOnlyAdmin

from .models import Plaque


@admin.register(Plaque)
class PlaqueAdmin(ReadOnlyAdmin):
    """Plaques are made by gis_portal.plaques.actions and never change: a printed plate
    depends on its code."""

    list_display = ("code", "layer", "object_id", "created_at")
    list_filter = ("layer",)
    search_fields = ("code",)
    readonly_fields = ("code", "layer", "object_id", "created_at", "created_by")
