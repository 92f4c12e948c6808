"""CMS SignedData built with asn1crypto, so tests control every field a client could send:
attached or detached content, signing time, signer count, the certificate set, the
algorithm OIDs. Signing itself is real (RSA, ECDSA or GOST keys)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, core, pem
from asn1crypto import x509 as ax509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from gostcrypto import gosthash

from gis_portal.identity.eds import oids

from .eds_pki import GostKey

ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2"


@dataclass
class Signer:
    certificate: ax509.Certificate
    sign: Callable[[bytes], bytes]
    digest_algorithm: str
    signature_algorithm: str
    digest: Callable[[bytes], bytes]


def rsa_signer(certificate: ax509.Certificate, key: rsa.RSAPrivateKey,
               signature_algorithm: str = oids.SHA256_WITH_RSA) -> Signer:
    return Signer(certificate, lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256()),
                  oids.SHA256, signature_algorithm, lambda data: hashlib.sha256(data).digest())


def ecdsa_signer(certificate: ax509.Certificate, key: ec.EllipticCurvePrivateKey) -> Signer:
    return Signer(certificate, lambda data: key.sign(data, ec.ECDSA(hashes.SHA256())),
                  oids.SHA256, ECDSA_WITH_SHA256, lambda data: hashlib.sha256(data).digest())


def gost_signer(certificate: ax509.Certificate, key: GostKey) -> Signer:
    return Signer(certificate, key.sign, oids.STREEBOG_512, oids.GOST2015_512_SIGNATURE,
                  lambda data: bytes(gosthash.new("streebog512", data=data).digest()))


def signer_info(signer: Signer, content: bytes, signing_time: datetime | None,
                with_attributes: bool = True) -> cms.SignerInfo:
    sid = cms.SignerIdentifier({"issuer_and_serial_number": {
        "issuer": signer.certificate.issuer, "serial_number": signer.certificate.serial_number}})
    values = {"version": "v1", "sid": sid,
              "digest_algorithm": {"algorithm": signer.digest_algorithm},
              "signature_algorithm": {"algorithm": signer.signature_algorithm}}
    if not with_attributes:
        return cms.SignerInfo({**values, "signature": signer.sign(content)})
    attributes = [{"type": "content_type", "values": ["data"]},
                  {"type": "message_digest", "values": [signer.digest(content)]}]
    if signing_time is not None:
        attributes.append({"type": "signing_time", "values": [
            core.UTCTime(signing_time)]})
    signed = cms.CMSAttributes(attributes)
    return cms.SignerInfo({**values, "signed_attrs": signed, "signature": signer.sign(signed.dump())})


def build_cms(content: bytes, signers: list[Signer], *, attached: bool = False,
              signing_time: datetime | None = None,
              certificates: list[ax509.Certificate] | None = None,
              with_attributes: bool = True, carried_content: bytes | None = None) -> bytes:
    """DER SignedData over `content`; certificates default to the signers' own.

    `carried_content` replaces the encapsulated content after signing (tampering)."""
    infos = [signer_info(signer, content, signing_time, with_attributes) for signer in signers]
    if certificates is None:
        certificates = [signer.certificate for signer in signers]
    encapsulated = {"content_type": "data"}
    if attached:
        encapsulated["content"] = content if carried_content is None else carried_content
    return cms.ContentInfo({"content_type": "signed_data", "content": {
        "version": "v1",
        "digest_algorithms": [{"algorithm": signer.digest_algorithm} for signer in signers],
        "encap_content_info": encapsulated,
        "certificates": certificates or None,
        "signer_infos": infos,
    }}).dump()


def as_pem(der: bytes) -> bytes:
    return pem.armor("CMS", der)
