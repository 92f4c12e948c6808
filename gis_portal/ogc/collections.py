"""Layers as OGC API collections: which layers are collections, their extents, their date
property and their queryables. Everything is derived from the layer registry, so a layer
registered later is a collection without code of its own, and a private one never is."""

import time
from datetime import date, datetime

from django.contrib.gis.db.models import Extent
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Max, Min
from django_filters import filters as df

from layers.core.describe import describe_filters
from layers.core.layer import referenced_paths
from layers.core.registry import layer_registry

from .crs import STORAGE_CRS, SUPPORTED


def is_public(layer) -> bool:
    """Layers with personal data or rows that depend on who asks are not collections: the
    OGC API serves the same public data to everyone (and to caches)."""
    return not (layer.private or layer.visibility_depends_on_user)


def public_layers() -> list:
    return [layer for layer in layer_registry.all() if is_public(layer)]


def public_layer(slug: str):
    """The public layer of this slug, or None (unknown and private look the same)."""
    layer = layer_registry.get(slug)
    return layer if layer is not None and is_public(layer) else None


def _model_field(layer, path: str):
    model = layer.model
    parts = path.split("__")
    try:
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
            if model is None:
                return None
        return model._meta.get_field(parts[-1])
    except FieldDoesNotExist:
        return None


def temporal_property(layer) -> tuple[str, str, bool] | None:
    """(property name, ORM path, is a datetime) of the layer's date, or None.

    A layer names it with `ogc_datetime_property`; otherwise the first public property
    backed by a date or datetime column is used. A property shown through an expression
    (a date cast to text, say) counts when it reads that one column: the filter then compares
    the column itself, which the property makes public anyway."""
    properties = layer.properties()
    chosen = getattr(layer, "ogc_datetime_property", None)
    names = [chosen] if chosen else list(properties)
    for name in names:
        expression = properties.get(name)
        paths = referenced_paths(expression) if expression is not None else set()
        if len(paths) != 1:
            continue
        path = next(iter(paths))
        field = _model_field(layer, path)
        if isinstance(field, models.DateTimeField):
            return name, path, True
        if isinstance(field, models.DateField):
            return name, path, False
    return None


# Extents change only when records do; a minute's staleness is fine for a description.
_EXTENT_SECONDS = 60
_extents: dict[str, tuple[float, dict]] = {}


def extent(layer, request) -> dict:
    """The collection's spatial extent (CRS84, from the public geometry of the visible rows)
    and, for a layer with a date, its temporal extent."""
    cached = _extents.get(layer.slug)
    if cached and time.monotonic() - cached[0] < _EXTENT_SECONDS:
        return cached[1]
    rows = layer.visible_queryset(request)
    aggregates = {"_box": Extent(layer.public_geometry_field)}
    temporal = temporal_property(layer)
    if temporal:
        aggregates.update(_first=Min(temporal[1]), _last=Max(temporal[1]))
    values = rows.aggregate(**aggregates)
    box = values["_box"]
    result = {"spatial": {"bbox": [[round(v, 6) for v in box] if box else
                                   [46.0, 40.0, 87.9, 55.9]],
                          "crs": STORAGE_CRS.uri}}
    if temporal:
        result["temporal"] = {"interval": [[_instant(values["_first"]),
                                            _instant(values["_last"])]],
                              "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    _extents[layer.slug] = (time.monotonic(), result)
    return result


def _instant(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    return str(value)


def crs_list() -> list[str]:
    return [crs.uri for crs in SUPPORTED]


# --- queryables (OGC API - Features Part 3, as a JSON Schema) ----------------------------------

def filter_parameters(layer) -> list[str]:
    """Query parameters that filter this layer: its FilterSet's filters."""
    if layer.filterset_class is None:
        return []
    return list(layer.filterset_class.base_filters)


def _filter_schema(layer, name: str, entry: dict) -> dict:
    flt = layer.filterset_class.base_filters[name]
    schema: dict = {"title": entry["label"]}
    if entry["type"] == "choice":
        schema["type"] = "string"
        schema["enum"] = [choice["value"] for choice in entry["choices"]]
    elif entry["type"] == "boolean":
        schema["type"] = "boolean"
    elif entry["type"] == "number":
        integer = isinstance(_model_field(layer, flt.field_name or ""),
                             models.IntegerField | models.BigIntegerField)
        schema["type"] = "integer" if integer else "number"
    elif entry["type"] == "date":
        schema["type"] = "string"
        schema["format"] = "date"
    else:
        schema["type"] = "string"
    lookup = getattr(flt, "lookup_expr", "exact")
    if isinstance(flt, df.NumberFilter | df.DateFilter) and lookup in _COMPARISONS:
        schema["description"] = _COMPARISONS[lookup].format(field=flt.field_name)
    elif isinstance(flt, df.CharFilter) and (flt.method or "contains" in lookup):
        schema["description"] = "matches values containing this text (any case)"
    return schema


_COMPARISONS = {"gte": "features whose {field} is at least this value",
                "lte": "features whose {field} is at most this value",
                "gt": "features whose {field} is above this value",
                "lt": "features whose {field} is below this value"}


def queryables(layer, url: str) -> dict:
    """The layer's filters as a JSON Schema (Part 3 queryables). Each is passed as a query
    parameter of the same name on /items."""
    properties = {}
    for entry in describe_filters(layer):
        properties[entry["name"]] = _filter_schema(layer, entry["name"], entry)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": str(layer.title),
        "description": str(layer.description),
        "properties": properties,
        "additionalProperties": False,
    }
