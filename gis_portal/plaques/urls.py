from django.urls import path

from . import views

app_name = "plaques"

urlpatterns = [
    # The short URL printed on a plate and encoded in its QR code: keep it short.
    path("p/<str:code>", views.plaque_page, name="page"),
    path("p/<str:code>/qr.svg", views.qr_svg_view, name="qr-svg"),
    path("p/<str:code>/qr.png", views.qr_png_view, name="qr-png"),
    path("plaques/sheet/", views.SheetView.as_view(), name="sheet"),
]
