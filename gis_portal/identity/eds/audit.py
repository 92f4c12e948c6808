"""JSON-safe audit records of verification attempts (design/eds.md B8).

The IIN is stored as a keyed HMAC-SHA256 plus its last four digits; the full IIN only when
the caller says the legal basis allows it. The hash is the same as
gis_portal.identity.actions.keyed_hash(iin, "iin") under the same key, so EDS and
in-person confirmations of one person compare equal.
"""

import base64
import hashlib
import hmac
from datetime import datetime

from .errors import EdsVerificationError
from .verifier import RevocationEvidence, VerifiedSigner

MIN_KEY_BYTES = 16


def iin_keyed_hash(iin: str, key: bytes) -> str:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the IIN hash key must be at least {MIN_KEY_BYTES} bytes")
    return hmac.new(key, f"iin:{iin}".encode(), hashlib.sha256).hexdigest()


def audit_record(outcome: VerifiedSigner | EdsVerificationError, *, iin_key: bytes,
                 store_full_iin: bool = False) -> dict:
    """What the audit row keeps about one attempt: a dict of str, int, bool, None and lists."""
    if isinstance(outcome, VerifiedSigner):
        return {
            "result": "ok",
            "failure_code": "",
            **_iin_fields(outcome.iin, iin_key, store_full_iin),
            "signer_name": outcome.full_name,
            "certificate_sha256": outcome.certificate_sha256,
            "certificate_serial": outcome.certificate_serial,
            "issuer_dn": outcome.issuer_dn,
            "algorithm": outcome.algorithm,
            "key_purposes": sorted(outcome.identity.key_purposes),
            "signing_time": _time(outcome.signing_time),
            "validation_time": _time(outcome.validation_time),
            "chain_sha256": list(outcome.chain.certificates_sha256),
            "challenge_id": outcome.challenge.challenge_id,
            "revocation": _revocation(outcome.revocation),
        }
    signer = outcome.signer
    return {
        "result": "failed",
        "failure_code": outcome.reason,
        "message": outcome.message,
        "details": dict(outcome.details),
        **_iin_fields(signer.iin if signer else None, iin_key, store_full_iin),
        "certificate_sha256": signer.certificate_sha256 if signer else None,
        "certificate_serial": signer.certificate_serial if signer else None,
        "issuer_dn": signer.issuer_dn if signer else None,
    }


def _iin_fields(iin: str | None, key: bytes, store_full_iin: bool) -> dict:
    if iin is None:
        return {"iin_hash": None, "iin_last4": None, "iin": None}
    return {"iin_hash": iin_keyed_hash(iin, key), "iin_last4": iin[-4:],
            "iin": iin if store_full_iin else None}


def _revocation(evidence: RevocationEvidence) -> dict:
    der = evidence.ocsp_response_der
    return {
        "source": evidence.source,
        "kind": evidence.kind,
        "sha256": evidence.sha256,
        "this_update": _time(evidence.this_update),
        "next_update": _time(evidence.next_update),
        "produced_at": _time(evidence.produced_at),
        "crl_number": evidence.crl_number,
        "ocsp_response_b64": base64.b64encode(der).decode("ascii") if der else None,
    }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
