"""Verification of NCA RK electronic digital signatures (EDS) over server-issued challenges.

Pure Python, no Django: the identity app's views store challenges, enforce single use and
rate limits, and call EdsVerifier. See README.md beside this file.
"""

from . import asn1_gost

asn1_gost.install()  # before any NCA GOST certificate is parsed

from .audit import audit_record, iin_keyed_hash  # noqa: E402
from .certificates import (  # noqa: E402
    SignerIdentity,
    TrustConfigurationError,
    load_certificate_files,
    load_certificates,
    read_signer_identity,
    require_fingerprints,
    sha256_fingerprint,
)
from .challenge import (  # noqa: E402
    Challenge,
    ChallengeFormatError,
    issue_challenge,
    parse_challenge,
    same_bytes,
)
from .errors import ALL_ERRORS, EdsVerificationError, FailedSigner  # noqa: E402
from .revocation import (  # noqa: E402
    HostAllowList,
    NoRevocationCheck,
    OfflineRevocationSource,
    OnlineRevocationSource,
    RevocationFetchRefused,
    RevocationSource,
)
from .verifier import (  # noqa: E402
    ChainValidator,
    EdsPolicy,
    EdsVerifier,
    RevocationEvidence,
    ValidatedChain,
    VerifiedSigner,
)

__all__ = [
    "ALL_ERRORS", "Challenge", "ChallengeFormatError", "ChainValidator", "EdsPolicy",
    "EdsVerificationError", "EdsVerifier", "FailedSigner", "HostAllowList",
    "NoRevocationCheck", "OfflineRevocationSource", "OnlineRevocationSource",
    "RevocationEvidence", "RevocationFetchRefused", "RevocationSource", "SignerIdentity",
    "TrustConfigurationError", "ValidatedChain", "VerifiedSigner", "audit_record",
    "iin_keyed_hash", "issue_challenge", "load_certificate_files", "load_certificates",
    "parse_challenge", "read_signer_identity", "require_fingerprints", "same_bytes",
    "sha256_fingerprint",
]
