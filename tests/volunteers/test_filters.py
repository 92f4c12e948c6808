"""Each filter of the public list, through the layer's API and the list page: direction,
day, hours, car, language, area."""

import pytest

from layers.volunteers.actions import slots_for

from .conftest import OBLAST, OKRUG_A, enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_and_five(oblast_officer, places):
    """Two groups of five women of 25–34 in okrug A, differing in what they offer."""
    teachers = [enter(oblast_officer, n, places["a1"], directions=["teaching"],
                      slots=slots_for([0], range(9, 12)), languages=["kk", "en"],
                      has_car=False) for n in range(1, 6)]
    drivers = [enter(oblast_officer, n, places["a2"], directions=["transport"],
                     slots=slots_for([5], range(18, 21)), languages=["ru"], has_car=True,
                     car_seats=3) for n in range(6, 11)]
    return teachers, drivers


def ids(client, **params):
    data = client.get("/api/layers/volunteers/", {"area": OBLAST, "limit": 100, **params})
    assert data.status_code == 200, data.content
    return sorted(f["properties"]["directions"][0] for f in data.json()["features"])


def test_each_filter(client, five_and_five):
    assert ids(client) == ["teaching"] * 5 + ["transport"] * 5
    assert ids(client, direction="teaching") == ["teaching"] * 5
    assert ids(client, direction=["teaching", "transport"]) == ids(client)
    assert ids(client, day="0") == ["teaching"] * 5
    assert ids(client, day="5") == ["transport"] * 5
    assert ids(client, day="3") == []
    assert ids(client, hour_from="10", hour_to="11") == ["teaching"] * 5
    assert ids(client, hour_from="19") == ["transport"] * 5
    assert ids(client, hour_from="12", hour_to="18") == []
    assert ids(client, day="0", hour_from="18") == []
    assert ids(client, day=["0", "5"], hour_from="18", hour_to="19") == ["transport"] * 5
    assert ids(client, car="true") == ["transport"] * 5
    assert ids(client, car="false") == ["teaching"] * 5
    assert ids(client, language="en") == ["teaching"] * 5
    assert ids(client, language="ru") == ["transport"] * 5
    assert ids(client, area=OKRUG_A) == ids(client)
    assert ids(client, area="470000000") == []  # Mangystau: nobody listed there
    bad = client.get("/api/layers/volunteers/", {"direction": "magic"})
    assert bad.status_code == 400


def test_the_list_page_filters_the_same_way(client, five_and_five):
    page = client.get("/volunteers/", {"direction": "transport", "day": "5",
                                       "hour_from": "18", "area": OBLAST})
    assert page.status_code == 200
    assert page.content.count(b'class="vol-card"') == 5
    assert b"Free transport of people" in page.content
    assert b"Test Volunteer" not in page.content
    none = client.get("/volunteers/", {"direction": "teaching", "hour_from": "18",
                                       "area": OBLAST})
    assert none.content.count(b'class="vol-card"') == 0
