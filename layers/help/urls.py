from django.urls import path

from . import views

app_name = "help"

urlpatterns = [
    path("help/<int:pk>/", views.RequestPageView.as_view(), name="request"),
    path("help/<int:pk>/contacts/", views.ContactsView.as_view(), name="contacts"),
    path("api/help/<str:pk>/reveal", views.reveal_api, name="api-reveal"),
    path("help/staff/upload/", views.UploadView.as_view(), name="upload"),
    path("help/staff/template.<str:fmt>", views.template_download, name="template"),
    path("help/staff/reveals/", views.RevealLogView.as_view(), name="reveals"),
    path("help/staff/<int:pk>/", views.StaffRecordView.as_view(), name="staff-record"),
]
