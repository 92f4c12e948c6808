"""Throwaway certificate authorities for the EDS tests: RSA with `cryptography`, and GOST
34.10-2015-512 in pure Python (asn1crypto + gostcrypto) in the NCA's byte order.

Certificates mimic NCA RK ones (design/eds.md A3): subject serialNumber "IIN…", individual
or legal-entity extended key usage, and AIA OCSP + CRL distribution point URLs, without
which pyhanko-certvalidator would ignore OCSP responses.
"""

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from asn1crypto import core, crl, keys
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from gostcrypto import gosthash, gostsignature

from gis_portal.identity.eds import oids

# Own-CA tests validate at this moment. It is the real time of the run because CMS from
# cryptography's PKCS7 builder carries the real signing time.
NOW = datetime.now(UTC).replace(microsecond=0)
OCSP_URL = "http://ocsp.test.invalid/ocsp"
CRL_URL = "http://crl.test.invalid/ca.crl"
INDIVIDUAL_SIGN = (oids.EKU_SIGN, oids.EKU_INDIVIDUAL)
LEGAL_ENTITY_SIGN = (oids.EKU_SIGN, oids.EKU_LEGAL_ENTITY, oids.EKU_LEGAL_ENTITY + ".1")


def as_asn1(certificate: x509.Certificate) -> ax509.Certificate:
    return ax509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def person_name(common_name: str = "ТЕСТОВ ТЕСТ", *, iin: str | None = "123456789011",
                organization: str | None = None, bin_: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                  x509.NameAttribute(NameOID.SURNAME, common_name.split()[0])]
    if iin is not None:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"))
    attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"))
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if bin_:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin_}"))
    attributes.append(x509.NameAttribute(NameOID.GIVEN_NAME, "ТЕСТОВИЧ"))
    return x509.Name(attributes)


def ca_name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")])


@dataclass
class RsaAuthority:
    """An RSA CA that issues NCA-like certificates, CRLs and OCSP responses."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @classmethod
    def root(cls, common_name: str) -> "RsaAuthority":
        key = rsa_key()
        name = ca_name(common_name)
        certificate = _rsa_builder(name, name, key.public_key(), key.public_key(),
                                   NOW - timedelta(days=3650), NOW + timedelta(days=3650),
                                   ca=True).sign(key, hashes.SHA256())
        return cls(certificate, key)

    def subordinate(self, common_name: str) -> "RsaAuthority":
        key = rsa_key()
        certificate = self.issue(ca_name(common_name), key.public_key(), ca=True)
        return RsaAuthority(certificate, key)

    def issue(self, subject: x509.Name, public_key, *, ca: bool = False,
              not_before: datetime = NOW - timedelta(days=30),
              not_after: datetime = NOW + timedelta(days=335),
              eku: tuple[str, ...] = INDIVIDUAL_SIGN,
              key_usage: tuple[str, ...] = ("digital_signature", "content_commitment"),
              hash_algorithm: hashes.HashAlgorithm | None = None,
              claimed_issuer_key=None, ocsp_url: str = OCSP_URL,
              crl_url: str = CRL_URL) -> x509.Certificate:
        """`claimed_issuer_key` forges the authority key identifier, as an impostor would."""
        builder = _rsa_builder(subject, self.certificate.subject, public_key,
                               claimed_issuer_key or self.key.public_key(), not_before,
                               not_after, ca=ca)
        if not ca:
            flags = {name: name in key_usage for name in _KEY_USAGE_FLAGS}
            builder = (builder
                       .add_extension(x509.KeyUsage(**flags), critical=True)
                       .add_extension(x509.ExtendedKeyUsage(
                           [x509.ObjectIdentifier(oid) for oid in eku]), critical=False)
                       .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                           AuthorityInformationAccessOID.OCSP,
                           x509.UniformResourceIdentifier(ocsp_url))]), critical=False)
                       .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                           [x509.UniformResourceIdentifier(crl_url)], None, None, None)]),
                           critical=False))
        return builder.sign(self.key, hash_algorithm or hashes.SHA256())

    def crl(self, revoked: tuple[x509.Certificate, ...] = (), number: int = 1, *,
            this_update: datetime = NOW - timedelta(hours=1),
            next_update: datetime = NOW + timedelta(days=1),
            revoked_at: datetime = NOW - timedelta(days=2)) -> bytes:
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(self.certificate.subject)
                   .last_update(this_update)
                   .next_update(next_update)
                   .add_extension(x509.CRLNumber(number), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       self.key.public_key()), critical=False))
        for certificate in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(certificate.serial_number)
                .revocation_date(revoked_at)
                .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
                .build())
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp(self, certificate: x509.Certificate, status: ocsp.OCSPCertStatus,
             nonce: bytes | None = None) -> bytes:
        revoked = status == ocsp.OCSPCertStatus.REVOKED
        builder = ocsp.OCSPResponseBuilder()
        if nonce is not None:
            builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
        response = (builder
                    .add_response(cert=certificate, issuer=self.certificate,
                                  algorithm=hashes.SHA256(), cert_status=status,
                                  this_update=NOW - timedelta(minutes=30),
                                  next_update=NOW + timedelta(hours=12),
                                  revocation_time=NOW - timedelta(days=1) if revoked else None,
                                  revocation_reason=None)
                    .responder_id(ocsp.OCSPResponderEncoding.HASH, self.certificate)
                    .sign(self.key, hashes.SHA256()))
        return response.public_bytes(serialization.Encoding.DER)


def self_signed_person(key: rsa.RSAPrivateKey) -> x509.Certificate:
    """What a forger would send: an individual's certificate signed by its own key."""
    name = person_name()
    carrier = _rsa_builder(name, name, key.public_key(), key.public_key(),
                           NOW - timedelta(days=1), NOW + timedelta(days=1), ca=True)
    return RsaAuthority(carrier.sign(key, hashes.SHA256()), key).issue(name, key.public_key())


_KEY_USAGE_FLAGS = ("digital_signature", "content_commitment", "key_encipherment",
                    "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                    "encipher_only", "decipher_only")


def _rsa_builder(subject, issuer, public_key, issuer_public_key, not_before, not_after, *,
                 ca: bool) -> x509.CertificateBuilder:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_public_key), critical=False))
    if ca:
        flags = {name: name in ("key_cert_sign", "crl_sign") for name in _KEY_USAGE_FLAGS}
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    return builder


# --- GOST 34.10-2015-512, pure Python ---------------------------------------------------

_GOST_CURVE = gostsignature.CURVES_R_1323565_1_024_2019["id-tc26-gost-3410-12-512-paramSetA"]
_GOST_KEY_ALGORITHM = {
    "algorithm": oids.GOST2015_KEY,
    # SEQUENCE { NCA 512-bit curve, Streebog-512 }, as in the NCA test root (design A2).
    "parameters": core.Sequence.load(bytes.fromhex(
        "3016060a2a830e030a010102020106082a830e030a010303")),
}
_GOST_SIGNATURE = {"algorithm": oids.GOST2015_512_SIGNATURE}


class GostKey:
    """A GOST-2015-512 private key that signs the way NCA RK keys do (design A2)."""

    def __init__(self, scalar: bytes):
        self._scalar = scalar  # big-endian, as gostcrypto takes it

    @cached_property
    def public_point(self) -> bytes:
        """x‖y, each little-endian (a scalar multiplication: computed only when needed)."""
        point = gostsignature.new(gostsignature.MODE_512, _GOST_CURVE).public_key_generate(
            bytearray(self._scalar))
        return bytes(point[:64][::-1] + point[64:][::-1])

    @classmethod
    def generate(cls) -> "GostKey":
        scalar = bytearray(os.urandom(64))
        scalar[0] &= 0x3F  # below the group order q
        return cls(bytes(scalar))

    @classmethod
    def from_little_endian(cls, scalar: bytes) -> "GostKey":
        return cls(scalar[::-1])

    @property
    def public_key_info(self) -> keys.PublicKeyInfo:
        return keys.PublicKeyInfo({"algorithm": _GOST_KEY_ALGORITHM,
                                   "public_key": core.OctetString(self.public_point).dump()})

    def sign(self, data: bytes) -> bytes:
        digest = bytes(gosthash.new("streebog512", data=data).digest())[::-1]
        rs = gostsignature.new(gostsignature.MODE_512, _GOST_CURVE).sign(
            bytearray(self._scalar), bytearray(digest))
        return bytes(rs[:64][::-1] + rs[64:][::-1])  # r‖s, each little-endian


@dataclass
class GostAuthority:
    certificate: ax509.Certificate
    key: GostKey

    @classmethod
    def root(cls, common_name: str) -> "GostAuthority":
        key = GostKey.generate()
        name = ax509.Name.build({"common_name": common_name, "country_name": "KZ"})
        certificate = gost_certificate(name, key.public_key_info, name, key, ca=True,
                                       not_before=NOW - timedelta(days=3650),
                                       not_after=NOW + timedelta(days=3650))
        return cls(certificate, key)

    def subordinate(self, common_name: str) -> "GostAuthority":
        key = GostKey.generate()
        name = ax509.Name.build({"common_name": common_name, "country_name": "KZ"})
        return GostAuthority(self.issue(name, key.public_key_info, ca=True), key)

    def issue(self, subject: ax509.Name, public_key: keys.PublicKeyInfo, *,
              ca: bool = False) -> ax509.Certificate:
        return gost_certificate(subject, public_key, self.certificate.subject, self.key, ca=ca,
                                not_before=NOW - timedelta(days=30),
                                not_after=NOW + timedelta(days=335))

    def crl(self, revoked: tuple[ax509.Certificate, ...] = (), number: int = 1) -> bytes:
        tbs = crl.TbsCertList({
            "version": "v2", "signature": _GOST_SIGNATURE, "issuer": self.certificate.subject,
            "this_update": ax509.Time({"utc_time": NOW - timedelta(hours=1)}),
            "next_update": ax509.Time({"utc_time": NOW + timedelta(days=1)}),
            "revoked_certificates": [{
                "user_certificate": certificate.serial_number,
                "revocation_date": ax509.Time({"utc_time": NOW - timedelta(days=2)}),
            } for certificate in revoked] or None,
            "crl_extensions": [{"extn_id": "crl_number", "critical": False, "extn_value": number}],
        })
        return crl.CertificateList({"tbs_cert_list": tbs, "signature_algorithm": _GOST_SIGNATURE,
                                    "signature": self.key.sign(tbs.dump())}).dump()


def gost_person_name(iin: str = "123456789011") -> ax509.Name:
    return ax509.Name.build({"common_name": "ТЕСТОВ ТЕСТ", "surname": "ТЕСТОВ",
                             "serial_number": f"IIN{iin}", "country_name": "KZ",
                             "given_name": "ТЕСТОВИЧ"})


def gost_certificate(subject: ax509.Name, public_key: keys.PublicKeyInfo, issuer: ax509.Name,
                     issuer_key: GostKey, *, ca: bool, not_before: datetime,
                     not_after: datetime) -> ax509.Certificate:
    extensions = [{"extn_id": "basic_constraints", "critical": True,
                   "extn_value": {"ca": ca}}]
    if ca:
        extensions.append({"extn_id": "key_usage", "critical": True,
                           "extn_value": {"key_cert_sign", "crl_sign"}})
    else:
        extensions += [
            {"extn_id": "key_usage", "critical": True,
             "extn_value": {"digital_signature", "non_repudiation", "key_agreement"}},
            {"extn_id": "extended_key_usage", "critical": False,
             "extn_value": list(INDIVIDUAL_SIGN)},
            {"extn_id": "authority_information_access", "critical": False, "extn_value": [
                {"access_method": "ocsp",
                 "access_location": ax509.GeneralName({"uniform_resource_identifier": OCSP_URL})}]},
            {"extn_id": "crl_distribution_points", "critical": False, "extn_value": [
                {"distribution_point": {"full_name": [
                    ax509.GeneralName({"uniform_resource_identifier": CRL_URL})]}}]},
        ]
    tbs = ax509.TbsCertificate({
        "version": "v3", "serial_number": int.from_bytes(os.urandom(16), "big"),
        "signature": _GOST_SIGNATURE, "issuer": issuer,
        "validity": {"not_before": ax509.Time({"utc_time": not_before}),
                     "not_after": ax509.Time({"utc_time": not_after})},
        "subject": subject, "subject_public_key_info": public_key, "extensions": extensions,
    })
    certificate = ax509.Certificate({"tbs_certificate": tbs, "signature_algorithm": _GOST_SIGNATURE,
                                     "signature_value": issuer_key.sign(tbs.dump())})
    return ax509.Certificate.load(certificate.dump())
