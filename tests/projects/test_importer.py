"""The list importer: CSV and XLSX with headers in Kazakh or Russian, dry run by default with
a row-by-row report, re-uploads update instead of duplicating, bad rows refused with nothing
written, the staff upload page for the area's staff only, and the management command."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from layers.projects import importer
from layers.projects.models import SocialProject

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in importer.COLUMNS]


def row(reference, settlement_kato, line=("Профнастил", "120", "м²", "6500"), **values):
    cells = {"reference": reference, "kind": "Инфраструктура", "title_kk": "Шатыр",
             "title_ru": "Крыша", "organisation": "Әкімдік", "settlement_kato": settlement_kato,
             "line_name": line[0], "quantity": line[1], "unit": line[2],
             "unit_price": line[3], **values}
    return [cells.get(c.key, "") for c in importer.COLUMNS]


def csv_bytes(rows, headers=HEADERS, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def xlsx_bytes(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data, area, name="list.csv", **options):
    return importer.import_projects(name=name, data=data, area=area, **options)


def test_dry_run_reports_row_by_row_and_writes_nothing(settlement, areas):
    data = csv_bytes([row("A-1", settlement.kato),
                      row("A-1", settlement.kato, line=("Монтаж", "1", "жиынтық", "350000")),
                      row("A-2", settlement.kato, kind="Благотворительная акция")])
    report = run(data, areas.district)
    assert [r.outcome for r in report.rows] == ["create"] * 3
    assert [r.row for r in report.rows] == [2, 3, 4]
    assert report.created == 2 and not report.committed
    assert "Dry run" in report.lines()[-1]
    assert not SocialProject.objects.filter(reference__in=["A-1", "A-2"]).exists()


def test_commit_creates_and_a_reupload_updates_instead_of_duplicating(settlement, areas):
    data = csv_bytes([row("A-1", settlement.kato),
                      row("A-1", settlement.kato, line=("Монтаж", "1", "жиынтық", "350000"))])
    report = run(data, areas.district, commit=True)
    assert report.committed and report.created == 1
    project = SocialProject.objects.get(reference="A-1", reference_area=areas.district)
    assert project.price == 120 * 6500 + 350000 and project.status == "draft"
    assert project.okrug == areas.okrug
    again = csv_bytes([row("A-1", settlement.kato, line=("Профнастил", "100", "м²", "6500"),
                           title_ru="Крыша школы")])
    report = run(again, areas.district, commit=True)
    assert report.updated == 1 and report.created == 0
    project.refresh_from_db()
    assert SocialProject.objects.filter(reference="A-1").count() == 1
    assert project.price == 650000 and project.title_ru == "Крыша школы"
    assert project.estimate_lines.count() == 1


def test_unknown_settlement_and_bad_estimate_rows_are_refused_and_nothing_is_written(
        settlement, areas):
    data = csv_bytes([row("B-1", settlement.kato),
                      row("B-2", "199999999"),
                      row("B-3", settlement.kato, line=("Цемент", "-5", "қап", "3500")),
                      row("B-4", settlement.kato, line=("Цемент", "5", "қап", "көп")),
                      row("", settlement.kato)])
    report = run(data, areas.district, commit=True)
    assert not report.committed and report.rejected == 4
    messages = {r.row: r.message for r in report.rows}
    assert "no settlement has the KATO code 199999999" in messages[3]
    assert "Estimate line 1 (Цемент): the quantity must be more than zero" in messages[4]
    assert "unit price must be a number" in messages[5]
    assert "reference" in messages[6]
    assert {r.outcome for r in report.rows if r.row == 2} == {"create"}
    assert "Nothing written" in report.lines()[-1]
    assert not SocialProject.objects.filter(reference__startswith="B-").exists()


def test_a_settlement_outside_the_upload_area_is_refused(settlement):
    from layers.areas.models import AdminArea

    astana = AdminArea.objects.get(generation__is_current=True, kato="710000000")
    report = run(csv_bytes([row("C-1", settlement.kato)]), astana)
    assert report.rejected == 1 and "is not in" in report.rows[0].message


def test_russian_headers_semicolons_and_xlsx(settlement, areas):
    russian = [c.ru for c in importer.COLUMNS]
    report = run(csv_bytes([row("D-1", settlement.kato)], russian, ";"), areas.district)
    assert report.ok
    kazakh = [c.kk for c in importer.COLUMNS]
    report = run(xlsx_bytes([row("D-2", settlement.kato, deadline="31.12.2030")], kazakh),
                 areas.district, name="list.xlsx", commit=True)
    assert report.committed
    assert str(SocialProject.objects.get(reference="D-2").deadline) == "2030-12-31"


def test_bad_files_get_a_clear_message():
    from layers.areas.models import AdminArea

    area = AdminArea.objects.get(generation__is_current=True, kato="750000000")
    with pytest.raises(importer.ImportFileError, match="lacks these columns"):
        run(csv_bytes([["x"]], ["Түрі / Вид"]), area)
    with pytest.raises(importer.ImportFileError, match="Unknown columns"):
        run(csv_bytes([], [*HEADERS, "Colour"]), area)
    with pytest.raises(importer.ImportFileError, match="XLSX file cannot be read"):
        run(b"PK\x03\x04 broken", area, name="list.xlsx")
    with pytest.raises(importer.ImportFileError, match="not UTF-8"):
        run("Түрі".encode("utf-16"), area)
    with pytest.raises(importer.ImportFileError, match="empty"):
        run(b"", area)


def test_the_template_has_kazakh_and_russian_headers_and_imports_as_is(areas, settlement):
    workbook = load_workbook(io.BytesIO(importer.template_xlsx()))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert "Түрі / Вид" in headers and "Код КАТО населённого пункта" in headers[9]
    rows = [[cell.value for cell in line] for line in workbook.worksheets[0].iter_rows(min_row=2)]
    for cells in rows:
        cells[9] = settlement.kato
    report = run(xlsx_bytes(rows, headers), areas.district, name="t.xlsx")
    assert report.ok and report.created == 1


def test_staff_upload_page_only_for_staff_of_the_area(settlement, areas, officer,
                                                      stranger_staff):
    def upload(user, commit):
        client = Client()
        client.cookies["django_language"] = "en"
        client.force_login(user)
        data = csv_bytes([row("E-1", settlement.kato)])
        return client.post("/projects/import/", {
            "area": areas.district.kato, "commit": "on" if commit else "",
            "file": SimpleUploadedFile("list.csv", data, content_type="text/csv")})

    assert upload(stranger_staff, True).status_code == 403
    dry = upload(officer, False)
    assert dry.status_code == 200 and "Dry run" in dry.content.decode()
    assert not SocialProject.objects.filter(reference="E-1").exists()
    assert upload(officer, True).status_code == 200
    assert SocialProject.objects.filter(reference="E-1").count() == 1
    template = Client().get("/projects/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_management_command(settlement, areas, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([row("F-1", settlement.kato)]))
    out = io.StringIO()
    call_command("import_projects", str(path), "--area", areas.district.kato, stdout=out)
    assert "row 2 [F-1]: new project" in out.getvalue()
    assert not SocialProject.objects.filter(reference="F-1").exists()
    call_command("import_projects", str(path), "--area", areas.district.kato, "--commit",
                 stdout=out)
    assert SocialProject.objects.filter(reference="F-1").exists()
    path.write_bytes(csv_bytes([row("F-2", "000000001")]))
    with pytest.raises(CommandError, match="1 rows refused"):
        call_command("import_projects", str(path), "--area", areas.district.kato, "--commit",
                     stdout=io.StringIO())
