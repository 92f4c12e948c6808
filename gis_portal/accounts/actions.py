"""Changes to how an account signs in, and sign-up. Each is one transaction, takes the acting
request (its user and session), and raises an AccountError subclass the view shows as a 4xx.

- A change of e-mail, phone or password needs the current password (counted by the login
  throttle), ends every other session of the account and tells the old address.
- Sign-up answers the same whether the e-mail or phone is known: an e-mail sign-up becomes an
  account only from the link sent to that address; a known address gets a "someone tried to
  sign up with your address" message instead.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_portal.errors import ActionError

from .backends import users_matching
from .models import PendingSignup, SecurityNotice, User

log = logging.getLogger(__name__)

BACKEND = "gis_portal.accounts.backends.EmailOrPhoneBackend"
# A sign-up link works this long; long enough for a slow mailbox, short enough to go stale.
SIGNUP_LINK_HOURS = 48


class AccountError(ActionError):
    pass


class WrongPassword(AccountError):
    status = 403
    field = "current_password"


class ContactTaken(AccountError):
    status = 409

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


class SignupLinkInvalid(AccountError):
    status = 400


# --- the current password ----------------------------------------------------------------------

def confirm_current_password(request, password: str) -> None:
    """The signed-in user typed their password. Goes through authenticate() so the login
    throttle counts wrong ones for this account and address, as on the sign-in page."""
    user = request.user
    checked = authenticate(request, username=user.get_username(), password=password or "")
    if checked is None or checked.pk != user.pk:
        raise WrongPassword(_("This is not your current password. Enter the password you sign "
                              "in with."))


def _keep_only_this_session(request, user) -> None:
    """Every session signed in before now stops being valid; this one stays signed in."""
    user.session_epoch = (user.session_epoch or 0) + 1
    user.save(update_fields=["session_epoch"])
    update_session_auth_hash(request, user)


# --- telling the old address -------------------------------------------------------------------

def notify_old_address(user, change: str, old_email: str, at) -> SecurityNotice:
    """Tell the owner at the address the account had before the change. Says what changed and
    when, never the new value or any secret. Without an e-mail (phone-only account) nothing can
    be sent, as the portal has no SMS gateway: the notice is recorded with channel "none"."""
    if old_email:
        context = {"change": SecurityNotice.Change(change).label, "at": at}
        send_mail(
            subject=render_to_string("accounts/mail/security_notice_subject.txt",
                                     context).strip(),
            message=render_to_string("accounts/mail/security_notice.txt", context),
            from_email=None, recipient_list=[old_email])
        channel = SecurityNotice.Channel.EMAIL
    else:
        channel = SecurityNotice.Channel.NONE
        log.info("Sign-in change on account %s not sent: no e-mail and no SMS gateway", user.pk)
    return SecurityNotice.objects.create(user=user, change=change, channel=channel)


# --- profile changes ---------------------------------------------------------------------------

def change_contact(*, request, current_password: str, email: str,
                   phone: str) -> list[SecurityNotice]:
    """Set the signed-in user's e-mail and phone (already normalised by the form). Returns the
    notices of the changes made (none when nothing changed)."""
    user = request.user
    confirm_current_password(request, current_password)
    old_email, old_phone = user.email, user.phone
    changes = [name for name, old, new in (("email", old_email, email), ("phone", old_phone,
                                                                          phone)) if old != new]
    if not changes:
        return []
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        for field, value in (("email", email), ("phone", phone)):
            if field in changes and value and users_matching(value).exclude(pk=user.pk).exists():
                raise ContactTaken(_("Another account signs in with this. Use a different one, "
                                     "or sign in to that account."), field)
        user.email, user.phone = email, phone
        # The username was the sign-up e-mail or phone: it must not keep signing in the old one.
        if user.username in {old_email, old_phone} - {""}:
            user.username = email or phone
        user.save(update_fields=["email", "phone", "username"])
        _keep_only_this_session(request, user)
    request.user = user
    at = timezone.now()
    return [notify_old_address(user, change, old_email, at) for change in changes]


def change_password(*, request, current_password: str, new_password: str) -> None:
    user = request.user
    confirm_current_password(request, current_password)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _keep_only_this_session(request, user)
    request.user = user
    notify_old_address(user, SecurityNotice.Change.PASSWORD, user.email, timezone.now())


# --- sign-up -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignupDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    home_area: object
    password: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_signup(*, request, details: SignupDetails) -> None:
    """Begin a sign-up; the caller shows the same page whatever happened here.

    - e-mail given, unknown: a link to finish is sent to it (PendingSignup).
    - e-mail given, known: that address is told someone tried, with the way to reset.
    - phone only: the account is created if the number is free and nothing happens otherwise;
      the person then signs in with it. Without SMS the number cannot be proven, so this path
      still lets someone learn by signing in whether their sign-up took.
    """
    # Hash the password on every path so the paths take about as long.
    password_hash = make_password(details.password)
    if details.email:
        if users_matching(details.email).exists():
            user = users_matching(details.email).first()
            _send_signup_attempt_notice(request, user, details.email)
            return
        token = secrets.token_urlsafe(32)
        PendingSignup.objects.create(
            email=details.email, token_hash=_token_hash(token), first_name=details.first_name,
            last_name=details.last_name, phone=details.phone, home_area=details.home_area,
            password_hash=password_hash)
        link = request.build_absolute_uri(reverse("accounts:signup_confirm", args=[token]))
        send_mail(subject=render_to_string("accounts/mail/signup_link_subject.txt").strip(),
                  message=render_to_string("accounts/mail/signup_link.txt",
                                           {"link": link, "hours": SIGNUP_LINK_HOURS}),
                  from_email=None, recipient_list=[details.email])
        return
    try:
        with transaction.atomic():
            if users_matching(details.phone).exists():
                return
            User.objects.create(username=details.phone, phone=details.phone,
                                first_name=details.first_name, last_name=details.last_name,
                                home_area=details.home_area, password=password_hash)
    except IntegrityError:  # the same number signed up at the same moment: it is taken
        return


def _send_signup_attempt_notice(request, user, email):
    context = {"login": request.build_absolute_uri(reverse("accounts:login")),
               "reset": request.build_absolute_uri(reverse("accounts:password_reset"))}
    send_mail(subject=render_to_string("accounts/mail/signup_attempt_subject.txt").strip(),
              message=render_to_string("accounts/mail/signup_attempt.txt", context),
              from_email=None, recipient_list=[email])
    SecurityNotice.objects.create(user=user, change=SecurityNotice.Change.SIGNUP_ATTEMPT,
                                  channel=SecurityNotice.Channel.EMAIL)


def pending_signup(token: str) -> PendingSignup | None:
    """The sign-up this link finishes, if it is still valid."""
    since = timezone.now() - timedelta(hours=SIGNUP_LINK_HOURS)
    return PendingSignup.objects.filter(token_hash=_token_hash(token or ""),
                                        created_at__gte=since).first()


@dataclass(frozen=True)
class FinishedSignup:
    user: User
    phone_dropped: bool


def finish_signup(*, request, token: str) -> FinishedSignup:
    """Create the account from a sign-up link and sign it in. The e-mail is proven by the link;
    a phone number given with it is kept only if no other account uses it by now."""
    with transaction.atomic():
        pending = pending_signup(token)
        if pending is not None:
            pending = PendingSignup.objects.select_for_update().filter(pk=pending.pk).first()
        if pending is None or users_matching(pending.email).exists():
            raise SignupLinkInvalid(_("This link no longer works: it was used already or is "
                                      "older than two days. Sign in, or sign up again."))
        phone = pending.phone
        phone_dropped = bool(phone) and users_matching(phone).exists()
        if phone_dropped:
            phone = ""
        user = User.objects.create(
            username=pending.email, email=pending.email, phone=phone,
            first_name=pending.first_name, last_name=pending.last_name,
            home_area=pending.home_area, password=pending.password_hash)
        PendingSignup.objects.filter(email__iexact=pending.email).delete()
    login(request, user, backend=BACKEND)
    return FinishedSignup(user=user, phone_dropped=phone_dropped)
