"""Residents report a monument's condition; the report waits in the queue of the staff of the
monument's area, and its handling shows on the monument's page (the reporter's name never)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_portal.photos.actions import photos_of
from gis_portal.photos.drawing import drawn_photo
from layers.heritage import actions
from layers.heritage.models import ConditionReport

pytestmark = pytest.mark.django_db


def page(monument):
    return f"/heritage/monuments/{monument.pk}/"


def jpeg(name="damage.jpg"):
    return SimpleUploadedFile(name, drawn_photo("Damage", 3).read(), content_type="image/jpeg")


def test_a_resident_reports_with_a_photo_and_the_area_staff_handle_it(
        client, resident, monument, culture_officer, astana_culture_officer):
    client.force_login(resident)
    response = client.post(page(monument) + "report/", {
        "kind": "damage", "comment": "The east wall has a new crack.", "photo": jpeg()})
    assert response.status_code == 302
    report = ConditionReport.objects.get(monument=monument)
    assert (report.status, report.reporter, report.area) == (
        "received", resident, monument.finest_area())
    assert photos_of(report, purpose="condition").count() == 1
    public = client.get(page(monument)).content.decode()
    assert "Received" in public

    # Only the staff of the monument's area see it in their queue.
    client.force_login(astana_culture_officer)
    assert f'data-queue-report="{report.pk}"' not in client.get("/heritage/reports/").content.decode()
    refused = client.post(f"/heritage/reports/{report.pk}/handle/",
                          {f"report-{report.pk}-status": "in_work"})
    assert refused.status_code == 403
    client.force_login(culture_officer)
    queue = client.get("/heritage/reports/").content.decode()
    assert f'data-queue-report="{report.pk}"' in queue
    assert "The east wall has a new crack." in queue

    # Resolving needs a note for the public; then the page shows the handling.
    response = client.post(f"/heritage/reports/{report.pk}/handle/",
                           {f"report-{report.pk}-status": "resolved"})
    assert response.status_code == 400
    assert "Say what was done" in response.content.decode()
    assert client.post(f"/heritage/reports/{report.pk}/handle/",
                       {f"report-{report.pk}-status": "in_work"}).status_code == 302
    assert client.post(f"/heritage/reports/{report.pk}/handle/", {
        f"report-{report.pk}-status": "resolved",
        f"report-{report.pk}-note": "The crack was sealed by the restorers."}).status_code == 302
    report.refresh_from_db()
    assert report.status == "resolved"
    assert [e.status for e in report.events.all()] == ["received", "in_work", "resolved"]
    assert f'data-queue-report="{report.pk}"' not in client.get("/heritage/reports/").content.decode()

    client.logout()  # which also drops the language cookie: read the page in English again
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    public = client.get(page(monument)).content.decode()
    assert "Resolved" in public and "The crack was sealed by the restorers." in public
    # Neither the resident's name nor their own words are public.
    assert resident.username not in public and resident.email not in public
    assert "The east wall has a new crack." not in public


def test_a_signed_out_visitor_is_sent_to_sign_in(client, monument):
    assert "Sign in to report the condition" in client.get(page(monument)).content.decode()
    response = client.post(page(monument) + "report/", {"kind": "litter", "comment": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ConditionReport.objects.exists()


def test_bad_reports_are_refused_with_a_message(client, resident, monument):
    client.force_login(resident)
    response = client.post(page(monument) + "report/", {"kind": "fire", "comment": "x"})
    assert response.status_code == 400
    response = client.post(page(monument) + "report/", {"kind": "litter", "comment": "x",
                                                        "photo": SimpleUploadedFile(
                                                            "a.jpg", b"not an image")})
    assert response.status_code == 400
    assert not ConditionReport.objects.exists()


def test_staff_without_a_heritage_role_see_no_queue(client, resident):
    client.force_login(resident)
    assert client.get("/heritage/reports/").status_code == 403


def test_a_decided_report_cannot_be_decided_twice(resident, monument, culture_officer):
    report = actions.report_condition(user=resident, monument=monument, kind="litter",
                                      comment="Bottles by the gate.")
    actions.handle_report(user=culture_officer, report=report, status="dismissed",
                          note="Cleaned by the park service the same day.")
    with pytest.raises(actions.Conflict):
        actions.handle_report(user=culture_officer, report=report, status="resolved",
                              note="again")
