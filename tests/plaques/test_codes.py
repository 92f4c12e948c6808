"""Short codes: one per object, made once and never changed, unique, from the safe alphabet,
and not derived from the object's id; concurrent creation and code collisions are absorbed by
the database's unique constraints."""

import re

import pytest
from django.db import IntegrityError, transaction

from gis_portal.plaques import actions
from gis_portal.plaques.models import CODE_ALPHABET, CODE_LENGTH, Plaque
from layers.areas.models import Settlement
from tests.accounts.factories import UserFactory

from .helpers import settlement_layer, small_okrug_settlements

pytestmark = pytest.mark.django_db
CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def test_a_plaque_is_made_once_and_keeps_its_code():
    layer = settlement_layer()
    settlement = small_okrug_settlements()[0]
    user = UserFactory()
    first = actions.plaque_for(layer=layer, obj=settlement, user=user)
    again = actions.plaque_for(layer=layer, obj=settlement)
    assert again.pk == first.pk and again.code == first.code
    assert CODE_PATTERN.match(first.code)
    assert first.created_by == user and first.layer == "settlements"
    assert first.object_id == settlement.pk
    assert first.short_url == f"http://127.0.0.1:8000/p/{first.code}"
    assert Plaque.objects.filter(layer="settlements", object_id=settlement.pk).count() == 1


def test_codes_are_unique_random_and_without_look_alikes():
    layer = settlement_layer()
    settlements = list(Settlement.objects.order_by("pk")[:200])
    plaques = actions.plaques_for(layer=layer, objects=settlements)
    codes = [plaques[s.pk].code for s in settlements]
    assert len(set(codes)) == len(codes) == 200
    assert all(CODE_PATTERN.match(code) for code in codes)
    assert not set("".join(codes)) & set("0O1IL2Z5S8B")
    # Neighbouring ids do not give neighbouring codes: codes cannot be walked.
    assert sorted(codes) != codes
    assert len({code[:3] for code in codes}) > 150


def test_the_database_refuses_a_second_plaque_for_an_object_and_a_reused_code():
    settlement = small_okrug_settlements()[0]
    plaque = actions.plaque_for(layer=settlement_layer(), obj=settlement)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plaque.objects.create(code="AAAAAAA", layer="settlements", object_id=settlement.pk)
    other = small_okrug_settlements()[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        Plaque.objects.create(code=plaque.code, layer="settlements", object_id=other.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plaque.objects.create(code="0OIL123", layer="settlements", object_id=other.pk)


def test_a_plaque_made_meanwhile_by_another_request_is_the_one_returned(monkeypatch):
    """Two requests ask at once: both miss the row, both insert; the second insert is skipped
    by the unique constraint and both get the first request's plaque."""
    layer = settlement_layer()
    settlement = small_okrug_settlements()[0]
    real_existing = actions._existing
    calls = []

    def racing_existing(layer_, object_ids):
        calls.append(1)
        if len(calls) == 1:  # the other request inserts right after our first look
            Plaque.objects.create(code="RACEWAY", layer="settlements", object_id=settlement.pk)
            return {}
        return real_existing(layer_, object_ids)

    monkeypatch.setattr(actions, "_existing", racing_existing)
    plaque = actions.plaque_for(layer=layer, obj=settlement)
    assert plaque.code == "RACEWAY"
    assert Plaque.objects.filter(object_id=settlement.pk, layer="settlements").count() == 1


def test_a_code_already_taken_is_drawn_again(monkeypatch):
    layer = settlement_layer()
    first, second = small_okrug_settlements()[:2]
    taken = actions.plaque_for(layer=layer, obj=first).code
    draws = iter([taken, "FRECH34"])
    monkeypatch.setattr(actions, "new_code", lambda: next(draws))
    assert actions.plaque_for(layer=layer, obj=second).code == "FRECH34"
    assert Plaque.objects.get(code=taken).object_id == first.pk


def test_only_layers_that_offer_plaques_have_them():
    from layers.core.registry import layer_registry

    areas_layer = layer_registry.get("areas")
    assert areas_layer.plaques is False
    with pytest.raises(actions.NotFound) as refused:
        actions.plaque_layer("areas")
    assert refused.value.status == 404
    with pytest.raises(actions.NotFound):
        actions.plaques_for(layer=areas_layer, objects=[])
    assert settlement_layer() in actions.plaque_layers()
