"""Upload of akimat/NGO lists: the template's kk/ru headers, row-by-row errors, dry run then
commit (command and the staff page's confirm button), nothing written when a row is wrong,
no duplicate people on re-upload, settlements by KATO or by name inside the district."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from layers.help.importer import COLUMNS, import_file, template_bytes
from layers.help.models import HelpRequest

pytestmark = pytest.mark.django_db
HEADERS = [f"{kk} / {ru}" for _code, kk, ru in COLUMNS]


def row(n, place, **values):
    base = {"full_name": f"Upload Person {n:03d}", "birth_year": "1955",
            "phone": f"8 700 333 44 {n:02d}", "address": f"Upload street {n}",
            "settlement_kato": place.kato, "settlement": "", "district": "",
            "topic": "material", "kind": "firewood", "family": "Жалғыз тұратын зейнеткер",
            "amount_needed": "120 000", "description": "Нужны дрова на зиму.",
            "consent": "written"}
    base.update(values)
    return [base[code] for code, _kk, _ru in COLUMNS]


def csv_bytes(rows, headers=HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def uploaded() -> int:
    return HelpRequest.objects.filter(settlement_kato__startswith="59").count()


def test_template_headers_are_in_kazakh_and_russian():
    data, _ = template_bytes("csv")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert "Толық аты-жөні / ФИО" in header and "Туған жылы / Год рождения" in header
    data, _ = template_bytes("xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == header


def test_dry_run_commit_and_reupload_without_duplicates(oblast_officer, places):
    rows = [row(1, places["a1"]), row(2, places["a2"], consent=""),
            row(3, places["b"], topic="Консультативная", kind="Юридическая консультация",
                amount_needed="", family="")]
    data = csv_bytes(rows)
    report = import_file(user=oblast_officer, data=data, filename="list.csv", commit=False)
    assert report.ok and report.counts() == {"rows": 3, "new": 3, "update": 0, "error": 0}
    assert uploaded() == 0
    report = import_file(user=oblast_officer, data=data, filename="list.csv", commit=True)
    assert report.committed and uploaded() == 3
    published = HelpRequest.objects.filter(settlement_kato__startswith="59", is_published=True)
    assert published.count() == 2  # the row without consent stays off the map
    assert HelpRequest.objects.get(settlement=places["b"]).kind_id == "legal"
    again = import_file(user=oblast_officer, data=data, filename="list.csv", commit=True)
    assert again.counts()["update"] == 3 and uploaded() == 3


def test_errors_are_reported_row_by_row_and_nothing_is_written(oblast_officer, places):
    rows = [
        row(1, places["a1"]),
        row(2, places["a1"], full_name=""),
        row(3, places["a1"], settlement_kato="599999999"),
        row(4, places["a1"], birth_year="1812"),
        row(5, places["a1"], phone="12-34"),
        row(6, places["a1"], description="звонить 8 701 555 66 77"),
        row(7, places["a1"], settlement_kato="", settlement="Nowhereville",
            district=places["a1"].kato[:4] + "00000"),
        row(1, places["a1"]),
    ]
    report = import_file(user=oblast_officer, data=csv_bytes(rows), filename="list.csv",
                         commit=True)
    assert not report.committed and uploaded() == 0
    errors = {r.line: [field for field, _ in r.errors] for r in report.errors}
    assert errors == {3: ["full_name"], 4: ["settlement"], 5: ["birth_year"], 6: ["phone"],
                      7: ["description"], 8: ["settlement"], 9: ["full_name"]}
    text = "\n".join(report.lines())
    assert "row 6" in text and "555 66 77" not in text and "12-34" not in text
    with pytest.raises(CommandError, match="nothing written"):
        path = _write(rows)
        call_command("import_help_requests", path, "--user", oblast_officer.username,
                     "--commit")
    assert uploaded() == 0


def _write(rows, tmp=[]):  # noqa: B006 - one temp folder for the module is enough
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="help-import-"))
    path = folder / "list.csv"
    path.write_bytes(csv_bytes(rows))
    return str(path)


def test_settlement_by_name_inside_its_district_and_xlsx(oblast_officer, places):
    settlement = places["b"]
    district = settlement.kato[:4] + "00000"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([ru for _code, _kk, ru in COLUMNS])  # Russian headers alone work too
    sheet.append(row(1, settlement, settlement_kato="", settlement=settlement.name_ru,
                     district=district))
    out = io.BytesIO()
    workbook.save(out)
    report = import_file(user=oblast_officer, data=out.getvalue(), filename="list.xlsx",
                         commit=True)
    assert report.committed, report.lines()
    assert HelpRequest.objects.get(settlement_kato__startswith="59").settlement == settlement


def test_only_staff_of_the_area_may_upload(far_officer, district_ngo, places):
    data = csv_bytes([row(1, places["a1"]), row(2, places["other"])])
    report = import_file(user=district_ngo, data=data, filename="list.csv", commit=True)
    assert [r.line for r in report.errors] == [3] and uploaded() == 0
    report = import_file(user=far_officer, data=data, filename="list.csv", commit=True)
    assert len(report.errors) == 2 and "staff role" in report.errors[0].errors[0][1]


def test_the_staff_page_checks_then_writes_on_confirm(client, oblast_officer, places, helper):
    client.force_login(helper)
    assert client.get("/help/staff/upload/").status_code == 403
    client.force_login(oblast_officer)
    assert client.get("/help/staff/template.xlsx").status_code == 200
    bad = io.BytesIO(csv_bytes([row(1, places["a1"], birth_year="1700")]))
    bad.name = "list.csv"
    response = client.post("/help/staff/upload/", {"file": bad})
    assert response.status_code == 400 and b"Nothing was written" in response.content
    good = io.BytesIO(csv_bytes([row(1, places["a1"]), row(2, places["a2"])]))
    good.name = "list.csv"
    response = client.post("/help/staff/upload/", {"file": good})
    assert response.status_code == 200 and b"Confirm and write" in response.content
    assert uploaded() == 0
    response = client.post("/help/staff/upload/", {"confirm": "1"})
    assert response.status_code == 302 and uploaded() == 2
    assert client.post("/help/staff/upload/", {"confirm": "1"}).status_code == 400
    wrong = io.BytesIO(b"just text")
    wrong.name = "list.pdf"
    assert b".csv or .xlsx" in client.post("/help/staff/upload/", {"file": wrong}).content
