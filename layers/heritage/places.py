"""Parks and their sights: which protected area a sight lies in, which sights a park holds.

Both are one PostGIS query (ST_Covers of the park's outline over the sight's point), never a
hand-kept list, so a new outline or a moved point is reflected at once.
"""

from django.db.models import Exists, OuterRef

from .models import Monument, NaturalSite


def protected_areas():
    return NaturalSite.objects.filter(is_published=True,
                                      kind__in=NaturalSite.PROTECTED_AREA_KINDS)


def parks_containing(record):
    """The national parks and reserves whose outline covers the record's point."""
    parks = protected_areas().filter(geom__covers=record.point)
    if isinstance(record, NaturalSite):
        parks = parks.exclude(pk=record.pk)
    return parks.order_by("name_kk")


def sights_in(park: NaturalSite) -> dict:
    """Monuments and natural sites inside a park's outline (the park itself excluded)."""
    if not park.is_outline:
        return {"monuments": Monument.objects.none(), "nature": NaturalSite.objects.none()}
    covering = NaturalSite.objects.filter(pk=park.pk)
    monuments = Monument.objects.filter(
        is_published=True, geom__isnull=False,
    ).filter(Exists(covering.filter(geom__covers=OuterRef("geom"))))
    nature = NaturalSite.objects.filter(is_published=True).exclude(pk=park.pk).filter(
        Exists(covering.filter(geom__covers=OuterRef("point"))))
    return {"monuments": monuments.order_by("name_kk"), "nature": nature.order_by("name_kk")}
