"""Identity actions: each is one transaction, takes the acting user, writes its audit row and
raises a typed IdentityError that views turn into a clear 4xx answer.

Other apps use two calls: `confirmation_status(user)` ("is this user's identity confirmed
now, how, until when") and `run_reveal(...)` ("run this reveal under that confirmation and
write its audit row").

Confirmation by electronic signature takes two: `issue_eds_challenge(...)` gives the bytes
NCALayer signs, `verify_eds_challenge(...)` checks the signature and confirms the user.
"""

import hashlib
import hmac
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_portal.accounts.permissions import Action, may

from . import trust
from .eds import (
    ChallengeFormatError,
    EdsVerificationError,
    EdsVerifier,
    VerifiedSigner,
    audit_record,
    issue_challenge,
)
from .eds import cms as eds_cms
from .models import (
    EdsChallenge,
    EdsVerification,
    IdentityAuditEntry,
    IdentityConfirmation,
    Purpose,
)

logger = logging.getLogger(__name__)
Event = IdentityAuditEntry.Event
T = TypeVar("T")

DOCUMENT_TYPES = ("id_card", "passport", "residence_permit")
IIN_PATTERN = re.compile(r"^\d{12}$")


class IdentityError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(IdentityError):
    status = 403
    code = "not_allowed"


class NotConfirmed(IdentityError):
    status = 403
    code = "identity_not_confirmed"


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 under the server's identity key: equal inputs match, nothing reverses."""
    key = settings.TZ_IDENTITY_HASH_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ConfirmationStatus:
    confirmed: bool
    method: str | None = None
    until: datetime | None = None
    confirmation: IdentityConfirmation | None = None


def confirmation_status(user, at: datetime | None = None) -> ConfirmationStatus:
    """Is this user's identity confirmed now, how, and until when (the latest expiry)."""
    if user is None or not user.is_authenticated:
        return ConfirmationStatus(False)
    at = at or timezone.now()
    confirmation = (IdentityConfirmation.objects
                    .filter(user=user, revoked_at__isnull=True, confirmed_at__lte=at,
                            expires_at__gt=at)
                    .order_by("-expires_at").first())
    if confirmation is None:
        return ConfirmationStatus(False)
    return ConfirmationStatus(True, confirmation.method, confirmation.expires_at, confirmation)


def confirm_in_person(*, operator, user, iin: str, document_type: str, document_number: str,
                      office: str, note: str = "", client_ip: str | None = None
                      ) -> IdentityConfirmation:
    """A public service centre operator checked the user's ID card (or passport) in person."""
    if not may(operator, Action.CONFIRM_IDENTITY):
        raise NotAllowed(_("Only a public service centre operator can confirm an identity "
                           "in person."))
    iin = (iin or "").strip()
    if not IIN_PATTERN.match(iin):
        raise IdentityError(_("The IIN must be 12 digits."))
    if document_type not in DOCUMENT_TYPES:
        raise IdentityError(_("Document type must be one of: %(types)s.")
                            % {"types": ", ".join(DOCUMENT_TYPES)})
    document_number = (document_number or "").strip()
    if not document_number:
        raise IdentityError(_("Enter the number of the document you checked."))
    if not (office or "").strip():
        raise IdentityError(_("Enter the public service centre office."))
    if operator.pk == user.pk:
        raise NotAllowed(_("An operator cannot confirm their own identity."))
    now = timezone.now()
    with transaction.atomic():
        confirmation = IdentityConfirmation.objects.create(
            user=user, method=IdentityConfirmation.Method.SERVICE_CENTRE,
            iin_hash=keyed_hash(iin, "iin"), iin_last4=iin[-4:], confirmed_at=now,
            expires_at=now + timedelta(days=settings.TZ_IN_PERSON_CONFIRMATION_DAYS),
            operator=operator, office=office.strip(), document_type=document_type,
            document_number_hash=keyed_hash(document_number, f"document:{document_type}"),
            operator_note=note,
        )
        IdentityAuditEntry.objects.create(
            event=Event.IN_PERSON_CONFIRMED, actor=operator, subject_user=user,
            confirmation=confirmation, detail=f"office {office.strip()}"[:255],
            client_ip=client_ip,
        )
    return confirmation


def revoke_confirmation(*, actor, confirmation: IdentityConfirmation, reason: str,
                        client_ip: str | None = None) -> None:
    if not (may(actor, Action.CONFIRM_IDENTITY) or actor.pk == confirmation.user_id):
        raise NotAllowed(_("You cannot revoke this confirmation."))
    with transaction.atomic():
        locked = IdentityConfirmation.objects.select_for_update().get(pk=confirmation.pk)
        if locked.revoked_at is not None:
            raise IdentityError(_("This confirmation is already revoked."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        IdentityAuditEntry.objects.create(
            event=Event.CONFIRMATION_REVOKED, actor=actor, subject_user=locked.user,
            confirmation=locked, detail=reason[:255], client_ip=client_ip,
        )
    confirmation.revoked_at = locked.revoked_at


def run_reveal(*, user, target: str, fields: list[str], reveal: Callable[[], T],
               client_ip: str | None = None) -> T:
    """Run `reveal` only under an active confirmation of the user, and audit it either way."""
    status = confirmation_status(user)
    if not status.confirmed:
        if user is not None and user.is_authenticated:
            IdentityAuditEntry.objects.create(
                event=Event.REVEAL_REFUSED, actor=user, subject_user=user, target=target,
                fields=fields, detail="no active identity confirmation", client_ip=client_ip,
            )
        raise NotConfirmed(_("Confirm your identity with an electronic signature or at a "
                             "public service centre first."))
    with transaction.atomic():
        result = reveal()
        IdentityAuditEntry.objects.create(
            event=Event.REVEAL, actor=user, subject_user=user,
            confirmation=status.confirmation, target=target, fields=fields,
            client_ip=client_ip,
        )
    return result


# --- Confirmation by electronic signature (EDS) --------------------------------------------


class EdsUnavailable(IdentityError):
    status = 503
    code = "eds_unavailable"


class RateLimited(IdentityError):
    status = 429
    code = "rate_limited"


class EdsRejected(IdentityError):
    """A signature attempt refused. `code` is the reason the client sees: the verifier's
    reason code or one of the challenge rules below."""

    def __init__(self, message: str, code: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.status = status


# Users read these in their language; the verifier's own messages are English only.
_VERIFIER_MESSAGES = {
    "input_too_large": gettext_lazy("The signature is larger than allowed."),
    "malformed_input": gettext_lazy("What was sent is not a CMS signature."),
    "no_signer": gettext_lazy("The signature contains no signer."),
    "multiple_signers": gettext_lazy("The signature must have exactly one signer."),
    "no_signed_attributes": gettext_lazy("The signature lacks its signed attributes."),
    "bad_signed_attributes": gettext_lazy("The signature lacks its signed attributes."),
    "signer_certificate_missing": gettext_lazy(
        "The signer's certificate is not in the signature."),
    "unsupported_algorithm": gettext_lazy("This signature algorithm or key is not supported."),
    "bad_signature": gettext_lazy("The signature does not match the signer's key."),
    "content_tampered": gettext_lazy("The signed text was changed after signing."),
    "challenge_mismatch": gettext_lazy("The key signed another text than this request."),
    "challenge_wrong_user": gettext_lazy(
        "The signed request was issued to another account."),
    "challenge_expired": gettext_lazy("The signature request has expired. Start again."),
    "signing_time_out_of_range": gettext_lazy(
        "The signing time does not fall within the request's lifetime."),
    "legal_entity_certificate": gettext_lazy(
        "A legal entity's certificate cannot confirm a person's identity: choose your "
        "personal key."),
    "not_individual_certificate": gettext_lazy(
        "This is not an individual person's signing or authentication key."),
    "key_usage_not_allowed": gettext_lazy("The certificate does not allow digital signatures."),
    "missing_iin": gettext_lazy("The certificate carries no IIN."),
    "certificate_expired": gettext_lazy("The certificate had expired at the time of signing."),
    "certificate_not_yet_valid": gettext_lazy(
        "The certificate was not yet valid at the time of signing."),
    "certificate_revoked": gettext_lazy("The certificate has been revoked."),
    "revocation_unknown": gettext_lazy(
        "Whether the certificate is revoked could not be checked. Try again later."),
    "untrusted_root": gettext_lazy(
        "The certificate was not issued by the National Certification Authority of "
        "Kazakhstan."),
    "root_in_cms": gettext_lazy(
        "The signature brought its own root certificate, which is never trusted."),
    "chain_invalid": gettext_lazy("The certificate chain is not valid."),
}
# Not the signer's fault: a retry later may pass.
_VERIFIER_STATUS = {"revocation_unknown": 503}

# audit_record() keys that have their own EdsVerification column; the rest of the record (the
# revocation evidence, the validated chain, times, a failure's details) goes to the JSON column.
_RECORD_COLUMNS = {"result", "failure_code", "iin", "iin_hash", "iin_last4", "signer_name",
                   "certificate_sha256", "certificate_serial", "issuer_dn", "algorithm",
                   "challenge_id"}


@dataclass(frozen=True)
class _Failure:
    audit_code: str  # what the audit row says; may be more precise than what the user is told
    error: EdsRejected


def issue_eds_challenge(*, user, purpose: str = Purpose.CONFIRM_IDENTITY, target: str = "",
                        client_ip: str | None = None) -> EdsChallenge:
    """A fresh challenge for the user's key to sign: single use, short-lived, rate-limited."""
    if purpose not in Purpose.values:
        raise IdentityError(_("Unknown purpose of the signature request."))
    _eds_verifier()  # no challenge that could not be verified
    origin = _eds_setting(trust.site_origin)
    with transaction.atomic():
        _lock_user(user)  # parallel requests of one user count their challenges one by one
        now = trust.now()
        mine = EdsChallenge.objects.filter(user=user)
        if mine.filter(created_at__gt=now - timedelta(hours=1)).count() >= (
                settings.EDS_CHALLENGES_PER_HOUR):
            raise RateLimited(_("Too many signature requests in the last hour. Try again "
                                "later."))
        open_challenges = mine.filter(used_at__isnull=True, expires_at__gt=now,
                                      attempts__lt=settings.EDS_CHALLENGE_MAX_ATTEMPTS)
        # A new request for the same purpose and target replaces the open ones: a cancelled
        # signing leaves its challenge open, and cancelling must never lock the user out.
        open_challenges.filter(purpose=purpose, target=target).update(expires_at=now)
        if open_challenges.count() >= settings.EDS_MAX_OPEN_CHALLENGES:
            raise RateLimited(_("Several signature requests are still open. Wait a few "
                                "minutes until they expire."))
        try:
            content = issue_challenge(
                origin=origin, purpose=purpose, user_id=str(user.pk), target=target, now=now,
                ttl=timedelta(seconds=settings.EDS_CHALLENGE_TTL_SECONDS))
        except ChallengeFormatError as error:
            raise IdentityError(_("A signature request cannot be made for this target.")
                                ) from error
        challenge = EdsChallenge.objects.create(
            id=uuid.UUID(content.challenge_id), user=user, purpose=purpose, target=target,
            content=content.to_bytes(), created_at=content.issued_at,
            expires_at=content.expires_at, client_ip=client_ip)
        IdentityAuditEntry.objects.create(
            event=Event.CHALLENGE_ISSUED, actor=user, subject_user=user, target=target,
            detail=f"challenge {challenge.pk} ({purpose})", client_ip=client_ip)
    logger.info("EDS challenge %s issued", challenge.pk)
    return challenge


def verify_eds_challenge(*, user, challenge_id: uuid.UUID, cms: str | bytes,
                         client_ip: str | None = None) -> IdentityConfirmation:
    """Check the CMS signature over the user's challenge and confirm the user's identity.

    Every attempt writes an EdsVerification row and an audit entry, success or not; a refusal
    raises EdsRejected after those rows are committed.
    """
    verifier = _eds_verifier()
    now = trust.now()
    cms_der = _cms_der(cms, verifier.policy.max_input_bytes)
    signer, record = None, {}
    with transaction.atomic():
        # One attempt of a user at a time, so the identity check below sees committed
        # confirmations; the challenge's own row lock makes a second submit of it wait, then
        # find used_at set.
        _lock_user(user)
        challenge = EdsChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        failure = _challenge_failure(challenge, user, now)
        if failure is None:
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])
            try:
                signer = verifier.verify(cms, bytes(challenge.content), moment=now)
            except EdsVerificationError as error:
                record = audit_record(error, iin_key=_iin_key())
                failure = _Failure(error.reason, EdsRejected(
                    str(_VERIFIER_MESSAGES.get(error.reason, error.message)), error.reason,
                    _VERIFIER_STATUS.get(error.reason, 400)))
            else:
                record = audit_record(signer, iin_key=_iin_key())
                failure = _identity_mismatch(user, record["iin_hash"])
        if failure is None:
            return _confirm(user=user, challenge=challenge, signer=signer, record=record,
                            cms_der=cms_der, client_ip=client_ip, now=now)
        own = challenge is not None and challenge.user_id == user.pk
        verification = _verification(
            user=user, challenge=challenge, result=EdsVerification.Result.FAILED,
            failure_code=failure.audit_code, record=record, cms_der=cms_der,
            client_ip=client_ip)
        IdentityAuditEntry.objects.create(
            event=Event.EDS_FAILED, actor=user, subject_user=user, verification=verification,
            target=challenge.target if own else "", detail=failure.audit_code,
            client_ip=client_ip)
    logger.info("EDS check of challenge %s refused: %s", challenge_id, failure.audit_code)
    raise failure.error


def _confirm(*, user, challenge: EdsChallenge, signer: VerifiedSigner, record: dict,
             cms_der: bytes | None, client_ip: str | None, now: datetime
             ) -> IdentityConfirmation:
    marked = (EdsChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True)
              .update(used_at=now))
    if marked != 1:
        # Unreachable while the row lock holds; if it ever were not, still never confirm twice.
        raise EdsRejected(_("This signature request was already used. Start again."),
                          "challenge_used", 409)
    verification = _verification(
        user=user, challenge=challenge, result=EdsVerification.Result.OK, failure_code="",
        record=record, cms_der=cms_der, client_ip=client_ip, signer=signer)
    confirmation = IdentityConfirmation.objects.create(
        user=user, method=IdentityConfirmation.Method.EDS, iin_hash=record["iin_hash"],
        iin_last4=record["iin_last4"], verified_name=signer.full_name[:255], confirmed_at=now,
        expires_at=now + timedelta(minutes=settings.TZ_EDS_CONFIRMATION_MINUTES),
        eds_verification=verification)
    IdentityAuditEntry.objects.create(
        event=Event.EDS_CONFIRMED, actor=user, subject_user=user, confirmation=confirmation,
        verification=verification, target=challenge.target,
        detail=f"{signer.algorithm}, revocation: {signer.revocation.kind}", client_ip=client_ip)
    logger.info("EDS challenge %s verified: identity confirmed", challenge.pk)
    return confirmation


def _challenge_failure(challenge: EdsChallenge | None, user, now: datetime) -> _Failure | None:
    """The challenge rules of design/eds.md B3, checked before any cryptography."""
    if challenge is None or challenge.user_id != user.pk:
        # The same answer for both: a guessed id must not tell whether it exists.
        error = EdsRejected(_("There is no such signature request for your account."),
                            "challenge_not_found", 403)
        return _Failure("challenge_unknown" if challenge is None
                        else "challenge_of_another_user", error)
    if challenge.used_at is not None:
        return _Failure("challenge_used", EdsRejected(
            _("This signature request was already used. Start again."), "challenge_used", 409))
    if now >= challenge.expires_at:
        return _Failure("challenge_expired", EdsRejected(
            str(_VERIFIER_MESSAGES["challenge_expired"]), "challenge_expired", 410))
    if challenge.attempts >= settings.EDS_CHALLENGE_MAX_ATTEMPTS:
        return _Failure("too_many_attempts", EdsRejected(
            _("Too many attempts with this signature request. Start again."),
            "too_many_attempts", 429))
    return None


def _identity_mismatch(user, iin_hash: str) -> _Failure | None:
    """An account confirmed as one person cannot be confirmed as another."""
    other = (IdentityConfirmation.objects.filter(user=user, revoked_at__isnull=True)
             .exclude(iin_hash=iin_hash).exists())
    if not other:
        return None
    return _Failure("identity_mismatch", EdsRejected(
        _("This key belongs to another person than the one already confirmed for your "
          "account."), "identity_mismatch", 403))


def _verification(*, user, challenge: EdsChallenge | None, result: str, failure_code: str,
                  record: dict, cms_der: bytes | None, client_ip: str | None,
                  signer: VerifiedSigner | None = None) -> EdsVerification:
    revocation = record.get("revocation") or {}
    return EdsVerification.objects.create(
        challenge=challenge, user=user, result=result, failure_code=failure_code,
        cms_der=cms_der, signer_cert_der=signer.certificate_der if signer else None,
        cert_sha256=record.get("certificate_sha256") or "",
        cert_serial_hex=record.get("certificate_serial") or "",
        issuer_dn=record.get("issuer_dn") or "", iin_hash=record.get("iin_hash") or "",
        iin_last4=record.get("iin_last4") or "",
        signer_name=(record.get("signer_name") or "")[:255],
        algorithm=record.get("algorithm") or "", revocation_method=revocation.get("kind", ""),
        revocation_evidence={key: value for key, value in record.items()
                             if key not in _RECORD_COLUMNS},
        client_ip=client_ip)


def _cms_der(cms: str | bytes, max_bytes: int) -> bytes | None:
    """What was sent, un-armoured from PEM or base64, for the audit row (even when it is no
    CMS); None when it cannot be decoded or is over the size limit."""
    try:
        return eds_cms.decode(cms, max_bytes)
    except EdsVerificationError:
        return None


def _lock_user(user) -> None:
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)


def _iin_key() -> bytes:
    return settings.TZ_IDENTITY_HASH_KEY.encode()


def _eds_verifier() -> EdsVerifier:
    return _eds_setting(trust.get_verifier)


def _eds_setting(read: Callable[[], T]) -> T:
    try:
        return read()
    except ImproperlyConfigured as error:
        logger.error("EDS confirmation unavailable: %s", error)
        raise EdsUnavailable(_("Confirmation by electronic signature is not available right "
                               "now.")) from error
