from django.urls import path

from . import api, views

app_name = "identity"

urlpatterns = [
    path("in-person/", views.InPersonConfirmationView.as_view(), name="in-person"),
    path("in-person/code/", views.InPersonCodeView.as_view(), name="in-person-code"),
    path("eds/", views.EdsConfirmationView.as_view(), name="eds"),
    path("eds/challenges", api.EdsChallengeView.as_view(), name="eds-challenges"),
    path("eds/challenges/<str:challenge_id>/verify", api.EdsVerifyView.as_view(),
         name="eds-verify"),
    path("step-up/", views.StepUpView.as_view(), name="step-up"),
    path("step-up", api.StepUpView.as_view(), name="step-up-api"),
    path("status", api.IdentityStatusView.as_view(), name="status"),
]
