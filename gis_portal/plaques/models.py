"""A plaque: the stable short code of one object of a map layer, printed as a QR code.

A plate is fixed to a wall or a post for years, so its code never changes and never moves to
another object: rows are written once by actions.plaque_for (get or create, race-safe through
the unique constraints) and never edited. The code is random, not derived from the object's
id, so codes cannot be walked to list objects.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Upper-case letters and digits without the look-alikes 0/O, 1/I/L, 2/Z, 5/S and 8/B: a code
# typed from a weathered plate is read right. 25 symbols, 7 of them: 6·10⁹ codes.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 7


class Plaque(models.Model):
    code = models.CharField(_("short code"), max_length=16, unique=True, editable=False)
    layer = models.CharField(_("layer"), max_length=64, editable=False,
                             help_text=_("The slug of the map layer the object belongs to."))
    object_id = models.BigIntegerField(_("object id"), editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"), editable=False)

    class Meta:
        verbose_name = _("QR plaque")
        verbose_name_plural = _("QR plaques")
        ordering = ["layer", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "object_id"],
                                    name="plaques_one_plaque_per_object"),
            models.CheckConstraint(condition=Q(code__regex=rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$"),
                                   name="plaques_code_from_alphabet"),
        ]

    def __str__(self):
        return f"{self.code} · {self.layer} #{self.object_id}"

    @property
    def path(self) -> str:
        return reverse("plaques:page", args=[self.code])

    @property
    def short_url(self) -> str:
        """The absolute address printed on the plate and encoded in its QR code."""
        return f"{settings.TZ_PUBLIC_BASE_URL}{self.path}"
