from django.urls import path

from . import views

app_name = "investments"

urlpatterns = [
    # Pages: the list (home region first on request), the planner's gaps, a project's page
    # (its address is stable and shareable), staff create/edit and uploads.
    path("investments/", views.project_list_page, name="list"),
    path("investments/gaps/", views.gaps_page, name="gaps"),
    path("investments/new/", views.ProjectCreateView.as_view(), name="create"),
    path("investments/import/", views.UploadView.as_view(), name="upload"),
    path("investments/import/<str:kind>-template.<str:fmt>", views.template_download,
         name="template"),
    path("investments/<int:pk>/", views.ProjectView.as_view(), name="detail"),
    path("investments/<int:pk>/edit/", views.ProjectEditView.as_view(), name="edit"),
    path("investments/<int:pk>/interest", views.InterestView.as_view(), name="interest"),
    path("investments/<int:pk>/status", views.StatusView.as_view(), name="status"),
    # API
    path("api/investments/projects/", views.project_list_api, name="projects-api"),
    path("api/investments/gaps/", views.gaps_api, name="gaps-api"),
    path("api/investments/gaps.csv", views.gaps_csv, name="gaps-csv"),
    # Any text as the id: the API answers a JSON 404 for one that is not a project's.
    path("api/investments/<str:pk>/interest", views.interest_api, name="interest-api"),
    path("api/investments/<str:pk>/interests", views.interests_api, name="interests-api"),
]
