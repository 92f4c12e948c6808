"""The one path for the layers' list uploads (akimats' and NGOs' lists, CSV or XLSX).

Every list importer reads a table whose header names the columns in Kazakh, Russian or
English, checks each row by its own layer's rules (field validation, settlement lookup, upsert
keys, blind index, rights: those stay in the layer's importer), reports row by row, and writes
only on a commit with no refused row. The shared steps are here: `Column` and `TableReader`
(reading, with `FileRejected` saying what to fix in a bad file), `Words` (controlled lists),
`write_template`, and `RowReport` / `ImportReport` with the all-or-nothing `commit_planned`.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_portal.errors import ActionError

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
TEMPLATE_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class FileRejected(ActionError):
    """The file as a whole cannot be read: not one row's fault. Importers pass their own
    subclass (which is also their app's error) so their views catch it as before."""

    field = "file"


def fold(text) -> str:
    """A header or a controlled word as people type it: spaces, no-break spaces and a stray
    BOM folded, case ignored."""
    return " ".join(str(text or "").replace("\ufeff", "").replace("\u00a0", " ")
                    .split()).casefold()


def cell_text(value) -> str:
    """A cell as the text a person typed: spreadsheets store 1955 as 1955.0 and a date as a
    datetime at midnight; rows are checked as text whatever the file type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class Words:
    """A controlled list as people write it: each value by itself, by the words akimats use
    (Kazakh and Russian spellings) and, for model choices, by its label in kk, ru and en.
    Built on first use, when the translations are ready."""

    def __init__(self, words: dict[str, Iterable[str]], choices: Iterable[tuple] = ()):
        self.words, self.choices, self._keys = words, choices, None

    def value_of(self, text) -> str | None:
        if self._keys is None:
            from django.utils import translation

            keys = {}
            for value, label in self.choices:
                keys[fold(value)] = value
                for language in ("kk", "ru", "en"):
                    with translation.override(language):
                        keys[fold(str(label))] = value
            for value, names in self.words.items():
                keys[fold(value)] = value
                keys.update((fold(name), value) for name in names if name)
            self._keys = keys
        return self._keys.get(fold(text))


@dataclass(frozen=True)
class Column:
    """One column of a list: its key (what the importer reads) and its header names. Any of
    them, the template's "kk / ru" pair, or either half of such a pair, finds the column."""

    key: str
    kk: str
    ru: str
    required: bool = False
    en: str = ""

    @property
    def header(self) -> str:
        return f"{self.kk} / {self.ru}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name in (self.key, self.kk, self.ru, self.en, self.header) if name)


def columns_from(triples: Iterable[tuple[str, str, str]], required: Iterable[str]) -> tuple:
    """Columns of a list written as (key, Kazakh header, Russian header) triples."""
    required = set(required)
    return tuple(Column(key, kk, ru, key in required) for key, kk, ru in triples)


class TableReader:
    """Reads an uploaded or on-disk CSV/XLSX list into (row number, {key: text}) pairs.

    Row numbers are the spreadsheet's (the header is row 1), so a report points at the line a
    person sees. Blank lines are skipped. With `columns` None the header cells themselves,
    folded, are the keys (registers whose columns are open-ended).
    """

    def __init__(self, columns: Sequence[Column] | None, *, error=FileRejected,
                 refuse_unknown: bool = False, max_rows: int = MAX_ROWS,
                 max_bytes: int = MAX_BYTES):
        self.columns = tuple(columns) if columns is not None else None
        self.error = error
        self.refuse_unknown = refuse_unknown
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self._keys = {fold(name): column.key for column in self.columns or ()
                      for name in column.names}

    def key_of(self, header) -> str | None:
        """The column a header cell names, or None."""
        name = fold(header)
        if self.columns is None:
            return name or None
        if name in self._keys:
            return self._keys[name]
        # "Түрі / Вид" written differently from the template: either half may match.
        return next((self._keys[fold(part)] for part in name.split("/")
                     if fold(part) in self._keys), None)

    def read_path(self, path) -> list[tuple[int, dict[str, str]]]:
        path = Path(path)
        return self.read(path.name, path.read_bytes())

    def read(self, name: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
        table = self.cells(name, data)
        if not table or not any(cell_text(cell) for cell in table[0]):
            raise self.error(_("The file is empty: start from the template."), field="file")
        keys = self.header(table[0])
        rows = []
        for number, cells in enumerate(table[1:], start=2):
            texts = [cell_text(cell) for cell in cells]
            if not any(texts):
                continue
            rows.append((number, {key: text for key, text in zip(keys, texts, strict=False)
                                  if key is not None}))
            if len(rows) > self.max_rows:
                raise self.error(_("The file has more than %(count)d rows: split the list.")
                                 % {"count": self.max_rows}, field="file")
        return rows

    def header(self, cells: list) -> list[str | None]:
        keys = [self.key_of(cell) for cell in cells]
        if self.columns is None:
            return keys
        missing = [c for c in self.columns if c.required and c.key not in keys]
        if missing:
            raise self.error(_("The header row lacks these columns: %(columns)s. Start from "
                               "the template.")
                             % {"columns": "; ".join(c.header for c in missing)}, field="file")
        unknown = [cell_text(cell) for cell, key in zip(cells, keys, strict=True)
                   if key is None and cell_text(cell)]
        if unknown and self.refuse_unknown:
            raise self.error(_("Unknown columns in the header row: %(columns)s. Use the "
                               "template's headers.") % {"columns": "; ".join(unknown)},
                             field="file")
        return keys

    # --- the file's cells ---------------------------------------------------------------------

    def cells(self, name: str, data: bytes) -> list[list]:
        """The file's cells, header row first: XLSX by its name or its zip signature, CSV or
        text by name (or no name at all)."""
        if len(data) > self.max_bytes:
            raise self.error(_("The file is larger than %(size)d MB: split the list.")
                             % {"size": self.max_bytes // (1024 * 1024)}, field="file")
        lowered = (name or "").lower()
        if lowered.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
            return self._xlsx_cells(data)
        if lowered.endswith((".csv", ".txt")) or not lowered:
            return self._csv_cells(data)
        raise self.error(_("Upload the list as a CSV or an XLSX file (.csv or .xlsx) made from "
                           "the template."),
                         field="file")

    def _csv_cells(self, data: bytes) -> list[list[str]]:
        text = self._decode(data)
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count)
        try:
            return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as error:
            raise self.error(_("The CSV file cannot be read: %(error)s") % {"error": error},
                             field="file") from None

    def _decode(self, data: bytes) -> str:
        # Windows-1251 would "read" UTF-16 (Excel's "Unicode text") and binary files as
        # garbage: a UTF-16 byte order mark or NUL bytes refuse them here.
        if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in data:
            for encoding in ("utf-8-sig", "cp1251"):
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    continue
        raise self.error(_("The CSV file is not UTF-8 or Windows-1251 text: save it as "
                           "\"CSV UTF-8\"."), field="file")

    def _xlsx_cells(self, data: bytes) -> list[list]:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows, filled = [], 0
            for values in sheet.iter_rows(values_only=True):
                rows.append(list(values))
                filled += any(value not in (None, "") for value in values)
                if filled > self.max_rows + 1:
                    break  # enough to say "too many rows" without reading a huge sheet
            workbook.close()
        except Exception:  # openpyxl raises many kinds for a broken or foreign file
            raise self.error(_("The XLSX file cannot be read: open it in a spreadsheet program "
                               "and save it again as .xlsx."), field="file") from None
        return rows


# --- the template ----------------------------------------------------------------------------

def write_template(columns: Sequence[Column], fmt: str, *, examples: Iterable[Sequence] = (),
                   sheet_title: str = "", notes: Iterable[str] = (),
                   notes_title: str = "Нұсқау — Инструкция") -> bytes:
    """The list to fill in: headers "kk / ru", example rows, and (XLSX) a sheet of notes.
    CSV is UTF-8 with a BOM so that Excel opens the Cyrillic headers correctly."""
    headers = [column.header for column in columns]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(examples)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    if sheet_title:
        sheet.title = sheet_title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in examples:
        sheet.append(list(row))
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            14, min(40, len(header) // 2 + 6))
    notes = list(notes)
    if notes:
        notes_sheet = workbook.create_sheet(notes_title)
        for line in notes:
            notes_sheet.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_file(columns: Sequence[Column], fmt: str, *, error=FileRejected,
                  **options) -> tuple[bytes, str]:
    """`write_template` for a download: the bytes and their content type."""
    if fmt not in TEMPLATE_CONTENT_TYPES:
        raise error(_("The template comes as csv or xlsx."), field="format")
    return write_template(columns, fmt, **options), TEMPLATE_CONTENT_TYPES[fmt]


# --- the report ------------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "rejected"
SKIPPED = "skipped"  # left aside on purpose (another kind of record), not an error


@dataclass
class RowReport:
    """What the import does (or would do) with one row. `key` names the row without personal
    data (a reference, a KATO code and year); `errors` are (column key, what to fix) pairs;
    `data` is the checked input a commit writes. A row with errors is refused."""

    row: int  # the spreadsheet's row number (the header is row 1); 0 for the whole list
    key: str = ""
    outcome: str = CREATE
    message: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    data: object = None
    upsert_key: object = None  # what a commit would match an existing record on; never shown

    @property
    def line(self) -> int:
        return self.row

    def refuse(self, column: str, message: str) -> None:
        self.errors.append((column, message))
        self.outcome = REFUSED


@dataclass
class ImportReport:
    """The row-by-row report of a dry run or a commit. `created` and `updated` count records
    (several rows may make one record) and are set by the importer."""

    rows: list[RowReport] = field(default_factory=list)
    committed: bool = False
    created: int = 0
    updated: int = 0

    outcome_labels = {
        CREATE: gettext_lazy("new"),
        UPDATE: gettext_lazy("updates the existing record"),
        UNCHANGED: gettext_lazy("unchanged"),
        REFUSED: gettext_lazy("refused"),
        SKIPPED: gettext_lazy("skipped"),
    }

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    def counts(self) -> dict:
        """Rows by outcome, as the upload pages show them."""
        return {"rows": len(self.rows), "new": self.count(CREATE),
                "update": self.count(UPDATE), "error": self.rejected}

    @property
    def errors(self) -> list[RowReport]:
        """The refused rows."""
        return [row for row in self.rows if row.outcome == REFUSED]

    @property
    def rejected(self) -> int:
        return self.count(REFUSED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.rejected == 0

    def count_rows(self) -> None:
        """Records are rows: created and updated from the rows' outcomes."""
        self.created, self.updated = self.count(CREATE), self.count(UPDATE)

    def refuse_repeated(self, column: str, message: str) -> None:
        """Rows after the first of one record (same upsert key) are refused: `message` says
        which row came first through %(line)d."""
        first = {}
        for row in self.rows:
            if row.upsert_key is None:
                continue
            if row.upsert_key in first:
                row.refuse(column, message % {"line": first[row.upsert_key]})
            else:
                first[row.upsert_key] = row.row

    def lines(self) -> list[str]:
        """The report as text, one line per row, then the totals."""
        out = []
        for row in self.rows:
            text = f"{_('row')} {row.row} [{row.key or '—'}]: {self.outcome_labels[row.outcome]}"
            out.append(f"{text}: {row.message}" if row.message else text)
        out.append(self.summary())
        return out

    def summary(self) -> str:
        counts = {"created": self.created, "updated": self.updated}
        if self.committed:
            return _("Written: %(created)d new, %(updated)d updated.") % counts
        if not self.rows:
            return _("Nothing written: the file has no rows under its header.")
        if self.rejected:
            return _("Nothing written: %(count)d rows refused. Correct them and upload the "
                     "file again.") % {"count": self.rejected}
        return _("Dry run: %(created)d new, %(updated)d to update. Nothing written yet.") % counts

    def commit_planned(self, write: Callable[[], None], *, commit: bool,
                       races: tuple[type[Exception], ...] = (),
                       race_message: Callable[[Exception], str] = str) -> "ImportReport":
        """Write the planned rows with `write()` in one transaction, only on a commit and
        when no row is refused. An error of `races` (another upload or edit changed a record
        since the check) rolls everything back and is reported on row 0."""
        if not commit or not self.ok:
            return self
        try:
            with transaction.atomic():
                write()
        except races as error:
            self.rows.append(RowReport(0, "", REFUSED, race_message(error)))
            self.created = self.updated = 0
            return self
        self.committed = True
        return self
