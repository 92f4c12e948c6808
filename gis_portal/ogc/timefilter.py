"""The `datetime` parameter of OGC API - Features: an instant or an interval, open ends as `..`
(or empty), matched against a layer's date property."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q

from layers.core.errors import BadQuery

EXAMPLES = ("2024-05-01, 2024-05-01T10:00:00Z, 2024-01-01/2024-12-31, ../2024-12-31 or "
            "2024-01-01T00:00:00Z/..")


@dataclass(frozen=True)
class Bound:
    """One end of the asked time: a whole day (a date) or an instant (UTC)."""

    day: date
    instant: datetime | None = None

    def start(self) -> datetime:
        return self.instant or datetime.combine(self.day, time(), UTC)

    def end_exclusive(self) -> datetime | None:
        """For a whole day: the next midnight; an instant has no exclusive end."""
        return None if self.instant else datetime.combine(self.day + timedelta(days=1), time(),
                                                          UTC)


def _bound(raw: str) -> Bound | None:
    raw = raw.strip()
    if raw in ("", ".."):
        return None
    try:
        if "T" not in raw and "t" not in raw:
            return Bound(date.fromisoformat(raw))
        value = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise BadQuery(f"datetime: {raw!r} is not an RFC 3339 date or date-time; examples: "
                       f"{EXAMPLES}", "datetime") from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return Bound(value.date(), value)


def datetime_condition(raw: str, path: str, is_datetime: bool) -> Q:
    """The condition on the date property at `path` that the datetime parameter asks for."""
    if raw.count("/") > 1:
        raise BadQuery(f"datetime is one instant or one interval start/end; examples: "
                       f"{EXAMPLES}", "datetime")
    if "/" not in raw:
        instant = _bound(raw)
        if instant is None:
            raise BadQuery(f"datetime: an instant cannot be open; examples: {EXAMPLES}",
                           "datetime")
        if not is_datetime:
            return Q(**{path: instant.day})
        if instant.instant:
            return Q(**{path: instant.instant})
        return Q(**{f"{path}__gte": instant.start(), f"{path}__lt": instant.end_exclusive()})
    start_raw, end_raw = raw.split("/")
    start, end = _bound(start_raw), _bound(end_raw)
    if start is None and end is None:
        # ../.. : every feature that has a date.
        return Q(**{f"{path}__isnull": False})
    if start and end and start.start() > (end.end_exclusive() or end.start()):
        raise BadQuery("datetime interval ends before it starts", "datetime")
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{path}__gte": start.start() if is_datetime else start.day})
    if end is not None:
        if not is_datetime:
            condition &= Q(**{f"{path}__lte": end.day})
        elif end.instant:
            condition &= Q(**{f"{path}__lte": end.instant})
        else:
            condition &= Q(**{f"{path}__lt": end.end_exclusive()})
    return condition
