from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import views

app_name = "ogc"

# OGC API - Features at /ogc/. Plain str converters: a malformed collection or feature id gets
# the OGC JSON 404, not a page.
urlpatterns = [
    path("ogc/", views.landing, name="landing"),
    path("ogc", views.landing),
    path("ogc/conformance", views.conformance, name="conformance"),
    path("ogc/api", views.openapi, name="openapi"),
    # Swagger UI over the OGC API definition (its initialiser is a script of its own, as at
    # /api/docs/; the page keeps one small inline stylesheet).
    path("ogc/api.html", csp_update({"style-src": [SELF, UNSAFE_INLINE]})(
        SpectacularSwaggerSplitView.as_view(url_name="ogc:openapi")), name="openapi-doc"),
    path("ogc/collections", views.collections, name="collections"),
    path("ogc/collections/<str:slug>", views.collection, name="collection"),
    path("ogc/collections/<str:slug>/queryables", views.queryables, name="queryables"),
    path("ogc/collections/<str:slug>/items", views.items, name="items"),
    path("ogc/collections/<str:slug>/items/<str:pk>", views.item, name="item"),
    # OGC API - Tiles: the same vector tiles as /tiles/<slug>/{z}/{x}/{y}.mvt.
    path("ogc/tileMatrixSets", views.tile_matrix_sets, name="tile-matrix-sets"),
    path("ogc/tileMatrixSets/<str:tms>", views.tile_matrix_set, name="tile-matrix-set"),
    path("ogc/collections/<str:slug>/tiles", views.tilesets, name="tilesets"),
    path("ogc/collections/<str:slug>/tiles/<str:tms>", views.tileset, name="tileset"),
    path("ogc/collections/<str:slug>/tiles/<str:tms>/<str:z>/<str:row>/<str:col>",
         views.tile, name="tile"),
]
