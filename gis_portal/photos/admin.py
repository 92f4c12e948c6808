from django.contrib import admin

from .models import Photo


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ("key", "content_type", "object_id", "purpose", "caption", "is_hidden",
                    "created_at")
    list_filter = ("is_hidden", "purpose", "content_type")
    fields = ("caption", "is_hidden")
    readonly_fields = ("key",)

    def has_add_permission(self, request):
        return False  # photos come in through actions.add_photo only
