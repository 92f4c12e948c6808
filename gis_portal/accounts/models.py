"""Portal users. A user may name a home area: the place they come from (for the programme's
"natives of the region"), which need not be where they live."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
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
    # Raised when the e-mail, phone or password changes: every session signed in before the
    # change stops being valid (actions.end_other_sessions keeps the current one).
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret=None):
        if not self.session_epoch:  # sessions from before the first change keep their hash
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac("gis_portal.accounts.User.session_auth_hash",
                           f"{self.password}:{self.session_epoch}", secret=secret,
                           algorithm="sha256").hexdigest()


class SecurityNotice(models.Model):
    """A change to how an account signs in, and how its owner was told at the old address.

    Holds no address and no secret: only what changed, when, and the channel used. A phone-only
    account is recorded with channel "none": the portal has no SMS gateway."""

    class Change(models.TextChoices):
        EMAIL = "email", _("e-mail changed")
        PHONE = "phone", _("phone changed")
        PASSWORD = "password", _("password changed")
        SIGNUP_ATTEMPT = "signup_attempt", _("sign-up tried with this account's address")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail to the old address")
        NONE = "none", _("not sent: no e-mail on the account and no SMS gateway")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_notices",
                             verbose_name=_("user"))
    change = models.CharField(_("change"), max_length=20, choices=Change.choices)
    channel = models.CharField(_("told by"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("security notice")
        verbose_name_plural = _("security notices")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_change_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class PendingSignup(models.Model):
    """A sign-up with an e-mail address waiting for its owner to open the link we sent.

    The account is created only from the link, so signing up with somebody else's address does
    nothing, and the sign-up page answers the same whether the address is known or not. Only a
    hash of the link's token and of the chosen password are kept."""

    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    home_area = models.ForeignKey("areas.AdminArea", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    password_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("pending sign-up")
        verbose_name_plural = _("pending sign-ups")

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk}"


class StaffRole(models.Model):
    """A staff role of a user, scoped to administrative areas (and everything inside them).

    Administrators and moderators act country-wide; the other roles only in their areas.
    """

    class Kind(models.TextChoices):
        AKIMAT_OFFICER = "akimat_officer", _("akimat officer")
        NGO_OPERATOR = "ngo_operator", _("NGO operator")
        SERVICE_CENTRE_OPERATOR = "service_centre_operator", _("public service centre operator")
        CULTURE_OFFICER = "culture_officer", _("culture department officer")
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
