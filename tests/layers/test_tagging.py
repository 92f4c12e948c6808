"""Area tagging on save: the one code path that ties every feature to its areas."""

import json

import pytest
from django.contrib.gis.geos import Point

from layers.areas.models import AdminArea, Settlement
from layers.core.tagging import tag_rows

pytestmark = pytest.mark.django_db


def test_a_saved_point_is_tagged_with_its_oblast_district_and_okrug():
    settlement = Settlement.objects.create(kato="999999901", name_kk="Сынақ", name_ru="Тест",
                                           geom=Point(77.30, 43.35, srid=4326))
    assert settlement.oblast.kato == "190000000"  # Almaty oblast
    assert settlement.district.level == "district"
    assert settlement.district.parent_id == settlement.oblast.pk
    assert settlement.okrug is not None and settlement.okrug.approximate
    assert settlement.okrug.parent_id == settlement.district.pk


def test_moving_a_point_retags_it():
    settlement = Settlement.objects.create(kato="999999902", name_kk="Сынақ", name_ru="Тест",
                                           geom=Point(77.30, 43.35, srid=4326))
    settlement.geom = Point(80.2275, 50.4111, srid=4326)  # Semey
    settlement.save()
    assert settlement.oblast.kato == "100000000"


def test_a_settlement_without_a_point_is_tagged_from_its_kato_code():
    okrug = AdminArea.objects.filter(generation__is_current=True, level="okrug").first()
    settlement = Settlement.objects.create(kato=okrug.kato[:6] + "999", name_kk="Сынақ",
                                           name_ru="Тест")
    assert settlement.okrug == okrug
    assert settlement.district == okrug.parent
    assert settlement.oblast == okrug.parent.parent


def test_bulk_tagging_matches_tagging_on_save():
    sample = list(Settlement.objects.filter(geom__isnull=False).order_by("pk")[:200]
                  .values_list("pk", "oblast_id", "district_id", "okrug_id"))
    Settlement.objects.filter(pk__in=[s[0] for s in sample]).update(
        oblast=None, district=None, okrug=None)
    assert tag_rows(Settlement, pks=[s[0] for s in sample]) == len(sample)
    again = list(Settlement.objects.filter(pk__in=[s[0] for s in sample]).order_by("pk")
                 .values_list("pk", "oblast_id", "district_id", "okrug_id"))
    assert again == sample


def test_every_geocoded_settlement_is_tagged_with_an_oblast():
    assert not Settlement.objects.filter(geom__isnull=False, oblast__isnull=True).exists()


def test_area_layer_shows_only_the_current_generation(client):
    katos = set()
    url = "/api/layers/areas/?level=oblast&limit=100"
    katos = {f["properties"]["kato"] for f in json.loads(client.get(url).content)["features"]}
    assert len(katos) == 20 and "100000000" in katos  # Abai exists only after the reform
