"""Reading NCA RK certificates: loading, fingerprints, names and the signer's identity.

Identity rules follow design/eds.md A3 and B4.6–7: subject serialNumber "IIN" + 12 digits
holds the IIN (the check digit is not enforced: NCA test IINs fail it); extended key usage
tells an individual (1.2.398.3.3.4.1.1) from a legal entity's employee (1.2.398.3.3.4.1.2*)
and a signing key (emailProtection) from an authentication key (clientAuth).
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pem, x509

from . import errors, oids

_IIN = re.compile(r"IIN(\d{12})")
_BIN = re.compile(r"BIN(\d{12})")
_DN_LABELS = {
    "common_name": "CN", "surname": "SN", "given_name": "GN", "serial_number": "SERIALNUMBER",
    "country_name": "C", "locality_name": "L", "state_or_province_name": "ST",
    "organization_name": "O", "organizational_unit_name": "OU", "domain_component": "DC",
    "email_address": "E", "business_category": "BUSINESSCATEGORY", "user_id": "UID",
}


class TrustConfigurationError(ValueError):
    """Configured trust material is unreadable or not what operations recorded."""


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from DER or from PEM holding one or more CERTIFICATE blocks."""
    if pem.detect(data):
        blocks = [der for kind, _, der in pem.unarmor(data, multiple=True)
                  if kind == "CERTIFICATE"]
    else:
        blocks = [data]
    try:
        certificates = [x509.Certificate.load(der, strict=True) for der in blocks]
        for certificate in certificates:
            certificate.native  # noqa: B018 (parse every field now, not at first use)
    except ValueError as error:
        raise TrustConfigurationError("not an X.509 certificate") from error
    if not certificates:
        raise TrustConfigurationError("no certificate found")
    return certificates


def load_certificate_files(paths: Iterable[str | Path]) -> list[x509.Certificate]:
    return [certificate for path in paths
            for certificate in load_certificates(Path(path).read_bytes())]


def sha256_fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.dump()).hexdigest()


def require_fingerprints(certificates: Iterable[x509.Certificate],
                         expected_sha256: Iterable[str]) -> None:
    """Fail loudly unless the certificates are exactly the recorded ones (design B5)."""
    found = {sha256_fingerprint(certificate) for certificate in certificates}
    expected = {value.lower().replace(":", "") for value in expected_sha256}
    if found != expected:
        raise TrustConfigurationError(
            f"trust anchors do not match the recorded fingerprints: unexpected "
            f"{sorted(found - expected)}, missing {sorted(expected - found)}")


def distinguished_name(name: x509.Name) -> str:
    """RFC 4514 style string, most significant RDN last, e.g. "CN=…,C=KZ"."""
    parts = []
    for rdn in reversed(list(name.chosen)):
        parts.append("+".join(
            f"{_DN_LABELS.get(attribute['type'].native, attribute['type'].dotted)}="
            f"{_escape(str(attribute['value'].native))}" for attribute in rdn))
    return ",".join(parts)


def _escape(value: str) -> str:
    value = re.sub(r'([,+"\\<>;])', r"\\\1", value)
    if value.startswith(("#", " ")):
        value = "\\" + value
    if value.endswith(" "):
        value = value[:-1] + "\\ "
    return value


def subject_values(certificate: x509.Certificate, attribute: str) -> list[str]:
    return [str(item["value"].native) for rdn in certificate.subject.chosen for item in rdn
            if item["type"].native == attribute]


def iin_of(certificate: x509.Certificate) -> str | None:
    """The IIN in the subject serialNumber, if exactly one serialNumber holds one."""
    serials = subject_values(certificate, "serial_number")
    if len(serials) != 1:
        return None
    match = _IIN.fullmatch(serials[0])
    return match.group(1) if match else None


def extended_key_usages(certificate: x509.Certificate) -> frozenset[str]:
    value = certificate.extended_key_usage_value
    return frozenset(purpose.dotted for purpose in value) if value else frozenset()


@dataclass(frozen=True)
class SignerIdentity:
    """Who the certificate names, and for which purposes its key may be used."""

    iin: str = field(repr=False)
    common_name: str = field(repr=False)
    surname: str | None = field(repr=False)
    patronymic: str | None = field(repr=False)  # NCA puts it in givenName (design A3)
    organization: str | None
    bin: str | None
    key_purposes: frozenset[str]  # "sign", "auth"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.common_name, self.patronymic) if part)


def read_signer_identity(certificate: x509.Certificate, *,
                         accept_legal_entity: bool = False) -> SignerIdentity:
    """The identity of an individual's NCA certificate, or the typed reason it is not one."""
    purposes = extended_key_usages(certificate)
    legal = any(purpose == oids.EKU_LEGAL_ENTITY or purpose.startswith(oids.EKU_LEGAL_ENTITY + ".")
                for purpose in purposes)
    if legal and not accept_legal_entity:
        raise errors.LegalEntityCertificate()
    if oids.EKU_INDIVIDUAL not in purposes and not legal:
        raise errors.NotIndividualCertificate()
    iin = iin_of(certificate)
    if iin is None:
        raise errors.MissingIin()
    key_purposes = frozenset(label for label, oid in (("sign", oids.EKU_SIGN),
                                                      ("auth", oids.EKU_AUTH))
                             if oid in purposes)
    if not key_purposes:
        raise errors.NotIndividualCertificate()
    key_usage = certificate.key_usage_value
    if key_usage is None or "digital_signature" not in key_usage.native:
        raise errors.KeyUsageNotAllowed()
    common_names = subject_values(certificate, "common_name")
    organizations = subject_values(certificate, "organization_name")
    bins = [match.group(1) for unit in subject_values(certificate, "organizational_unit_name")
            if (match := _BIN.fullmatch(unit))]
    return SignerIdentity(
        iin=iin,
        common_name=common_names[0] if common_names else "",
        surname=_first(subject_values(certificate, "surname")),
        patronymic=_first(subject_values(certificate, "given_name")),
        organization=_first(organizations),
        bin=_first(bins),
        key_purposes=key_purposes,
    )


def _first(values: list[str]) -> str | None:
    return values[0] if values else None
