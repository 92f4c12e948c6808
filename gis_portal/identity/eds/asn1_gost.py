"""Let asn1crypto parse certificates whose public key is a Kazakh GOST key.

asn1crypto picks the parser of a SubjectPublicKeyInfo from a fixed table of algorithm OIDs
and raises KeyError for the NCA's 1.2.398.3.10.* keys, so no NCA GOST certificate, CRL
issuer or OCSP responder could be read (design/eds.md A5). The shim keeps such keys as
opaque bytes; the GOST code decodes them itself.

pyhanko-certvalidator 0.33 wraps the same private hook when imported (to carry ML-DSA
keys, making every unknown key opaque as a side effect). This shim is installed after it,
wraps whatever hook is current, and does not depend on that side effect. Both touch a
private asn1crypto attribute, so asn1crypto (1.5.1) and pyhanko-certvalidator are pinned.
"""

import pyhanko_certvalidator.asn1_types  # noqa: F401 (patches the hook at import: go after it)
from asn1crypto import keys

from . import oids

_MARK = "_tugan_zher_kz_gost"


def install() -> None:
    """Install the shim once per process; later calls are no-ops."""
    callbacks = keys.PublicKeyInfo._spec_callbacks
    current = callbacks["public_key"]
    if getattr(current, _MARK, False):
        return

    def public_key_spec(info: keys.PublicKeyInfo):
        if info["algorithm"]["algorithm"].dotted.startswith(oids.KZ_GOST_ARC):
            return (keys.OctetBitString, None)
        return current(info)

    setattr(public_key_spec, _MARK, True)
    callbacks["public_key"] = public_key_spec
