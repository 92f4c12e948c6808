"""Per-area stats of help requests for the public are read from HelpStatCell (kept current by
the database trigger) and are exactly what grouping the requests gives: same counts, sums,
suppressed and merged groups, at every level and inside every area; staff, who see
unpublished requests too, get their stats from the rows."""

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from layers.areas.models import Settlement
from layers.core.geojson import dumps
from layers.core.private_stats import LEVELS, private_stats, row_cells, suppressed_stats
from layers.core.registry import layer_registry
from layers.help import actions
from layers.help.aggregates import public_stat_cells
from layers.help.models import HelpRequest, HelpStatCell

from .conftest import OBLAST, OKRUG_A, OKRUG_B, area, make
from .test_aggregates import assert_bitmaps_match_rows

pytestmark = pytest.mark.django_db
SLUG = "help-requests"
DISTRICT = OKRUG_A[:4] + "00000"


def layer():
    return layer_registry.get(SLUG)


def anonymous():
    request = RequestFactory().get(f"/api/layers/{SLUG}/stats")
    request.user = AnonymousUser()
    return request


def public_rows():
    return layer().visible_queryset(anonymous())


def third_okrug_settlement() -> Settlement:
    """A settlement of the district's okrugs other than A and B."""
    return (Settlement.objects.filter(kato__startswith=DISTRICT[:4], geom__isnull=False)
            .exclude(kato__startswith=OKRUG_A[:6]).exclude(kato__startswith=OKRUG_B[:6])
            .exclude(kato__endswith="000").order_by("kato").first())


def canonical(cells) -> list[tuple]:
    return sorted((c["oblast_id"] or 0, c["district_id"] or 0, c["okrug_id"] or 0, c["_count"],
                   c["_sum_amount_needed"]) for c in cells if c["_count"])


def assert_cells_match_rows(where: str):
    counts = public_stat_cells()
    rows = row_cells(layer(), public_rows())
    assert canonical(counts) == canonical(rows), where
    assert_bitmaps_match_rows(where)  # the low zooms' bitmaps, kept by the same trigger
    # A sum over no amount is None on both paths, never a 0 that would print as "0.00".
    assert (sorted(map(str, (c["_sum_amount_needed"] for c in counts)))
            == sorted(map(str, (c["_sum_amount_needed"] for c in rows)))), where


def amount(n: int):
    return None if n % 3 == 0 else Decimal(1000 * (n + 1))


@pytest.fixture
def built(oblast_officer, places):
    """Okrug A: 8 public requests (two settlements); okrug B: 3; a third okrug C: 5; one
    request of the district tagged without an okrug; another district: 6. Drafts, archived,
    fulfilled and erased requests besides, which the public stats must not count."""
    third = third_okrug_settlement()
    assert third is not None and third.kato[:6] not in (OKRUG_A[:6], OKRUG_B[:6])
    n = 0

    def add(settlement, count, **overrides):
        nonlocal n
        made = []
        for _ in range(count):
            # Material help names an amount; the other topics may not.
            topic = "material" if amount(n) else "consultative"
            made.append(make(oblast_officer, n, settlement, amount_needed=amount(n),
                             topic=topic, **overrides))
            n += 1
        return made

    add(places["a1"], 6)
    add(places["a2"], 2)
    add(places["b"], 3)
    add(third, 5)
    add(places["other"], 6)
    untagged_okrug = add(places["a1"], 1)[0]
    # Tagged to the district only (as a town of district rank would be): a re-tagging write.
    HelpRequest.objects.filter(pk=untagged_okrug.pk).update(okrug=None)
    drafts = add(places["a1"], 2, publish=False)
    archived = add(third, 1)[0]
    actions.set_status(user=oblast_officer, help_request=archived,
                       status=HelpRequest.Status.ARCHIVED)
    fulfilled = add(places["b"], 1)[0]
    actions.set_status(user=oblast_officer, help_request=fulfilled,
                       status=HelpRequest.Status.FULFILLED)
    erased = add(places["other"], 1)[0]
    HelpRequest.objects.filter(pk=erased.pk).update(erased_at=erased.created_at)
    return {"drafts": drafts, "third": third}


def selections(third):
    """(level, area) pairs: the country and every area of the built data, at each level at
    or below the area's own."""
    katos = [OBLAST, DISTRICT, OKRUG_A, OKRUG_B, third.kato[:6] + "000"]
    pairs = [(level, None) for level in LEVELS]
    for kato in katos:
        chosen = area(kato)
        pairs += [(level, chosen) for level in LEVELS[LEVELS.index(chosen.level):]]
    return pairs


def test_counts_give_the_same_stats_as_the_rows_at_every_level_and_area(built):
    rows = public_rows()
    assert layer().private_stat_cells(rows) is not None  # the public stats use the counts
    assert_cells_match_rows("built")
    cells = row_cells(layer(), rows)
    for level, chosen in selections(built["third"]):
        from_counts = private_stats(layer(), rows, level, chosen)
        from_rows = suppressed_stats(layer(), cells, level, chosen)
        where = (level, chosen.kato if chosen else None)
        assert from_counts == from_rows, where
        assert dumps(from_counts) == dumps(from_rows), where

    # The built data does exercise suppression: in the district, okrug B (3) and the request
    # without an okrug (1) are hidden, and C (5), the smallest shown, joins them.
    table = private_stats(layer(), rows, "okrug", area(DISTRICT))
    shown = {row["kato"]: row["count"] for row in table if row["kato"]}
    assert shown == {OKRUG_A: 8}
    merged = [row for row in table if row.get("suppressed")]
    assert [(row["parent"], row["count"]) for row in merged] == [(DISTRICT, 9)]
    okrug_a = next(row for row in table if row["kato"] == OKRUG_A)
    assert okrug_a["amount_needed"] == sum(amount(n) or 0 for n in range(8))
    districts = {row["kato"]: row["count"]
                 for row in private_stats(layer(), rows, "district", area(OBLAST))}
    assert districts[DISTRICT] == 17


def test_http_stats_read_the_counts_for_the_public_and_the_rows_for_staff(client, built,
                                                                          oblast_officer):
    for params in ({"level": "okrug"}, {"level": "okrug", "area": OBLAST},
                   {"level": "district", "area": OBLAST}, {"level": "oblast"}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/layers/{SLUG}/stats", params)
        assert response.status_code == 200, response.content
        statements = " ".join(q["sql"] for q in queries.captured_queries)
        assert "help_helpstatcell" in statements, params
        assert "help_helprequest" not in statements, params
        chosen = area(params["area"]) if "area" in params else None
        expected = suppressed_stats(layer(), row_cells(layer(), public_rows()),
                                    params["level"], chosen)
        assert response.json()["areas"] == json.loads(dumps(expected)), params

    # Staff of the oblast see its drafts too: their stats come from the rows.
    client.force_login(oblast_officer)
    with CaptureQueriesContext(connection) as queries:
        staff = client.get(f"/api/layers/{SLUG}/stats", {"level": "okrug", "area": OBLAST})
    assert staff.status_code == 200
    assert "help_helpstatcell" not in " ".join(q["sql"] for q in queries.captured_queries)
    shown = {row["kato"]: row["count"] for row in staff.json()["areas"] if row["kato"]}
    assert shown[OKRUG_A] == 8 + len(built["drafts"])


def test_a_subset_of_the_public_requests_is_grouped_from_the_rows(built):
    """The gap map counts open requests only: not what the counts hold."""
    open_only = public_rows().filter(status=HelpRequest.Status.OPEN)
    assert layer().private_stat_cells(open_only) is None
    assert layer().private_stat_cells(public_rows().none()) is None


def test_counts_follow_publish_status_archive_delete_retag_and_amounts(oblast_officer, places,
                                                                       built):
    assert_cells_match_rows("built")
    draft = built["drafts"][0]
    actions.publish_request(user=oblast_officer, help_request=draft)
    assert_cells_match_rows("published")
    actions.set_status(user=oblast_officer, help_request=draft,
                       status=HelpRequest.Status.HELPING)
    assert_cells_match_rows("someone helping")
    actions.withdraw_request(user=oblast_officer, help_request=draft)
    assert_cells_match_rows("withdrawn")
    actions.publish_request(user=oblast_officer, help_request=draft)
    actions.set_status(user=oblast_officer, help_request=draft,
                       status=HelpRequest.Status.FULFILLED)
    assert_cells_match_rows("fulfilled")
    actions.set_status(user=oblast_officer, help_request=draft,
                       status=HelpRequest.Status.ARCHIVED)
    assert_cells_match_rows("archived")

    # A change of amount, and one that touches nothing counted (the pledged mirror).
    target = HelpRequest.objects.filter(okrug=area(OKRUG_B), status="open").first()
    HelpRequest.objects.filter(pk=target.pk).update(amount_needed=Decimal("123.45"))
    assert_cells_match_rows("amount changed")
    HelpRequest.objects.filter(pk=target.pk).update(amount_needed=None)
    assert_cells_match_rows("amount removed")
    HelpRequest.objects.filter(pk=target.pk).update(amount_pledged=Decimal("10"))
    assert_cells_match_rows("pledged mirror")
    # What only the map's bitmaps hold: the publication date (earliest, undated, again)
    # and the family situation.
    for published_on in (date(2020, 1, 1), None, date(2026, 5, 5)):
        HelpRequest.objects.filter(pk=target.pk).update(published_on=published_on)
        assert_cells_match_rows(f"published on {published_on}")
    HelpRequest.objects.filter(pk=target.pk).update(family_tags=["orphan", "disabled"])
    assert_cells_match_rows("family changed")

    # Re-tagged to another okrug, then tagged again from the settlement's KATO code.
    HelpRequest.objects.filter(pk=target.pk).update(okrug=area(OKRUG_A))
    assert_cells_match_rows("moved to okrug A")
    target.refresh_from_db()
    target.save()  # AreaTaggedModel.save tags it from its settlement again
    assert HelpRequest.objects.get(pk=target.pk).okrug_id == area(OKRUG_B).pk
    assert_cells_match_rows("tagged again")

    # A request written outside the actions, then deleted.
    copy = HelpRequest.objects.get(pk=target.pk)
    copy.pk = None
    copy.uid = uuid.uuid4()
    copy.person_index = None
    copy.save()
    assert_cells_match_rows("inserted by the ORM")
    HelpRequest.objects.filter(pk=copy.pk).delete()
    assert_cells_match_rows("deleted")

    # Every public request of okrug B leaves: its cell stays at exactly nothing.
    for request in HelpRequest.objects.filter(okrug=area(OKRUG_B), status__in=("open",
                                                                               "helping")):
        actions.set_status(user=oblast_officer, help_request=request,
                           status=HelpRequest.Status.ARCHIVED)
    assert_cells_match_rows("okrug B emptied")
    emptied = HelpStatCell.objects.get(okrug=area(OKRUG_B))
    assert (emptied.count, emptied.amount_needed) == (0, Decimal("0"))


def test_rebuild_recounts_the_cells(built):
    before = canonical(public_stat_cells())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE help_helpstatcell SET count = count + 7")
        cursor.execute("DELETE FROM help_helpchainbitmap WHERE key LIKE %s", ["kind:%"])
        cursor.execute("SELECT rebuild_help_area_counts()")
    assert canonical(public_stat_cells()) == before
    assert_cells_match_rows("rebuilt")
