"""Photos: one upload path that strips metadata, makes thumbnails and refuses bad files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gis_portal.photos.actions import PhotoError, add_photo, hide_photo, photos_of, remove_photo
from gis_portal.photos.drawing import drawn_photo
from gis_portal.photos.models import Photo
from layers.areas.models import Settlement

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def jpeg_with_gps_and_orientation(width=300, height=200) -> bytes:
    """A JPEG whose EXIF holds a GPS position, a camera owner and orientation 6 (90° CW)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x013B] = "Secret Photographer"  # Artist
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (43.0, 15.0, 20.0), 3: "E", 4: (76.0, 55.0, 1.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def target():
    return Settlement.objects.filter(geom__isnull=False).first()


def test_metadata_is_stripped_and_orientation_applied(target):
    upload = SimpleUploadedFile("p.jpg", jpeg_with_gps_and_orientation(), "image/jpeg")
    photo = add_photo(user=None, target=target, upload=upload, caption="Mektep", purpose="main")
    photo.image.open("rb")
    raw = photo.image.read()
    photo.image.close()
    assert b"Secret Photographer" not in raw and b"Exif" not in raw
    stored = Image.open(io.BytesIO(raw))
    assert not stored.getexif()
    # Orientation 6 turned the 300×200 picture upright: 200 wide, 300 high, blue half on top.
    assert (stored.width, stored.height) == (200, 300) == (photo.width, photo.height)
    top_r, _g, top_b = stored.getpixel((100, 20))
    assert top_b > 150 and top_r < 100
    thumb = Image.open(photo.thumbnail.path)
    assert max(thumb.size) <= 480 and not thumb.getexif()


def test_large_photo_is_scaled_and_thumbnailed(target):
    upload = drawn_photo("Big", seed=3, size=(3000, 2000))
    photo = add_photo(user=None, target=target, upload=upload)
    assert (photo.width, photo.height) == (2048, 1365)
    assert Image.open(photo.thumbnail.path).size == (480, 320)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"%PDF-1.4 not a photo", "not a readable photo"),
    (jpeg_with_gps_and_orientation()[:400], "not a readable photo"),
])
def test_bad_files_are_refused(target, content, message):
    with pytest.raises(PhotoError) as refused:
        add_photo(user=None, target=target, upload=SimpleUploadedFile("x.jpg", content))
    assert message in refused.value.message and refused.value.status == 400
    assert not Photo.objects.exists()


def test_gif_and_oversized_files_are_refused(target, settings):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(PhotoError, match="JPEG, PNG or WebP"):
        add_photo(user=None, target=target, upload=SimpleUploadedFile("x.gif", gif.getvalue()))
    settings.TZ_PHOTO_MAX_BYTES = 1024
    with pytest.raises(PhotoError, match="larger than"):
        add_photo(user=None, target=target, upload=drawn_photo("x", 1))


def test_transparent_png_becomes_jpeg_on_white(target):
    png = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(png, format="PNG")
    photo = add_photo(user=None, target=target, upload=SimpleUploadedFile("t.png", png.getvalue()))
    assert Image.open(photo.image.path).getpixel((5, 5)) == (255, 255, 255)


def test_served_files_and_hidden_photos(client, target):
    photo = add_photo(user=None, target=target, upload=drawn_photo("Served", 7))
    response = client.get(photo.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert client.get(photo.thumbnail_url).status_code == 200
    assert list(photos_of(target)) == [photo]
    hide_photo(user=None, photo=photo)
    assert client.get(photo.url).status_code == 404
    assert not photos_of(target).exists()
    assert client.get("/media/photos/00/" + "0" * 32 + ".jpg").status_code == 404


def test_remove_photo_deletes_the_row(target, django_capture_on_commit_callbacks):
    photo = add_photo(user=None, target=target, upload=drawn_photo("Gone", 9))
    path = photo.image.path
    with django_capture_on_commit_callbacks(execute=True):
        remove_photo(user=None, photo=photo)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    import os

    assert not os.path.exists(path)
