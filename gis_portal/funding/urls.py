from django.urls import path

from . import api, views

app_name = "funding"

# The API routes take the id as text, so a malformed one gets the API's JSON 404 (the views
# parse it) rather than the site's HTML page.
urlpatterns = [
    path("api/funding/<str:pk>/", api.FundraiserView.as_view(), name="api-fundraiser"),
    path("api/funding/<str:pk>/pledges/", api.PledgeCreateView.as_view(), name="api-pledge"),
    path("api/funding/pledges/<str:pk>/confirm/", api.PledgeConfirmView.as_view(),
         name="api-confirm"),
    path("api/funding/pledges/<str:pk>/cancel/", api.PledgeCancelView.as_view(),
         name="api-cancel"),
    path("api/funding/pledges/<str:pk>/withdraw/", api.PledgeWithdrawView.as_view(),
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
