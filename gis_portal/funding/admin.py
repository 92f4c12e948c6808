"""Pooled funding in the admin: read-only (only gis_portal.funding.actions write these rows).
List columns show no personal data beyond the donor's username."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gis_portal.admin import ReadOnlyAdmin

from .models import FundingEvent, Fundraiser, Pledge


@admin.register(Fundraiser)
class FundraiserAdmin(ReadOnlyAdmin):
    list_display = ["id", "content_type", "object_id", "area", "goal", "pledged_total",
                    "confirmed_total", "is_open", "created_at"]
    list_filter = ["is_open", "content_type"]
    list_select_related = ["content_type", "area"]
    raw_id_fields = ["area"]


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ["id", "fundraiser_id", "donor_username", "amount", "status", "anonymous",
                    "created_at", "expires_at"]
    list_filter = ["status", "anonymous"]
    list_select_related = ["donor"]
    raw_id_fields = ["fundraiser", "donor", "decided_by"]

    @admin.display(description=_("donor"), ordering="donor__username")
    def donor_username(self, pledge):
        return pledge.donor.get_username()


@admin.register(FundingEvent)
class FundingEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "fundraiser_id", "pledge_id", "actor_username",
                    "amount"]
    list_filter = ["kind"]
    list_select_related = ["actor"]
    raw_id_fields = ["fundraiser", "pledge", "actor"]

    @admin.display(description=_("by"), ordering="actor__username")
    def actor_username(self, event):
        return event.actor.get_username() if event.actor_id else "—"
