"""The controlled lists the akimat starts from (and extends in the admin)."""

from django.db import migrations

KINDS = [
    ("treatment", "Емделу", "Лечение", "Treatment"),
    ("medicines", "Дәрі-дәрмек", "Лекарства", "Medicines"),
    ("repairs", "Үй жөндеу", "Ремонт жилья", "Home repairs"),
    ("clothing", "Киім-кешек", "Одежда", "Clothing"),
    ("firewood", "Отын мен көмір", "Дрова и уголь", "Firewood and coal"),
    ("food", "Азық-түлік", "Продукты питания", "Food"),
    ("school", "Мектепке дайындық", "Подготовка к школе", "School supplies"),
    ("legal", "Заң кеңесі", "Юридическая консультация", "Legal advice"),
    ("household", "Үй шаруасына көмек", "Помощь по хозяйству", "Help around the house"),
    ("transport", "Көлік", "Транспорт", "Transport"),
]

FAMILY = [
    ("disabled", "Мүгедектігі бар адам", "Человек с инвалидностью", "Person with a disability"),
    ("single_mother", "Жалғызбасты ана", "Мать-одиночка", "Single mother"),
    ("large_family", "Көпбалалы отбасы", "Многодетная семья", "Large family"),
    ("lonely_pensioner", "Жалғыз тұратын зейнеткер", "Одиноко проживающий пенсионер",
     "Pensioner living alone"),
    ("low_income", "Аз қамтылған отбасы", "Малообеспеченная семья", "Low-income family"),
    ("orphan", "Жетім бала", "Ребёнок-сирота", "Orphan"),
    ("veteran", "Ардагер", "Ветеран", "Veteran"),
]


def seed(apps, schema_editor):
    for model_name, rows in (("HelpKind", KINDS), ("FamilySituation", FAMILY)):
        model = apps.get_model("help", model_name)
        for position, (code, kk, ru, en) in enumerate(rows):
            model.objects.update_or_create(code=code, defaults={
                "name_kk": kk, "name_ru": ru, "name_en": en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("help", "0001_help_requests")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
