from django.urls import path

from . import views, views_staff

app_name = "volunteers"

urlpatterns = [
    path("volunteers/", views.ListPageView.as_view(), name="list"),
    path("volunteers/me/", views.MyPageView.as_view(), name="me"),
    path("volunteers/join/", views.JoinView.as_view(), name="join"),
    path("volunteers/<int:pk>/", views.CardPageView.as_view(), name="card"),
    path("volunteers/<int:pk>/contacts/", views.ContactsView.as_view(), name="contacts"),
    path("api/volunteers/<str:pk>/reveal", views.reveal_api, name="api-reveal"),
    path("api/volunteers/me", views.my_questionnaire, name="api-me"),
    path("api/volunteers/match/me", views.match_volunteer, name="api-match-me"),
    path("api/volunteers/paper", views.paper_questionnaire, name="api-paper"),
    path("api/volunteers/match/request/<str:pk>", views.match_request, name="api-match"),
    path("api/volunteers/requests/<str:pk>/assign", views.assign_api, name="api-assign"),
    path("api/volunteers/requests/<str:pk>/records", views.record_api, name="api-record"),
    path("api/volunteers/records/<str:pk>/confirm", views.confirm_api, name="api-confirm"),
    path("api/volunteers/records/<str:pk>/review", views.review_api, name="api-review"),
    path("api/volunteers/reviews/<str:pk>/moderate", views.moderate_api, name="api-moderate"),
    # Staff pages (views_staff): the desk, matching, upload, nominations, one URL per action.
    path("volunteers/staff/", views_staff.DeskView.as_view(), name="staff"),
    path("volunteers/staff/requests/<int:pk>/match/", views_staff.MatchView.as_view(),
         name="staff-match"),
    path("volunteers/staff/requests/<int:pk>/assign/", views_staff.AssignView.as_view(),
         name="staff-assign"),
    path("volunteers/staff/requests/<int:pk>/record/", views_staff.RecordView.as_view(),
         name="staff-record"),
    path("volunteers/staff/records/<int:pk>/confirm/", views_staff.ConfirmView.as_view(),
         name="staff-confirm"),
    path("volunteers/staff/records/<int:pk>/review/", views_staff.ReviewView.as_view(),
         name="staff-review"),
    path("volunteers/staff/reviews/<int:pk>/moderate/", views_staff.ModerateView.as_view(),
         name="staff-moderate"),
    path("volunteers/staff/proposals/<int:pk>/decide/",
         views_staff.DecideProposalView.as_view(), name="staff-decide"),
    path("volunteers/staff/upload/", views_staff.UploadView.as_view(), name="staff-upload"),
    path("volunteers/staff/template.<str:fmt>", views_staff.TemplateView.as_view(),
         name="staff-template"),
    path("volunteers/staff/nominations/", views_staff.NominationsView.as_view(),
         name="staff-nominations"),
]
