from django.urls import path

from . import api, views

app_name = "funding"

urlpatterns = [
    path("api/funding/<int:pk>/", api.FundraiserView.as_view(), name="api-fundraiser"),
    path("api/funding/<int:pk>/pledges/", api.PledgeCreateView.as_view(), name="api-pledge"),
    path("api/funding/pledges/<int:pk>/confirm/", api.PledgeConfirmView.as_view(),
         name="api-confirm"),
    path("api/funding/pledges/<int:pk>/cancel/", api.PledgeCancelView.as_view(),
         name="api-cancel"),
    path("api/funding/pledges/<int:pk>/withdraw/", api.PledgeWithdrawView.as_view(),
         name="api-withdraw"),
    path("funding/<int:pk>/", views.FundraiserPageView.as_view(), name="fundraiser"),
    path("funding/<int:pk>/pledge/", views.PledgeFormView.as_view(), name="pledge"),
    path("funding/pledges/", views.PledgeQueueView.as_view(), name="queue"),
    path("funding/pledges/<int:pk>/confirm/", views.PledgeDecisionView.as_view(),
         {"decision": "confirm"}, name="confirm"),
    path("funding/pledges/<int:pk>/cancel/", views.PledgeDecisionView.as_view(),
         {"decision": "cancel"}, name="cancel"),
    path("funding/my/", views.MyPledgesView.as_view(), name="my"),
    path("funding/my/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
]
