"""Encrypted fields on real PostGIS: round trips, no plaintext in the table, typed errors."""

import json

import pytest
from cryptography.fernet import Fernet
from django.core import checks, serializers
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.writer import MigrationWriter

from gis_portal.privacy.crypto import DecryptionError
from gis_portal.privacy.fields import (
    BlindIndexField,
    EncryptedLookupError,
    EncryptedTextField,
)
from tests.privacy.support import KEY_1, KEY_2, raw_column
from tests.privacy_models.models import PrivateRecord

pytestmark = pytest.mark.django_db

NAME = "Әсел Ёрмекқызы"
PHONE = "+7 701 234 56 78"
DETAILS = {"needs": ["отын", "дәрі"], "household": 4, "note": "үйге жету қиын"}
SCAN = b"\x00\x01binary\xffscan"


@pytest.fixture
def key1_only(settings):
    settings.TZ_PRIVACY_KEYS = [KEY_1]
    return settings


def test_round_trip_of_every_kind(key1_only):
    record = PrivateRecord.objects.create(name=NAME, phone=PHONE, details=DETAILS, scan=SCAN)
    fresh = PrivateRecord.objects.get(pk=record.pk)
    assert fresh.name == NAME
    assert fresh.phone == PHONE
    assert fresh.details == DETAILS
    assert fresh.scan == SCAN
    assert isinstance(fresh.scan, bytes)


def test_nulls_stay_null_and_isnull_filters(key1_only):
    empty = PrivateRecord.objects.create()
    full = PrivateRecord.objects.create(phone=PHONE)
    assert raw_column(PrivateRecord, "phone", empty.pk) is None
    assert PrivateRecord.objects.get(pk=empty.pk).phone is None
    assert list(PrivateRecord.objects.filter(phone__isnull=True, pk__in=[empty.pk, full.pk])) == [empty]
    assert list(PrivateRecord.objects.filter(phone__isnull=False, pk__in=[empty.pk, full.pk])) == [full]
    assert PrivateRecord.objects.get(pk=empty.pk).phone_index is None


def test_the_table_holds_no_plaintext(key1_only):
    record = PrivateRecord.objects.create(name=NAME, phone=PHONE, details=DETAILS, scan=SCAN)
    stored = {name: raw_column(PrivateRecord, name, record.pk)
              for name in ("name", "phone", "details", "scan")}
    for name, token in stored.items():
        assert token.startswith("gAAAAA"), name  # a Fernet token (version byte 0x80)
        assert Fernet(KEY_1.encode()).decrypt(token.encode())  # under the configured key
    assert "Әсел" not in stored["name"] and "701" not in stored["phone"]
    assert "отын" not in stored["details"] and "binary" not in stored["scan"]
    # No other column carries the value either (the blind index is a keyed hash).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {PrivateRecord._meta.db_table} WHERE id = %s", [record.pk])
        row_text = " ".join(str(value) for value in cursor.fetchone())
    for fragment in ("Әсел", "2345678", "701 234", "отын", "binary"):
        assert fragment not in row_text


def test_equal_values_give_different_tokens(key1_only):
    a = PrivateRecord.objects.create(name=NAME)
    b = PrivateRecord.objects.create(name=NAME)
    assert raw_column(PrivateRecord, "name", a.pk) != raw_column(PrivateRecord, "name", b.pk)


@pytest.mark.parametrize("lookup", [
    {"phone": PHONE}, {"phone__icontains": "701"}, {"phone__startswith": "+7"},
    {"phone__in": [PHONE]}, {"name__exact": NAME}, {"details__needs": "отын"},
])
def test_content_lookups_raise_a_clear_error(key1_only, lookup):
    with pytest.raises(EncryptedLookupError, match="encrypted") as info:
        list(PrivateRecord.objects.filter(**lookup))
    assert isinstance(info.value, FieldError)
    assert "701" not in str(info.value) and "Әсел" not in str(info.value)


def test_wrong_key_raises_a_typed_error_naming_the_column_not_the_value(settings):
    settings.TZ_PRIVACY_KEYS = [KEY_1]
    record = PrivateRecord.objects.create(phone=PHONE)
    settings.TZ_PRIVACY_KEYS = [KEY_2]
    with pytest.raises(DecryptionError) as info:
        PrivateRecord.objects.only("phone").get(pk=record.pk)
    message = str(info.value)
    assert "privacy_models.PrivateRecord.phone" in message
    assert "701" not in message and "gAAAA" not in message


def test_altered_token_raises_the_typed_error(key1_only):
    record = PrivateRecord.objects.create(phone=PHONE)
    token = raw_column(PrivateRecord, "phone", record.pk)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PrivateRecord._meta.db_table} SET phone = %s WHERE id = %s",
                       [tampered, record.pk])
    with pytest.raises(DecryptionError):
        PrivateRecord.objects.get(pk=record.pk)


def test_blind_index_fills_on_save_finds_and_deduplicates(key1_only):
    record = PrivateRecord.objects.create(phone="8 (701) 234-56-78")
    assert len(record.phone_index) == 64
    assert PrivateRecord.objects.get(phone_index__matches="+77012345678") == record
    assert not PrivateRecord.objects.filter(phone_index__matches="+77012345679").exists()
    field = PrivateRecord._meta.get_field("phone_index")
    assert PrivateRecord.objects.get(phone_index=field.index_for("7012345678")) == record
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivateRecord.objects.create(phone="+7 701 234 56 78")
    # A changed phone changes the index on save.
    record.phone = "+7 702 000 00 00"
    record.save()
    assert PrivateRecord.objects.get(phone_index__matches="87020000000") == record


def test_serialisers_round_trip_the_plain_values(key1_only):
    """dumpdata/loaddata: the fixture holds decrypted values (it is personal data), and
    loading it encrypts them again."""
    record = PrivateRecord.objects.create(name=NAME, phone=PHONE, details=DETAILS, scan=SCAN)
    pk = record.pk
    dumped = serializers.serialize("json", [record])
    assert NAME in json.loads(dumped)[0]["fields"]["name"]
    record.delete()
    for obj in serializers.deserialize("json", dumped):
        obj.save()
    fresh = PrivateRecord.objects.get(pk=pk)
    assert (fresh.name, fresh.phone, fresh.details, fresh.scan) == (NAME, PHONE, DETAILS, SCAN)
    assert raw_column(PrivateRecord, "phone", pk).startswith("gAAAAA")


def test_fields_deconstruct_for_migrations():
    for name in ("name", "phone", "phone_index", "details", "scan"):
        field = PrivateRecord._meta.get_field(name)
        _, path, args, kwargs = field.deconstruct()
        rebuilt = type(field)(*args, **kwargs)
        assert rebuilt.deconstruct()[1:] == (path, args, kwargs)
        MigrationWriter.serialize(field)  # raises when a field cannot be written to a migration
    _, _, _, kwargs = PrivateRecord._meta.get_field("phone_index").deconstruct()
    assert kwargs == {"source": "phone", "purpose": "tests.phone", "normaliser": "phone"}


def test_unique_or_indexed_encrypted_field_is_refused_by_checks():
    class Refused(models.Model):
        secret = EncryptedTextField(unique=True)
        other = EncryptedTextField(db_index=True)
        index = BlindIndexField(source="missing", purpose="tests.x")

        class Meta:
            app_label = "privacy_models"

        def __str__(self):
            return "refused"

    try:
        ids = {error.id for error in Refused.check() if isinstance(error, checks.Error)}
        assert {"privacy.E001", "privacy.E002"} <= ids
    finally:
        from django.apps import apps

        del apps.all_models["privacy_models"]["refused"]
        apps.clear_cache()
