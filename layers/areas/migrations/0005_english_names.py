from django.db import migrations

from data.boundaries.names import english_name


def romanise_names(apps, schema_editor):
    """English names of the settlements and rural okrugs already loaded: KATO has none, so
    the Kazakh name romanised (a reload of the reference data writes the same)."""
    for model, rows in (
            ("Settlement", lambda m: m.objects.filter(name_en="")),
            ("AdminArea", lambda m: m.objects.filter(name_en="", level="okrug"))):
        Model = apps.get_model("areas", model)
        unnamed = list(rows(Model).only("id", "name_kk"))
        for row in unnamed:
            row.name_en = english_name(row.name_kk)
        Model.objects.bulk_update(unnamed, ["name_en"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("areas", "0004_settlement_name_search"),
    ]

    operations = [
        migrations.RunPython(romanise_names, migrations.RunPython.noop),
    ]
