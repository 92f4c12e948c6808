from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^media/photos/(?P<path>[0-9a-f]{2}/[0-9a-f]{32}(?:-thumb)?\.jpg)$",
            views.serve_photo, name="photo-file"),
]
