"""Importers of akimats' project lists and employment indicators: CSV and XLSX, headers in
Kazakh or Russian, dry run by default with a row-by-row report, re-upload updates, bad rows
reported and nothing written, the management commands and the staff upload page."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from layers.investments.importer import (
    EMPLOYMENT_COLUMNS,
    PROJECT_COLUMNS,
    import_employment,
    import_projects,
    template,
)
from layers.investments.models import InvestmentProject, SettlementEmployment
from tests.accounts.factories import StaffRoleFactory, UserFactory

from .conftest import employment

pytestmark = pytest.mark.django_db

PROJECT_HEADER_KK = [c.kk for c in PROJECT_COLUMNS]
EMPLOYMENT_HEADER_RU = [c.ru for c in EMPLOYMENT_COLUMNS]


def csv_bytes(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def project_row(reference, kato, *, investment="30000000", jobs="12",
                position="Бөлім басшысы", sector="Туризм", status=""):
    # reference, titles kk/ru/en, descriptions kk/ru/en, sector, investment, jobs, KATO,
    # lon, lat, status, responsible name, position
    return [reference, f"Жоба {reference}", f"Проект {reference}", "", "", "", "", sector,
            investment, jobs, kato, "", "", status, "Ә. Әкімов", position]


def test_templates_have_headers_in_kazakh_and_russian():
    sheet = load_workbook(io.BytesIO(template(PROJECT_COLUMNS, "xlsx"))).active
    headers = [cell.value for cell in sheet[1]]
    assert "Саласы / Отрасль" in headers and "Лауазымы / Должность" in headers
    text = template(EMPLOYMENT_COLUMNS, "csv").decode("utf-8-sig")
    assert text.startswith("Елді мекеннің ҚАТО коды / Код КАТО населённого пункта,")


def test_a_project_list_dry_run_commit_and_re_upload(far_apart_settlements, oblast):
    s = far_apart_settlements
    rows = [project_row("INV-1", s[0].kato), project_row("INV-2", s[1].kato, jobs="40")]
    content = csv_bytes(PROJECT_HEADER_KK, rows)
    dry = import_projects(name="list.csv", content=content, area=oblast)
    assert [r.outcome for r in dry.rows] == ["create", "create"] and not dry.committed
    assert "Dry run" in dry.lines()[-1]
    assert not InvestmentProject.objects.filter(reference_area=oblast).exists()

    done = import_projects(name="list.csv", content=content, area=oblast, commit=True)
    assert done.committed and done.created == 2
    second = InvestmentProject.objects.get(reference_area=oblast, reference="INV-2")
    assert (second.sector, second.jobs_created, second.responsible_position) == (
        "tourism", 40, "head_of_department")
    assert second.district_id == s[1].district_id

    rows[1] = project_row("INV-2", s[1].kato, jobs="55", status="Инвестор табылды")
    again = import_projects(name="list.xlsx", content=xlsx_bytes(PROJECT_HEADER_KK, rows),
                            area=oblast, commit=True)
    assert [r.outcome for r in again.rows] == ["update", "update"] and again.committed
    assert InvestmentProject.objects.filter(reference_area=oblast).count() == 2
    second.refresh_from_db()
    assert (second.jobs_created, second.status) == (55, "investor_found")
    assert second.events.filter(action="import_update").exists()


def test_bad_rows_are_reported_row_by_row_and_nothing_is_written(far_apart_settlements,
                                                                 oblast):
    s = far_apart_settlements
    rows = [
        project_row("OK-1", s[0].kato),
        project_row("BAD-KATO", "599999999"),
        project_row("BAD-SUM", s[1].kato, investment="many"),
        project_row("BAD-JOBS", s[1].kato, jobs="-3"),
        project_row("LOW", s[2].kato, position="Бас маман"),
        project_row("OUTSIDE", "471010000"),
        project_row("OK-1", s[3].kato),
    ]
    report = import_projects(name="list.csv", content=csv_bytes(PROJECT_HEADER_KK, rows),
                             area=oblast, commit=True)
    assert not report.committed
    outcomes = {r.row: (r.outcome, r.message) for r in report.rows}
    assert outcomes[2][0] == "create"
    assert "No settlement has the KATO code 599999999" in outcomes[3][1]
    assert "amount in tenge" in outcomes[4][1]
    assert "between 0" in outcomes[5][1]
    assert "head of department" in outcomes[6][1]
    assert "not in" in outcomes[7][1] or "KATO" in outcomes[7][1]
    assert "already used in row 2" in outcomes[8][1]
    assert "Nothing written" in report.lines()[-1]
    assert not InvestmentProject.objects.filter(reference_area=oblast).exists()


def test_a_file_without_the_required_columns_or_of_another_kind_is_refused(oblast):
    from layers.investments.importer import ImportFileError

    with pytest.raises(ImportFileError, match="lacks these columns"):
        import_projects(name="x.csv", content=csv_bytes(["Атауы (қазақша)"], [["a"]]),
                        area=oblast)
    with pytest.raises(ImportFileError, match="CSV or an XLSX"):
        import_projects(name="x.pdf", content=b"%PDF", area=oblast)
    with pytest.raises(ImportFileError, match="cannot be read"):
        import_projects(name="x.xlsx", content=b"not a workbook", area=oblast)


def test_employment_import_updates_rather_than_duplicates_and_reaches_the_projects(
        far_apart_settlements, make_project):
    s = far_apart_settlements
    project = make_project(s[0])
    employment(s[0], 9.0, year=2023)
    rows = [[s[0].kato, "2024", "1500", "1200", "300", "", "Аудан әкімдігі", "жоқ"],
            [s[1].kato, "2024", "800", "700", "100", "12,5", "Аудан әкімдігі", "да"]]
    content = csv_bytes(EMPLOYMENT_HEADER_RU, rows)
    dry = import_employment(name="e.csv", content=content)
    assert [r.outcome for r in dry.rows] == ["create", "create"]
    assert not SettlementEmployment.objects.filter(year=2024, settlement=s[0]).exists()
    assert import_employment(name="e.csv", content=content, commit=True).committed
    first = SettlementEmployment.objects.get(settlement=s[0], year=2024)
    assert first.unemployment_rate == 20  # 300 of a labour force of 1500
    assert SettlementEmployment.objects.get(settlement=s[1], year=2024).is_sample
    project.refresh_from_db()
    assert (project.unemployment_rate, project.employment_year) == (20.0, 2024)

    rows[0][4] = "150"
    rows[0][5] = "11.1"
    again = import_employment(name="e.xlsx", content=xlsx_bytes(EMPLOYMENT_HEADER_RU, rows),
                              commit=True)
    assert [r.outcome for r in again.rows] == ["update", "update"]
    assert SettlementEmployment.objects.filter(settlement=s[0]).count() == 2
    project.refresh_from_db()
    assert project.unemployment_rate == 11.1


def test_bad_employment_rows(far_apart_settlements):
    s = far_apart_settlements
    rows = [[s[0].kato, "2024", "1000", "900", "50", "", "src", ""],
            ["123", "2024", "1000", "900", "50", "", "src", ""],
            [s[1].kato, "2024", "1000", "900", "500", "", "src", ""],
            [s[2].kato, "1850", "1000", "900", "50", "", "src", ""],
            [s[3].kato, "2024", "lots", "900", "50", "", "src", ""],
            [s[4].kato, "2024", "1000", "900", "50", "140", "src", ""],
            [s[5].kato, "2024", "1000", "900", "50", "", "", "maybe"]]
    report = import_employment(name="e.csv", content=csv_bytes(EMPLOYMENT_HEADER_RU, rows),
                               commit=True)
    messages = [r.message for r in report.rows]
    assert report.rows[0].outcome == "create" and not report.committed
    assert "9 digits" in messages[1]
    assert "exceed the working-age population" in messages[2]
    assert "year" in messages[3]
    assert "whole number" in messages[4]
    assert "between 0 and 100" in messages[5]
    assert "source" in messages[6]
    assert not SettlementEmployment.objects.filter(settlement__in=s).exists()


def test_management_commands(tmp_path, far_apart_settlements, oblast):
    s = far_apart_settlements
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(PROJECT_HEADER_KK, [project_row("CMD-1", s[0].kato)]))
    out = io.StringIO()
    call_command("import_investments", str(path), "--area", oblast.kato, stdout=out)
    assert "Dry run" in out.getvalue()
    assert not InvestmentProject.objects.filter(reference="CMD-1").exists()
    call_command("import_investments", str(path), "--area", oblast.kato, "--commit",
                 stdout=out)
    assert InvestmentProject.objects.filter(reference="CMD-1").count() == 1
    path.write_bytes(csv_bytes(PROJECT_HEADER_KK, [project_row("CMD-2", "599999999")]))
    with pytest.raises(CommandError, match="refused"):
        call_command("import_investments", str(path), "--area", oblast.kato, "--commit",
                     stdout=io.StringIO())
    employment_path = tmp_path / "e.xlsx"
    employment_path.write_bytes(xlsx_bytes(EMPLOYMENT_HEADER_RU, [
        [s[0].kato, 2024, 1000, 900, 100, None, "stat", "нет"]]))
    call_command("import_employment", str(employment_path), "--commit", stdout=out)
    assert SettlementEmployment.objects.get(settlement=s[0], year=2024).unemployment_rate == 10
    template_path = tmp_path / "t.xlsx"
    call_command("import_employment", str(template_path), "--template", stdout=out)
    assert template_path.stat().st_size > 0


def test_the_staff_upload_page_is_for_the_staff_of_the_area(client, far_apart_settlements,
                                                            oblast):
    s = far_apart_settlements
    content = csv_bytes(PROJECT_HEADER_KK, [project_row("WEB-1", s[0].kato)])

    def upload(commit, area):
        return client.post("/investments/import/", {
            "kind": "projects", "area": area.kato, "commit": "on" if commit else "",
            "file": SimpleUploadedFile("list.csv", content, "text/csv")})

    client.force_login(UserFactory())
    assert client.get("/investments/import/").status_code == 403
    district_staff = StaffRoleFactory(areas=[s[1].district]).user
    client.force_login(district_staff)
    page = client.get("/investments/import/").content.decode()
    assert s[1].district.kato in page and f'value="{oblast.kato}"' not in page
    refused = upload(True, oblast)  # not an area of theirs: not a choice on the form
    assert refused.status_code == 400
    wrong_area = upload(True, s[1].district)  # their district, but the row is elsewhere
    assert wrong_area.status_code == 400 and "not in" in wrong_area.content.decode()
    assert not InvestmentProject.objects.filter(reference="WEB-1").exists()

    client.force_login(StaffRoleFactory(areas=[oblast]).user)
    dry = upload(False, oblast)
    assert dry.status_code == 200 and "Dry run" in dry.content.decode()
    assert not InvestmentProject.objects.filter(reference="WEB-1").exists()
    written = upload(True, oblast)
    assert written.status_code == 200 and "Written: 1 new" in written.content.decode()
    assert InvestmentProject.objects.filter(reference="WEB-1").count() == 1
    template_response = client.get("/investments/import/employment-template.xlsx")
    assert template_response.status_code == 200
