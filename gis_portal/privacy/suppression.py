"""Small-group suppression for statistics of personal data.

A count or sum over fewer than settings.TZ_PRIVACY_MIN_GROUP people describes those people,
not a population, so it is never published, nor left derivable by subtraction:

* every group below the threshold is merged into one "suppressed" row;
* if that row is still below the threshold while other groups are shown, the smallest shown
  groups join it until it reaches the threshold (complementary suppression: the total minus
  the shown groups is then never a small number);
* if everything together is below the threshold, the suppressed row's count and measures are
  withheld (None) as well.

This protects one table. Callers must also stop differencing across requests: publish tables
only over fixed partitions (never narrowed by free filters, boxes or radii), compute nested
partitions top-down so that a group hidden at one level is hidden below it too (see
layers.core.private_stats), and apply the same threshold everywhere.
"""

from django.conf import settings


def split_small_groups(groups: list[dict], threshold: int) -> tuple[list[dict], list[dict]]:
    """(shown, hidden) groups: every group with count below threshold is hidden, and the
    smallest shown groups join the hidden ones until the hidden total reaches the threshold
    (or nothing is left to show). Each group needs an integer "count"; order is kept."""
    hidden = [g for g in groups if g["count"] < threshold]
    shown = [g for g in groups if g["count"] >= threshold]
    hidden_total = sum(g["count"] for g in hidden)
    if hidden and hidden_total < threshold:
        for group in sorted(shown, key=lambda g: g["count"]):
            hidden.append(group)
            hidden_total += group["count"]
            if hidden_total >= threshold:
                break
        shown = [g for g in shown if not any(g is h for h in hidden)]
    return shown, hidden


def merged_row(hidden: list[dict], measures: list[str], threshold: int) -> dict:
    """One "suppressed" row standing for the hidden groups: their total count and measures
    when the count reaches the threshold, None otherwise. Names no group."""
    count = sum(g["count"] for g in hidden)
    row = {"suppressed": True, "count": count if count >= threshold else None}
    for measure in measures:
        total = sum(g.get(measure) or 0 for g in hidden)
        row[measure] = total if count >= threshold else None
    return row


def suppress_small_groups(groups: list[dict], measures: list[str],
                          threshold: int | None = None) -> list[dict]:
    """The groups safe to publish: groups of at least `threshold` (default
    settings.TZ_PRIVACY_MIN_GROUP) unchanged, then, if any group was hidden, one row
    {"suppressed": True, "count": ..., <measure>: ...} for all hidden groups together, its
    values None when they are below the threshold. `measures` are the summed keys besides
    "count"; the hidden groups' identifying keys (names, codes) never reach the output.

    >>> suppress_small_groups([{"k": "a", "count": 9, "x": 90}, {"k": "b", "count": 2,
    ...                        "x": 20}, {"k": "c", "count": 6, "x": 60}], ["x"], 5)
    [{'k': 'a', 'count': 9, 'x': 90}, {'suppressed': True, 'count': 8, 'x': 80}]
    """
    threshold = settings.TZ_PRIVACY_MIN_GROUP if threshold is None else threshold
    shown, hidden = split_small_groups(groups, threshold)
    if not hidden:
        return list(shown)
    return [*shown, merged_row(hidden, measures, threshold)]
