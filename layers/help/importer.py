"""Upload of the akimat's and NGOs' lists of people who need help (CSV or XLSX).

The template's headers are in Kazakh and Russian ("Толық аты-жөні / ФИО"); a column is found
by either half, or by its code. Every row is checked on its own and the report says, row by
row, what is wrong (missing fields, unknown settlement, birth year out of range, phone format,
personal data in the public description, an area the uploader has no role in). A dry run
writes nothing; a commit writes every row or, if any row is wrong, nothing at all. A person
already held (same name, birth year and settlement: the blind index) is updated, not added.
Report messages never quote personal data.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may
from layers.areas.models import AdminArea, Settlement

from . import actions
from .models import FamilySituation, HelpKind, HelpRequest

# code, Kazakh header, Russian header (the template writes "kk / ru").
COLUMNS = [
    ("full_name", "Толық аты-жөні", "ФИО"),
    ("birth_year", "Туған жылы", "Год рождения"),
    ("phone", "Телефон", "Телефон"),
    ("address", "Мекенжайы", "Адрес"),
    ("settlement_kato", "Елді мекеннің КАТО коды", "Код КАТО населённого пункта"),
    ("settlement", "Елді мекен", "Населённый пункт"),
    ("district", "Аудан", "Район"),
    ("topic", "Көмек тақырыбы", "Тема помощи"),
    ("kind", "Көмек түрі", "Вид помощи"),
    ("family", "Отбасы жағдайы", "Семейное положение"),
    ("amount_needed", "Қажетті сома, ₸", "Необходимая сумма, ₸"),
    ("description", "Сипаттама (жария)", "Описание (публичное)"),
    ("consent", "Жариялауға келісім", "Согласие на публикацию"),
]
REQUIRED = ("full_name", "birth_year", "phone", "address", "topic", "kind")
MAX_ROWS = 5000
TOPIC_NAMES = {
    "material": ("материалдық", "материальная"),
    "consultative": ("кеңес", "консультативная"),
    "labour": ("еңбек", "физический труд"),
    "other": ("басқа", "другое"),
}
CONSENT_WORDS = {"written": ("жазбаша", "письменное"), "oral": ("ауызша", "устное"),
                 "ngo_form": ("ҮЕҰ формасы", "форма НКО")}


class ImportFileError(actions.HelpError):
    """The file as a whole cannot be read (format, headers, size)."""


@dataclass
class RowReport:
    line: int
    outcome: str = "new"  # new | update | error
    errors: list[tuple[str, str]] = field(default_factory=list)
    data: actions.RequestInput | None = None


@dataclass
class ImportReport:
    rows: list[RowReport]
    committed: bool = False

    @property
    def errors(self) -> list[RowReport]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def counts(self) -> dict:
        return {"rows": len(self.rows), "new": sum(r.outcome == "new" for r in self.rows),
                "update": sum(r.outcome == "update" for r in self.rows),
                "error": len(self.errors)}

    def lines(self) -> list[str]:
        """The report as text lines (command output, logs): no personal data."""
        out = []
        for row in self.rows:
            if row.errors:
                out += [_("row %(line)d: %(field)s: %(message)s")
                        % {"line": row.line, "field": name, "message": message}
                        for name, message in row.errors]
        return out


# --- reading files ---------------------------------------------------------------------------

def _fold(text: str) -> str:
    return " ".join(str(text or "").replace("\u00a0", " ").split()).casefold()


def _header_map() -> dict[str, str]:
    names = {}
    for code, kk, ru in COLUMNS:
        for label in (code, kk, ru, f"{kk} / {ru}"):
            names[_fold(label)] = code
    return names


def column_of(header: str) -> str | None:
    names = _header_map()
    folded = _fold(header)
    if folded in names:
        return names[folded]
    for part in folded.split("/"):
        if part.strip() in names:
            return names[part.strip()]
    return None


def read_table(data: bytes, filename: str) -> list[dict]:
    """Rows of the file as {column code: text}, with their line numbers under "_line"."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith(".csv"):
        table = _csv_rows(data)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file made from the template."),
                              field="file")
    if not table:
        raise ImportFileError(_("The file is empty."), field="file")
    header, *body = table
    codes = [column_of(cell) for cell in header]
    missing = [code for code in REQUIRED if code not in codes]
    if missing:
        labels = {code: f"{kk} / {ru}" for code, kk, ru in COLUMNS}
        raise ImportFileError(_("The file has no column for: %(columns)s. Start from the "
                                "template.") % {"columns": "; ".join(labels[c] for c in missing)},
                              field="file")
    rows = []
    for number, cells in enumerate(body, start=2):
        if not any(str(cell or "").strip() for cell in cells):
            continue
        row = {"_line": number}
        for code, cell in zip(codes, cells, strict=False):
            if code:
                row[code] = "" if cell is None else str(cell).strip()
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(max)d rows per file: split the list.")
                              % {"max": MAX_ROWS}, field="file")
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Save the CSV file as UTF-8."), field="file") from None
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken file
        raise ImportFileError(_("This is not a readable .xlsx file."), field="file") from None
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def template_bytes(fmt: str) -> tuple[bytes, str]:
    headers = [f"{kk} / {ru}" for _code, kk, ru in COLUMNS]
    example = ["Demo Person 001", "1950", "+7 700 000 00 01", "Demo street 1",
               "751110000", "", "", "material", "firewood", "lonely_pensioner; disabled",
               "150000", "Қысқа отын керек. Нужны дрова на зиму.", "written"]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerow(example)
        return ("\ufeff" + buffer.getvalue()).encode(), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "help"
        sheet.append(headers)
        sheet.append(example)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), ("application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet")
    raise ImportFileError(_("The template comes as csv or xlsx."), field="format")


# --- checking rows ---------------------------------------------------------------------------

def _choice(value: str, options: dict[str, tuple[str, ...]]) -> str | None:
    folded = _fold(value)
    for code, names in options.items():
        if folded == _fold(code) or folded in {_fold(n) for n in names}:
            return code
    return None


class _Lookups:
    """Controlled lists and areas, read once per file."""

    def __init__(self):
        self.kinds = {k.code: (k.name_kk, k.name_ru, k.name_en)
                      for k in HelpKind.objects.filter(is_active=True)}
        self.family = {f.code: (f.name_kk, f.name_ru, f.name_en)
                       for f in FamilySituation.objects.filter(is_active=True)}
        self.districts = AdminArea.objects.filter(generation__is_current=True, level="district")

    def district(self, value: str):
        if value.isdigit():
            return self.districts.filter(kato=value).first()
        matches = [d for d in self.districts.filter(name_ru__iexact=value)] or [
            d for d in self.districts.filter(name_kk__iexact=value)]
        return matches[0] if len(matches) == 1 else None

    def settlement(self, row: dict) -> tuple[Settlement | None, str | None]:
        kato = row.get("settlement_kato", "")
        if kato:
            settlement = Settlement.objects.filter(kato=kato).first()
            if settlement is None:
                return None, _("No settlement has the KATO code %(kato)s.") % {"kato": kato}
            return settlement, None
        name, district_value = row.get("settlement", ""), row.get("district", "")
        if not name:
            return None, _("Give the settlement's KATO code, or its name and district.")
        if not district_value:
            return None, _("Give the district of the settlement %(name)s.") % {"name": name}
        district = self.district(district_value)
        if district is None:
            return None, _("No single district is called %(district)s.") % {
                "district": district_value}
        prefix = district.kato[:4] if district.kato.endswith("00000") else district.kato[:6]
        found = list(Settlement.objects.filter(kato__startswith=prefix).filter(
            name_ru__iexact=name) | Settlement.objects.filter(kato__startswith=prefix).filter(
            name_kk__iexact=name))
        found = list({s.pk: s for s in found}.values())
        if not found:
            return None, _("No settlement %(name)s in %(district)s.") % {
                "name": name, "district": district.name_ru}
        if len(found) > 1:
            return None, _("Several settlements are called %(name)s in %(district)s: give the "
                           "KATO code.") % {"name": name, "district": district.name_ru}
        return found[0], None


def check_row(row: dict, lookups: _Lookups, user) -> RowReport:
    report = RowReport(line=row["_line"])
    errors = report.errors
    for code in REQUIRED:
        if not row.get(code):
            label = next(f"{kk} / {ru}" for c, kk, ru in COLUMNS if c == code)
            errors.append((code, _("%(column)s is missing.") % {"column": label}))
    birth_year = None
    if row.get("birth_year"):
        try:
            birth_year = int(float(row["birth_year"].replace(",", ".")))
        except ValueError:
            errors.append(("birth_year", _("Birth year must be a year, e.g. 1956.")))
    amount = None
    if row.get("amount_needed"):
        try:
            amount = Decimal(row["amount_needed"].replace(" ", "").replace("\u00a0", "")
                             .replace(",", "."))
        except InvalidOperation:
            errors.append(("amount_needed", _("Amount needed must be a number of tenge.")))
    topic = _choice(row.get("topic", ""), TOPIC_NAMES) if row.get("topic") else None
    if row.get("topic") and topic is None:
        errors.append(("topic", _("Topic must be one of: %(choices)s.")
                       % {"choices": ", ".join(TOPIC_NAMES)}))
    kind = _choice(row.get("kind", ""), lookups.kinds) if row.get("kind") else None
    if row.get("kind") and kind is None:
        errors.append(("kind", _("Kind of help must be one of: %(choices)s.")
                       % {"choices": ", ".join(lookups.kinds)}))
    family = []
    for part in [p for p in row.get("family", "").replace(",", ";").split(";") if p.strip()]:
        code = _choice(part, lookups.family)
        if code is None:
            errors.append(("family", _("Unknown family situation %(value)s; use: %(choices)s.")
                           % {"value": part.strip()[:40], "choices": ", ".join(lookups.family)}))
        else:
            family.append(code)
    consent = ""
    if row.get("consent"):
        consent = _choice(row["consent"], CONSENT_WORDS) or ""
        if not consent:
            errors.append(("consent", _("Consent must be one of: %(choices)s (or empty: not "
                                        "published).") % {"choices": ", ".join(CONSENT_WORDS)}))
    settlement, problem = lookups.settlement(row)
    if problem:
        errors.append(("settlement", problem))
    if errors:
        return _error(report)
    data = actions.RequestInput(
        full_name=row["full_name"], phone=row["phone"], address=row["address"],
        birth_year=birth_year, settlement=settlement, topic=topic, kind=kind,
        family_tags=family, amount_needed=amount, description=row.get("description", ""),
        consent_method=consent)
    errors += actions.input_errors(data)
    if errors:
        return _error(report)
    area = actions.settlement_area(settlement)
    if not may(user, Action.CHANGE, area):
        errors.append(("settlement", _("You have no staff role in the area of this settlement "
                                       "(%(kato)s).") % {"kato": settlement.kato}))
        return _error(report)
    report.data = data
    index = actions.person_index_for(data.full_name, data.birth_year, settlement.kato)
    report.outcome = ("update" if HelpRequest.objects.filter(person_index=index, kind_id=kind)
                      .exists() else "new")
    report.key = (index, kind)
    return report


def _error(report: RowReport) -> RowReport:
    report.outcome = "error"
    return report


def check_file(*, user, data: bytes, filename: str) -> ImportReport:
    lookups = _Lookups()
    reports = [check_row(row, lookups, user) for row in read_table(data, filename)]
    seen = {}
    for report in reports:
        key = getattr(report, "key", None)
        if key is None:
            continue
        if key in seen:
            report.errors.append(("full_name", _("The same person and kind of help as row "
                                                 "%(line)d.") % {"line": seen[key]}))
            report.outcome = "error"
        else:
            seen[key] = report.line
    return ImportReport(rows=reports)


def import_file(*, user, data: bytes, filename: str, commit: bool) -> ImportReport:
    """Check every row; with commit and no error anywhere, write them all in one
    transaction (rows with consent are published). Otherwise nothing is written."""
    report = check_file(user=user, data=data, filename=filename)
    if not commit or not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            actions.save_request(user=user, data=row.data,
                                 publish=bool(row.data.consent_method))
    report.committed = True
    return report
