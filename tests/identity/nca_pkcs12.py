"""Reading the NCA RK test keys: legacy PKCS#12 files in pure Python (design/eds.md A6.3).

The files use the RFC 7292 password-based KDF with SHA-1, a Triple-DES shrouded key bag
and an RC2-40 encrypted certificate bag. OpenSSL cannot load the GOST key and
`cryptography` offers RC2 only with 128-bit keys, so RC2 (RFC 2268) is written out here.
The key inside is a GOST-2015-512 scalar, little-endian.
"""

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import core, pkcs12
from asn1crypto import x509 as ax509
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from .eds_pki import GostKey

_PITABLE = bytes.fromhex("""
d9 78 f9 c4 19 dd b5 ed 28 e9 fd 79 4a a0 d8 9d c6 7e 37 83 2b 76 53 8e 62 4c 64 88 44 8b fb a2
17 9a 59 f5 87 b3 4f 13 61 45 6d 8d 09 81 7d 32 bd 8f 40 eb 86 b7 7b 0b f0 95 21 22 5c 6b 4e 82
54 d6 65 93 ce 60 b2 1c 73 56 c0 14 a7 8c f1 dc 12 75 ca 1f 3b be e4 d1 42 3d d4 30 a3 3c b6 26
6f bf 0e da 46 69 07 57 27 f2 1d 9b bc 94 43 03 f8 11 c7 f6 90 ef 3e e7 06 c3 d5 2f c8 66 1e d7
08 e8 ea de 80 52 ee f7 84 aa 72 ac 35 4d 6a 2a 96 1a d2 71 5a 15 49 74 4b 9f d0 5e 04 18 a4 ec
c2 e0 41 6e 0f 51 cb cc 24 91 af 50 a1 f4 70 39 99 7c 3a 85 23 b8 b4 7a fc 02 36 5b 25 55 97 31
2d 5d fa 98 e3 8a 92 ae 05 df 29 10 67 6c ba c9 d3 00 e6 cf e1 9e a8 2c 63 16 01 3f 58 e2 89 a9
0d 38 34 1b ab 33 ff b0 bb 48 0c 5f b9 b1 cd 2e c5 f3 db 47 e5 a5 9c 77 0a a6 20 68 fe 7f c1 ad
""")
_ROTATIONS = (1, 2, 3, 5)


def rc2_cbc_decrypt(key: bytes, effective_bits: int, iv: bytes, data: bytes) -> bytes:
    """RC2 in CBC mode with the given effective key length (RFC 2268)."""
    expanded = _rc2_expand(key, effective_bits)
    out, previous = bytearray(), iv
    for offset in range(0, len(data), 8):
        block = data[offset:offset + 8]
        out += bytes(a ^ b for a, b in zip(_rc2_decrypt_block(expanded, block), previous,
                                           strict=True))
        previous = block
    return bytes(out)


def _rc2_expand(key: bytes, bits: int) -> list[int]:
    t, t8 = len(key), (bits + 7) // 8
    mask = 255 % (1 << (8 + bits - 8 * t8))
    buffer = list(key) + [0] * (128 - t)
    for i in range(t, 128):
        buffer[i] = _PITABLE[(buffer[i - 1] + buffer[i - t]) & 255]
    buffer[128 - t8] = _PITABLE[buffer[128 - t8] & mask]
    for i in range(127 - t8, -1, -1):
        buffer[i] = _PITABLE[buffer[i + 1] ^ buffer[i + t8]]
    return [buffer[2 * i] | buffer[2 * i + 1] << 8 for i in range(64)]


def _rc2_decrypt_block(k: list[int], block: bytes) -> bytes:
    r = [block[2 * i] | block[2 * i + 1] << 8 for i in range(4)]
    j = 63

    def mix(rounds: int):
        nonlocal j
        for _ in range(rounds):
            for i in (3, 2, 1, 0):
                s = _ROTATIONS[i]
                r[i] = ((r[i] >> s) | (r[i] << (16 - s))) & 0xFFFF
                r[i] = (r[i] - k[j] - (r[i - 1] & r[i - 2]) - (~r[i - 1] & r[i - 3])) & 0xFFFF
                j -= 1

    def mash():
        for i in (3, 2, 1, 0):
            r[i] = (r[i] - k[r[i - 1] & 63]) & 0xFFFF

    mix(5)
    mash()
    mix(6)
    mash()
    mix(5)
    return bytes(byte for word in r for byte in (word & 255, word >> 8))


def pkcs12_kdf(password: str, salt: bytes, purpose: int, iterations: int, size: int) -> bytes:
    """RFC 7292 appendix B with SHA-1 (purpose 1: key, 2: IV, 3: MAC key)."""
    u, v = 20, 64
    secret = (password + "\0").encode("utf-16-be")

    def fill(data: bytes) -> bytes:
        length = v * -(-len(data) // v)
        return (data * (length // len(data) + 1))[:length]

    i = bytearray(fill(salt) + fill(secret))
    out = b""
    while len(out) < size:
        a = bytes([purpose]) * v + bytes(i)
        for _ in range(iterations):
            a = hashlib.sha1(a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for offset in range(0, len(i), v):
            chunk = (int.from_bytes(i[offset:offset + v], "big") + b + 1) % (1 << (8 * v))
            i[offset:offset + v] = chunk.to_bytes(v, "big")
    return out[:size]


@dataclass
class NcaTestKey:
    certificate: ax509.Certificate
    key: GostKey


def read_nca_pkcs12(path: Path, password: str) -> NcaTestKey:
    pfx = pkcs12.Pfx.load(path.read_bytes())
    content = pfx["auth_safe"]["content"].native
    mac = pfx["mac_data"]
    mac_key = pkcs12_kdf(password, mac["mac_salt"].native, 3, mac["iterations"].native, 20)
    if not hmac.compare_digest(hmac.new(mac_key, content, hashlib.sha1).digest(),
                               mac["mac"]["digest"].native):
        raise ValueError("wrong PKCS#12 password")
    certificates, key = [], None
    for item in pkcs12.AuthenticatedSafe.load(content):
        if item["content_type"].native == "data":
            for bag in pkcs12.SafeContents.load(item["content"].native):
                key = _gost_key(bag["bag_value"], password)
        else:
            encrypted = item["content"]["encrypted_content_info"]
            params = encrypted["content_encryption_algorithm"]["parameters"]
            plain = rc2_cbc_decrypt(
                pkcs12_kdf(password, params["salt"].native, 1, params["iterations"].native, 5),
                40, pkcs12_kdf(password, params["salt"].native, 2, params["iterations"].native, 8),
                encrypted["encrypted_content"].native)
            certificates += [bag["bag_value"]["cert_value"].parsed
                             for bag in pkcs12.SafeContents.load(_unpad(plain))]
    leaf = next(certificate for certificate in certificates if not certificate.ca)
    return NcaTestKey(ax509.Certificate.load(leaf.dump()), key)


def _gost_key(shrouded, password: str) -> GostKey:
    params = shrouded["encryption_algorithm"]["parameters"]
    salt, iterations = params["salt"].native, params["iterations"].native
    decryptor = Cipher(TripleDES(pkcs12_kdf(password, salt, 1, iterations, 24)),
                       modes.CBC(pkcs12_kdf(password, salt, 2, iterations, 8))).decryptor()
    plain = _unpad(decryptor.update(shrouded["encrypted_data"].native) + decryptor.finalize())
    private_key_info = core.Sequence.load(plain)
    # privateKey OCTET STRING wraps another OCTET STRING: the 64-byte little-endian scalar.
    scalar = core.OctetString.load(private_key_info[2].native).native
    return GostKey.from_little_endian(scalar)


def _unpad(data: bytes) -> bytes:
    return data[:-data[-1]]
