"""Malformed signatures: thousands of byte-level mutations of a valid CMS must each end as a
verified signer or a typed EdsVerificationError, never another exception; and through the
portal such an input is a 400 with a reason, a counted attempt and an audit row.

The mutations are seeded, so a failure names the seed and the mutation that reproduces it.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from asn1crypto import cms, pem

from gis_portal.identity.eds import EdsVerificationError, EdsVerifier, OfflineRevocationSource

from .conftest import make_challenge
from .eds_cms import Signer, as_pem, build_cms, rsa_signer
from .eds_pki import NOW

SEED = 20260901
MUTATIONS_PER_INPUT = 6000
TIME_BUDGET_SECONDS = 40  # for all inputs together; the loop stops early when it is spent


@dataclass(frozen=True)
class Header:
    """One DER TLV: where its tag and length octets sit, and its content."""

    tag_offset: int
    length_offset: int
    content_offset: int
    content_length: int

    @property
    def end(self) -> int:
        return self.content_offset + self.content_length


def der_headers(der: bytes, start: int = 0, end: int | None = None, depth: int = 0
                ) -> Iterator[Header]:
    """Every TLV of `der`, descending into constructed values and into OCTET/BIT STRINGs
    that hold DER themselves (certificate extensions, the signature's key)."""
    end = len(der) if end is None else end
    offset = start
    while offset < end:
        tag_offset = offset
        tag = der[offset]
        offset += 1
        if tag & 0x1F == 0x1F:  # high tag number form
            while offset < end and der[offset] & 0x80:
                offset += 1
            offset += 1
        if offset >= end:
            return
        length_offset = offset
        first = der[offset]
        offset += 1
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or offset + count > end:
                return
            length = int.from_bytes(der[offset:offset + count], "big")
            offset += count
        if offset + length > end:
            return
        header = Header(tag_offset, length_offset, offset, length)
        yield header
        if depth < 40:
            if tag & 0x20:
                yield from der_headers(der, offset, offset + length, depth + 1)
            elif tag in (0x04, 0x03) and length > 2:
                inner = offset + (1 if tag == 0x03 else 0)
                if der[inner] in (0x30, 0x31, 0x04, 0x02, 0x03, 0x06):
                    try:
                        yield from list(der_headers(der, inner, offset + length, depth + 1))
                    except IndexError:
                        pass
        offset += length


def _length_octets(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _with_length(der: bytes, header: Header, octets: bytes) -> bytes:
    return der[:header.length_offset] + octets + der[header.content_offset:]


def mutate(der: bytes, headers: list[Header], rng: random.Random) -> tuple[str, bytes]:
    """One random mutation of `der`, and a description that reproduces it."""
    kind = rng.choice(("flip", "byte", "truncate", "insert", "delete", "length", "length",
                       "length", "tag", "duplicate", "swap-content"))
    position = rng.randrange(len(der))
    if kind == "flip":
        bit = rng.randrange(8)
        return (f"flip bit {bit} at {position}",
                der[:position] + bytes([der[position] ^ (1 << bit)]) + der[position + 1:])
    if kind == "byte":
        value = rng.randrange(256)
        return (f"byte {value:#04x} at {position}",
                der[:position] + bytes([value]) + der[position + 1:])
    if kind == "truncate":
        return f"truncate to {position}", der[:position]
    if kind == "insert":
        extra = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        return f"insert {extra.hex()} at {position}", der[:position] + extra + der[position:]
    if kind == "delete":
        span = rng.randint(1, 16)
        return f"delete {span} at {position}", der[:position] + der[position + span:]
    header = rng.choice(headers)
    if kind == "length":
        length = header.content_length
        octets = rng.choice([
            _length_octets(max(length - 1, 0)), _length_octets(length + 1),
            _length_octets(length + rng.randint(2, 4096)), _length_octets(0),
            b"\x80",  # indefinite: not DER
            b"\x81" + bytes([length]) if length < 0x100 else b"\x82" + length.to_bytes(2, "big"),
            b"\x84\xff\xff\xff\xff", b"\x89" + bytes(range(1, 10)), b"\xff",
            b"\x82" + length.to_bytes(2, "big") if length < 0x10000 else b"\x80",
        ])
        return (f"length {octets.hex()} at {header.length_offset}",
                _with_length(der, header, octets))
    if kind == "tag":
        value = rng.choice([0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x0C, 0x13, 0x17, 0x18, 0x1F,
                            0x30, 0x31, 0xA0, 0xA1, 0xA3, 0x80, 0xBF, rng.randrange(256)])
        return (f"tag {value:#04x} at {header.tag_offset}",
                der[:header.tag_offset] + bytes([value]) + der[header.tag_offset + 1:])
    if kind == "duplicate":
        element = der[header.tag_offset:header.end]
        return (f"duplicate TLV at {header.tag_offset}",
                der[:header.end] + element + der[header.end:])
    other = rng.choice(headers)
    content = der[other.content_offset:other.end]
    return (f"content of {other.tag_offset} into {header.tag_offset}",
            der[:header.content_offset] + content + der[header.end:])


@dataclass
class Outcome:
    accepted: int = 0
    refused: int = 0
    reasons: set[str] | None = None
    escaped: list[str] | None = None
    # Refusals that only the verifier's last-resort guard turned into a typed error (their
    # details name the exception): the parser should have refused them itself.
    guarded: list[str] | None = None


def run_mutations(verify: Callable[[bytes], object], der: bytes, rng: random.Random, count: int,
                  deadline: float) -> Outcome:
    headers = list(der_headers(der))
    outcome = Outcome(reasons=set(), escaped=[], guarded=[])
    for number in range(count):
        if time.monotonic() > deadline:
            break
        description, mutated = mutate(der, headers, rng)
        try:
            verify(mutated)
        except EdsVerificationError as error:
            outcome.refused += 1
            outcome.reasons.add(error.reason)
            # Certificate extensions are parsed lazily inside the chain validator, whose
            # malformed-data errors are refused as chain_invalid by design; any other guarded
            # refusal means the parser let broken input through.
            if "parse_error" in error.details and error.reason != "chain_invalid":
                outcome.guarded.append(f"#{number} {description}: {error.details}")
        except Exception as error:  # noqa: BLE001 (the point: nothing untyped may escape)
            outcome.escaped.append(f"#{number} {description}: {type(error).__name__}: {error}")
        else:
            outcome.accepted += 1
    return outcome


@pytest.fixture(scope="module")
def fuzz_verifier(rsa_pki) -> EdsVerifier:
    return EdsVerifier(rsa_pki.anchors, rsa_pki.intermediates,
                       OfflineRevocationSource(crls=[rsa_pki.crl_empty]))


def test_the_der_walker_finds_every_element(rsa_pki):
    leaf = rsa_pki.leaves["valid"]
    der = build_cms(b"x", [rsa_signer(leaf.certificate, leaf.key)], signing_time=NOW)
    headers = list(der_headers(der))
    assert headers[0] == Header(0, 1, 4, len(der) - 4)  # ContentInfo, two length octets
    assert len(headers) > 100  # the certificate's names and extensions included


@pytest.mark.parametrize("form", ["detached", "attached"])
def test_mutated_cms_never_escapes_as_an_untyped_error(rsa_pki, fuzz_verifier, form):
    leaf = rsa_pki.leaves["valid"]
    challenge = make_challenge().to_bytes()
    der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)], signing_time=NOW,
                    attached=form == "attached",
                    certificates=[leaf.certificate, *rsa_pki.intermediates])
    assert fuzz_verifier.verify(der, challenge, moment=NOW).iin  # the original is sound

    rng = random.Random(f"{SEED}-{form}")
    outcome = run_mutations(lambda data: fuzz_verifier.verify(data, challenge, moment=NOW),
                            der, rng, MUTATIONS_PER_INPUT,
                            time.monotonic() + TIME_BUDGET_SECONDS / 2)

    assert not outcome.escaped, (f"seed {SEED}-{form}: {len(outcome.escaped)} untyped errors",
                                 outcome.escaped[:10])
    assert not outcome.guarded, (f"seed {SEED}-{form}", outcome.guarded[:10])
    assert outcome.refused + outcome.accepted >= 500  # the budget allowed a real sample
    # The mutations reach deep: parsing, the signature, the digest and the chain all refuse.
    assert {"malformed_input", "bad_signature"} <= outcome.reasons, outcome.reasons


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length_octets(len(content)) + content


def resigned(der: bytes, signer: Signer, attributes_content: bytes) -> bytes:
    """`der` with its signed attributes' content replaced and signed again by the signer's
    real key: malformed data that passes the signature check, as a forger could send.
    Assembled from bytes, so that nothing parses the mutated attributes before the verifier."""
    signed_data = cms.ContentInfo.load(der)["content"]
    info = signed_data["signer_infos"][0]
    signature = signer.sign(tlv(0x31, attributes_content))
    signer_info = tlv(0x30, info["version"].dump() + info["sid"].dump()
                      + info["digest_algorithm"].dump() + tlv(0xA0, attributes_content)
                      + info["signature_algorithm"].dump() + tlv(0x04, signature))
    body = (signed_data["version"].dump() + signed_data["digest_algorithms"].dump()
            + signed_data["encap_content_info"].dump() + signed_data["certificates"].dump()
            + tlv(0x31, signer_info))
    return tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010702")) + tlv(0xA0, tlv(0x30, body)))


def test_mutated_but_signed_attributes_are_refused_typed(rsa_pki, fuzz_verifier):
    """Mutations inside the signed attributes, each signed again with the signer's key: the
    signature verifies, so the malformed values reach the attribute, digest and signing-time
    checks behind it."""
    leaf = rsa_pki.leaves["valid"]
    signer = rsa_signer(leaf.certificate, leaf.key)
    challenge = make_challenge().to_bytes()
    der = build_cms(challenge, [signer], signing_time=NOW)
    attributes = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["signed_attrs"]
    content = attributes.contents
    assert fuzz_verifier.verify(resigned(der, signer, content), challenge, moment=NOW).iin

    rng = random.Random(f"{SEED}-attributes")
    headers = list(der_headers(content))
    escaped, guarded, reasons = [], [], set()
    deadline = time.monotonic() + TIME_BUDGET_SECONDS / 4
    for number in range(MUTATIONS_PER_INPUT // 2):
        if time.monotonic() > deadline:
            break
        description, mutated = mutate(content, headers, rng)
        try:
            fuzz_verifier.verify(resigned(der, signer, mutated), challenge, moment=NOW)
        except EdsVerificationError as error:
            reasons.add(error.reason)
            if "parse_error" in error.details:
                guarded.append(f"#{number} {description}: {error.details}")
        except Exception as error:  # noqa: BLE001
            escaped.append(f"#{number} {description}: {type(error).__name__}: {error}")
    assert not escaped, (f"seed {SEED}-attributes", escaped[:10])
    assert not guarded, (f"seed {SEED}-attributes", guarded[:10])
    assert "bad_signed_attributes" in reasons, reasons


@pytest.mark.parametrize("signing_time", [
    b"\x18\x0e20260901090000",  # GeneralizedTime without a zone: a naive datetime
    b"\x18\x0f00000101000000Z",  # year 0: asn1crypto's extended_datetime
], ids=["no-zone", "year-zero"])
def test_a_signed_signing_time_that_is_no_moment_is_refused(rsa_pki, fuzz_verifier,
                                                             signing_time):
    leaf = rsa_pki.leaves["valid"]
    signer = rsa_signer(leaf.certificate, leaf.key)
    challenge = make_challenge().to_bytes()
    der = build_cms(challenge, [signer], signing_time=NOW)
    content = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["signed_attrs"].contents
    def attribute(time_value: bytes) -> bytes:
        return tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010905")) + tlv(0x31, time_value))

    original = attribute(b"\x17\x0d" + NOW.strftime("%y%m%d%H%M%SZ").encode())
    assert content.count(original) == 1
    forged = resigned(der, signer, content.replace(original, attribute(signing_time)))
    with pytest.raises(EdsVerificationError) as caught:
        fuzz_verifier.verify(forged, challenge, moment=NOW)
    assert caught.value.reason == "bad_signed_attributes"


@pytest.mark.parametrize("form", ["detached", "attached"])
def test_every_length_field_edited_is_refused_by_the_parser(rsa_pki, fuzz_verifier, form):
    """Deterministic: each TLV's length set to 0, one less, one more, and indefinite. An
    empty BIT STRING inside a certificate once escaped the parser as an IndexError."""
    leaf = rsa_pki.leaves["valid"]
    challenge = make_challenge().to_bytes()
    der = build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)], signing_time=NOW,
                    attached=form == "attached")
    escaped, guarded = [], []
    for header in der_headers(der):
        for length in (b"\x00", _length_octets(max(header.content_length - 1, 0)),
                       _length_octets(header.content_length + 1), b"\x80"):
            try:
                fuzz_verifier.verify(_with_length(der, header, length), challenge, moment=NOW)
            except EdsVerificationError as error:
                if "parse_error" in error.details:
                    guarded.append(f"{length.hex()} at {header.length_offset}: {error.details}")
            except Exception as error:  # noqa: BLE001
                escaped.append(f"{length.hex()} at {header.length_offset}: "
                               f"{type(error).__name__}")
    assert not escaped, escaped[:10]
    assert not guarded, guarded[:10]


def test_mutated_pem_and_base64_text_is_refused_typed(rsa_pki, fuzz_verifier):
    leaf = rsa_pki.leaves["valid"]
    challenge = make_challenge().to_bytes()
    text = as_pem(build_cms(challenge, [rsa_signer(leaf.certificate, leaf.key)],
                            signing_time=NOW))
    assert pem.detect(text)
    rng = random.Random(f"{SEED}-pem")
    escaped = []
    for number in range(300):
        position = rng.randrange(len(text))
        mutated = text[:position] + bytes([rng.randrange(256)]) + text[position + 1:]
        try:
            fuzz_verifier.verify(mutated, challenge, moment=NOW)
        except EdsVerificationError:
            pass
        except Exception as error:  # noqa: BLE001
            escaped.append(f"#{number} byte at {position}: {type(error).__name__}")
    assert not escaped, escaped[:10]


# --- through the portal: a malformed but signed CMS is a 400, counted and audited -------------


@pytest.fixture
def eds_portal(settings, rsa_pki, gost_pki, tmp_path):
    from .eds_portal import write_trust_files

    for name, value in write_trust_files(tmp_path, [rsa_pki, gost_pki]).settings().items():
        setattr(settings, name, value)
    settings.EDS_SITE_ORIGIN = "https://tuganzher.test"
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize(("forgery", "reason"), [
    ("no-zone-signing-time", "bad_signed_attributes"),
    ("flipped-length", "malformed_input"),
])
def test_a_malformed_cms_through_the_portal_is_a_counted_audited_400(eds_portal, client,
                                                                     rsa_pki, forgery, reason):
    from gis_portal.identity.models import EdsChallenge, EdsVerification, IdentityAuditEntry
    from tests.accounts.factories import UserFactory

    from .eds_portal import CHALLENGES, content_of

    user = UserFactory()
    client.force_login(user)
    response = client.post(CHALLENGES, {}, content_type="application/json")
    assert response.status_code == 201, response.content
    challenge = response.json()
    content = content_of(challenge)
    leaf = rsa_pki.leaves["valid"]
    signer = rsa_signer(leaf.certificate, leaf.key)
    signed_at = EdsChallenge.objects.get(pk=challenge["id"]).created_at
    der = build_cms(content, [signer], signing_time=signed_at)
    if forgery == "no-zone-signing-time":
        attributes = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["signed_attrs"]
        utc_time = b"\x17\x0d" + signed_at.strftime("%y%m%d%H%M%SZ").encode()
        no_zone = b"\x18\x0e" + signed_at.strftime("%Y%m%d%H%M%S").encode()
        old_attribute = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010905"))
                            + tlv(0x31, utc_time))
        new_attribute = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010905"))
                            + tlv(0x31, no_zone))
        der = resigned(der, signer, attributes.contents.replace(old_attribute, new_attribute))
    else:
        header = list(der_headers(der))[3]  # inside the SignedData
        der = _with_length(der, header, _length_octets(header.content_length + 7))

    response = client.post(f"{CHALLENGES}/{challenge['id']}/verify",
                           {"cms": as_pem(der).decode("ascii")},
                           content_type="application/json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["reason"] == reason and body["error"]
    assert EdsChallenge.objects.get(pk=challenge["id"]).attempts == 1
    verification = EdsVerification.objects.get(user=user)
    assert (verification.result, verification.failure_code) == ("failed", reason)
    failed = IdentityAuditEntry.objects.get(actor=user, event=IdentityAuditEntry.Event.EDS_FAILED)
    assert failed.verification == verification and failed.detail == reason
