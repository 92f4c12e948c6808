"""Identity confirmation before personal contacts are revealed.

A helper confirms who they are with an NCA RK electronic signature (EDS) or by showing an
ID card at a public service centre. Each EDS attempt and each reveal is an append-only
audit row. Of the person the portal keeps only a keyed hash of the IIN and its last four
digits: no name, no full IIN, no signature or certificate (their SHA-256 fingerprints only).
One account is bound to one IIN and one IIN to one account (IdentityBinding).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit rows are append-only")

    def delete(self):
        raise PermissionError("audit rows are append-only")


class AppendOnlyModel(models.Model):
    """Rows are written once: no update, no delete (a database trigger enforces it too)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit rows are append-only")


class Purpose(models.TextChoices):
    CONFIRM_IDENTITY = "confirm_identity", _("confirm identity")
    REVEAL_CONTACTS = "reveal_contacts", _("reveal contacts")


class EdsChallenge(models.Model):
    """Bytes the user's key must sign: single use, short-lived, bound to user and purpose."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="eds_challenges")
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    target = models.CharField(max_length=100, blank=True,
                              help_text="what the confirmation is for, e.g. help-request:42")
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("EDS challenge")
        verbose_name_plural = _("EDS challenges")

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class EdsVerification(AppendOnlyModel):
    """One row per signature check, success or failure, with the evidence."""

    class Result(models.TextChoices):
        OK = "ok", _("verified")
        FAILED = "failed", _("failed")

    challenge = models.ForeignKey(EdsChallenge, null=True, on_delete=models.PROTECT,
                                  related_name="verifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    result = models.CharField(max_length=8, choices=Result.choices)
    failure_code = models.CharField(max_length=64, blank=True)
    # Fingerprints only: the CMS and the certificate carry the signer's full IIN and name.
    cms_sha256 = models.CharField(max_length=64, blank=True)
    cert_sha256 = models.CharField(max_length=64, blank=True)
    cert_serial_hex = models.CharField(max_length=80, blank=True)
    issuer_dn = models.TextField(blank=True)
    iin_hash = models.CharField(max_length=64, blank=True)
    iin_last4 = models.CharField(max_length=4, blank=True)
    algorithm = models.CharField(max_length=64, blank=True)
    revocation_method = models.CharField(max_length=16, blank=True)
    revocation_evidence = models.JSONField(default=dict, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("EDS verification")
        verbose_name_plural = _("EDS verifications")

    def __str__(self):
        return f"{self.get_result_display()} {self.failure_code} · {self.created_at:%Y-%m-%d %H:%M}"


class IdentityConfirmation(models.Model):
    """A user's confirmed identity for a while: by EDS or at a public service centre."""

    class Method(models.TextChoices):
        EDS = "eds", _("electronic digital signature")
        SERVICE_CENTRE = "service_centre", _("ID card at a public service centre")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="identity_confirmations")
    method = models.CharField(max_length=16, choices=Method.choices)
    iin_hash = models.CharField(max_length=64)
    iin_last4 = models.CharField(max_length=4)
    confirmed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    eds_verification = models.ForeignKey(EdsVerification, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # The public service centre: an area of the operator's role, never free text.
    area = models.ForeignKey("areas.AdminArea", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    document_type = models.CharField(max_length=32, blank=True)
    document_number_hash = models.CharField(max_length=64, blank=True)
    operator_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("identity confirmation")
        verbose_name_plural = _("identity confirmations")
        indexes = [models.Index(fields=["user", "expires_at"], name="identity_user_expiry")]

    def __str__(self):
        return f"{self.get_method_display()} · {self.expires_at:%Y-%m-%d}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.confirmed_at <= at < self.expires_at


class IdentityAuditEntry(AppendOnlyModel):
    """Every confirmation, revocation and use of a confirmation (each reveal)."""

    class Event(models.TextChoices):
        CHALLENGE_ISSUED = "challenge_issued", _("challenge issued")
        EDS_CONFIRMED = "eds_confirmed", _("confirmed by EDS")
        EDS_FAILED = "eds_failed", _("EDS check failed")
        IN_PERSON_CONFIRMED = "in_person_confirmed", _("confirmed in person")
        CONFIRMATION_REVOKED = "confirmation_revoked", _("confirmation revoked")
        IN_PERSON_REFUSED = "in_person_refused", _("in-person confirmation refused")
        IN_PERSON_CODE_ISSUED = "in_person_code_issued", _("in-person code issued")
        IDENTITY_BOUND = "identity_bound", _("account bound to an IIN")
        STEP_UP = "step_up", _("step-up before reveals")
        STEP_UP_FAILED = "step_up_failed", _("step-up failed")
        REVEAL = "reveal", _("personal data revealed")
        REVEAL_REFUSED = "reveal_refused", _("reveal refused")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=32, choices=Event.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmation = models.ForeignKey(IdentityConfirmation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    verification = models.ForeignKey(EdsVerification, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    target = models.CharField(max_length=100, blank=True)
    area = models.ForeignKey("areas.AdminArea", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("identity audit entry")
        verbose_name_plural = _("identity audit entries")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_event_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class IdentityBinding(models.Model):
    """The one IIN of an account, and the one account of an IIN: both unique in the database,
    so neither a second person for an account nor a second account for a person can be
    confirmed, however requests interleave. Written with the first confirmation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="identity_binding")
    iin_hash = models.CharField(max_length=64, unique=True)
    iin_last4 = models.CharField(max_length=4)
    bound_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("identity binding")
        verbose_name_plural = _("identity bindings")

    def __str__(self):
        return f"{self.bound_at:%Y-%m-%d}"


class InPersonCode(models.Model):
    """A one-time code the user shows at the counter from their own signed-in session: it
    proves the person there holds the account. Stored as a keyed hash, single use, short-lived."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    code_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("in-person code")
        verbose_name_plural = _("in-person codes")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M}"
