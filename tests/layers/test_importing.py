"""The shared reader of the layers' list uploads (layers.core.importing): CSV in UTF-8 with or
without BOM and in Windows-1251, comma, semicolon or tab; XLSX with Kazakh or Russian headers;
clear refusals of a malformed file; the template read back; the report's counts, repeated rows
and the all-or-nothing commit."""

import csv
import io
import os
from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError
from openpyxl import Workbook, load_workbook

from layers.core import importing
from layers.core.importing import Column, FileRejected, TableReader

COLUMNS = (
    Column("full_name", "Толық аты-жөні", "ФИО", True, en="Full name"),
    Column("birth_year", "Туған жылы", "Год рождения", True),
    Column("settlement_kato", "Елді мекеннің ҚАТО коды", "Код КАТО населённого пункта", True),
    Column("note", "Ескерту", "Примечание"),
)
READER = TableReader(COLUMNS)
ROWS = [["Әлия Сәрсенова", "1956", "751110000", "Жалғыз; көмек керек"],
        ["Иван Петров", "1961", "751110000", ""]]
EXPECTED = [(2, {"full_name": "Әлия Сәрсенова", "birth_year": "1956",
                 "settlement_kato": "751110000", "note": "Жалғыз; көмек керек"}),
            (3, {"full_name": "Иван Петров", "birth_year": "1961",
                 "settlement_kato": "751110000", "note": ""})]


def csv_text(headers, rows, delimiter=",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


KAZAKH = [c.kk for c in COLUMNS]
RUSSIAN = [c.ru for c in COLUMNS]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_in_any_usual_encoding_and_delimiter(encoding, delimiter):
    # Windows-1251 has no Kazakh letters: the Russian headers and names.
    headers = RUSSIAN if encoding == "cp1251" else KAZAKH
    rows = ROWS if encoding != "cp1251" else [
        ["Алия Сарсенова", "1956", "751110000", "Одна; нужна помощь"], ROWS[1]]
    data = csv_text(headers, rows, delimiter).encode(encoding)
    read = READER.read("list.csv", data)
    assert [number for number, _values in read] == [2, 3]
    assert read[1][1] == EXPECTED[1][1]
    assert read[0][1]["note"] == rows[0][3]  # a semicolon inside a comma-separated cell


def test_the_bom_never_reaches_the_first_header():
    data = ("\ufeff" + csv_text(KAZAKH, ROWS, ";")).encode("utf-8")
    assert READER.read("list.csv", data) == EXPECTED


@pytest.mark.parametrize("headers", [KAZAKH, RUSSIAN, [c.header for c in COLUMNS],
                                     ["full_name", "BIRTH_YEAR", "  код  като населённого "
                                      "пункта", "Ескерту / Note"]])
def test_xlsx_with_kazakh_russian_paired_or_key_headers(headers):
    assert READER.read("list.xlsx", xlsx_bytes(headers, ROWS)) == EXPECTED


def test_xlsx_cells_are_read_as_the_text_people_typed():
    rows = [["Aigerim", 1956.0, 751110000, datetime(2026, 12, 31)], [None, None, None, None],
            ["Berik", 1961, "751110000", "  "]]
    read = READER.read("list.xlsx", xlsx_bytes(KAZAKH, rows))
    assert read == [(2, {"full_name": "Aigerim", "birth_year": "1956",
                         "settlement_kato": "751110000", "note": "2026-12-31"}),
                    (4, {"full_name": "Berik", "birth_year": "1961",
                         "settlement_kato": "751110000", "note": ""})]


def test_a_malformed_xlsx_is_refused_with_a_clear_message():
    with pytest.raises(FileRejected, match="XLSX file cannot be read") as error:
        READER.read("list.xlsx", os.urandom(2048))
    assert error.value.field == "file" and error.value.status == 400
    with pytest.raises(FileRejected, match="XLSX file cannot be read"):
        READER.read("list.csv", b"PK\x03\x04" + os.urandom(200))  # a zip, whatever its name


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", "\ufeff".encode()])
def test_an_empty_file_is_refused(data):
    with pytest.raises(FileRejected, match="empty"):
        READER.read("list.csv", data)


def test_a_missing_required_column_is_named_in_both_languages():
    data = csv_text(["ФИО", "Примечание"], [["x", "y"]]).encode()
    with pytest.raises(FileRejected, match="lacks these columns") as error:
        READER.read("list.csv", data)
    assert "Туған жылы / Год рождения" in error.value.message
    assert "Толық" not in error.value.message  # the present column is not listed


def test_other_bad_files_say_what_to_fix():
    with pytest.raises(FileRejected, match=r"\.csv or \.xlsx"):
        READER.read("list.pdf", b"%PDF-1.7")
    with pytest.raises(FileRejected, match="not UTF-8"):
        READER.read("list.csv", csv_text(KAZAKH, ROWS).encode("utf-16"))
    strict = TableReader(COLUMNS, refuse_unknown=True)
    with pytest.raises(FileRejected, match="Unknown columns in the header row: Colour"):
        strict.read("list.csv", csv_text([*KAZAKH, "Colour"], ROWS).encode())
    assert READER.read("list.csv", csv_text([*KAZAKH, "Colour"], ROWS).encode()) == EXPECTED
    small = TableReader(COLUMNS, max_rows=1)
    with pytest.raises(FileRejected, match="more than 1 rows"):
        small.read("list.csv", csv_text(KAZAKH, ROWS).encode())
    with pytest.raises(FileRejected, match="more than 1 rows"):
        small.read("list.xlsx", xlsx_bytes(KAZAKH, ROWS))
    with pytest.raises(FileRejected, match="larger than 1 MB"):
        TableReader(COLUMNS, max_bytes=1024 * 1024).read("list.csv", b"x" * (1024 * 1024 + 1))


def test_an_importer_gets_its_own_error_class():
    class ListError(FileRejected):
        pass

    with pytest.raises(ListError):
        TableReader(COLUMNS, error=ListError).read("list.csv", b"")


def test_open_headers_are_the_folded_header_cells(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("Name_EN,LAT, lon \nTamgaly,43.80,75.53\n", encoding="utf-8")
    assert TableReader(None).read_path(path) == [
        (2, {"name_en": "Tamgaly", "lat": "43.80", "lon": "75.53"})]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_read_back_gives_its_columns(fmt):
    examples = [ROWS[0]]
    data, content_type = importing.template_file(COLUMNS, fmt, examples=examples,
                                                 notes=["Бір жол — бір адам."])
    assert content_type.startswith("text/csv" if fmt == "csv" else "application/vnd")
    if fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(data))
        assert [c.value for c in workbook.worksheets[0][1]] == [c.header for c in COLUMNS]
        assert workbook.worksheets[1]["A1"].value == "Бір жол — бір адам."
    else:
        assert data.startswith("\ufeff".encode())
    read = TableReader(COLUMNS, refuse_unknown=True).read(f"template.{fmt}", data)
    assert read == EXPECTED[:1]
    assert READER.header([c.header for c in COLUMNS]) == [c.key for c in COLUMNS]
    with pytest.raises(FileRejected, match="csv or xlsx"):
        importing.template_file(COLUMNS, "pdf")


def test_words_match_keys_spellings_and_choice_labels_in_every_language():
    from layers.investments.models import Sector

    words = importing.Words({"tourism": ("туризм",)}, Sector.choices)
    assert words.value_of(" ТУРИЗМ ") == "tourism"
    assert words.value_of("Tourism") == "tourism"
    assert words.value_of("energy") == "energy"  # a choice by its key
    assert words.value_of("spaceships") is None


def test_the_report_counts_and_refuses_the_later_of_two_rows_of_one_record():
    rows = [importing.RowReport(2, "A", importing.CREATE, upsert_key="a"),
            importing.RowReport(3, "B", importing.UPDATE, upsert_key="b"),
            importing.RowReport(4, "A", importing.CREATE, upsert_key="a"),
            importing.RowReport(5, "C", importing.UNCHANGED)]
    report = importing.ImportReport(rows=rows)
    report.refuse_repeated("full_name", "the same as row %(line)d")
    assert rows[2].errors == [("full_name", "the same as row 2")]
    assert report.counts() == {"rows": 4, "new": 1, "update": 1, "error": 1}
    assert report.unchanged == 1 and report.errors == [rows[2]] and not report.ok
    assert "Nothing written: 1 rows refused" in report.lines()[-1]


@pytest.mark.django_db
def test_a_commit_writes_all_in_one_transaction_or_nothing():
    def write():
        Group.objects.create(name="importing-test-1")

    ok = importing.ImportReport(rows=[importing.RowReport(2)])
    assert not ok.commit_planned(write, commit=False).committed  # a dry run
    assert not Group.objects.filter(name="importing-test-1").exists()
    refused = importing.ImportReport(rows=[importing.RowReport(2, outcome=importing.REFUSED)])
    assert not refused.commit_planned(write, commit=True).committed
    assert not Group.objects.filter(name="importing-test-1").exists()

    def racing_write():
        Group.objects.create(name="importing-test-2")
        raise IntegrityError("duplicate key")

    raced = importing.ImportReport(rows=[importing.RowReport(2)], created=1)
    raced.commit_planned(racing_write, commit=True, races=(IntegrityError,))
    assert not raced.committed and raced.created == 0
    assert raced.rows[-1].row == 0 and "duplicate key" in raced.rows[-1].message
    assert not Group.objects.filter(name="importing-test-2").exists()
    assert ok.commit_planned(write, commit=True).committed
    assert Group.objects.filter(name="importing-test-1").exists()
