"""Fixtures of the EDS verifier tests: throwaway authorities built once per session, and the
national test PKI read from settings.TZ_DATA_DIR. None of them touches the database."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp
from django.conf import settings

from gis_portal.identity.eds import Challenge, issue_challenge

from .eds_pki import (
    LEGAL_ENTITY_SIGN,
    NOW,
    GostAuthority,
    GostKey,
    RsaAuthority,
    as_asn1,
    ec_key,
    gost_person_name,
    person_name,
    rsa_key,
    self_signed_person,
)

USER_ID = "42"


def make_challenge(user_id: str = USER_ID, *, now=NOW - timedelta(minutes=1),
                   target: str = "help-request:17") -> Challenge:
    return issue_challenge(origin="https://tuganzher.test", purpose="reveal_contacts",
                           user_id=user_id, target=target, now=now)


@dataclass
class Leaf:
    certificate: ax509.Certificate
    key: object  # the private key: RSA, EC or GostKey


@dataclass
class RsaPki:
    root: RsaAuthority
    intermediate: RsaAuthority
    rogue_root: RsaAuthority
    leaves: dict[str, Leaf]
    crl_empty: bytes
    crl_revoking: bytes
    ocsp: dict[str, bytes]

    @property
    def anchors(self) -> list[ax509.Certificate]:
        return [as_asn1(self.root.certificate)]

    @property
    def intermediates(self) -> list[ax509.Certificate]:
        return [as_asn1(self.intermediate.certificate)]


@pytest.fixture(scope="session")
def rsa_pki() -> RsaPki:
    root = RsaAuthority.root("TEST ROOT (RSA)")
    intermediate = root.subordinate("TEST NCA (RSA)")
    rogue_root = RsaAuthority.root("ROGUE ROOT (RSA)")
    # An impostor CA: the real intermediate's name and key identifier, its own key.
    impostor = RsaAuthority(intermediate.certificate, rsa_key())
    self_key = rsa_key()

    def leaf(issuer: RsaAuthority = intermediate, subject: x509.Name | None = None,
             key=None, **options) -> Leaf:
        key = key or rsa_key()
        certificate = issuer.issue(subject or person_name(), key.public_key(), **options)
        return Leaf(as_asn1(certificate), key)

    leaves = {
        "valid": leaf(),
        "auth": leaf(eku=("1.3.6.1.5.5.7.3.2", "1.2.398.3.3.4.1.1"),
                     key_usage=("digital_signature", "key_encipherment")),
        "revoked": leaf(),
        "expired": leaf(not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=35)),
        "not_yet_valid": leaf(not_before=NOW + timedelta(days=2),
                              not_after=NOW + timedelta(days=300)),
        "legal_entity": leaf(subject=person_name(organization='АО "ТЕСТ"', bin_="123456789021"),
                             eku=LEGAL_ENTITY_SIGN),
        "no_iin": leaf(subject=person_name('ИС "Тест"', iin=None)),
        "not_individual": leaf(eku=("1.3.6.1.5.5.7.3.4",)),
        "no_digital_signature": leaf(key_usage=("key_encipherment",)),
        "ecdsa": leaf(key=ec_key()),
        "rsa_1024": leaf(key=rsa_key(1024)),
        "sha512_signed": leaf(hash_algorithm=hashes.SHA512()),
        "untrusted": leaf(issuer=rogue_root),
        "impostor": leaf(issuer=impostor,
                         claimed_issuer_key=intermediate.certificate.public_key()),
        "self_signed": Leaf(as_asn1(self_signed_person(self_key)), self_key),
    }
    revoked = x509.load_der_x509_certificate(leaves["revoked"].certificate.dump())
    valid = x509.load_der_x509_certificate(leaves["valid"].certificate.dump())
    return RsaPki(
        root=root, intermediate=intermediate, rogue_root=rogue_root, leaves=leaves,
        crl_empty=intermediate.crl(number=1),
        crl_revoking=intermediate.crl((revoked,), number=2),
        ocsp={"valid": intermediate.ocsp(valid, ocsp.OCSPCertStatus.GOOD),
              "revoked": intermediate.ocsp(revoked, ocsp.OCSPCertStatus.REVOKED)},
    )


@dataclass
class GostPki:
    root: GostAuthority
    intermediate: GostAuthority
    valid: Leaf
    revoked: Leaf
    crl: bytes


@pytest.fixture(scope="session")
def gost_pki() -> GostPki:
    root = GostAuthority.root("TEST ROOT (GOST 2015)")
    intermediate = root.subordinate("TEST NCA (GOST 2015)")
    leaves = []
    for _ in range(2):
        key = GostKey.generate()
        leaves.append(Leaf(intermediate.issue(gost_person_name(), key.public_key_info), key))
    valid, revoked = leaves
    return GostPki(root, intermediate, valid, revoked,
                   crl=intermediate.crl((revoked.certificate,), number=7))


@pytest.fixture(scope="session")
def nca_dir() -> Path:
    """The national test PKI (design/eds.md A4); tests using it skip, saying why, if absent."""
    folder = Path(settings.TZ_DATA_DIR) / "eds" / "nca-test"
    if not folder.is_dir():
        pytest.skip(f"national test PKI not found at {folder} (settings.TZ_DATA_DIR): "
                    f"NCA interoperability not checked")
    return folder


# --- A real portal and browser for the identity pages (test_*_browser.py) -------------------------


@pytest.fixture(scope="module")
def stand_in(rsa_pki):
    """A local NCALayer that signs with the throwaway RSA PKI's valid individual key."""
    from .eds_portal import sign
    from .ncalayer_standin import NcaLayerStandIn

    valid = rsa_pki.leaves["valid"]
    ncalayer = NcaLayerStandIn(signer=lambda content: sign(valid, content))
    yield ncalayer
    ncalayer.close()


@pytest.fixture(scope="module")
def portal(request, stand_in, rsa_pki, tmp_path_factory, django_db_setup, django_db_blocker):
    """The portal under gunicorn trusting the throwaway RSA PKI and talking to the stand-in."""
    from tests.support.servers import running_portal

    from .eds_portal import write_trust_files

    name = request.module.__name__.rsplit(".", 1)[-1]
    files = write_trust_files(tmp_path_factory.mktemp(f"{name}-trust"), [rsa_pki])
    environment = {**files.environment(), "EDS_NCALAYER_URL": stand_in.url}
    with running_portal(django_db_blocker, environment, f"test-server-{name}") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def users(django_db_blocker):
    from .eds_portal import CommittedUsers

    committed = CommittedUsers(django_db_blocker)
    yield committed
    committed.remove()


@pytest.fixture(scope="module")
def browser():
    from tests.support.browser import launched_chromium

    yield from launched_chromium()
