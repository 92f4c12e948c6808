"""QR plaques: the short code of an object, and the staff's choice of objects for a sheet.

- `plaque_for(layer=, obj=, user=None)` / `plaques_for(layer=, objects=, user=None)`: the
  object's Plaque, made on first use (get or create). Race-safe: INSERT … ON CONFLICT DO
  NOTHING against the unique constraints, then read back; a code that collides with another
  object's is drawn again. Only public objects of layers that offer plaques get one.
- `find_plaque(code)`: the plaque, its layer and its object, if still public.
- `select_for_sheet(user=, layer_slug=, area_kato=, object_ids=)`: the objects of one layer
  an area's staff may print plates for (by area, by a list of ids, or both).

Each refusal is a PlaqueError (ActionError) with its status and a message that says what to
fix. The Plaque row itself records who made it and when; rows are never changed.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gis_portal.errors import ActionError
from layers.areas.models import AdminArea
from layers.core.layer import Layer
from layers.core.registry import layer_registry

from .models import CODE_ALPHABET, CODE_LENGTH, Plaque

# Plates on one sheet at most: a district's monuments fit, a whole oblast's villages do not.
MAX_PLATES = 300
# A fresh code collides with an existing one about once in millions; a few draws suffice.
CODE_DRAWS = 5


class PlaqueError(ActionError):
    pass


class NotFound(PlaqueError):
    status = 404
    code = "not_found"


class NotAllowed(PlaqueError):
    status = 403
    code = "not_allowed"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def plaque_by_code(text: str) -> Plaque | None:
    """The plaque of a code as typed (case and surrounding spaces do not matter); None for
    anything that is not a code, without asking the database."""
    code = text.strip().upper()
    if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
        return None
    return Plaque.objects.filter(code=code).first()


def plaque_layers() -> list[Layer]:
    """The registered layers that offer plaques."""
    return [layer for layer in layer_registry.all() if layer.plaques]


def plaque_layer(slug: str) -> Layer:
    layer = layer_registry.get(slug)
    if layer is None or not layer.plaques:
        raise NotFound(_("The layer %(layer)s does not offer QR plaques.") % {"layer": slug},
                       field="layer")
    return layer


def public_objects(layer: Layer) -> QuerySet:
    """The layer's objects anyone may see: what a QR plaque may lead to."""
    request = HttpRequest()
    request.user = AnonymousUser()
    return layer.visible_queryset(request)


def plaques_for(*, layer: Layer, objects, user=None) -> dict[int, Plaque]:
    """The plaque of each object (by object id), made where missing. The objects must be
    public objects of `layer` (the caller selected them from public_objects)."""
    if not layer.plaques:
        raise NotFound(_("The layer %(layer)s does not offer QR plaques.")
                       % {"layer": layer.slug}, field="layer")
    wanted = {obj.pk for obj in objects}
    found = _existing(layer, wanted)
    created_by = user if user is not None and user.is_authenticated else None
    for _draw in range(CODE_DRAWS):
        missing = wanted - set(found)
        if not missing:
            return found
        with transaction.atomic():
            # A row another request made meanwhile, or a code already taken, is skipped by
            # ON CONFLICT DO NOTHING; the read-back tells which objects still have none.
            Plaque.objects.bulk_create(
                [Plaque(code=new_code(), layer=layer.slug, object_id=pk, created_by=created_by)
                 for pk in sorted(missing)],
                ignore_conflicts=True)
        found |= _existing(layer, missing)
    raise RuntimeError(f"no free plaque code after {CODE_DRAWS} draws")  # alphabet exhausted


def plaque_for(*, layer: Layer, obj, user=None) -> Plaque:
    """The object's plaque, made on first use; the same row (and code) ever after."""
    if not public_objects(layer).filter(pk=obj.pk).exists():
        raise NotFound(_("This object is not public, so it has no QR plaque."))
    return plaques_for(layer=layer, objects=[obj], user=user)[obj.pk]


def _existing(layer: Layer, object_ids) -> dict[int, Plaque]:
    rows = Plaque.objects.filter(layer=layer.slug, object_id__in=list(object_ids))
    return {plaque.object_id: plaque for plaque in rows}


def unknown_code_message(code: str) -> str:
    return _("There is no plaque with the code %(code)s. Check the letters and digits under "
             "the QR code.") % {"code": code[:16]}


@dataclass
class FoundPlaque:
    plaque: Plaque
    layer: Layer
    obj: object


def find_plaque(code: str, request=None) -> FoundPlaque:
    """The plaque of this code with its layer and object. NotFound when the code is unknown,
    or its object is no longer public (removed, unpublished) or its layer gone."""
    plaque = plaque_by_code(code)
    if plaque is None:
        raise NotFound(unknown_code_message(code))
    layer = layer_registry.get(plaque.layer)
    visible = None
    if layer is not None and layer.plaques:
        queryset = layer.visible_queryset(request) if request is not None else public_objects(
            layer)
        visible = queryset.filter(pk=plaque.object_id).first()
    if visible is None:
        raise NotFound(_("The place this plaque stood for is no longer shown on the portal."))
    return FoundPlaque(plaque, layer, visible)


# --- the plate sheet -------------------------------------------------------------------------

@dataclass
class SheetSelection:
    layer: Layer
    area: AdminArea | None
    objects: list


def parse_object_ids(text: str) -> list[int]:
    """Ids separated by commas, spaces or new lines, in their order, without repeats."""
    ids: list[int] = []
    for token in text.replace(",", " ").split():
        if not token.isdigit() or len(token) > 18:
            raise PlaqueError(_("“%(token)s” is not an object id: give whole numbers separated "
                                "by commas or new lines.") % {"token": token[:20]},
                              field="objects")
        if int(token) not in ids:
            ids.append(int(token))
    return ids


def current_area(kato: str) -> AdminArea:
    area = AdminArea.objects.filter(generation__is_current=True, kato=kato.strip()).first()
    if area is None:
        raise PlaqueError(_("No area has the KATO code %(kato)s.") % {"kato": kato[:12]},
                          field="area")
    return area


def object_area(obj) -> AdminArea | None:
    """The finest area an area-tagged object lies in (its staff, or any above, answer)."""
    return getattr(obj, "okrug", None) or getattr(obj, "district", None) or getattr(
        obj, "oblast", None)


def select_for_sheet(*, user, layer_slug: str, area_kato: str = "",
                     object_ids: list[int] | None = None) -> SheetSelection:
    """The public objects of one plaque layer whose plates this user may print: all of an
    area's (area_kato), those of a list of ids (each must lie in an area the user manages),
    or the listed ones of an area. Refuses, naming them, ids that are not public objects of
    the layer (or not inside the area), and more than MAX_PLATES plates."""
    layer = plaque_layer(layer_slug)
    if not layer.area_tagged:
        raise PlaqueError(_("The layer %(layer)s is not tagged with areas, so its plates "
                            "cannot be printed by area.") % {"layer": layer.slug},
                          field="layer")
    object_ids = object_ids or []
    if not area_kato.strip() and not object_ids:
        raise PlaqueError(_("Choose an area, or list the ids of the objects to print."),
                          field="area")
    queryset = public_objects(layer).select_related("oblast", "district", "okrug")
    area = None
    if area_kato.strip():
        area = current_area(area_kato)
        if not layer.may_print_plaques(user, area):
            raise NotAllowed(_("You do not manage %(area)s, so you cannot print its plates.")
                             % {"area": area.name}, field="area")
        queryset = layer.filter_by_area(queryset, area)
    if object_ids:
        objects_by_id = queryset.in_bulk(object_ids)
        absent = [pk for pk in object_ids if pk not in objects_by_id]
        if absent:
            where = (_("inside %(area)s") % {"area": area.name}) if area else _("on the portal")
            raise PlaqueError(_("These ids are not public objects of the layer %(where)s: "
                                "%(ids)s.") % {"where": where,
                                                "ids": ", ".join(map(str, absent[:20]))},
                              field="objects")
        objects = [objects_by_id[pk] for pk in object_ids]
    else:
        objects = list(queryset.order_by("pk")[:MAX_PLATES + 1])
    if not objects:
        raise PlaqueError(_("The area has no public objects of this layer."), field="area")
    if len(objects) > MAX_PLATES:
        raise PlaqueError(_("A sheet holds at most %(max)d plates: choose a smaller area or "
                            "list the objects.") % {"max": MAX_PLATES}, field="area")
    if area is None:
        refused, allowed = [], {}  # one permission check per area, not per object
        for obj in objects:
            home = object_area(obj)
            if home not in allowed:
                allowed[home] = layer.may_print_plaques(user, home)
            if not allowed[home]:
                refused.append(obj.pk)
        if refused:
            raise NotAllowed(_("You do not manage the areas of these objects: %(ids)s.")
                             % {"ids": ", ".join(map(str, refused[:20]))}, field="objects")
    return SheetSelection(layer, area, objects)
