"""The one upload path for photos: check, strip, re-encode, thumbnail.

It does not decide who may add a photo: the calling layer's action checks its rights with
permissions.may() first, and calls add_photo inside its own transaction (so a refused record
write leaves no photo row behind).
"""

import io

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gis_portal.errors import ActionError

from .models import Photo

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class PhotoError(ActionError):
    code = "photo_invalid"


def _settings():
    return (getattr(settings, "TZ_PHOTO_MAX_BYTES", 10 * 1024 * 1024),
            getattr(settings, "TZ_PHOTO_MAX_PIXELS", 40_000_000),
            getattr(settings, "TZ_PHOTO_LONG_SIDE", 2048),
            getattr(settings, "TZ_PHOTO_THUMB_LONG_SIDE", 480))


def _read_image(upload) -> Image.Image:
    max_bytes, max_pixels, _long, _thumb = _settings()
    size = getattr(upload, "size", None)
    data = upload.read() if size is None or size <= max_bytes else None
    if data is None or len(data) > max_bytes:
        raise PhotoError(_("The photo is larger than %(mb)d MB: send a smaller one.")
                         % {"mb": max_bytes // (1024 * 1024)}, field="photo")
    if not data:
        raise PhotoError(_("The photo file is empty."), field="photo")
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.format not in ACCEPTED_FORMATS:
            raise PhotoError(_("Send the photo as JPEG, PNG or WebP."), field="photo")
        if probe.width * probe.height > max_pixels:
            raise PhotoError(_("The photo has too many pixels: send a smaller one."),
                             field="photo")
        probe.verify()  # a truncated or forged file fails here
        image = Image.open(io.BytesIO(data))
        image.load()
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError(_("The file is not a readable photo (JPEG, PNG or WebP)."),
                         field="photo") from None
    return image


def _jpeg(image: Image.Image, long_side: int, quality: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh image written without exif=/icc_profile=: no metadata survives.
    copy.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue(), copy.size


def _pixels_only(image: Image.Image) -> Image.Image:
    """Upright pixels in RGB, detached from every piece of the file's metadata."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "P"):
        upright = upright.convert("RGBA")
        background = Image.new("RGB", upright.size, (255, 255, 255))
        background.paste(upright, mask=upright.split()[-1])
        upright = background
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    return clean


def add_photo(*, user, target, upload, caption: str = "", purpose: str = "") -> Photo:
    """Store an uploaded photo of `target`, without metadata, with its thumbnail."""
    if target is None or target.pk is None:
        raise PhotoError(_("The photo has no saved record to belong to."))
    _max_bytes, _max_pixels, long_side, thumb_side = _settings()
    pixels = _pixels_only(_read_image(upload))
    photo = Photo(content_type=ContentType.objects.get_for_model(target),
                  object_id=target.pk, caption=(caption or "").strip()[:200],
                  purpose=(purpose or "")[:32],
                  uploaded_by=user if user is not None and user.is_authenticated else None)
    # The files are written before the row, so a row never points at a missing file; files
    # of a transaction that rolls back are left behind and removed by clean_orphan_photos.
    image_bytes, (photo.width, photo.height) = _jpeg(pixels, long_side, 85)
    photo.image.save("photo.jpg", ContentFile(image_bytes), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(_jpeg(pixels, thumb_side, 80)[0]), save=False)
    photo.save()
    return photo


def remove_photo(*, user, photo: Photo) -> None:
    """Delete a photo and its files (the caller has checked the user's rights)."""
    names = [photo.image.name, photo.thumbnail.name]
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


def hide_photo(*, user, photo: Photo, hidden: bool = True) -> Photo:
    photo.is_hidden = hidden
    photo.save(update_fields=["is_hidden"])
    return photo


def photos_of(target, purpose: str | None = None):
    """The visible photos of a record (optionally of one purpose), oldest first."""
    queryset = Photo.objects.filter(content_type=ContentType.objects.get_for_model(target),
                                    object_id=target.pk, is_hidden=False)
    if purpose is not None:
        queryset = queryset.filter(purpose=purpose)
    return queryset
