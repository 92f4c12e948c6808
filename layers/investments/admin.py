"""Investment projects in the admin: read-only views. Projects are written on the staff pages
and by the importers (layers.investments.actions and importer), which check the responsible
official's rank and the area, and audit every change; employment figures come from uploads."""

from django.contrib import admin

from gis_portal.admin import ReadOnlyAdmin

from .models import InvestmentEvent, InvestmentProject, InvestorInterest, SettlementEmployment


@admin.register(InvestmentProject)
class InvestmentProjectAdmin(ReadOnlyAdmin):
    list_display = ("title_kk", "sector", "status", "investment_needed", "jobs_created",
                    "settlement_kato", "responsible_position")
    list_filter = ("status", "sector", "responsible_position")
    search_fields = ("title_kk", "title_ru", "title_en", "settlement_kato", "reference")


@admin.register(SettlementEmployment)
class SettlementEmploymentAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "year", "unemployment_rate", "is_sample", "source")
    list_filter = ("is_sample", "year")
    search_fields = ("settlement__kato",)


@admin.register(InvestorInterest)
class InvestorInterestAdmin(ReadOnlyAdmin):
    # No investor column: who they are is for the project's responsible staff, on its page.
    list_display = ("project", "created_at")


@admin.register(InvestmentEvent)
class InvestmentEventAdmin(ReadOnlyAdmin):
    list_display = ("project", "action", "from_status", "to_status", "created_at")
    list_filter = ("action",)
