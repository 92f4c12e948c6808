from django.db import migrations

# The programme's directions, and which of them answer each kind of help.
DIRECTIONS = [
    ("consulting", "Кеңес беру", "Консультирование", "Consulting"),
    ("teaching", "Оқыту", "Обучение", "Teaching"),
    ("physical", "Физикалық көмек", "Физическая помощь", "Physical help"),
    ("transport", "Адамдарды тегін тасымалдау", "Бесплатная перевозка людей",
     "Free transport of people"),
    ("care", "Қарттар мен науқастарға күтім", "Уход за пожилыми и больными",
     "Care for the elderly and sick"),
    ("collection", "Заттар мен азық-түлік жинау", "Сбор вещей и продуктов",
     "Collecting goods and food"),
]
KIND_DIRECTIONS = [
    ("treatment", "care"), ("treatment", "transport"),
    ("medicines", "transport"), ("medicines", "care"),
    ("repairs", "physical"),
    ("clothing", "collection"),
    ("firewood", "physical"), ("firewood", "collection"),
    ("food", "collection"), ("food", "transport"),
    ("school", "teaching"), ("school", "collection"),
    ("legal", "consulting"),
    ("household", "physical"), ("household", "care"),
    ("transport", "transport"),
]


def load(apps, schema_editor):
    Direction = apps.get_model("volunteers", "Direction")
    KindDirection = apps.get_model("volunteers", "KindDirection")
    HelpKind = apps.get_model("help", "HelpKind")
    for position, (code, kk, ru, en) in enumerate(DIRECTIONS):
        Direction.objects.update_or_create(code=code, defaults={
            "name_kk": kk, "name_ru": ru, "name_en": en, "position": position})
    kinds = set(HelpKind.objects.values_list("code", flat=True))
    for kind, direction in KIND_DIRECTIONS:
        if kind in kinds:
            KindDirection.objects.get_or_create(kind_id=kind, direction_id=direction)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_volunteer_corps"), ("help", "0002_initial_lists")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
