"""GOST R 34.10-2015 (512-bit) signature checks in the byte order the NCA RK uses.

gostcrypto works on big-endian values. NCA certificates, CRLs and OCSP responses carry the
public key as x‖y and the signature as r‖s with each half little-endian, and the
Streebog-512 digest is read as a little-endian integer (design/eds.md A2, proven against
the NCA test root, intermediate, CRL and OCSP responses). The NCA curve
1.2.398.3.10.1.1.2.2.1 is TC26 GOST 34.10-2012 512 paramSetA.
"""

import logging

from gostcrypto import gosthash, gostsignature

logger = logging.getLogger(__name__)

HALF = 64  # bytes in one coordinate, in r and in s
_CURVE = gostsignature.CURVES_R_1323565_1_024_2019["id-tc26-gost-3410-12-512-paramSetA"]


def streebog512(data: bytes) -> bytes:
    """GOST R 34.11-2012 512-bit digest, as gostcrypto outputs it."""
    return bytes(gosthash.new("streebog512", data=data).digest())


def _swap_halves_endianness(value: bytes) -> bytes:
    return value[:HALF][::-1] + value[HALF:][::-1]


def verify(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """True when `signature` (NCA r‖s) over `data` verifies with `public_key` (NCA x‖y)."""
    if len(public_key) != 2 * HALF or len(signature) != 2 * HALF:
        return False
    digest = streebog512(data)[::-1]
    signer = gostsignature.new(gostsignature.MODE_512, _CURVE)
    try:
        return signer.verify(bytearray(_swap_halves_endianness(public_key)), bytearray(digest),
                             bytearray(_swap_halves_endianness(signature)))
    except (gostsignature.GOSTSignatureError, ArithmeticError, ValueError):
        # A key off the curve can trip gostcrypto's point arithmetic: that is a failed check.
        logger.debug("GOST verification raised on malformed input", exc_info=True)
        return False
