"""Admin: eco-routes are changed through the app's actions (area rights, audit); the road
graph and the audit rows are read-only (the loader and importer write them)."""

from django.contrib import admin, messages
from django.contrib.gis import admin as gis_admin

from gis_portal.admin import ReadOnlyAdmin
from gis_portal.errors import ActionError

from . import actions
from .models import EcoRoute, RoadEdge, RoadNetwork, RoadNode, RouteChange


@admin.register(EcoRoute)
class EcoRouteAdmin(gis_admin.GISModelAdmin):
    list_display = ("name_kk", "kind", "difficulty", "length_km", "oblast", "is_sample",
                    "published")
    list_filter = ("kind", "difficulty", "is_sample", "published")
    search_fields = ("name_kk", "name_ru", "name_en", "organisation")
    readonly_fields = ("length_km", "oblast", "district", "okrug", "created_by", "created_at",
                       "updated_at")
    raw_id_fields = ("start_settlement", "end_settlement")
    fields = (*actions.EDITABLE_FIELDS, "geom", *readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        # The track is replaced by uploading a file (GPX/KML), never drawn by hand here.
        return (*self.readonly_fields, "geom")

    def has_add_permission(self, request):
        return False  # new routes come from a track file: /routes/import/

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name in actions.EDITABLE_FIELDS}
        original = EcoRoute.objects.get(pk=obj.pk)
        try:
            actions.update_route(user=request.user, route=original, fields=fields)
        except ActionError as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_model(self, request, obj):
        try:
            actions.delete_route(user=request.user, route=obj)
        except ActionError as error:
            self.message_user(request, error.message, messages.ERROR)


@admin.register(RouteChange)
class RouteChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "route_id_value", "route_name", "what", "user")
    list_filter = ("what",)


@admin.register(RoadNetwork)
class RoadNetworkAdmin(ReadOnlyAdmin):
    list_display = ("slug", "kind", "title", "is_active", "loaded_at")


@admin.register(RoadNode)
class RoadNodeAdmin(ReadOnlyAdmin):
    list_display = ("key", "name_en", "region", "population", "is_town", "network")
    list_filter = ("network", "is_town")


@admin.register(RoadEdge)
class RoadEdgeAdmin(ReadOnlyAdmin):
    list_display = ("id", "network", "source", "target", "cost", "road", "length_source")
    list_filter = ("network", "length_source")
