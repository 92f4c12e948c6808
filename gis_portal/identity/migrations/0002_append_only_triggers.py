from django.db import migrations

TABLES = ("identity_edsverification", "identity_identityauditentry")

FUNCTION = """
CREATE OR REPLACE FUNCTION identity_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit table % is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def triggers(table):
    return (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION identity_refuse_change();")


class Migration(migrations.Migration):
    """The audit is append-only in the database too, not only in the ORM."""

    dependencies = [("identity", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS identity_refuse_change();"),
        *[migrations.RunSQL(triggers(t), f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};")
          for t in TABLES],
    ]
