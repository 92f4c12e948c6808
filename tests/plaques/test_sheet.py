"""The printable plate sheet: staff of an area get one plate per public object of a layer in
it, with the names in kk/ru/en, the QR code and the short URL; the PDF parses and its text
holds every selected object. Staff of other areas, residents and visitors get nothing."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from pypdf import PdfReader

from gis_portal.accounts.models import StaffRole
from gis_portal.plaques import actions
from gis_portal.plaques.models import Plaque
from layers.areas.models import AdminArea, Settlement
from tests.accounts.factories import StaffRoleFactory, UserFactory

from .helpers import decoded_png, settlement_layer, small_okrug_settlements

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def officer_of(area, kind=StaffRole.Kind.AKIMAT_OFFICER):
    return StaffRoleFactory(kind=kind, areas=[area]).user


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def other_district(district):
    return (AdminArea.objects.filter(generation__is_current=True, level="district")
            .exclude(pk=district.pk).order_by("kato").first())


def printed_qr_codes(pdf: bytes, folder: Path) -> list[str]:
    """Every QR code on every page of the PDF, as Ghostscript prints it and zbar reads it."""
    (folder / "sheet.pdf").write_bytes(pdf)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pnggray", "-r150",
                    f"-sOutputFile={folder}/page-%d.png", str(folder / "sheet.pdf")],
                   check=True, timeout=60)
    return [url for page in sorted(folder.glob("page-*.png"))
            for url in decoded_png(page.read_bytes())]


def test_district_staff_print_every_object_of_an_okrug(tmp_path):
    settlements = small_okrug_settlements(minimum=3)
    okrug, district = settlements[0].okrug, settlements[0].district
    # Names in all three languages, one of them long enough to wrap on the plate.
    first = settlements[0]
    first.name_en = "Ak-Bulak village"
    first.save()
    client = signed_in(officer_of(district))
    response = client.post("/plaques/sheet/", {"layer": "settlements", "area": okrug.kato})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"] == "application/pdf"
    assert f"plaques-settlements-{okrug.kato}.pdf" in response["Content-Disposition"]
    pages, text = pdf_text(response.content)
    assert pages == (len(settlements) + 5) // 6
    for settlement in settlements:
        plaque = Plaque.objects.get(layer="settlements", object_id=settlement.pk)
        assert plaque.short_url in text
        assert " ".join(settlement.name_kk.split()) in text
        assert " ".join(settlement.name_ru.split()) in text
    assert "Ak-Bulak village" in text
    # The printed QR codes themselves, rasterised at 150 dpi, read as the short URLs.
    if shutil.which("gs"):
        assert sorted(printed_qr_codes(response.content, tmp_path)) == sorted(
            Plaque.objects.get(layer="settlements", object_id=s.pk).short_url
            for s in settlements)
    # Printing again gives the same codes: plates already on walls stay valid.
    codes = set(Plaque.objects.filter(layer="settlements").values_list("code", flat=True))
    again = client.post("/plaques/sheet/", {"layer": "settlements", "area": okrug.kato})
    assert again.status_code == 200
    assert set(Plaque.objects.filter(layer="settlements").values_list("code", flat=True)) == codes


def test_a_list_of_ids_prints_only_those_in_that_order():
    settlements = small_okrug_settlements(minimum=3)
    chosen = [settlements[2], settlements[0]]
    client = signed_in(officer_of(settlements[0].okrug))
    response = client.post("/plaques/sheet/", {
        "layer": "settlements", "area": "",
        "objects": f"{chosen[0].pk}, {chosen[1].pk}"})
    assert response.status_code == 200, response.content.decode()[:2000]
    _pages, text = pdf_text(response.content)
    urls = [actions.plaque_for(layer=settlement_layer(), obj=s).short_url for s in chosen]
    assert text.index(urls[0]) < text.index(urls[1])
    assert not Plaque.objects.filter(layer="settlements", object_id=settlements[1].pk).exists()


def test_staff_of_another_district_are_refused():
    settlements = small_okrug_settlements()
    okrug = settlements[0].okrug
    outsider = officer_of(other_district(settlements[0].district))
    client = signed_in(outsider)
    response = client.post("/plaques/sheet/", {"layer": "settlements", "area": okrug.kato})
    assert response.status_code == 403
    assert "You do not manage" in response.content.decode()
    response = client.post("/plaques/sheet/", {"layer": "settlements",
                                               "objects": str(settlements[0].pk)})
    assert response.status_code == 403
    assert str(settlements[0].pk) in response.content.decode()
    assert not Plaque.objects.filter(object_id=settlements[0].pk).exists()


def test_ids_outside_the_chosen_area_are_named():
    settlements = small_okrug_settlements()
    elsewhere = Settlement.objects.exclude(okrug=settlements[0].okrug).order_by("pk").first()
    client = signed_in(officer_of(settlements[0].district))
    response = client.post("/plaques/sheet/", {
        "layer": "settlements", "area": settlements[0].okrug.kato,
        "objects": f"{settlements[0].pk}\n{elsewhere.pk}"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "not public objects of the layer inside" in body and str(elsewhere.pk) in body
    response = client.post("/plaques/sheet/", {"layer": "settlements", "objects": "12, x7"})
    assert response.status_code == 400 and "is not an object id" in response.content.decode()


def test_too_many_plates_and_unknown_layers_are_refused():
    district = small_okrug_settlements()[0].district
    client = signed_in(officer_of(district.parent))
    oblast_count = Settlement.objects.filter(oblast=district.parent).count()
    assert oblast_count > actions.MAX_PLATES
    response = client.post("/plaques/sheet/", {"layer": "settlements",
                                               "area": district.parent.kato})
    assert response.status_code == 400
    assert f"at most {actions.MAX_PLATES} plates" in response.content.decode()
    response = client.post("/plaques/sheet/", {"layer": "areas", "area": district.kato})
    assert response.status_code == 400  # not a choice: the areas layer offers no plaques


def test_country_wide_administrators_may_print_anywhere_and_residents_nowhere():
    settlements = small_okrug_settlements()
    okrug = settlements[0].okrug
    admin = StaffRoleFactory(kind=StaffRole.Kind.ADMINISTRATOR).user
    response = signed_in(admin).post("/plaques/sheet/", {"layer": "settlements",
                                                         "area": okrug.kato})
    assert response.status_code == 200
    resident = signed_in(UserFactory())
    page = resident.get("/plaques/sheet/")
    assert page.status_code == 403
    assert "You hold no staff role" in page.content.decode()
    response = resident.post("/plaques/sheet/", {"layer": "settlements", "area": okrug.kato})
    assert response.status_code == 403
    # Moderators hold a role but may not change an area's records.
    moderator = StaffRoleFactory(kind=StaffRole.Kind.MODERATOR).user
    response = signed_in(moderator).post("/plaques/sheet/", {"layer": "settlements",
                                                             "area": okrug.kato})
    assert response.status_code == 403


def test_visitors_are_sent_to_sign_in():
    response = Client().get("/plaques/sheet/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = Client().post("/plaques/sheet/", {"layer": "settlements", "area": "750000000"})
    assert response.status_code == 302


def test_the_form_offers_the_staffs_areas():
    district = small_okrug_settlements()[0].district
    body = signed_in(officer_of(district)).get("/plaques/sheet/").content.decode()
    assert f'<option value="{district.kato}">' in body
    okrug_codes = AdminArea.objects.filter(parent=district).values_list("kato", flat=True)
    assert any(f'<option value="{kato}">' in body for kato in okrug_codes)
    assert '<option value="settlements"' in body
