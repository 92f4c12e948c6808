"""Every layer that offers plaques keeps the plaque contract: it is area-tagged, names its
objects in kk/ru/en for the plate, and its plaque_card gives a page in each language with a
title and only the documented keys (Layer.plaque_card in layers/core/layer.py)."""

import re

import pytest
from django.test import Client
from django.utils import translation

from gis_portal.plaques import actions
from gis_portal.plaques.cards import LANGUAGES, Card, LocalText
from layers.core.registry import layer_registry

pytestmark = pytest.mark.django_db
PLAQUE_LAYERS = [pytest.param(layer, id=layer.slug)
                 for layer in layer_registry.all() if layer.plaques]


def test_settlements_offer_plaques():
    assert "settlements" in {param.id for param in PLAQUE_LAYERS}


@pytest.mark.parametrize("layer", PLAQUE_LAYERS)
def test_a_plaque_layer_keeps_the_contract(layer):
    assert layer.area_tagged, "the plate sheet selects and authorises by area"
    obj = actions.public_objects(layer).order_by("pk").first()
    if obj is None:
        pytest.skip(f"layer {layer.slug} has no public object in the test data")
    names = layer.plaque_names(obj)
    assert set(names) == set(LANGUAGES) and any(names.values())
    keys = set(Card.KEYS)
    for language in LANGUAGES:
        with translation.override(language):
            raw = layer.plaque_card(obj, language)
            assert set(raw) <= keys, f"unknown keys {sorted(set(raw) - keys)}"
            card = Card.from_layer(layer, obj, language)
        assert isinstance(card.title, LocalText) and card.title.text.strip()
        for photo in card.photos:
            assert set(photo) == {"url", "alt"}
    plaque = actions.plaque_for(layer=layer, obj=obj)
    response = Client().get(f"{plaque.path}?lang=ru")
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>[^<]+</h1>", response.content.decode())
