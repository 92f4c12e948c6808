"""Decoding and structural checks of the CMS SignedData that NCALayer returns.

Nothing here is trusted yet: this module only turns bytes into the one SignerInfo, its
signed attributes and the certificates the client sent, rejecting every shape the
verifier does not accept (design/eds.md B4.1–4).
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, pem, x509

from . import errors

_PEM_TYPES = {"CMS", "PKCS7"}  # NCALayer armours its result as "CMS"
# What asn1crypto raises on bytes that are not what they claim; e.g. IndexError for an empty
# BIT STRING inside a certificate.
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


@dataclass(frozen=True)
class SignedAttributes:
    content_type: str
    message_digest: bytes
    signing_time: datetime | None
    der: bytes  # the attributes re-tagged as SET OF: the bytes the signature covers


@dataclass(frozen=True)
class SignedMessage:
    signer_info: cms.SignerInfo
    content: bytes | None  # None when the signature is detached
    certificates: tuple[x509.Certificate, ...]

    @property
    def digest_algorithm(self) -> str:
        return self.signer_info["digest_algorithm"]["algorithm"].dotted

    @property
    def signature_algorithm(self) -> str:
        return self.signer_info["signature_algorithm"]["algorithm"].dotted

    @property
    def signature(self) -> bytes:
        return self.signer_info["signature"].native

    def signed_attributes(self) -> SignedAttributes:
        attributes = self.signer_info["signed_attrs"]
        if not attributes.contents:
            raise errors.NoSignedAttributes()
        try:
            values: dict[str, list] = {}
            for attribute in attributes:
                values.setdefault(attribute["type"].native, []).append(attribute["values"])
            content_types = _single(values.get("content_type"))
            digests = _single(values.get("message_digest"))
            signing_times = values.get("signing_time")
            signing_time = _single(signing_times).native if signing_times else None
            content_type = content_types.native
            message_digest = digests.native
        except _PARSE_ERRORS as error:
            raise errors.BadSignedAttributes() from error
        if content_type != "data" or not isinstance(message_digest, bytes):
            raise errors.BadSignedAttributes()
        # A GeneralizedTime without a zone reads as a naive datetime, year 0 as asn1crypto's
        # extended_datetime: neither is a moment that can be compared.
        if signing_time is not None and not (isinstance(signing_time, datetime)
                                             and signing_time.utcoffset() is not None):
            raise errors.BadSignedAttributes(details={"signing_time": "not an absolute time"})
        encoded = attributes.dump()
        return SignedAttributes(content_type=content_type, message_digest=message_digest,
                                signing_time=signing_time, der=b"\x31" + encoded[1:])

    def signer_certificate(self) -> x509.Certificate:
        """The one certificate the SignerInfo's sid names."""
        sid = self.signer_info["sid"]
        if sid.name == "issuer_and_serial_number":
            issuer = sid.chosen["issuer"]
            serial = sid.chosen["serial_number"].native
            matches = {c.dump(): c for c in self.certificates
                       if c.issuer == issuer and c.serial_number == serial}
        else:
            key_id = sid.chosen.native
            matches = {c.dump(): c for c in self.certificates if c.key_identifier == key_id}
        if len(matches) != 1:
            raise errors.SignerCertificateMissing()
        return next(iter(matches.values()))


def decode(data: bytes | str, max_bytes: int) -> bytes:
    """DER of the CMS from DER, PEM or base64 input; the size cap comes before any parsing."""
    if len(data) > max_bytes:
        raise errors.InputTooLarge(details={"limit_bytes": str(max_bytes)})
    if isinstance(data, str):
        try:
            data = data.encode("ascii")
        except UnicodeEncodeError:
            raise errors.MalformedInput() from None
    if data[:1] == b"\x30":  # a DER SEQUENCE: binary CMS, taken byte for byte
        return data
    data = data.strip()  # text forms only: DER may legitimately end in whitespace bytes
    if not data:
        raise errors.MalformedInput()
    if data.startswith(b"-----BEGIN"):
        try:
            kind, _, der = pem.unarmor(data)
        except ValueError:
            raise errors.MalformedInput() from None
        if kind not in _PEM_TYPES:
            raise errors.MalformedInput()
        return der
    try:
        return base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise errors.MalformedInput() from None


def parse(der: bytes, max_certificates: int) -> SignedMessage:
    """The single signer, its content and certificates; typed errors for other shapes."""
    try:
        content_info = cms.ContentInfo.load(der, strict=True)
        if content_info["content_type"].native != "signed_data":
            raise errors.MalformedInput()
        signed_data = content_info["content"]
        signer_infos = list(signed_data["signer_infos"])
        encapsulated = signed_data["encap_content_info"]
        if encapsulated["content_type"].native != "data":
            raise errors.MalformedInput()
        content = encapsulated["content"].native
        choices = list(signed_data["certificates"]) if signed_data["certificates"] else []
        if len(choices) > max_certificates:
            raise errors.InputTooLarge(details={"limit_certificates": str(max_certificates)})
        certificates = tuple(choice.chosen for choice in choices if choice.name == "certificate")
        for certificate in certificates:
            certificate.native  # noqa: B018 (parse every field now, inside this guard)
        for signer_info in signer_infos:
            signer_info.native  # noqa: B018
    except errors.EdsVerificationError:
        raise
    except _PARSE_ERRORS as error:
        raise errors.MalformedInput() from error
    if not signer_infos:
        raise errors.NoSigner()
    if len(signer_infos) > 1:
        raise errors.MultipleSigners()
    if content is not None and not isinstance(content, bytes):
        raise errors.MalformedInput()
    return SignedMessage(signer_info=signer_infos[0], content=content,
                         certificates=certificates)


def _single(values: list | None):
    """The one value of an attribute that must occur once with one value."""
    if not values or len(values) != 1 or len(values[0]) != 1:
        raise ValueError("attribute must occur exactly once with one value")
    return values[0][0]
