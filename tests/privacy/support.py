"""Keys and a raw-column reader shared by the privacy tests."""

import base64
import hashlib

# Fixed keys, so a failure is reproducible; neither is the development default. Derived by a
# hash so both halves differ: Fernet signs with the first 16 bytes and encrypts with the last
# 16, and two keys sharing the signing half would let one "open" the other's tokens into
# garbage whenever the wrong-key padding happens to look valid.
KEY_1 = base64.urlsafe_b64encode(hashlib.sha256(b"tests privacy key 1").digest()).decode()
KEY_2 = base64.urlsafe_b64encode(hashlib.sha256(b"tests privacy key 2").digest()).decode()


def raw_column(model, field_name: str, pk) -> str | None:
    """The stored text of one column, read past the field's decryption."""
    from django.db import connection

    meta = model._meta
    column = meta.get_field(field_name).column
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} = %s",
                       [pk])
        return cursor.fetchone()[0]
