"""Name normalisation, population parsing and KATO arithmetic (no database)."""

import pytest

from data.boundaries.importers.places import parse_population
from data.boundaries.kato import (
    district_kind_from_code,
    district_of,
    okrug_kind,
    okrug_of,
    settlement_kind,
)
from data.boundaries.names import english_name, latin_key, normalise, search_key


@pytest.mark.parametrize("kato_name, osm_name", [
    ("с.Ақсу", "Аксу"),
    ("Ақсу а.", "Аксу"),
    ("Қарабұлақ а.", "Карабулак"),
    ("с.Жаңа-Талап", "Жана Талап"),
    ("зимовка Тазоба", "Тазоба"),
    ("Тазоба қыстауы", "Тазоба"),
    ("с.им.Абая", "имени Абая"),
    ("Көмекбаев атын.а.", "Комекбаев"),
    ("с.Алёшино", "Алешино"),
    ("г.Экибастуз", "Екібастұз"),
    ("с.«Жұлдыз»", "Жулдыз"),
    ("Aршалы", "Аршалы"),  # a Latin "A" typed into a Cyrillic name
])
def test_spellings_meet(kato_name, osm_name):
    assert normalise(kato_name) == normalise(osm_name)


def test_different_names_stay_different():
    assert normalise("с.Ақсу") != normalise("с.Ақсуат")
    assert normalise("Кызылжар") != normalise("Кызылжар 2")
    assert normalise(None) is None and normalise("  ") is None and normalise("с.") is None


@pytest.mark.parametrize("kato_kk, kato_ru, typed", [
    ("Алматы қ.", "г.Алматы", "Almaty"),
    ("Қарағанды қ.", "г.Караганда", "Qaraghandy"),  # BGN/PCGN romanisation of the Kazakh
    ("Қарағанды қ.", "г.Караганда", "Karaganda"),   # the Russian name in English
    ("Қарағанды қ.", "г.Караганда", "karagandy"),
    ("Өскемен қ.", "г.Усть-Каменогорск", "Öskemen"),
    ("Өскемен қ.", "г.Усть-Каменогорск", "Ust-Kamenogorsk"),
    ("Орал қ.", "г.Уральск", "Uralsk"),
    ("Ақтөбе қ.", "г.Актобе", "Aqtöbe"),
    ("Жаңаөзен қ.", "г.Жанаозен", "Zhangaozen"),
    ("Түркістан қ.", "г.Туркестан", "Turkestan"),
])
def test_a_place_is_found_by_its_names_in_latin_letters(kato_kk, kato_ru, typed):
    assert latin_key(typed) in search_key(kato_kk, kato_ru).split("|")


def test_search_keys_are_letters_only_and_never_empty_strings():
    assert search_key("Ақсу а.", "с.Аксу") == "aksu"
    assert search_key(None, "с.") == ""
    assert "|" in search_key("Өскемен қ.", "г.Усть-Каменогорск")


@pytest.mark.parametrize("kato_kk, english", [
    ("Алматы қ.", "Almaty"),                # a city's marker goes: its kind says it
    ("Қарағанды қ.", "Karagandy"),          # k, g, n as the oblast's English name has them
    ("Жаңаөзен қ.", "Zhanaozen"),
    ("Өскемен қ.", "Oskemen"),
    ("Семейтау 3 а.", "Semeytau 3"),
    ("Абай атын.а.", "Abay"),
    ("Ақбұлақ ст.", "Akbulak station"),
    ("Қараауыл а.о.", "Karaauyl rural okrug"),
    ("Ақсу а.ә", "Aksu village administration"),  # "а.ә" without its last dot
    ("Новображенка ж.", "Novobrazhenka pasture"),
    ("Көкшетау қыстауы", "Kokshetau kystauy"),  # a generic word is romanised with the name
    ("  ", ""),
])
def test_english_names_are_the_kazakh_names_romanised(kato_kk, english):
    assert english_name(kato_kk) == english


@pytest.mark.parametrize("raw, expected", [
    ("1234", 1234), ("1 234", 1234), ("~500", 500), ("1200;1300", 1200), ("about", None),
    (None, None), (float("nan"), None), ("99999999999", None),
])
def test_population(raw, expected):
    assert parse_population(raw) == expected


def test_kato_arithmetic_and_kinds():
    assert district_of("103433106") == "103400000"
    assert district_of("711110000") == "711110000"  # Astana's districts sit one level lower
    assert okrug_of("103433106") == "103433000"
    assert district_kind_from_code("111000000") == "Г.А."
    assert district_kind_from_code("113200000") == "район"
    assert okrug_kind("Карааульский с.о.") == "с.о."
    assert okrug_kind("с.о Кенгирбайбийский") == "с.о."
    assert okrug_kind("Чаганская п.а.") == "п.а."
    assert okrug_kind("г.Семей") == "г."
    assert settlement_kind("с.Аксирак") == "с."
    assert settlement_kind("зимовка Омар") == "зимовка"
    assert settlement_kind("Откормпункт") == ""
