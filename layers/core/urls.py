from django.urls import path

from . import views

app_name = "layers"

urlpatterns = [
    path("", views.LayerCatalogueView.as_view(), name="catalogue"),
    path("<slug:slug>/", views.LayerListView.as_view(), name="list"),
    path("<slug:slug>/stats", views.LayerStatsView.as_view(), name="stats"),
    path("<slug:slug>/export.<str:fmt>", views.LayerExportView.as_view(), name="export"),
    path("<slug:slug>/<int:pk>/", views.LayerDetailView.as_view(), name="detail"),
]
