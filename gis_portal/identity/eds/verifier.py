"""Server-side verification of an NCALayer CMS signature over an issued challenge.

EdsVerifier.verify() follows design/eds.md B4: structure, signer certificate, signature
over the signed attributes, message digest of the challenge, challenge binding and
lifetime, signing time, individual-person identity, and last (because it is the costly
part and may reach the network) the chain to a configured anchor with revocation.

The chain (validity and revocation) is judged at the server's moment of checking, never at
the signer's claimed `signingTime`: the client chooses that value, and a backdated one must
not make a certificate revoked since then look good. `signingTime` only has to fall inside
the challenge's lifetime.
"""

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asn1crypto import crl, ocsp, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    DisallowedAlgorithmError,
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from . import cms, errors
from .algorithms import (
    GOST2015_512,
    RSA_SHA256,
    AlgorithmRegistry,
    ChainAlgorithmPolicy,
    ChainSignatureValidator,
)
from .certificates import (
    SignerIdentity,
    distinguished_name,
    iin_of,
    load_certificates,
    read_signer_identity,
    sha256_fingerprint,
)
from .challenge import Challenge, ChallengeFormatError, parse_challenge, same_bytes
from .revocation import RevocationMaterial, RevocationSource, crl_problem

logger = logging.getLogger(__name__)

# What asn1crypto, cryptography and pyhanko raise on data that is not what it claims to be.
# Client data that trips one of them is malformed input, never a server error.
_MALFORMED_DATA_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError,
                          OverflowError, ArithmeticError, NotImplementedError, RecursionError)

CertificateInput = x509.Certificate | bytes


@dataclass(frozen=True)
class EdsPolicy:
    max_input_bytes: int = 64 * 1024  # checked before any parsing
    max_certificates: int = 10  # in the CMS; bounds path-building work
    clock_skew: timedelta = timedelta(minutes=5)  # signing time vs challenge and now
    algorithms: frozenset[str] = frozenset({RSA_SHA256.name, GOST2015_512.name})
    accept_legal_entity: bool = False
    require_revocation: bool = True  # the signer's status must be known, else fail closed
    # NCA intermediates point at root CRLs that are not always reachable (design B6).
    require_intermediate_revocation: bool = False


@dataclass(frozen=True)
class RevocationEvidence:
    """The revocation data that vouched for the signer's certificate."""

    source: str  # "offline", "online" or "disabled"
    kind: str  # "ocsp", "crl" or "none"
    sha256: str | None = None  # of the OCSP response or CRL, DER
    this_update: datetime | None = None
    next_update: datetime | None = None
    produced_at: datetime | None = None  # OCSP only
    crl_number: int | None = None  # CRL only
    ocsp_response_der: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ValidatedChain:
    certificates_sha256: tuple[str, ...]  # signer first, trust anchor last
    revocation: RevocationEvidence


@dataclass(frozen=True)
class VerifiedSigner:
    """A person whose NCA certificate signed the expected challenge. repr() hides personal data."""

    identity: SignerIdentity
    certificate_der: bytes = field(repr=False)
    certificate_sha256: str
    certificate_serial: str  # hex
    issuer_dn: str
    algorithm: str
    signing_time: datetime | None
    validation_time: datetime
    chain: ValidatedChain
    challenge: Challenge

    @property
    def iin(self) -> str:
        return self.identity.iin

    @property
    def full_name(self) -> str:
        return self.identity.full_name

    @property
    def revocation(self) -> RevocationEvidence:
        return self.chain.revocation


def _as_certificates(items: Iterable[CertificateInput]) -> list[x509.Certificate]:
    certificates = []
    for item in items:
        certificates.extend([item] if isinstance(item, x509.Certificate)
                            else load_certificates(item))
    return certificates


class ChainValidator:
    """Path to a configured trust anchor, validity at a moment, and revocation status."""

    def __init__(self, trust_anchors: Iterable[CertificateInput],
                 intermediates: Iterable[CertificateInput],
                 revocation_source: RevocationSource, policy: EdsPolicy):
        self._anchors = _as_certificates(trust_anchors)
        if not self._anchors:
            # pyhanko would fall back to the OS web-PKI roots: never.
            raise ValueError("at least one trust anchor is required")
        self._anchor_der = {anchor.dump() for anchor in self._anchors}
        self._intermediates = _as_certificates(intermediates)
        self._revocation = revocation_source
        self._policy = policy
        self._registry = AlgorithmRegistry(policy.algorithms)

    def validate(self, certificate: x509.Certificate,
                 untrusted: Iterable[x509.Certificate], at: datetime) -> ValidatedChain:
        """Validate `certificate` at `at`; `untrusted` certificates may serve as intermediates."""
        if certificate.self_issued and certificate.dump() not in self._anchor_der:
            raise errors.RootInCms()
        extra = [c for c in untrusted
                 if c.dump() not in self._anchor_der and c.dump() != certificate.dump()]
        # A self-issued certificate could only ever act as a root: never take one from a client.
        client_roots = [c for c in extra if c.self_issued]
        others = self._intermediates + [c for c in extra if not c.self_issued]
        material = self._revocation.material(at)
        crls = self._current_crls(certificate, material, at)
        signatures = ChainSignatureValidator(self._registry)
        context = ValidationContext(
            trust_roots=self._anchors, other_certs=others, moment=at,
            allow_fetching=material.fetchers is not None, fetchers=material.fetchers,
            crls=crls, ocsps=list(material.ocsps),
            revinfo_policy=self._revocation_policy(material),
            time_tolerance=self._policy.clock_skew, signature_validator=signatures,
            algorithm_usage_policy=ChainAlgorithmPolicy(self._registry))
        try:
            path = asyncio.run(CertificateValidator(
                certificate, validation_context=context).async_validate_path())
        except RevokedError as error:
            raise errors.CertificateRevoked(details={
                "revoked_at": error.revocation_dt.isoformat(),
                "revocation_reason": str(error.reason.native)}) from None
        except ExpiredError:
            raise errors.CertificateExpired() from None
        except NotYetValidError:
            raise errors.CertificateNotYetValid() from None
        except InsufficientRevinfoError:
            raise errors.RevocationUnknown(details=_revocation_problems(material)) from None
        except DisallowedAlgorithmError:
            raise errors.UnsupportedAlgorithm() from None
        except PathBuildingError:
            raise (errors.RootInCms() if client_roots else errors.UntrustedRoot()) from None
        except ValidationError as error:
            # pyhanko's text names the certificate's subject, personal data: log the type only.
            logger.info("EDS chain rejected: %s", type(error).__name__)
            raise errors.ChainInvalid() from None
        except _MALFORMED_DATA_ERRORS as error:
            # A client-sent certificate pyhanko could not digest: no chain can rest on it.
            logger.warning("EDS chain rejected on malformed data: %s", type(error).__name__)
            raise errors.ChainInvalid(details={"parse_error": type(error).__name__}) from None
        chain = tuple(sha256_fingerprint(c) for c in path.iter_certs(include_root=True))
        return ValidatedChain(
            certificates_sha256=tuple(reversed(chain)),
            revocation=_evidence(certificate, context, signatures, material, at,
                                 self._policy.clock_skew))

    @staticmethod
    def _current_crls(certificate: x509.Certificate, material: RevocationMaterial,
                      at: datetime) -> list[crl.CertificateList]:
        """The material's CRLs that are current at `at`; one past its nextUpdate is refused
        here, not merely left to pyhanko's freshness rules (which allow the clock skew)."""
        current = []
        for item in material.crls:
            problem = crl_problem(item, at)
            if problem is None:
                current.append(item)
            elif item.issuer == certificate.issuer:
                logger.warning("EDS: the CRL of the signer's issuer is refused: %s", problem)
                material.problems.append(problem)
        return current

    def _revocation_policy(self, material: RevocationMaterial) -> CertRevTrustPolicy:
        if not material.checks_revocation:
            return CertRevTrustPolicy(RevocationCheckingPolicy(
                ee_certificate_rule=RevocationCheckingRule.NO_CHECK,
                intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK))

        def rule(required: bool) -> RevocationCheckingRule:
            return (RevocationCheckingRule.CRL_OR_OCSP_REQUIRED if required
                    else RevocationCheckingRule.CHECK_IF_DECLARED_SOFT)

        return CertRevTrustPolicy(RevocationCheckingPolicy(
            ee_certificate_rule=rule(self._policy.require_revocation),
            intermediate_ca_cert_rule=rule(self._policy.require_intermediate_revocation)))


def _revocation_problems(material: RevocationMaterial) -> dict[str, str]:
    """The details of a revocation_unknown failure: why usable data was missing."""
    return {"revocation_problems": ",".join(sorted(set(material.problems)))
            or "no_revocation_data"}


def _evidence(certificate: x509.Certificate, context: ValidationContext,
              signatures: ChainSignatureValidator, material: RevocationMaterial,
              at: datetime, skew: timedelta) -> RevocationEvidence:
    """Name the OCSP response (preferred, as pyhanko checks it first) or CRL that covers the
    certificate at `at` and whose signature was verified during this validation."""
    if not material.checks_revocation:
        return RevocationEvidence(source=material.source, kind="none")

    def current(this_update: datetime | None, next_update: datetime | None) -> bool:
        return (this_update is not None and this_update - skew <= at
                and (next_update is None or at <= next_update + skew))

    for response in context.ocsps:
        basic = response.basic_ocsp_response  # None unless the responder said "successful"
        if basic is None or not signatures.was_verified(basic["tbs_response_data"].dump()):
            continue
        for single in basic["tbs_response_data"]["responses"]:
            if (_ocsp_names(single, certificate) and single["cert_status"].name == "good"
                    and current(single["this_update"].native, single["next_update"].native)):
                return RevocationEvidence(
                    source=material.source, kind="ocsp",
                    sha256=hashlib.sha256(response.dump()).hexdigest(),
                    this_update=single["this_update"].native,
                    next_update=single["next_update"].native,
                    produced_at=basic["tbs_response_data"]["produced_at"].native,
                    ocsp_response_der=response.dump())
    candidates = [item for item in context.crls if _crl_covers(item, certificate, signatures)
                  and current(item["tbs_cert_list"]["this_update"].native,
                              item["tbs_cert_list"]["next_update"].native)]
    if candidates:
        freshest = max(candidates, key=lambda item: item["tbs_cert_list"]["this_update"].native)
        return RevocationEvidence(
            source=material.source, kind="crl",
            sha256=hashlib.sha256(freshest.dump()).hexdigest(),
            this_update=freshest["tbs_cert_list"]["this_update"].native,
            next_update=freshest["tbs_cert_list"]["next_update"].native,
            crl_number=freshest.crl_number_value.native if freshest.crl_number_value else None)
    return RevocationEvidence(source=material.source, kind="none")


def _ocsp_names(single: ocsp.SingleResponse, certificate: x509.Certificate) -> bool:
    cert_id = single["cert_id"]
    algorithm = cert_id["hash_algorithm"]["algorithm"].native
    if algorithm not in ("sha1", "sha256"):
        return False
    return (cert_id["serial_number"].native == certificate.serial_number
            and cert_id["issuer_name_hash"].native == getattr(certificate.issuer, algorithm))


def _crl_covers(item: crl.CertificateList, certificate: x509.Certificate,
                signatures: ChainSignatureValidator) -> bool:
    return (item.issuer == certificate.issuer
            and signatures.was_verified(item["tbs_cert_list"].dump()))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class EdsVerifier:
    """Verifies that a CMS signature is a valid individual's NCA signature over a challenge.

    verify() is synchronous (it runs pyhanko's async validation to completion); call it
    from synchronous code, or through a thread from async code.
    """

    def __init__(self, trust_anchors: Iterable[CertificateInput],
                 intermediates: Iterable[CertificateInput],
                 revocation_source: RevocationSource, policy: EdsPolicy | None = None,
                 clock: Callable[[], datetime] = _utc_now):
        self._policy = policy or EdsPolicy()
        self._clock = clock
        self._registry = AlgorithmRegistry(self._policy.algorithms)
        self._chain = ChainValidator(trust_anchors, intermediates, revocation_source,
                                     self._policy)

    @property
    def policy(self) -> EdsPolicy:
        return self._policy

    def verify(self, cms_data: bytes | str, expected_challenge: bytes,
               moment: datetime | None = None) -> VerifiedSigner:
        """The verified signer, or an EdsVerificationError subclass naming the reason.

        `expected_challenge` is the stored challenge (server data: a malformed one raises
        ChallengeFormatError, a programming error, not a verification failure). `moment` is
        the server's time of checking: the challenge window and the whole chain (validity
        and revocation) are judged at it; the signed signingTime only has to fall inside the
        challenge's lifetime.
        """
        moment = moment or self._clock()
        if moment.utcoffset() is None:
            raise ValueError("moment must be timezone-aware")
        der = cms.decode(cms_data, self._policy.max_input_bytes)
        challenge = parse_challenge(expected_challenge)
        if not challenge.is_valid_at(moment, self._policy.clock_skew):
            raise errors.ChallengeExpired()
        try:
            message = cms.parse(der, self._policy.max_certificates)
            attributes = message.signed_attributes()
            certificate = message.signer_certificate()
        except _MALFORMED_DATA_ERRORS as error:
            raise _malformed(error, logging.INFO) from None
        try:
            return self._verify_signer(message, attributes, certificate, expected_challenge,
                                       challenge, moment)
        except errors.EdsVerificationError as error:
            error.signer = _failed_signer(certificate)
            raise
        except ChallengeFormatError:
            raise  # the stored challenge is bad: a server bug, not the client's input
        except _MALFORMED_DATA_ERRORS as error:
            # Past the parser: unusual enough to be worth a look (it could be our bug).
            malformed = _malformed(error, logging.WARNING)
            malformed.signer = _failed_signer(certificate)
            raise malformed from None

    def _verify_signer(self, message: cms.SignedMessage, attributes: cms.SignedAttributes,
                       certificate: x509.Certificate, expected: bytes, challenge: Challenge,
                       moment: datetime) -> VerifiedSigner:
        scheme = self._registry.for_cms(message.digest_algorithm, message.signature_algorithm,
                                        certificate.public_key)
        if scheme is None:
            raise errors.UnsupportedAlgorithm(details={
                "digest_algorithm": message.digest_algorithm,
                "signature_algorithm": message.signature_algorithm,
                "key_algorithm": certificate.public_key["algorithm"]["algorithm"].dotted})
        if not scheme.verify(certificate.public_key, attributes.der, message.signature):
            raise errors.BadSignature()
        attached = message.content is not None
        signed_content = message.content if attached else expected
        if not same_bytes(scheme.digest(signed_content), attributes.message_digest):
            # Attached: the content changed after signing. Detached: the key signed other bytes.
            raise errors.ContentTampered() if attached else errors.ChallengeMismatch()
        if attached and not same_bytes(message.content, expected):
            raise _binding_error(message.content, challenge)
        skew = self._policy.clock_skew
        signing_time = attributes.signing_time
        # The signing time is the client's claim: it must fall inside the challenge's
        # lifetime, and is used for nothing else.
        if signing_time is not None and not (
                challenge.issued_at - skew <= signing_time
                <= min(challenge.expires_at, moment) + skew):
            raise errors.SigningTimeOutOfRange()
        identity = read_signer_identity(certificate,
                                        accept_legal_entity=self._policy.accept_legal_entity)
        validation_time = moment  # server time: a backdated signingTime changes nothing
        chain = self._chain.validate(certificate, message.certificates, validation_time)
        return VerifiedSigner(
            identity=identity, certificate_der=certificate.dump(),
            certificate_sha256=sha256_fingerprint(certificate),
            certificate_serial=format(certificate.serial_number, "x"),
            issuer_dn=distinguished_name(certificate.issuer), algorithm=scheme.name,
            signing_time=signing_time, validation_time=validation_time, chain=chain,
            challenge=challenge)


def _malformed(error: Exception, level: int) -> errors.MalformedInput:
    # The exception's text may quote the input; its type is enough to find the parser.
    logger.log(level, "EDS input rejected as malformed: %s", type(error).__name__)
    return errors.MalformedInput(details={"parse_error": type(error).__name__})


def _failed_signer(certificate: x509.Certificate) -> errors.FailedSigner | None:
    """What the audit row keeps of a refused signer's certificate, if it can be read."""
    try:
        return errors.FailedSigner(
            certificate_sha256=sha256_fingerprint(certificate),
            certificate_serial=format(certificate.serial_number, "x"),
            issuer_dn=distinguished_name(certificate.issuer), iin=iin_of(certificate))
    except _MALFORMED_DATA_ERRORS:
        return None


def _binding_error(signed: bytes, expected: Challenge) -> errors.EdsVerificationError:
    """Why the signed challenge is not the expected one: another user's, or just another."""
    try:
        signed_challenge = parse_challenge(signed)
    except ChallengeFormatError:
        return errors.ChallengeMismatch()
    if not same_bytes(signed_challenge.user_id.encode(), expected.user_id.encode()):
        return errors.ChallengeWrongUser()
    return errors.ChallengeMismatch()
