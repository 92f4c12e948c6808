from django.urls import path

from . import views

app_name = "heritage"

urlpatterns = [
    path("heritage/monuments/<int:pk>/", views.RecordView.as_view(layer="monuments"),
         name="monument"),
    path("heritage/nature/<int:pk>/", views.RecordView.as_view(layer="nature"), name="nature"),
    path("heritage/monuments/<int:pk>/report/", views.ConditionReportView.as_view(),
         name="report"),
    path("heritage/monuments/<int:pk>/manage/",
         views.ManageView.as_view(layer="monuments", what="manage"), name="monument-manage"),
    path("heritage/monuments/<int:pk>/projects/",
         views.ManageView.as_view(layer="monuments", what="project"), name="projects"),
    path("heritage/<str:layer>/<int:pk>/photos/", views.ManageView.as_view(what="photo"),
         name="photos"),
    path("heritage/<str:layer>/<int:pk>/videos/", views.ManageView.as_view(what="video"),
         name="videos"),
    path("heritage/reports/", views.ReportQueueView.as_view(), name="reports"),
    path("heritage/reports/<int:pk>/handle/", views.HandleReportView.as_view(),
         name="handle"),
]
