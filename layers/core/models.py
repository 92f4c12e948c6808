"""Model mixins every layer model builds on."""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class AreaTaggedModel(models.Model):
    """A feature tagged with the oblast, district and rural okrug it lies in.

    Tags point at areas of the current boundary generation and are written by one code path,
    layers.core.tagging.tag_rows, on every save and after every bulk import, so area filters
    are indexed foreign-key lookups and per-area statistics are a GROUP BY.
    """

    # Name of a KATO code field used to tag rows that have no geometry (None: leave untagged).
    area_kato_field: str | None = None

    oblast = models.ForeignKey(
        "areas.AdminArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("oblast"),
    )
    district = models.ForeignKey(
        "areas.AdminArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("district"),
    )
    okrug = models.ForeignKey(
        "areas.AdminArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("rural okrug"),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from .tagging import tag_rows

        super().save(*args, **kwargs)
        tag_rows(type(self), pks=[self.pk])
        self.refresh_from_db(fields=["oblast", "district", "okrug"])
