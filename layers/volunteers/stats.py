"""Counts for the "most active" and "most loved" nominations.

People helped: confirmed help records (one record per volunteer and request, confirmed once),
counted by the date help was given. Positive reviews: approved positive reviews of confirmed
records (at most one review per record). So each confirmed record counts at most once in
each figure. Per area the records are counted where the help was given (the request's
settlement: oblast, district or city of republican significance), so a volunteer who left
keeps counting there, anonymously.
"""

from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear

from .models import HelpRecord, Review

PERIODS = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
AREA_LEVELS = ("oblast", "district", "okrug")


def _confirmed():
    return HelpRecord.objects.filter(confirmed_at__isnull=False)


def _positive():
    return Q(review__positive=True, review__moderation=Review.Moderation.APPROVED)


def volunteer_counts(period: str, start: date | None = None, end: date | None = None,
                     volunteer_id: int | None = None) -> list[dict]:
    """[{volunteer, period (first day), helped, positive}] per volunteer and period."""
    rows = _confirmed()
    if volunteer_id is not None:
        rows = rows.filter(volunteer_id=volunteer_id)
    if start:
        rows = rows.filter(helped_on__gte=start)
    if end:
        rows = rows.filter(helped_on__lte=end)
    rows = (rows.annotate(period=PERIODS[period]("helped_on")).order_by()
            .values("volunteer_id", "period")
            .annotate(helped=Count("id"), positive=Count("id", filter=_positive()))
            .order_by("period", "-helped", "volunteer_id"))
    return [{"volunteer": r["volunteer_id"], "period": r["period"], "helped": r["helped"],
             "positive": r["positive"]} for r in rows]


def area_counts(level: str, period: str, start: date | None = None,
                end: date | None = None) -> list[dict]:
    """[{kato, period, helped, positive, volunteers}] per area of one level and period."""
    if level not in AREA_LEVELS:
        raise ValueError(f"level must be one of {AREA_LEVELS}")
    rows = _confirmed().filter(**{f"{level}__isnull": False})
    if start:
        rows = rows.filter(helped_on__gte=start)
    if end:
        rows = rows.filter(helped_on__lte=end)
    rows = (rows.annotate(period=PERIODS[period]("helped_on")).order_by()
            .values(f"{level}__kato", "period")
            .annotate(helped=Count("id"), positive=Count("id", filter=_positive()),
                      volunteers=Count("volunteer_id", distinct=True))
            .order_by("period", f"{level}__kato"))
    return [{"kato": r[f"{level}__kato"], "period": r["period"], "helped": r["helped"],
             "positive": r["positive"], "volunteers": r["volunteers"]} for r in rows]
