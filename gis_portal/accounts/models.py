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


class StaffRole(models.Model):
    """A staff role of a user, scoped to administrative areas (and everything inside them).

    Administrators and moderators act country-wide; the other roles only in their areas.
    """

    class Kind(models.TextChoices):
        AKIMAT_OFFICER = "akimat_officer", _("akimat officer")
        NGO_OPERATOR = "ngo_operator", _("NGO operator")
        SERVICE_CENTRE_OPERATOR = "service_centre_operator", _("public service centre operator")
        MODERATOR = "moderator", _("moderator")
        ADMINISTRATOR = "administrator", _("administrator")

    COUNTRY_WIDE = {Kind.MODERATOR, Kind.ADMINISTRATOR}

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles",
                             verbose_name=_("user"))
    kind = models.CharField(_("role"), max_length=32, choices=Kind.choices)
    areas = models.ManyToManyField("areas.AdminArea", blank=True, related_name="+",
                                   verbose_name=_("areas"))
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="accounts_one_role_of_a_kind")]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"
