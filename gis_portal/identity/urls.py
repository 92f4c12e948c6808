from django.urls import path

from . import views

app_name = "identity"

urlpatterns = [
    path("in-person/", views.InPersonConfirmationView.as_view(), name="in-person"),
]
