"""Compiled statements shared across requests (layers.core.statements).

A request of a shape seen before runs the statement compiled for it, and nothing else: these
tests check the answer is the same as a freshly compiled one, that paging by cursor reuses one
statement for every later page, and that a viewer whose rows are their own (staff of the help
layer) never shares a statement with the public, in either order.
"""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from layers.core.statements import STATEMENTS
from tests.help.conftest import OBLAST, find_places, make, new_oblast_officer

pytestmark = pytest.mark.django_db

SETTLEMENTS = "/api/layers/settlements/"
ALMATY_OBLAST = "190000000"


@pytest.fixture
def fresh_statements():
    STATEMENTS.clear()
    yield STATEMENTS
    STATEMENTS.clear()


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [feature["id"] for feature in response.json()["features"]]


def test_a_repeated_request_runs_only_its_statement_and_answers_the_same(client,
                                                                          fresh_statements):
    url = f"{SETTLEMENTS}?area={ALMATY_OBLAST}&limit=20&ordering=-population"
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert first.content == second.content
    assert len(ids_of(second)) == 20
    # The list alone: it finds the current generation's area of the code itself.
    assert len(queries.captured_queries) == 1, [q["sql"][:80] for q in queries]
    assert "areas_boundarygeneration" in queries.captured_queries[0]["sql"]


def test_pages_after_a_cursor_share_one_statement_and_cover_every_row_once(client,
                                                                          fresh_statements):
    url = f"{SETTLEMENTS}?area={ALMATY_OBLAST}&limit=7&ordering=-population"
    whole = ids_of(client.get(f"{SETTLEMENTS}?area={ALMATY_OBLAST}&limit=100"
                              "&ordering=-population"))
    seen, next_url, pages = [], url, 0
    while next_url and pages < 9:
        body = client.get(next_url).json()
        seen += [feature["id"] for feature in body["features"]]
        next_url = body.get("next")
        pages += 1
    assert seen == whole[:len(seen)] and len(seen) == 7 * pages
    assert len(set(seen)) == len(seen)
    # First pages (limit 100 and 7) and one statement for every later page of limit 7.
    assert len(fresh_statements._entries) == 3


def test_an_unknown_area_is_refused_even_once_its_shape_was_compiled(client,
                                                                    fresh_statements):
    for kato in ("190000000", "199999999", "190000000"):
        response = client.get(f"{SETTLEMENTS}?area={kato}&limit=3")
        assert response.status_code == (400 if kato == "199999999" else 200)


def test_a_tampered_cursor_is_refused_before_any_statement_runs(client, fresh_statements):
    url = f"{SETTLEMENTS}?limit=5&ordering=-population"
    next_url = client.get(url).json()["next"]
    response = client.get(next_url[:-3] + "abc")
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]


def test_names_follow_the_language_of_each_request(fresh_statements):
    url = f"{SETTLEMENTS}?area={ALMATY_OBLAST}&limit=5&ordering=-population"
    kazakh = Client().get(url).json()["features"]
    russian_client = Client()
    russian_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    russian = russian_client.get(url).json()["features"]
    assert [f["id"] for f in russian] == [f["id"] for f in kazakh]
    names = list(zip((f["properties"]["name"] for f in kazakh),
                     (f["properties"]["name"] for f in russian), strict=True))
    assert any(kk != ru for kk, ru in names), names
    assert len(fresh_statements._entries) == 2


@pytest.mark.parametrize("staff_first", [True, False])
def test_staff_rows_never_reach_the_public_through_a_shared_statement(client, staff_first,
                                                                      fresh_statements):
    officer = new_oblast_officer()
    places = find_places()
    published = make(officer, 1, places["a1"])
    unpublished = make(officer, 2, places["a2"], publish=False)
    url = f"/api/layers/help-requests/?area={OBLAST}&limit=50"

    def staff_view():
        client.force_login(officer)
        ids = ids_of(client.get(url))
        client.logout()
        return ids

    def public_view():
        return ids_of(client.get(url))

    if staff_first:
        staff, public = staff_view(), public_view()
    else:
        public, staff = public_view(), staff_view()
    assert published.pk in public and unpublished.pk not in public
    assert {published.pk, unpublished.pk} <= set(staff)


def without_cursor_signature(body: bytes) -> dict:
    """The page with its next link's cursor reduced to the values it carries."""
    from urllib.parse import parse_qs, urlsplit

    page = json.loads(body)
    if "next" in page:
        link = urlsplit(page["next"])
        query = parse_qs(link.query)
        query["cursor"] = [value.split(":")[0] for value in query["cursor"]]
        page["next"] = (link.path, query)
    return page


@pytest.mark.parametrize("kind, values", [
    ("bbox", ["76.5,43.0,77.5,43.6", "71.0,50.9,71.8,51.4", "50.0,43.0,53.0,45.0"]),
    ("near", ["76.93,43.26", "71.43,51.13", "69.6,42.3"]),
])
def test_every_box_and_point_shares_one_statement_and_gets_its_own_rows(client, kind, values,
                                                                        fresh_statements):
    extra = "&within=25&ordering=distance" if kind == "near" else "&ordering=-population"
    urls = [f"{SETTLEMENTS}?{kind}={value}&limit=30{extra}" for value in values]
    shared = [client.get(url).content for url in urls]
    assert len(fresh_statements._entries) == 1
    for url, body in zip(urls, shared, strict=True):
        fresh_statements.clear()
        # compiled for this box or point alone: the same page (the next link's cursor is
        # signed with the time, so it is compared by what it says)
        assert without_cursor_signature(client.get(url).content) == \
            without_cursor_signature(body)
    answers = [ids_of(client.get(url)) for url in urls]
    assert all(answers) and len({tuple(ids) for ids in answers}) == len(urls)


def test_a_list_page_is_the_same_whenever_it_is_asked(client, monkeypatch):
    """The next link's cursor carries no time: the same page keeps its ETag (304) later."""
    from django.core import signing

    url = f"{SETTLEMENTS}?limit=3&ordering=-population"
    first = client.get(url)
    assert first.status_code == 200 and json.loads(first.content)["next"]
    monkeypatch.setattr(signing.time, "time", lambda: 4_000_000_000.0)  # decades later
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_constants_written_into_a_statement_mean_what_the_parameters_meant():
    """inline_constants quotes every non-Slot parameter once, as the database would receive
    it: text with a percent sign, a quote and a backslash, a NULL, a number and a geometry give
    the same row as the parameterised statement, and the Slots are still bound per run."""
    from django.contrib.gis.geos import Point

    from layers.core.statements import Slot, bind_slots, inline_constants

    sql = ("SELECT %s::text, %s::text, %s::int, %s::text IS NULL, "
           "ST_AsText(%s::geometry), %s::float8 * 2, '100%%'")
    tricky = "50% off 'today' C:\\path %s %%"
    # A geometry as a compiled queryset holds it: wrapped in the backend's adapter.
    point = connection.ops.Adapter(Point(71.43, 51.13, srid=4326))
    params = (tricky, Slot("first"), 7, None, point, Slot("second"))
    text, slots = inline_constants(sql, params)
    assert slots == (params[1], params[5])
    assert tricky not in text  # its % signs doubled, so they are not placeholders
    with connection.cursor() as cursor:
        cursor.execute(text, bind_slots(slots, {"first": "a%b", "second": 1.25}))
        inlined = cursor.fetchone()
        cursor.execute(sql, bind_slots(params, {"first": "a%b", "second": 1.25}))
        assert inlined == cursor.fetchone()
    assert inlined == (tricky, "a%b", 7, True, "POINT(71.43 51.13)", 2.5, "100%")


def test_a_statement_without_slots_runs_with_its_percent_signs_intact():
    from layers.core.statements import inline_constants

    text, slots = inline_constants("SELECT %s || '%%'", ("5",))
    assert slots == ()
    with connection.cursor() as cursor:
        cursor.execute(text, slots)
        assert cursor.fetchone() == ("5%",)
