"""A record of each committed reference data load, so an unchanged manifest is not reloaded."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceDataLoad(models.Model):
    manifest_sha256 = models.CharField(_("manifest checksum"), max_length=64, db_index=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    duration_s = models.FloatField(_("duration, s"))
    # The full import report (counts, rejections, notes, figures) as shown by the command.
    report = models.JSONField(_("report"), default=dict)

    class Meta:
        verbose_name = _("reference data load")
        verbose_name_plural = _("reference data loads")
        ordering = ["-loaded_at"]
        get_latest_by = "loaded_at"

    def __str__(self):
        return f"{self.manifest_sha256[:12]} at {self.loaded_at:%Y-%m-%d %H:%M}"
