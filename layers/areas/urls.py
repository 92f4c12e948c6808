from django.urls import path

from . import api

app_name = "areas"

urlpatterns = [
    path("", api.AreaListView.as_view(), name="list"),
    path("lookup", api.area_lookup, name="lookup"),
    path("<str:kato>/", api.AreaDetailView.as_view(), name="detail"),
]
