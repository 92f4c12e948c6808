"""Key rotation: written under key1, keys become [key2, key1], the command re-encrypts, then
key2 alone reads everything."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from gis_portal.privacy.crypto import DecryptionError
from gis_portal.privacy.rotation import encrypted_columns
from tests.privacy.support import KEY_1, KEY_2, raw_column
from tests.privacy_models.models import PrivateRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_keys(settings):
    """The keys of the run's committed rows (the layers' contract data): the command rotates
    every encrypted column, so they stay readable while the test's own keys change."""
    return list(settings.TZ_PRIVACY_KEYS)


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_privacy_keys", *args, stdout=out)
    return out.getvalue()


def test_every_encrypted_field_is_found():
    labels = {f"{model._meta.label}.{field.name}" for model, field in encrypted_columns()}
    assert {"privacy_models.PrivateRecord.name", "privacy_models.PrivateRecord.phone",
            "privacy_models.PrivateRecord.details",
            "privacy_models.PrivateRecord.scan"} <= labels


def test_rotation_to_a_new_key(settings, session_keys):
    settings.TZ_PRIVACY_KEYS = [KEY_1, *session_keys]
    records = [PrivateRecord.objects.create(name=f"Айгүл {i}", phone=f"+7 701 000 00 0{i}",
                                            details={"i": i}, scan=bytes([i]))
               for i in range(3)]
    empty = PrivateRecord.objects.create()  # NULLs and the default "" are values too
    old_tokens = {r.pk: raw_column(PrivateRecord, "phone", r.pk) for r in records}

    settings.TZ_PRIVACY_KEYS = [KEY_2, KEY_1, *session_keys]
    # Both keys read; new writes go under key2.
    assert PrivateRecord.objects.get(pk=records[0].pk).name == "Айгүл 0"

    dry = run()
    assert "privacy_models.PrivateRecord.phone: 3 values, 3 to re-encrypt" in dry
    assert "privacy_models.PrivateRecord.name: 4 values, 4 to re-encrypt" in dry
    assert "dry run" in dry
    assert raw_column(PrivateRecord, "phone", records[0].pk) == old_tokens[records[0].pk]

    done = run("--commit")
    assert "privacy_models.PrivateRecord.phone: 3 values, 3 re-encrypted" in done
    assert "privacy_models.PrivateRecord.scan: 3 values, 3 re-encrypted" in done
    for record in records:
        token = raw_column(PrivateRecord, "phone", record.pk)
        assert token != old_tokens[record.pk]
        Fernet(KEY_2.encode()).decrypt(token.encode())  # under the new key alone

    again = run("--commit")
    assert "privacy_models.PrivateRecord.phone: 3 values, 0 re-encrypted, 3 already" in again

    settings.TZ_PRIVACY_KEYS = [KEY_2]
    for i, record in enumerate(records):
        fresh = PrivateRecord.objects.get(pk=record.pk)
        assert (fresh.name, fresh.phone, fresh.details, fresh.scan) == (
            f"Айгүл {i}", f"+7 701 000 00 0{i}", {"i": i}, bytes([i]))
    assert PrivateRecord.objects.get(pk=empty.pk).name == ""


def test_unreadable_values_are_reported_and_left_alone(settings):
    settings.TZ_PRIVACY_KEYS = [KEY_1]
    record = PrivateRecord.objects.create(phone="+7 701 111 11 11")
    token = raw_column(PrivateRecord, "phone", record.pk)
    settings.TZ_PRIVACY_KEYS = [KEY_2]  # key1 removed too early
    with pytest.raises(CommandError, match="put the key that wrote them back"):
        run("--commit")
    assert raw_column(PrivateRecord, "phone", record.pk) == token
    with pytest.raises(DecryptionError):
        PrivateRecord.objects.get(pk=record.pk)


def test_reindex_after_the_index_key_changed(settings, session_keys):
    settings.TZ_PRIVACY_KEYS = [KEY_1, *session_keys]
    record = PrivateRecord.objects.create(phone="+7 701 222 22 22")
    blank = PrivateRecord.objects.create()
    settings.TZ_PRIVACY_INDEX_KEY = "a-new-index-key-after-a-suspected-leak-0001"
    assert not PrivateRecord.objects.filter(phone_index__matches="87012222222").exists()

    dry = run("--reindex")
    assert "privacy_models.PrivateRecord.phone_index:" in dry and "1 to recompute" in dry
    assert not PrivateRecord.objects.filter(phone_index__matches="87012222222").exists()

    run("--reindex", "--commit")
    assert PrivateRecord.objects.get(phone_index__matches="87012222222") == record
    assert PrivateRecord.objects.get(pk=blank.pk).phone_index is None
