from django.urls import path

from . import api, views

app_name = "identity"

urlpatterns = [
    path("in-person/", views.InPersonConfirmationView.as_view(), name="in-person"),
    path("eds/", views.EdsConfirmationView.as_view(), name="eds"),
    path("eds/challenges", api.EdsChallengeView.as_view(), name="eds-challenges"),
    path("eds/challenges/<uuid:challenge_id>/verify", api.EdsVerifyView.as_view(),
         name="eds-verify"),
    path("status", api.IdentityStatusView.as_view(), name="status"),
]
