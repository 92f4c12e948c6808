from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import StaffRole, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets,
                 (_("Portal"), {"fields": ("phone", "home_area", "preferred_language")}))
    raw_id_fields = ("home_area",)
    list_display = ("username", "email", "phone", "home_area", "is_staff")


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "organisation", "is_active", "granted_at")
    list_filter = ("kind", "is_active")
    search_fields = ("user__username", "user__email", "organisation")
    raw_id_fields = ("user", "granted_by")
    autocomplete_fields = ("areas",)
