"""Photos of any record (a project, a monument, a route, a completion report).

A photo points at its record through a generic relation, so every layer shares one upload
path (actions.add_photo): the same checks, the same metadata stripping, the same thumbnails.
Files are stored re-encoded, never as uploaded: no EXIF, no GPS position of the photographer.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


def _image_path(photo, filename):
    return f"photos/{photo.key.hex[:2]}/{photo.key.hex}.jpg"


def _thumbnail_path(photo, filename):
    return f"photos/{photo.key.hex[:2]}/{photo.key.hex}-thumb.jpg"


class Photo(models.Model):
    # Random file names: the URL of a hidden photo cannot be guessed from its neighbours.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("purpose"), max_length=32, blank=True,
                               help_text=_("What the photo shows for its record, e.g. a "
                                           "completion report or a condition report."))
    image = models.ImageField(_("image"), upload_to=_image_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_thumbnail_path)
    # Of the stored (re-encoded, scaled) image, set by actions.add_photo.
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.caption or f"photo {self.key.hex[:8]}"

    @property
    def url(self) -> str:
        return self.image.url

    @property
    def thumbnail_url(self) -> str:
        return self.thumbnail.url
