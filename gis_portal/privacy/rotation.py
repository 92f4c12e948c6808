"""Re-encryption of every encrypted column under the newest key (rotate_privacy_keys), and
the recomputation of blind indexes after TZ_PRIVACY_INDEX_KEY changed (--reindex).

Works on the raw tokens with SQL, one batch of rows per transaction, so it needs no model
code beyond the field classes and never holds decrypted values longer than one row. A row
written meanwhile by the portal is left as it is (the UPDATE compares the old token), and it
is under the newest key already.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from . import crypto
from .fields import BlindIndexField, EncryptedField

BATCH_SIZE = 500


@dataclass
class ColumnReport:
    label: str  # app_label.Model.field
    rows: int = 0  # non-NULL values
    reencrypted: int = 0  # under an older key: rewritten (or would be, in a dry run)
    current: int = 0  # already under the newest key
    unreadable: int = 0  # under no configured key: left untouched


@dataclass
class IndexReport:
    label: str  # app_label.Model.field of the index
    rows: int = 0
    recomputed: int = 0  # differed from the current key's index: rewritten (or would be)
    current: int = 0


def encrypted_columns():
    """(model, field) of every EncryptedField of every installed model with its own table."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or meta.swapped or not meta.managed:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, EncryptedField):
                yield model, field


def blind_index_columns():
    """(model, field) of every BlindIndexField of every installed model with its own table."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or meta.swapped or not meta.managed:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, BlindIndexField):
                yield model, field


def rotate_column(model, field, *, commit: bool) -> ColumnReport:
    report = ColumnReport(f"{model._meta.label}.{field.name}")
    qn = connection.ops.quote_name
    table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
    base = f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL"
    first_batch = f"{base} ORDER BY {pk} LIMIT {BATCH_SIZE}"
    next_batch = f"{base} AND {pk} > %s ORDER BY {pk} LIMIT {BATCH_SIZE}"
    update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"
    last = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            if last is None:
                cursor.execute(first_batch)
            else:
                cursor.execute(next_batch, [last])
            rows = cursor.fetchall()
            for row_pk, token in rows:
                report.rows += 1
                if crypto.is_under_newest_key(token):
                    report.current += 1
                    continue
                try:
                    new_token = crypto.reencrypt(token, report.label)
                except crypto.DecryptionError:
                    report.unreadable += 1
                    continue
                report.reencrypted += 1
                if commit:
                    cursor.execute(update, [new_token, row_pk, token])
        if len(rows) < BATCH_SIZE:
            return report
        last = rows[-1][0]


def rotate_all(*, commit: bool) -> list[ColumnReport]:
    return [rotate_column(model, field, commit=commit) for model, field in encrypted_columns()]


def reindex_column(model, field: BlindIndexField, *, commit: bool) -> IndexReport:
    """Recompute one blind index from its (decrypted) source under the current index key.
    A source no key opens raises DecryptionError: rotate the encryption keys first."""
    report = IndexReport(f"{model._meta.label}.{field.name}")
    manager = model._base_manager
    rows = manager.order_by("pk").only("pk", field.source, field.attname)
    last = None
    while True:
        batch = list((rows if last is None else rows.filter(pk__gt=last))[:BATCH_SIZE])
        with transaction.atomic():
            for obj in batch:
                report.rows += 1
                index = field.index_for(getattr(obj, field.source))
                if index == getattr(obj, field.attname):
                    report.current += 1
                    continue
                report.recomputed += 1
                if commit:
                    manager.filter(pk=obj.pk).update(**{field.attname: index})
        if len(batch) < BATCH_SIZE:
            return report
        last = batch[-1].pk


def reindex_all(*, commit: bool) -> list[IndexReport]:
    return [reindex_column(model, field, commit=commit) for model, field in blind_index_columns()]
