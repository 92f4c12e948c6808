from django.urls import path

from . import views

app_name = "routes"

urlpatterns = [
    # The road-trip planner: page (its address is the shareable link), API and exports.
    path("trips/", views.trip_page, name="trip-page"),
    path("api/routes/plan", views.plan_api, name="plan"),
    path("api/routes/plan.gpx", views.plan_gpx, name="plan-gpx"),
    path("api/routes/plan.kml", views.plan_kml, name="plan-kml"),
    path("api/routes/towns", views.towns_api, name="towns"),
    # Eco-tourism routes: page, sights along, GPX/KML, staff import and changes.
    path("routes/import/", views.import_route_page, name="import-page"),
    path("routes/<int:pk>/", views.route_page, name="route"),
    path("routes/<int:pk>/route.gpx", views.route_gpx, name="route-gpx"),
    path("routes/<int:pk>/route.kml", views.route_kml, name="route-kml"),
    path("api/routes/import", views.import_route_api, name="import"),
    path("api/routes/<int:pk>/", views.route_write_api, name="route-write"),
    path("api/routes/<str:pk>/sights", views.route_sights_api, name="route-sights"),
    path("api/routes/<int:pk>/photos", views.route_photo_api, name="route-photos"),
]
