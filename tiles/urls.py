from django.urls import path

from . import views

app_name = "tiles"

urlpatterns = [
    path("<slug:slug>/<int:z>/<int:x>/<int:y>.mvt", views.tile, name="tile"),
    path("<slug:slug>.json", views.tilejson, name="tilejson"),
]
