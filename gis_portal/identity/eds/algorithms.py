"""The signature schemes the verifier accepts, for CMS signers and for the chain alike.

One table drives every signature check: the CMS SignerInfo, certificates, CRLs and OCSP
responses. pyhanko-certvalidator is handed a SignatureValidator and an algorithm policy
built from the same table, so an algorithm that is not enabled here fails everywhere.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import algos, core, keys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko_certvalidator.errors import AlgorithmNotSupported
from pyhanko_certvalidator.policy_decl import AlgorithmUsageConstraint, AlgorithmUsagePolicy
from pyhanko_certvalidator.sig_validate import (
    DEFAULT_VALIDATION_CONTEXT,
    SignatureValidationContext,
    SignatureValidator,
)

from . import gost, oids

logger = logging.getLogger(__name__)

MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class SignatureScheme:
    """One accepted way to sign: key type, digest and the OIDs that name it."""

    name: str  # stable label for VerifiedSigner and audit records
    digest_algorithm: str  # OID of the CMS message digest
    certificate_signature_algorithm: str  # OID in certificates, CRLs and OCSP responses
    cms_signature_algorithms: frozenset[str]  # OIDs CMS producers put in SignerInfo
    digest: Callable[[bytes], bytes]
    accepts_key: Callable[[keys.PublicKeyInfo], bool]
    check: Callable[[keys.PublicKeyInfo, bytes, bytes], bool]

    def verify(self, public_key: keys.PublicKeyInfo, data: bytes, signature: bytes) -> bool:
        return self.accepts_key(public_key) and self.check(public_key, data, signature)


def _rsa_key(info: keys.PublicKeyInfo) -> rsa.RSAPublicKey | None:
    if info["algorithm"]["algorithm"].dotted != oids.RSA_KEY:
        return None
    try:
        key = serialization.load_der_public_key(info.dump())
    except ValueError:
        return None
    return key if isinstance(key, rsa.RSAPublicKey) else None


def _rsa_accepts(info: keys.PublicKeyInfo) -> bool:
    key = _rsa_key(info)
    return key is not None and key.key_size >= MIN_RSA_BITS


def _rsa_check(info: keys.PublicKeyInfo, data: bytes, signature: bytes) -> bool:
    try:
        _rsa_key(info).verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def gost_public_key(info: keys.PublicKeyInfo) -> bytes | None:
    """The NCA x‖y bytes of a GOST-2015-512 key, or None for any other key."""
    if info["algorithm"]["algorithm"].dotted != oids.GOST2015_KEY:
        return None
    try:
        parameters = core.Sequence.load(info["algorithm"]["parameters"].dump())
        curve = core.ObjectIdentifier.load(parameters[0].dump()).dotted
        # The BIT STRING holds a DER OCTET STRING with x‖y inside.
        point = core.OctetString.load(info["public_key"].native).native
    except (ValueError, TypeError, KeyError):
        return None
    if curve != oids.GOST2015_512_CURVE or len(point) != 2 * gost.HALF:
        return None
    return point


def _gost_check(info: keys.PublicKeyInfo, data: bytes, signature: bytes) -> bool:
    return gost.verify(gost_public_key(info), data, signature)


RSA_SHA256 = SignatureScheme(
    name="rsa-pkcs1v15-sha256",
    digest_algorithm=oids.SHA256,
    certificate_signature_algorithm=oids.SHA256_WITH_RSA,
    cms_signature_algorithms=frozenset({oids.SHA256_WITH_RSA, oids.RSA_KEY}),
    digest=lambda data: hashlib.sha256(data).digest(),
    accepts_key=_rsa_accepts,
    check=_rsa_check,
)

GOST2015_512 = SignatureScheme(
    name="gost34.10-2015-512",
    digest_algorithm=oids.STREEBOG_512,
    certificate_signature_algorithm=oids.GOST2015_512_SIGNATURE,
    # CMS producers differ: some name the signature, some the key (design/eds.md B4.5).
    cms_signature_algorithms=frozenset({oids.GOST2015_512_SIGNATURE, oids.GOST2015_KEY}),
    digest=gost.streebog512,
    accepts_key=lambda info: gost_public_key(info) is not None,
    check=_gost_check,
)

ALL_SCHEMES = (RSA_SHA256, GOST2015_512)


class AlgorithmRegistry:
    """The enabled schemes, looked up by the OIDs found in a signature."""

    def __init__(self, names: Iterable[str]):
        names = frozenset(names)
        unknown = names - {scheme.name for scheme in ALL_SCHEMES}
        if unknown:
            raise ValueError(f"unknown signature schemes: {sorted(unknown)}")
        self.schemes = tuple(scheme for scheme in ALL_SCHEMES if scheme.name in names)

    def for_cms(self, digest_oid: str, signature_oid: str,
                key: keys.PublicKeyInfo) -> SignatureScheme | None:
        for scheme in self.schemes:
            if (scheme.digest_algorithm == digest_oid
                    and signature_oid in scheme.cms_signature_algorithms
                    and scheme.accepts_key(key)):
                return scheme
        return None

    def for_certificate(self, signature_oid: str,
                        key: keys.PublicKeyInfo | None) -> SignatureScheme | None:
        for scheme in self.schemes:
            if (scheme.certificate_signature_algorithm == signature_oid
                    and (key is None or scheme.accepts_key(key))):
                return scheme
        return None

    def digest_allowed(self, digest_oid: str) -> bool:
        return any(scheme.digest_algorithm == digest_oid for scheme in self.schemes)


class ChainSignatureValidator(SignatureValidator):
    """pyhanko hook for certificate, CRL and OCSP signatures.

    It remembers the digests of the payloads it verified, so the revocation evidence can
    name only CRLs and OCSP responses whose signatures were actually checked. Make one
    per validation.
    """

    def __init__(self, registry: AlgorithmRegistry):
        self._registry = registry
        self._verified: set[bytes] = set()

    def validate_signature(self, signature: bytes, signed_data: bytes,
                           public_key_info: keys.PublicKeyInfo,
                           signature_algorithm: algos.SignedDigestAlgorithm,
                           context: SignatureValidationContext = DEFAULT_VALIDATION_CONTEXT):
        oid = signature_algorithm["algorithm"].dotted
        scheme = self._registry.for_certificate(oid, public_key_info)
        if scheme is None:
            raise AlgorithmNotSupported(f"signature algorithm {oid} is not enabled")
        if not scheme.verify(public_key_info, signed_data, signature):
            raise InvalidSignature(f"{scheme.name} signature does not verify")
        self._verified.add(hashlib.sha256(signed_data).digest())

    def was_verified(self, signed_data: bytes) -> bool:
        return hashlib.sha256(signed_data).digest() in self._verified


class ChainAlgorithmPolicy(AlgorithmUsagePolicy):
    """pyhanko's algorithm gate, answering from the same registry."""

    def __init__(self, registry: AlgorithmRegistry):
        self._registry = registry

    def digest_algorithm_allowed(self, algo: algos.DigestAlgorithm,
                                 moment: datetime | None) -> AlgorithmUsageConstraint:
        return _constraint(self._registry.digest_allowed(algo["algorithm"].dotted))

    def signature_algorithm_allowed(self, algo: algos.SignedDigestAlgorithm,
                                    moment: datetime | None,
                                    public_key: keys.PublicKeyInfo | None
                                    ) -> AlgorithmUsageConstraint:
        scheme = self._registry.for_certificate(algo["algorithm"].dotted, public_key)
        return _constraint(scheme is not None)


def _constraint(allowed: bool) -> AlgorithmUsageConstraint:
    if allowed:
        return AlgorithmUsageConstraint(allowed=True)
    return AlgorithmUsageConstraint(allowed=False, failure_reason="algorithm not enabled")
