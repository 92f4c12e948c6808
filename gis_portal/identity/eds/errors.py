"""Typed verification failures: one class per reason, each with a stable machine code.

`reason` is what the audit row stores and what callers branch on; `message` is safe to
show to the user. Neither ever contains the IIN, a name or other personal data; what is
known about the signer's certificate travels separately in `signer` for the audit record.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FailedSigner:
    """What was read from the signer's certificate before the check failed (unverified)."""

    certificate_sha256: str
    certificate_serial: str
    issuer_dn: str
    iin: str | None = field(default=None, repr=False)


class EdsVerificationError(Exception):
    reason = "verification_failed"
    message = "The signature could not be verified."

    def __init__(self, message: str | None = None, *, details: dict[str, str] | None = None):
        self.message = message or type(self).message
        self.details = dict(details or {})  # JSON-safe facts for the audit row
        self.signer: FailedSigner | None = None
        super().__init__(self.message)


class InputTooLarge(EdsVerificationError):
    reason = "input_too_large"
    message = "The signature is larger than allowed."


class MalformedInput(EdsVerificationError):
    reason = "malformed_input"
    message = "The data sent is not a CMS signature."


class NoSigner(EdsVerificationError):
    reason = "no_signer"
    message = "The signature contains no signer."


class MultipleSigners(EdsVerificationError):
    reason = "multiple_signers"
    message = "The signature must have exactly one signer."


class NoSignedAttributes(EdsVerificationError):
    reason = "no_signed_attributes"
    message = "The signature has no signed attributes."


class BadSignedAttributes(EdsVerificationError):
    reason = "bad_signed_attributes"
    message = "The signed attributes are missing a required value or repeat one."


class SignerCertificateMissing(EdsVerificationError):
    reason = "signer_certificate_missing"
    message = "The signer's certificate is not in the signature."


class UnsupportedAlgorithm(EdsVerificationError):
    reason = "unsupported_algorithm"
    message = "The signature algorithm or key is not supported."


class BadSignature(EdsVerificationError):
    reason = "bad_signature"
    message = "The signature value does not match the signer's key."


class ContentTampered(EdsVerificationError):
    reason = "content_tampered"
    message = "The signed content was changed after signing."


class ChallengeMismatch(EdsVerificationError):
    reason = "challenge_mismatch"
    message = "The signature is over a different challenge."


class ChallengeWrongUser(EdsVerificationError):
    reason = "challenge_wrong_user"
    message = "The signed challenge was issued to another user."


class ChallengeExpired(EdsVerificationError):
    reason = "challenge_expired"
    message = "The challenge is outside its validity window; request a new one."


class SigningTimeOutOfRange(EdsVerificationError):
    reason = "signing_time_out_of_range"
    message = "The signing time does not fall within the challenge's lifetime."


class LegalEntityCertificate(EdsVerificationError):
    reason = "legal_entity_certificate"
    message = "A legal entity's certificate cannot confirm a person's identity."


class NotIndividualCertificate(EdsVerificationError):
    reason = "not_individual_certificate"
    message = "The certificate is not an individual person's signing or authentication key."


class KeyUsageNotAllowed(EdsVerificationError):
    reason = "key_usage_not_allowed"
    message = "The certificate's key usage does not allow digital signatures."


class MissingIin(EdsVerificationError):
    reason = "missing_iin"
    message = "The certificate carries no IIN."


class CertificateExpired(EdsVerificationError):
    reason = "certificate_expired"
    message = "A certificate in the chain has expired."


class CertificateNotYetValid(EdsVerificationError):
    reason = "certificate_not_yet_valid"
    message = "A certificate in the chain is not yet valid."


class CertificateRevoked(EdsVerificationError):
    reason = "certificate_revoked"
    message = "The certificate has been revoked."


class RevocationUnknown(EdsVerificationError):
    reason = "revocation_unknown"
    message = "The certificate's revocation status could not be established; try again later."


class UntrustedRoot(EdsVerificationError):
    reason = "untrusted_root"
    message = "The certificate does not chain to a trusted NCA RK root."


class RootInCms(EdsVerificationError):
    reason = "root_in_cms"
    message = "The signature brought its own root certificate, which is never trusted."


class ChainInvalid(EdsVerificationError):
    reason = "chain_invalid"
    message = "The certificate chain is not valid."


ALL_ERRORS: tuple[type[EdsVerificationError], ...] = tuple(EdsVerificationError.__subclasses__())
