"""Portal users. A user may name a home area: the place they come from (for the programme's
"natives of the region"), which need not be where they live."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    home_area = models.ForeignKey(
        "areas.AdminArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("home area"),
        help_text=_("The district or village you come from."),
    )
    preferred_language = models.CharField(
        _("language"), max_length=2, choices=[("kk", "Қазақша"), ("ru", "Русский"),
                                              ("en", "English")], default="kk",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
