from django.db import migrations, models

from data.boundaries.names import other_names, settlement_search_key, shown_former_names


def name_renamed_towns(apps, schema_editor):
    """The renamed towns already loaded get their former names and the search keys that
    include them (a reload of the reference data writes the same)."""
    Settlement = apps.get_model("areas", "Settlement")
    renamed = [kato for kato in
               Settlement.objects.values_list("kato", flat=True) if other_names(kato)]
    rows = list(Settlement.objects.filter(kato__in=renamed).only("id", "kato", "name_kk",
                                                                  "name_ru"))
    for row in rows:
        row.former_names = shown_former_names(row.kato)
        row.name_search = settlement_search_key(row.kato, row.name_kk, row.name_ru)
    Settlement.objects.bulk_update(rows, ["former_names", "name_search"])


class Migration(migrations.Migration):

    dependencies = [
        ("areas", "0005_english_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="settlement",
            name="former_names",
            field=models.CharField(blank=True, default="", editable=False, max_length=300,
                                   verbose_name="former names"),
        ),
        migrations.RunPython(name_renamed_towns, migrations.RunPython.noop),
    ]
