"""Keys and a raw-column reader shared by the privacy tests."""

import base64

# Fixed keys, so a failure is reproducible; neither is the development default.
KEY_1 = base64.urlsafe_b64encode(b"tests-privacy-key-number-one-32b").decode()
KEY_2 = base64.urlsafe_b64encode(b"tests-privacy-key-number-two-32b").decode()


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
