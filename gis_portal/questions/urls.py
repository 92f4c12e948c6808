from django.urls import path

from . import views

app_name = "questions"

urlpatterns = [
    path("questions/", views.page, name="page"),
    path("questions/<slug:short_id>/", views.saved_page, name="saved-page"),
    path("api/questions/", views.catalogue_api, name="catalogue"),
    path("api/questions/saved/", views.save_api, name="save"),
    # Any text (not only a slug): the API answers a JSON 404 for an id that cannot be one.
    path("api/questions/saved/<str:short_id>/", views.saved_api, name="saved"),
    path("api/questions/<slug:kind>/", views.answer_api, name="answer"),
]
