from django.urls import path, re_path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/<int:pk>/", views.ProjectView.as_view(), name="detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="edit"),
    path("projects/<int:pk>/report/", views.ProjectReportView.as_view(), name="report"),
    re_path(r"^projects/(?P<pk>\d+)/(?P<step>publish|start|archive|restore|moderate|photos)$",
            views.ProjectActionView.as_view(), name="step"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="create"),
    path("projects/staff/", views.StaffProjectsView.as_view(), name="staff"),
    path("projects/import/", views.ImportView.as_view(), name="import"),
    re_path(r"^projects/import/template\.(?P<fmt>xlsx|csv)$", views.template_download,
            name="template"),
]
