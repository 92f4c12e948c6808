"""Object identifiers of NCA RK keys, signatures and key purposes (design/eds.md A2, A3)."""

# Kazakh GOST arc: every NCA GOST key and signature algorithm lives under it (2004 and 2015).
KZ_GOST_ARC = "1.2.398.3.10.1.1."

GOST2015_KEY = "1.2.398.3.10.1.1.2.2"
GOST2015_512_CURVE = "1.2.398.3.10.1.1.2.2.1"
GOST2015_512_SIGNATURE = "1.2.398.3.10.1.1.2.3.2"
STREEBOG_512 = "1.2.398.3.10.1.3.3"

RSA_KEY = "1.2.840.113549.1.1.1"  # rsaEncryption; CMS producers also put it in SignerInfo
SHA256_WITH_RSA = "1.2.840.113549.1.1.11"
SHA256 = "2.16.840.1.101.3.4.2.1"

# Extended key usage: who the key belongs to and what it is for.
EKU_INDIVIDUAL = "1.2.398.3.3.4.1.1"
EKU_LEGAL_ENTITY = "1.2.398.3.3.4.1.2"  # any employee; sub-arcs .1–.6 name the role
EKU_SIGN = "1.3.6.1.5.5.7.3.4"  # emailProtection marks an NCA signing key
EKU_AUTH = "1.3.6.1.5.5.7.3.2"  # clientAuth marks an NCA authentication key
