from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q

from .models import User
from .phone import looks_like_phone, normalise_phone


def users_matching(identifier: str):
    """Accounts whose username, e-mail or phone (however typed) is this identifier."""
    identifier = (identifier or "").strip()
    query = Q(username__iexact=identifier) | Q(email__iexact=identifier)
    if looks_like_phone(identifier):
        try:
            query |= Q(phone=normalise_phone(identifier))
        except ValidationError:
            pass
    return User.objects.filter(query)


class EmailOrPhoneBackend(ModelBackend):
    """Sign in with an e-mail address or a phone number (or the username admin gave)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get("email") or "").strip()
        if not identifier or password is None:
            return None
        users = list(users_matching(identifier)[:2])
        if len(users) != 1:
            # Run the hasher anyway so a wrong identifier takes as long as a wrong password.
            User().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
