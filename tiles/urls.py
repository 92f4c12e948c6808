from django.urls import path

from . import views

app_name = "tiles"

urlpatterns = [
    # Plain str converters: a malformed address gets the portal's JSON 400/404, not a page.
    path("<str:slug>/<str:z>/<str:x>/<str:y>.mvt", views.tile, name="tile"),
    path("<str:slug>.json", views.tilejson, name="tilejson"),
    # The same TileJSON where GIS clients look for it, and a Mapbox GL style for QGIS.
    path("<str:slug>/tilejson.json", views.tilejson, name="tilejson-alias"),
    path("<str:slug>/style.json", views.style, name="style"),
]
