"""The staff pages of the volunteer corps over HTTP against PostGIS: the desk of an officer's
areas, the matching page with its "assign" buttons, recording and confirming help, reviews and
their moderation, proposed directions, the upload of an NGO list and the nominations' counts.
Each form calls the real action; a refusal shows its message with the action's status; staff
of another area get 403, residents 403, the anonymous the sign-in page; no volunteer's name or
phone reaches a staff page."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from layers.volunteers import actions
from layers.volunteers.models import (
    Assignment,
    DirectionProposal,
    HelpRecord,
    Review,
    Volunteer,
    VolunteerCard,
)
from tests.help.conftest import make
from tests.support.clients import english_client

from .conftest import enter

pytestmark = pytest.mark.django_db

DESK = "/volunteers/staff/"
UPLOAD = "/volunteers/staff/upload/"
NOMINATIONS = "/volunteers/staff/nominations/"


def signed_in(user):
    client = english_client()
    client.force_login(user)
    return client


@pytest.fixture
def world(oblast_officer, places):
    """A firewood request in okrug A of North Kazakhstan and two volunteers who fit it."""
    request = make(oblast_officer, 1, places["a1"], kind="firewood")
    near = enter(oblast_officer, 1, places["a1"], directions=["physical"], travel_km=15)
    second = enter(oblast_officer, 2, places["a2"], directions=["physical", "teaching"],
                   travel_km=60, has_car=True, car_seats=3)
    return {"request": request, "near": near, "second": second}


@pytest.fixture
def officer(oblast_officer):
    return signed_in(oblast_officer)


def match_url(help_request) -> str:
    return f"/volunteers/staff/requests/{help_request.pk}/match/"


def text_of(response) -> str:
    return response.content.decode()


# --- who gets in ---------------------------------------------------------------------------

def test_the_anonymous_are_sent_to_sign_in_and_residents_refused(world, resident):
    help_request, volunteer = world["request"], world["near"]
    pages = [DESK, match_url(help_request), UPLOAD, NOMINATIONS,
             "/volunteers/staff/template.csv"]
    posts = [(f"/volunteers/staff/requests/{help_request.pk}/assign/",
              {"volunteer": volunteer.pk}),
             (f"/volunteers/staff/requests/{help_request.pk}/record/",
              {"volunteer": volunteer.pk, "helped_on": str(timezone.localdate())})]
    anonymous = english_client()
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    for url, data in posts:
        response = anonymous.post(url, data)
        assert response.status_code == 302 and "/login" in response["Location"], url
    citizen = signed_in(resident)
    for url in pages:
        assert citizen.get(url).status_code == 403, url
    for url, data in posts:
        assert citizen.post(url, data).status_code == 403, url
    assert not Assignment.objects.exists()


def test_staff_of_another_area_get_403_on_the_pages_and_posts_of_this_one(world,
                                                                          oblast_officer,
                                                                          far_officer):
    help_request, volunteer = world["request"], world["near"]
    stranger = signed_in(far_officer)
    desk = stranger.get(DESK)  # their own desk, without this area's rows
    assert desk.status_code == 200
    assert match_url(help_request) not in text_of(desk)
    assert stranger.get(match_url(help_request)).status_code == 403
    refused = stranger.post(f"/volunteers/staff/requests/{help_request.pk}/assign/",
                            {"volunteer": volunteer.pk})
    assert refused.status_code == 403
    assert "Only akimat or NGO staff of the request" in text_of(refused)
    record = actions.record_help(user=oblast_officer, volunteer=volunteer,
                                 help_request=help_request, helped_on=timezone.localdate())
    for url, data in [
        (f"/volunteers/staff/requests/{help_request.pk}/record/",
         {"volunteer": world["second"].pk, "helped_on": str(timezone.localdate())}),
        (f"/volunteers/staff/records/{record.pk}/confirm/", {"via": "staff"}),
    ]:
        assert stranger.post(url, data).status_code == 403, url
    actions.confirm_record(user=oblast_officer, record=record, via="staff")
    assert stranger.post(f"/volunteers/staff/records/{record.pk}/review/",
                         {"positive": "1"}).status_code == 403
    review = actions.write_review(user=oblast_officer, record=record, positive=True)
    assert stranger.post(f"/volunteers/staff/reviews/{review.pk}/moderate/",
                         {"approve": "1"}).status_code == 403
    assert not Assignment.objects.exists()
    assert HelpRecord.objects.count() == 1
    assert Review.objects.get().moderation == Review.Moderation.PENDING


def test_missing_rows_answer_404(officer):
    assert officer.get("/volunteers/staff/requests/999999999/match/").status_code == 404
    assert officer.post("/volunteers/staff/records/999999999/confirm/",
                        {"via": "staff"}).status_code == 404
    assert officer.get(DESK + "requests/1/assign/").status_code == 405  # POST only


# --- the desk and matching -----------------------------------------------------------------

def test_desk_lists_open_requests_of_the_area_with_a_find_volunteers_link(world, officer):
    response = officer.get(DESK)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = text_of(response)
    assert match_url(world["request"]) in page
    assert "Find volunteers for request" in page
    assert "Test Person" not in page and "Test Volunteer" not in page


def test_every_open_request_is_reachable_page_by_page(world, officer, oblast_officer, places,
                                                     monkeypatch):
    from layers.volunteers import views_staff

    monkeypatch.setattr(views_staff, "DESK_ROWS", 2)
    more = [make(oblast_officer, n, places["a1"], kind="firewood") for n in (2, 3, 4)]
    every = {world["request"].pk, *(r.pk for r in more)}
    seen, url, pages = set(), DESK, 0
    while url:
        page = text_of(officer.get(url))
        pages += 1
        shown = {pk for pk in every if match_url_of(pk) in page}
        assert len(shown) <= 2 and not shown & seen
        seen |= shown
        assert f"Showing {2 * pages - 1}–{min(2 * pages, 4)} of 4" in page
        url = _link(page, "next")
    assert pages == 2 and seen == every
    # the other sections keep their own page; an unknown page number shows the last page
    last = text_of(officer.get(DESK + "?requests_page=99&assignments_page=3"))
    assert "Showing 3–4 of 4" in last and 'rel="prev"' in last
    # an action from page 2 returns to page 2
    volunteer = world["near"]
    target = more[0] if match_url_of(more[0].pk) in last else world["request"]
    response = officer.post(f"/volunteers/staff/requests/{target.pk}/assign/",
                            {"volunteer": volunteer.pk, "next": DESK + "?requests_page=2"})
    assert response.status_code == 302 and response["Location"] == DESK + "?requests_page=2"


def match_url_of(pk) -> str:
    return f"/volunteers/staff/requests/{pk}/match/"


def _link(page: str, rel: str) -> str | None:
    import html
    import re

    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return html.unescape(found.group(1)) if found else None


def test_match_page_lists_fitting_volunteers_nearest_first_with_reasons_and_no_names(
        world, officer):
    response = officer.get(match_url(world["request"]))
    assert response.status_code == 200
    page = text_of(response)
    near, second = world["near"], world["second"]
    assert page.index(f"Volunteer #{near.pk}<") < page.index(f"Volunteer #{second.pk}<")
    assert "travels up to 15 km" in page and "travels up to 60 km" in page
    assert "Has a car, 3 free seats" in page
    assert "Monday" in page and "09:00–12:00" in page
    assert page.count(f"Assign volunteer #{near.pk}<") == 1
    for personal in ("Test Volunteer 001", "+7 700 555", "example.kz", "Test Person"):
        assert personal not in page
    # A listed volunteer's public card leads to the contacts through the identity check;
    # two volunteers alone in their okrugs are below the anonymity group and have none.
    for volunteer in (near, second):
        card = VolunteerCard.objects.filter(volunteer=volunteer).first()
        assert (f"Public card of volunteer #{volunteer.pk}" in page) == (card is not None)


def test_assign_from_the_match_page_then_the_desk_shows_the_answer(world, officer,
                                                                   oblast_officer,
                                                                   resident):
    help_request, near = world["request"], world["near"]
    url = f"/volunteers/staff/requests/{help_request.pk}/assign/"
    response = officer.post(url, {"volunteer": near.pk, "next": match_url(help_request)})
    assert response.status_code == 302 and response["Location"] == match_url(help_request)
    assignment = Assignment.objects.get(request=help_request, volunteer=near)
    assert assignment.assigned_by == oblast_officer
    follow = officer.get(match_url(help_request))
    assert "is offered request" in text_of(follow)
    assert "Assigned already (offered)" in text_of(follow)
    again = officer.post(url, {"volunteer": near.pk, "next": match_url(help_request)})
    assert again.status_code == 409
    assert "offered this request already" in text_of(again)
    assert "Volunteers for request" in text_of(again)  # the match page, with the message
    assert officer.post(url, {"volunteer": "x"}).status_code == 404
    desk = text_of(officer.get(DESK))
    assert "pending: waiting for the volunteer" in desk
    Volunteer.objects.filter(pk=near.pk).update(user=resident)
    actions.answer_assignment(user=resident, assignment=assignment, accept=True)
    assert "accepted" in text_of(officer.get(DESK))


def test_assign_refuses_a_paused_volunteer_with_409(world, officer, oblast_officer):
    actions.pause(user=oblast_officer, volunteer=world["second"])
    response = officer.post(
        f"/volunteers/staff/requests/{world['request'].pk}/assign/",
        {"volunteer": world["second"].pk})
    assert response.status_code == 409
    assert "This volunteer is not active." in text_of(response)


# --- recording, confirming, reviewing, moderating ------------------------------------------

def test_record_confirm_review_and_moderate_through_the_desk(world, officer, district_ngo):
    help_request, near = world["request"], world["near"]
    record_url = f"/volunteers/staff/requests/{help_request.pk}/record/"
    today = timezone.localdate()
    bad = officer.post(record_url, {"volunteer": near.pk, "helped_on": "yesterday"})
    assert bad.status_code == 400 and "Give the date of help" in text_of(bad)
    future = officer.post(record_url, {"volunteer": near.pk,
                                       "helped_on": str(today.replace(year=today.year + 1))})
    assert future.status_code == 400 and "cannot be in the future" in text_of(future)
    done = officer.post(record_url, {"volunteer": near.pk, "helped_on": str(today)})
    assert done.status_code == 302 and done["Location"] == DESK
    record = HelpRecord.objects.get(request=help_request, volunteer=near)
    twice = officer.post(record_url, {"volunteer": near.pk, "helped_on": str(today)})
    assert twice.status_code == 409 and "recorded already" in text_of(twice)
    desk = text_of(officer.get(DESK))
    assert f"/volunteers/staff/records/{record.pk}/confirm/" in desk

    confirm_url = f"/volunteers/staff/records/{record.pk}/confirm/"
    wrong = officer.post(confirm_url, {"via": "telegram"})
    assert wrong.status_code == 400 and "Confirmed through must be one of" in text_of(wrong)
    assert officer.post(confirm_url, {"via": "person"}).status_code == 302
    record.refresh_from_db()
    assert record.confirmed_at and record.confirmed_via == "person"
    assert officer.post(confirm_url, {"via": "staff"}).status_code == 409

    review_url = f"/volunteers/staff/records/{record.pk}/review/"
    assert f'action="{review_url}"' in text_of(officer.get(DESK))
    unchosen = officer.post(review_url, {"text": "Fine."})
    assert unchosen.status_code == 400 and "positive or negative" in text_of(unchosen)
    leaking = officer.post(review_url, {"positive": "1", "text": "Call +7 701 234 56 78"})
    assert leaking.status_code == 400
    assert officer.post(review_url, {"positive": "1",
                                     "text": "Came on time, chopped it all."}).status_code == 302
    review = Review.objects.get(record=record)
    assert review.positive and review.moderation == Review.Moderation.PENDING
    assert officer.post(review_url, {"positive": "0"}).status_code == 409

    moderate_url = f"/volunteers/staff/reviews/{review.pk}/moderate/"
    desk = text_of(officer.get(DESK))
    assert "Came on time, chopped it all." in desk and moderate_url in desk
    # An NGO operator enters and records, but does not moderate.
    ngo = signed_in(district_ngo)
    ngo_desk = text_of(ngo.get(DESK))
    assert moderate_url not in ngo_desk
    refused = ngo.post(moderate_url, {"approve": "1"})
    assert refused.status_code == 403 and "Only moderators" in text_of(refused)
    assert officer.post(moderate_url, {"approve": "maybe"}).status_code == 400
    assert officer.post(moderate_url, {"approve": "1"}).status_code == 302
    review.refresh_from_db()
    assert review.moderation == Review.Moderation.APPROVED
    assert officer.post(moderate_url, {"approve": "0"}).status_code == 409


def test_proposed_directions_are_promoted_or_rejected(oblast_officer, officer, places):
    volunteer = enter(oblast_officer, 5, places["a1"], directions=["teaching"],
                      own_directions=["Tree planting", "Chess club"])
    trees, chess = DirectionProposal.objects.filter(volunteer=volunteer).order_by("text")[::-1]
    desk = text_of(officer.get(DESK))
    assert "Tree planting" in desk and "Chess club" in desk
    url = f"/volunteers/staff/proposals/{trees.pk}/decide/"
    unnamed = officer.post(url, {"decision": "new", "code": "tree_planting",
                                 "name_en": "Tree planting"})
    assert unnamed.status_code == 400 and "Kazakh, Russian and English" in text_of(unnamed)
    taken = officer.post(url, {"decision": "new", "code": "teaching", "name_kk": "a",
                               "name_ru": "b", "name_en": "c"})
    assert taken.status_code == 409
    assert officer.post(url, {"decision": "nothing"}).status_code == 400
    added = officer.post(url, {"decision": "new", "code": "tree_planting",
                               "name_kk": "Ағаш отырғызу", "name_ru": "Посадка деревьев",
                               "name_en": "Tree planting"})
    assert added.status_code == 302
    volunteer.refresh_from_db()
    assert "tree_planting" in volunteer.directions
    assert officer.post(url, {"decision": "reject"}).status_code == 409
    rejected = officer.post(f"/volunteers/staff/proposals/{chess.pk}/decide/",
                            {"decision": "reject"})
    assert rejected.status_code == 302
    chess.refresh_from_db()
    assert chess.status == DirectionProposal.Status.REJECTED


# --- upload --------------------------------------------------------------------------------

def csv_list(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Толық аты-жөні / ФИО", "Туған жылы / Год рождения", "Пол", "Телефон",
                     "Код КАТО населённого пункта", "Направления", "Дни (1–7)",
                     "Часы (напр. 9-13)"])
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, data: bytes, name="list.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data,
                                                           content_type="text/csv")})


def test_upload_checks_first_then_writes_on_confirm(officer, oblast_officer, places):
    from layers.volunteers.importer import template_bytes

    assert officer.get(UPLOAD).status_code == 200
    template = officer.get("/volunteers/staff/template.csv")
    assert template.status_code == 200
    assert template.content == template_bytes("csv")[0]
    assert "Толық аты-жөні / ФИО" in template.content.decode("utf-8-sig")
    xlsx = officer.get("/volunteers/staff/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert officer.get("/volunteers/staff/template.pdf").status_code == 404
    rows = [[f"Uploaded Volunteer {n}", "1990", "жен", f"+7 702 111 00 {n:02d}",
             places["a1"].kato, "physical", "1; 3", "9-13"] for n in range(1, 4)]
    checked = upload(officer, csv_list(rows))
    assert checked.status_code == 200
    page = text_of(checked)
    assert "3 rows: 3 new volunteers, 0 updates, 0 rows with errors." in page
    assert "Confirm and write the list" in page
    assert not Volunteer.objects.filter(entered_by=oblast_officer).exists()
    written = officer.post(UPLOAD, {"confirm": "1"})
    assert written.status_code == 302
    assert Volunteer.objects.filter(entered_by=oblast_officer).count() == 3
    assert "Written: 3 new, 0 updated." in text_of(officer.get(UPLOAD))
    expired = officer.post(UPLOAD, {"confirm": "1"})  # the checked file is used once
    assert expired.status_code == 400 and "Upload the file again" in text_of(expired)


def test_upload_reports_bad_rows_and_writes_nothing(officer, far_officer, places):
    rows = [["Bad Volunteer 1", "1990", "жен", "+7 702 111 00 01", places["a1"].kato,
             "physical", "9", "9-13"],
            ["Bad Volunteer 2", "1990", "жен", "+7 702 111 00 02", places["a1"].kato,
             "juggling", "1", "9-13"]]
    checked = upload(officer, csv_list(rows))
    assert checked.status_code == 400
    page = text_of(checked)
    assert "Nothing was written" in page and "Days are numbers 1 (Monday) to 7" in page
    assert "Unknown direction" in page and "Bad Volunteer" not in page
    assert "Confirm and write the list" not in page
    assert officer.post(UPLOAD, {"confirm": "1"}).status_code == 400
    assert upload(officer, b"just text", name="list.txt").status_code == 400
    assert officer.post(UPLOAD, {}).status_code == 400
    valid = [["Far Volunteer 1", "1990", "жен", "+7 702 111 00 03", places["a1"].kato,
              "physical", "1", "9-13"]]
    stranger = upload(signed_in(far_officer), csv_list(valid))
    assert stranger.status_code == 400 and "no staff role in the area" in text_of(stranger)
    assert not Volunteer.objects.filter(entered_by__isnull=False,
                                        settlement_kato=places["a1"].kato,
                                        slots__contains=[8]).exists()


# --- nominations ---------------------------------------------------------------------------

def test_nominations_count_people_helped_and_positive_reviews_in_the_staff_areas(
        world, officer, oblast_officer, far_officer):
    help_request, near = world["request"], world["near"]
    record = actions.record_help(user=oblast_officer, volunteer=near,
                                 help_request=help_request, helped_on=timezone.localdate())
    actions.confirm_record(user=oblast_officer, record=record, via="staff")
    review = actions.write_review(user=oblast_officer, record=record, positive=True)
    actions.moderate_review(user=oblast_officer, review=review, approve=True)
    page = text_of(officer.get(NOMINATIONS))
    assert f"Volunteer #{near.pk}: 1 person helped" in page
    assert f"Volunteer #{near.pk}: 1 positive review" in page
    by_district = officer.get(NOMINATIONS, {"period": "year", "level": "district"})
    assert by_district.status_code == 200
    assert record.district.kato in text_of(by_district)
    assert f"Most active ({timezone.localdate().year})" in text_of(by_district)
    by_okrug = text_of(officer.get(NOMINATIONS, {"period": "quarter", "level": "okrug"}))
    assert record.okrug.kato in by_okrug
    elsewhere = text_of(signed_in(far_officer).get(NOMINATIONS, {"level": "volunteer"}))
    assert f"Volunteer #{near.pk}" not in elsewhere
    assert record.district.kato not in text_of(
        signed_in(far_officer).get(NOMINATIONS, {"level": "district"}))
    assert officer.get(NOMINATIONS, {"period": "week"}).status_code == 400
    assert officer.get(NOMINATIONS, {"start": "2026-05-01",
                                     "end": "2026-01-01"}).status_code == 400


def test_the_profile_of_staff_links_the_desk(officer):
    assert 'href="/volunteers/staff/"' in text_of(officer.get("/accounts/profile/"))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_staff_pages_render_in_kazakh_and_russian(world, oblast_officer, language):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(oblast_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in (DESK, match_url(world["request"]), UPLOAD, NOMINATIONS):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in text_of(response)
