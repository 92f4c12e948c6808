"""Switching the current boundary generation, and re-tagging what depends on it.

Area tags (oblast/district/okrug on every layer feature) point at areas of the current
generation, so changing the generation, or the polygons of the current one, means re-tagging
every area-tagged layer. Both happen here, through the one tagging code path.
"""

import logging

from django.db import transaction

from layers.core.registry import layer_registry
from layers.core.tagging import tag_rows

from .models import BoundaryGeneration

logger = logging.getLogger(__name__)


def area_tagged_models() -> list:
    """Models of the registered layers with area_tagged=True, each once."""
    models = []
    for layer in layer_registry.all():
        if layer.area_tagged and layer.model not in models:
            models.append(layer.model)
    return models


def retag_area_tagged_layers() -> dict[str, int]:
    """Re-tag every row of every area-tagged layer; returns rows touched per model."""
    touched = {}
    for model in area_tagged_models():
        touched[model._meta.label] = tag_rows(model)
        logger.info("re-tagged %s rows of %s", touched[model._meta.label], model._meta.label)
    return touched


@transaction.atomic
def activate_generation(code: str) -> dict[str, int]:
    """Make the generation `code` current and re-tag all area-tagged layers, in one
    transaction: readers see either the old generation with old tags or the new with new.
    Raises BoundaryGeneration.DoesNotExist for an unknown code."""
    generation = BoundaryGeneration.objects.select_for_update().get(code=code)
    # Clear the old flag first: one current generation is a unique constraint.
    BoundaryGeneration.objects.filter(is_current=True).exclude(pk=generation.pk).update(
        is_current=False)
    if not generation.is_current:
        generation.is_current = True
        generation.save(update_fields=["is_current"])
    logger.info("boundary generation %s is current", code)
    return retag_area_tagged_layers()
