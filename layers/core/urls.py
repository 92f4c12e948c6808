from django.urls import path

from . import views

app_name = "layers"

# Plain str converters: a malformed slug or id gets the API's JSON 404, not an HTML page.
urlpatterns = [
    path("", views.LayerCatalogueView.as_view(), name="catalogue"),
    path("<str:slug>/", views.LayerListView.as_view(), name="list"),
    path("<str:slug>/stats", views.LayerStatsView.as_view(), name="stats"),
    path("<str:slug>/export.<str:fmt>", views.LayerExportView.as_view(), name="export"),
    path("<str:slug>/<str:pk>/", views.LayerDetailView.as_view(), name="detail"),
]
