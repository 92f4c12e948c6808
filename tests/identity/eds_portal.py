"""Helpers of the Django-level EDS tests: trust files for the EDS_* settings, signing an
issued challenge like NCALayer does, and a portal server process configured for EDS with
users committed for it (and removed afterwards)."""

import base64
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import requests
from asn1crypto import x509 as ax509
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client

from tests.accounts.factories import UserFactory

from .eds_cms import as_pem, build_cms, gost_signer, rsa_signer
from .eds_pki import GostKey, as_asn1

CHALLENGES = "/identity/eds/challenges"
T = TypeVar("T")


@dataclass(frozen=True)
class TrustFiles:
    """File paths for the EDS_* settings: what production configures, here for test CAs."""

    anchors: list[str]
    intermediates: list[str]
    crls: list[str]

    def settings(self) -> dict:
        return {"EDS_TRUST_ANCHORS": self.anchors, "EDS_INTERMEDIATES": self.intermediates,
                "EDS_REVOCATION": "offline", "EDS_REVOCATION_CRLS": self.crls}

    def environment(self) -> dict[str, str]:
        """The same settings for a server process, which reads them from its environment."""
        return {name: ",".join(value) if isinstance(value, list) else value
                for name, value in self.settings().items()}


def write_trust_files(folder: Path, pkis: Iterable) -> TrustFiles:
    """Roots, intermediates and CRLs of the tests' own authorities (rsa_pki, gost_pki)."""
    anchors, intermediates, crls = [], [], []
    for number, pki in enumerate(pkis):
        root = folder / f"root-{number}.der"
        root.write_bytes(_der(pki.root.certificate))
        intermediate = folder / f"intermediate-{number}.der"
        intermediate.write_bytes(_der(pki.intermediate.certificate))
        crl = folder / f"crl-{number}.der"
        crl.write_bytes(getattr(pki, "crl_revoking", None) or pki.crl)
        anchors.append(str(root))
        intermediates.append(str(intermediate))
        crls.append(str(crl))
    return TrustFiles(anchors, intermediates, crls)


def _der(certificate) -> bytes:
    """DER of a certificate from either builder: asn1crypto (GOST) or cryptography (RSA)."""
    if isinstance(certificate, ax509.Certificate):
        return certificate.dump()
    return as_asn1(certificate).dump()


def sign(leaf, content: bytes, signing_time: datetime | None = None) -> str:
    """A detached CMS over `content`, PEM-armoured as NCALayer returns it."""
    make_signer = gost_signer if isinstance(leaf.key, GostKey) else rsa_signer
    der = build_cms(content, [make_signer(leaf.certificate, leaf.key)],
                    signing_time=signing_time or datetime.now(UTC).replace(microsecond=0))
    return as_pem(der).decode("ascii")


def content_of(challenge: dict) -> bytes:
    """The bytes NCALayer signs: the API's `data` decoded (signingParams.decode = true)."""
    return base64.b64decode(challenge["data"])


# --- a portal server process with EDS configured ------------------------------------------------


class CommittedUsers:
    """Users committed to the test database, so a server process sees them, each with a
    signed-in session. `remove()` deletes them and every identity row they caused.

    Database work runs in a short-lived thread with its own connection: Playwright's sync API
    keeps an asyncio loop running in the main thread, where Django refuses ORM calls."""

    def __init__(self, django_db_blocker):
        self._blocker = django_db_blocker
        self.ids: list[int] = []

    def create(self) -> tuple[object, str]:
        """A new user and the value of a session cookie signed in as them."""
        def create():
            user = UserFactory(username=f"eds-{uuid.uuid4().hex[:12]}")
            client = Client()
            client.force_login(user)
            return user, client.cookies[settings.SESSION_COOKIE_NAME].value

        user, session = self.run(create)
        self.ids.append(user.pk)
        return user, session

    def run(self, function: Callable[[], T]) -> T:
        """`function`'s result, computed against the test database outside the event loop."""
        def call():
            try:
                with self._blocker.unblock():
                    return function()
            finally:
                connections.close_all()  # or the test database could not be dropped at the end

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(call).result()

    def remove(self) -> None:
        """The audit tables refuse UPDATE and DELETE by trigger. For this clean-up of test data
        only, the transaction runs in replica mode, which skips triggers (needs a PostgreSQL
        superuser, as the test database's owner is)."""
        if not self.ids:
            return
        statements = [
            "DELETE FROM identity_identityauditentry "
            "WHERE actor_id = ANY(%s) OR subject_user_id = ANY(%s)",
            "DELETE FROM identity_identityconfirmation WHERE user_id = ANY(%s)",
            "DELETE FROM identity_identitybinding WHERE user_id = ANY(%s)",
            "DELETE FROM identity_inpersoncode WHERE user_id = ANY(%s)",
            "DELETE FROM identity_edsverification WHERE user_id = ANY(%s)",
            "DELETE FROM identity_edschallenge WHERE user_id = ANY(%s)",
            "DELETE FROM accounts_user WHERE id = ANY(%s)",
        ]

        def delete():
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                for statement in statements:
                    cursor.execute(statement, [self.ids] * statement.count("%s"))

        self.run(delete)
        self.ids.clear()


def http_session(base_url: str, session_cookie: str) -> requests.Session:
    """A requests session signed in with `session_cookie`, sending the CSRF token as the
    portal's page script does."""
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie)
    page = session.get(f"{base_url}/identity/eds/", timeout=10)
    page.raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies[settings.CSRF_COOKIE_NAME]
    return session
