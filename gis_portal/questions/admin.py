from django.contrib import admin

from gis_portal.admin import ReadOnlyAdmin

from .models import SavedQuestion


@admin.register(SavedQuestion)
class SavedQuestionAdmin(ReadOnlyAdmin):
    list_display = ("short_id", "kind", "saved_at")
    list_filter = ("kind",)
    search_fields = ("short_id",)
