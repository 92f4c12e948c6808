"""Identity actions: each is one transaction, takes the acting user, writes its audit row and
raises a typed IdentityError that views turn into a clear 4xx answer.

Other apps use two calls: `confirmation_status(user)` ("is this user's identity confirmed
now, how, until when") and `run_reveal(...)` ("run this reveal under that confirmation and
write its audit row").
"""

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may

from .models import IdentityAuditEntry, IdentityConfirmation

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
