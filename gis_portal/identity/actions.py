"""Identity actions: each is one transaction, takes the acting user, writes its audit row and
raises a typed IdentityError that views turn into a clear 4xx answer.

Other apps use two calls: `confirmation_status(user)` ("is this user's identity confirmed
now, how, until when") and `run_reveal(request=..., target=..., area=..., fields=...,
reveal=...)`, the one gate in front of personal data (see its docstring).

Confirmation by electronic signature takes two: `issue_eds_challenge(...)` gives the bytes
NCALayer signs, `verify_eds_challenge(...)` checks the signature and confirms the user.
In person: the user gets a one-time code (`issue_in_person_code`) in their own session and
shows it at the counter; the operator enters it with the checked document
(`confirm_in_person`). Either way the account is bound to one IIN and the IIN to one account
(IdentityBinding); a conflict is refused and audited.

A reveal also needs a fresh step-up in the same session: the password again
(`step_up_with_password`) or an EDS signature over a reveal challenge naming the target
(`record_eds_step_up` after `verify_eds_challenge`).
"""

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_portal.accounts.models import StaffRole
from gis_portal.accounts.permissions import Action, may
from gis_portal.errors import ActionError

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
    IdentityBinding,
    IdentityConfirmation,
    InPersonCode,
    Purpose,
)

logger = logging.getLogger(__name__)
Event = IdentityAuditEntry.Event
T = TypeVar("T")

DOCUMENT_TYPES = ("id_card", "passport", "residence_permit")
IIN_PATTERN = re.compile(r"^\d{12}$")
IN_PERSON_CODE_DIGITS = 8
IN_PERSON_CODE_PATTERN = re.compile(rf"^\d{{{IN_PERSON_CODE_DIGITS}}}$")
# A user may ask for this many codes an hour; an operator may enter this many wrong, expired or
# used codes an hour (10 of 10^8 possible codes: guessing one is hopeless).
IN_PERSON_CODES_PER_HOUR = 5
IN_PERSON_CODE_FAILURES_PER_HOUR = 10
# Wrong passwords at the step-up, per user in STEP_UP_FAILURE_WINDOW.
STEP_UP_MAX_FAILURES = 5
STEP_UP_FAILURE_WINDOW = timedelta(minutes=15)
# The session remembers EDS step-ups of this many targets at most.
STEP_UP_TARGETS_KEPT = 20
STEP_UP_SESSION_KEY = "identity_step_up"


class IdentityError(ActionError):
    pass


class NotAllowed(IdentityError):
    status = 403
    code = "not_allowed"


class RateLimited(IdentityError):
    status = 429
    code = "rate_limited"


class IdentityConflict(IdentityError):
    """The account is bound to another IIN (403 identity_mismatch), or the IIN to another
    account (409 identity_in_use)."""

    def __init__(self, message: str, code: str, status: int):
        super().__init__(message)
        self.code = code
        self.status = status


class RevealRefused(IdentityError):
    """A reveal refused. `code` says why; `action_url` and `action_label`, when set, say what
    the user can do about it (a page to open)."""

    status = 403
    code = "reveal_refused"

    def __init__(self, message: str, action_url: str = "", action_label: str = ""):
        super().__init__(message)
        self.action_url = action_url
        self.action_label = action_label


class NotSignedIn(RevealRefused):
    code = "not_signed_in"


class NotConfirmed(RevealRefused):
    code = "identity_not_confirmed"


class StepUpRequired(RevealRefused):
    code = "step_up_required"


class RevealLimitReached(RevealRefused):
    status = 429
    code = "reveal_daily_limit"


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 under the server's identity key: equal inputs match, nothing reverses."""
    key = settings.TZ_IDENTITY_HASH_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


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


@dataclass(frozen=True)
class _Failure:
    audit_code: str  # what the audit row says; may be more precise than what the user is told
    error: IdentityError


# --- One IIN per account, one account per IIN ------------------------------------------------


def _bind_identity(*, user, iin_hash: str, iin_last4: str, actor, client_ip: str | None
                   ) -> _Failure | None:
    """Bind the account to this IIN, or say why not. Call under the user's row lock, inside
    the caller's transaction; the unique columns settle a race between two accounts."""
    binding = IdentityBinding.objects.filter(user=user).first()
    if binding is not None:
        if binding.iin_hash == iin_hash:
            return None
        return _Failure("identity_mismatch", IdentityConflict(
            _("This account is already confirmed as another person. One account belongs to "
              "one person."), "identity_mismatch", 403))
    if IdentityBinding.objects.filter(iin_hash=iin_hash).exists():
        return _in_use()
    try:
        with transaction.atomic():  # a savepoint: the refusal is still written after it
            binding = IdentityBinding.objects.create(user=user, iin_hash=iin_hash,
                                                     iin_last4=iin_last4)
    except IntegrityError:
        return _in_use()  # another account took this IIN a moment ago
    IdentityAuditEntry.objects.create(event=Event.IDENTITY_BOUND, actor=actor,
                                      subject_user=user, client_ip=client_ip)
    return None


def _in_use() -> _Failure:
    return _Failure("identity_in_use", IdentityConflict(
        _("This person's identity is already confirmed for another account. One person may "
          "have one account; sign in to that one, or ask support to release it."),
        "identity_in_use", 409))


# --- In person, at a public service centre ---------------------------------------------------


def operator_offices(operator):
    """The areas of the operator's active public service centre role: the offices they may
    record a confirmation for."""
    from layers.areas.models import AdminArea

    return AdminArea.objects.filter(
        pk__in=StaffRole.objects.filter(
            user=operator, kind=StaffRole.Kind.SERVICE_CENTRE_OPERATOR, is_active=True,
            user__is_active=True).values("areas")).order_by("kato")


@dataclass(frozen=True)
class IssuedCode:
    code: str  # shown once to the user, never stored
    expires_at: datetime


def issue_in_person_code(*, user, client_ip: str | None = None) -> IssuedCode:
    """A one-time code for the user to show at a public service centre; replaces any open one."""
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in to get a code."))
    now = timezone.now()
    with transaction.atomic():
        _lock_user(user)
        mine = InPersonCode.objects.filter(user=user)
        if mine.filter(created_at__gt=now - timedelta(hours=1)).count() >= (
                IN_PERSON_CODES_PER_HOUR):
            raise RateLimited(_("Too many codes in the last hour. Use the last one or try "
                                "again later."))
        mine.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        while True:
            code = f"{secrets.randbelow(10 ** IN_PERSON_CODE_DIGITS):0{IN_PERSON_CODE_DIGITS}d}"
            code_hash = keyed_hash(code, "in-person-code")
            if not InPersonCode.objects.filter(code_hash=code_hash, used_at__isnull=True,
                                               expires_at__gt=now).exists():
                break
        expires_at = now + timedelta(minutes=settings.TZ_IN_PERSON_CODE_MINUTES)
        InPersonCode.objects.create(user=user, code_hash=code_hash, created_at=now,
                                    expires_at=expires_at)
        IdentityAuditEntry.objects.create(event=Event.IN_PERSON_CODE_ISSUED, actor=user,
                                          subject_user=user, client_ip=client_ip)
    return IssuedCode(code, expires_at)


_CODE_FAILURES = ("code_unknown", "code_expired", "code_used", "too_many_attempts")


def confirm_in_person(*, operator, code: str, iin: str, document_type: str,
                      document_number: str, area, note: str = "",
                      client_ip: str | None = None) -> IdentityConfirmation:
    """A public service centre operator checked the ID document of the person at the counter,
    who showed the one-time code from their own signed-in session: that code names the
    account. `area` is the operator's office, one of `operator_offices(operator)`.

    Malformed input is refused before anything is written; every other refusal (wrong,
    expired or used code, another office, an identity conflict, too many wrong codes) is
    audited as IN_PERSON_REFUSED."""
    if not may(operator, Action.CONFIRM_IDENTITY):
        raise NotAllowed(_("Only a public service centre operator can confirm an identity "
                           "in person."))
    code = re.sub(r"[\s-]", "", code or "")
    if not IN_PERSON_CODE_PATTERN.match(code):
        raise IdentityError(_("The code must be %(digits)d digits.")
                            % {"digits": IN_PERSON_CODE_DIGITS})
    iin = (iin or "").strip()
    if not IIN_PATTERN.match(iin):
        raise IdentityError(_("The IIN must be 12 digits."))
    if document_type not in DOCUMENT_TYPES:
        raise IdentityError(_("Document type must be one of: %(types)s.")
                            % {"types": ", ".join(DOCUMENT_TYPES)})
    document_number = (document_number or "").strip()
    if not document_number:
        raise IdentityError(_("Enter the number of the document you checked."))
    if area is None:
        raise IdentityError(_("Choose your public service centre office."))
    now = timezone.now()
    subject = None
    with transaction.atomic():
        _lock_user(operator)  # an operator's attempts are counted one by one
        failure = _operator_failure(operator, area, now)
        if failure is None:
            found, failure = _code_lookup(code, now)
            if found is not None:
                subject = found.user
        if failure is None and subject.pk == operator.pk:
            failure = _Failure("own_identity", NotAllowed(
                _("An operator cannot confirm their own identity.")))
        if failure is None:
            _lock_user(subject)
            failure = _bind_identity(user=subject, iin_hash=keyed_hash(iin, "iin"),
                                     iin_last4=iin[-4:], actor=operator, client_ip=client_ip)
        if failure is None:
            found.used_at, found.used_by = now, operator
            found.save(update_fields=["used_at", "used_by"])
            confirmation = IdentityConfirmation.objects.create(
                user=subject, method=IdentityConfirmation.Method.SERVICE_CENTRE,
                iin_hash=keyed_hash(iin, "iin"), iin_last4=iin[-4:], confirmed_at=now,
                expires_at=now + timedelta(days=settings.TZ_IN_PERSON_CONFIRMATION_DAYS),
                operator=operator, area=area, document_type=document_type,
                document_number_hash=keyed_hash(document_number, f"document:{document_type}"),
                operator_note=note,
            )
            IdentityAuditEntry.objects.create(
                event=Event.IN_PERSON_CONFIRMED, actor=operator, subject_user=subject,
                confirmation=confirmation, area=area, client_ip=client_ip)
            return confirmation
        IdentityAuditEntry.objects.create(
            event=Event.IN_PERSON_REFUSED, actor=operator, subject_user=subject, area=area,
            detail=failure.audit_code, client_ip=client_ip)
    logger.info("In-person confirmation refused: %s", failure.audit_code)
    raise failure.error


def _operator_failure(operator, area, now: datetime) -> _Failure | None:
    recent = IdentityAuditEntry.objects.filter(
        event=Event.IN_PERSON_REFUSED, actor=operator, detail__in=_CODE_FAILURES,
        created_at__gt=now - timedelta(hours=1))
    if recent.count() >= IN_PERSON_CODE_FAILURES_PER_HOUR:
        return _Failure("too_many_attempts", RateLimited(
            _("Too many wrong codes in the last hour. Try again later.")))
    if not operator_offices(operator).filter(pk=area.pk).exists():
        return _Failure("area_not_yours", NotAllowed(
            _("Choose one of your own public service centre offices.")))
    return None


def _code_lookup(code: str, now: datetime) -> tuple[InPersonCode | None, _Failure | None]:
    candidates = list(InPersonCode.objects.select_for_update()
                      .filter(code_hash=keyed_hash(code, "in-person-code"))
                      .order_by("-created_at")[:5])
    open_codes = [c for c in candidates if c.used_at is None and now < c.expires_at]
    if len(open_codes) == 1:
        return open_codes[0], None
    if not open_codes and candidates:
        latest = candidates[0]
        if latest.used_at is not None:
            return None, _Failure("code_used", IdentityError(
                _("This code was already used. Ask the person to get a new code in their "
                  "profile.")))
        return None, _Failure("code_expired", IdentityError(
            _("This code has expired. Ask the person to get a new code in their profile.")))
    return None, _Failure("code_unknown", IdentityError(
        _("No account has this code. Check the digits, or ask the person to get a new code "
          "in their profile.")))


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


# --- Step-up: proof, in this session, that the account holder is at the keyboard -------------


def _step_ups(session, user) -> dict:
    """{"user": pk, "password": iso time or None, "eds": {target: iso time}} of this session;
    fresh when the session belongs to another user."""
    stored = session.get(STEP_UP_SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("user") != user.pk:
        return {"user": user.pk, "password": None, "eds": {}}
    return stored


def _remember_step_up(session, user, *, target: str | None, at: datetime) -> None:
    stored = _step_ups(session, user)
    if target is None:
        stored["password"] = at.isoformat()
    else:
        targets = dict(stored.get("eds") or {})
        targets.pop(target, None)
        targets[target] = at.isoformat()
        stored["eds"] = dict(list(targets.items())[-STEP_UP_TARGETS_KEPT:])
    session[STEP_UP_SESSION_KEY] = stored


def step_up_until(request, target: str, at: datetime | None = None) -> datetime | None:
    """Until when this session's step-up opens reveals of `target` (None: no fresh step-up).
    A password step-up opens any target; an EDS one only the target its challenge named."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    at = at or trust.now()
    stored = _step_ups(request.session, user)
    times = [stored.get("password"), (stored.get("eds") or {}).get(target)]
    window = timedelta(minutes=settings.TZ_REVEAL_STEP_UP_MINUTES)
    ends = [datetime.fromisoformat(t) + window for t in times if t]
    ends = [end for end in ends if end - window <= at < end]
    return max(ends) if ends else None


def step_up_with_password(*, request, password: str) -> datetime:
    """The signed-in user typed their password again: reveals in this session are open for
    TZ_REVEAL_STEP_UP_MINUTES. Returns until when. Wrong passwords are audited and limited."""
    user = request.user
    if not user.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    now = trust.now()
    ip = client_ip(request)
    with transaction.atomic():
        _lock_user(user)
        failures = IdentityAuditEntry.objects.filter(
            event=Event.STEP_UP_FAILED, actor=user, created_at__gt=now - STEP_UP_FAILURE_WINDOW)
        if failures.count() >= STEP_UP_MAX_FAILURES:
            failure = _Failure("too_many_attempts", RateLimited(
                _("Too many wrong passwords. Wait 15 minutes, or sign with your electronic "
                  "signature instead.")))
        elif not user.check_password(password or ""):
            failure = _Failure("wrong_password", IdentityError(
                _("This is not your password. Enter the password you sign in with.")))
            failure.error.code = "wrong_password"
        else:
            failure = None
            IdentityAuditEntry.objects.create(event=Event.STEP_UP, actor=user,
                                              subject_user=user, detail="password",
                                              client_ip=ip)
        if failure is not None:
            IdentityAuditEntry.objects.create(event=Event.STEP_UP_FAILED, actor=user,
                                              subject_user=user, detail=failure.audit_code,
                                              client_ip=ip)
    if failure is not None:
        raise failure.error
    _remember_step_up(request.session, user, target=None, at=now)
    return now + timedelta(minutes=settings.TZ_REVEAL_STEP_UP_MINUTES)


def record_eds_step_up(request, confirmation: IdentityConfirmation) -> datetime | None:
    """After `verify_eds_challenge`: when the signed challenge was a reveal challenge, this
    session may reveal its target (only that one) for TZ_REVEAL_STEP_UP_MINUTES. Returns
    until when, or None for a plain identity confirmation."""
    verification = confirmation.eds_verification
    challenge = verification.challenge if verification else None
    if (challenge is None or challenge.purpose != Purpose.REVEAL_CONTACTS
            or challenge.user_id != request.user.pk):
        return None
    at = confirmation.confirmed_at
    _remember_step_up(request.session, request.user, target=challenge.target, at=at)
    IdentityAuditEntry.objects.create(
        event=Event.STEP_UP, actor=request.user, subject_user=request.user,
        verification=verification, target=challenge.target, detail="eds",
        client_ip=client_ip(request))
    return at + timedelta(minutes=settings.TZ_REVEAL_STEP_UP_MINUTES)


# --- The reveal gate -------------------------------------------------------------------------


def run_reveal(*, request, target: str, area, fields: list[str], reveal: Callable[[], T]) -> T:
    """The one gate in front of personal data: run `reveal()` and return its result only if

    1. the request's user is signed in,
    2. their identity is confirmed now (confirmation_status),
    3. this session has a fresh step-up for `target` (step_up_until): the password typed
       again, or an EDS signature over a reveal challenge naming `target`, within
       TZ_REVEAL_STEP_UP_MINUTES,
    4. the user has run fewer than TZ_REVEAL_DAILY_LIMIT reveals in the last 24 hours.

    `target` names what is revealed ("help-request:42"), `area` is its AdminArea (or None),
    `fields` the names of the personal fields shown. Every call writes one audit row: REVEAL,
    or REVEAL_REFUSED with the reason (an anonymous caller's with actor null and the client
    address). A refusal raises a RevealRefused subclass: NotSignedIn, NotConfirmed,
    StepUpRequired (403) or RevealLimitReached (429), whose message says why in the user's
    language and whose action_url/action_label name the page that fixes it.

    `reveal()` and the REVEAL row share one transaction. Do not call this inside an outer
    transaction that rolls back on the error, or the refusal's audit row is lost with it.
    """
    if not target:
        raise ValueError("run_reveal needs the target it reveals, e.g. help-request:42")
    user = getattr(request, "user", None)
    ip = client_ip(request)
    fields = list(fields)
    if user is None or not user.is_authenticated:
        IdentityAuditEntry.objects.create(
            event=Event.REVEAL_REFUSED, target=target, area=area, fields=fields,
            detail=NotSignedIn.code, client_ip=ip)
        raise NotSignedIn(
            _("Sign in to see these contacts."),
            f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}",
            _("Sign in"))
    now = trust.now()
    with transaction.atomic():
        _lock_user(user)  # the daily count of one user is taken one reveal at a time
        refusal = _reveal_refusal(request, user, target, now)
        if refusal is None:
            status = confirmation_status(user, at=now)
            result = reveal()
            IdentityAuditEntry.objects.create(
                event=Event.REVEAL, created_at=now, actor=user, subject_user=user,
                confirmation=status.confirmation, target=target, area=area, fields=fields,
                client_ip=ip)
            return result
        IdentityAuditEntry.objects.create(
            event=Event.REVEAL_REFUSED, actor=user, subject_user=user, target=target,
            area=area, fields=fields, detail=refusal.code, client_ip=ip)
    raise refusal


def _reveal_refusal(request, user, target: str, now: datetime) -> RevealRefused | None:
    if not confirmation_status(user, at=now).confirmed:
        return NotConfirmed(
            _("Only helpers whose identity is confirmed see contacts. Confirm your identity "
              "with an electronic signature, or show your ID card at a public service "
              "centre."), reverse("identity:eds"), _("Confirm your identity"))
    if step_up_until(request, target, now) is None:
        query = urlencode({"target": target, "next": request.get_full_path()})
        return StepUpRequired(
            _("To see contacts, confirm it is you: enter your password again or sign with "
              "your electronic signature. This is asked every %(minutes)d minutes.")
            % {"minutes": settings.TZ_REVEAL_STEP_UP_MINUTES},
            f"{reverse('identity:step-up')}?{query}", _("Confirm it is you"))
    day = IdentityAuditEntry.objects.filter(event=Event.REVEAL, actor=user,
                                            created_at__gt=now - timedelta(hours=24))
    if day.count() >= settings.TZ_REVEAL_DAILY_LIMIT:
        return RevealLimitReached(
            _("You have seen %(limit)d contacts in the last 24 hours, the most allowed. Try "
              "again tomorrow.") % {"limit": settings.TZ_REVEAL_DAILY_LIMIT})
    return None


# --- Confirmation by electronic signature (EDS) --------------------------------------------


class EdsUnavailable(IdentityError):
    status = 503
    code = "eds_unavailable"


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
    "certificate_expired": gettext_lazy("The certificate has expired."),
    "certificate_not_yet_valid": gettext_lazy(
        "The certificate is not yet valid."),
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


def issue_eds_challenge(*, user, purpose: str = Purpose.CONFIRM_IDENTITY, target: str = "",
                        client_ip: str | None = None) -> EdsChallenge:
    """A fresh challenge for the user's key to sign: single use, short-lived, rate-limited."""
    if purpose not in Purpose.values:
        raise IdentityError(_("Unknown purpose of the signature request."))
    if purpose == Purpose.REVEAL_CONTACTS and not target:
        raise IdentityError(_("A request to reveal contacts must name what it reveals."))
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
    cms_sha256 = hashlib.sha256(cms_der if cms_der is not None else _raw(cms)).hexdigest()
    signer, record, personal = None, {}, []
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
                personal = _personal_strings(error.signer)
                failure = _Failure(error.reason, EdsRejected(
                    str(_VERIFIER_MESSAGES.get(error.reason, error.message)), error.reason,
                    _VERIFIER_STATUS.get(error.reason, 400)))
            else:
                record = audit_record(signer, iin_key=_iin_key())
                personal = _personal_strings(signer)
                failure = _bind_identity(user=user, iin_hash=record["iin_hash"],
                                         iin_last4=record["iin_last4"], actor=user,
                                         client_ip=client_ip)
        if failure is None:
            return _confirm(user=user, challenge=challenge, signer=signer, record=record,
                            cms_sha256=cms_sha256, personal=personal, client_ip=client_ip,
                            now=now)
        own = challenge is not None and challenge.user_id == user.pk
        verification = _verification(
            user=user, challenge=challenge, result=EdsVerification.Result.FAILED,
            failure_code=failure.audit_code, record=record, cms_sha256=cms_sha256,
            client_ip=client_ip, personal=personal)
        IdentityAuditEntry.objects.create(
            event=Event.EDS_FAILED, actor=user, subject_user=user, verification=verification,
            target=challenge.target if own else "", detail=failure.audit_code,
            client_ip=client_ip)
    logger.info("EDS check of challenge %s refused: %s", challenge_id, failure.audit_code)
    raise failure.error


def _confirm(*, user, challenge: EdsChallenge, signer: VerifiedSigner, record: dict,
             cms_sha256: str, personal: list[str], client_ip: str | None, now: datetime
             ) -> IdentityConfirmation:
    marked = (EdsChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True)
              .update(used_at=now))
    if marked != 1:
        # Unreachable while the row lock holds; if it ever were not, still never confirm twice.
        raise EdsRejected(_("This signature request was already used. Start again."),
                          "challenge_used", 409)
    verification = _verification(
        user=user, challenge=challenge, result=EdsVerification.Result.OK, failure_code="",
        record=record, cms_sha256=cms_sha256, client_ip=client_ip, personal=personal)
    # The signer's name is not kept: the hash of the IIN identifies the person well enough.
    confirmation = IdentityConfirmation.objects.create(
        user=user, method=IdentityConfirmation.Method.EDS, iin_hash=record["iin_hash"],
        iin_last4=record["iin_last4"], confirmed_at=now,
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


def _verification(*, user, challenge: EdsChallenge | None, result: str, failure_code: str,
                  record: dict, cms_sha256: str, client_ip: str | None,
                  personal: list[str]) -> EdsVerification:
    """The attempt's evidence without personal data: fingerprints of the CMS and certificate
    (whose subject holds the full IIN and name), never the blobs; the JSON part scrubbed of
    any string that contains the IIN or the name."""
    revocation = record.get("revocation") or {}
    evidence = {key: value for key, value in record.items() if key not in _RECORD_COLUMNS}
    return EdsVerification.objects.create(
        challenge=challenge, user=user, result=result, failure_code=failure_code,
        cms_sha256=cms_sha256, cert_sha256=record.get("certificate_sha256") or "",
        cert_serial_hex=record.get("certificate_serial") or "",
        issuer_dn=record.get("issuer_dn") or "", iin_hash=record.get("iin_hash") or "",
        iin_last4=record.get("iin_last4") or "",
        algorithm=record.get("algorithm") or "", revocation_method=revocation.get("kind", ""),
        revocation_evidence=_scrubbed(evidence, personal),
        client_ip=client_ip)


def _personal_strings(signer) -> list[str]:
    """The signer's IIN and name, as far as known (a VerifiedSigner, or what a failure read
    of the certificate), to keep out of the stored evidence."""
    values = [getattr(signer, "iin", None), getattr(signer, "full_name", None)]
    return [v for v in values if isinstance(v, str) and len(v) >= 4]


def _scrubbed(value, secrets: list[str]):
    if isinstance(value, str):
        return "[removed]" if any(secret in value for secret in secrets) else value
    if isinstance(value, dict):
        return {key: _scrubbed(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item, secrets) for item in value]
    return value


def _raw(cms: str | bytes) -> bytes:
    return cms.encode("utf-8", "replace") if isinstance(cms, str) else bytes(cms)


def _cms_der(cms: str | bytes, max_bytes: int) -> bytes | None:
    """What was sent, un-armoured from PEM or base64, for the audit row's fingerprint (even
    when it is no CMS); None when it cannot be decoded or is over the size limit."""
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
