"""Akimats' lists of social projects, CSV or XLSX: one row per estimate line; the rows that
share the organisation's reference form one project (its other columns are read from its
first row). The reference is the stable key within the area of the upload: uploading the
list again updates those projects (while they are drafts or raising funds) instead of
duplicating them.

A dry run (the default) checks every row and reports what a commit would do, row by row. A
commit writes everything in one transaction, or nothing at all when any row is refused.
The same importer serves `manage.py import_projects` and the staff upload page.

The beneficiary of targeted material aid may come in the list (two columns); it is written
to the encrypted columns and never appears in the report.
"""

import csv
import io
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_portal.accounts.permissions import Action, may
from layers.areas.models import AdminArea, Settlement

from . import actions
from .actions import LineInput, ProjectError, ProjectInput
from .models import SocialProject

Kind = SocialProject.Kind
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    kk: str
    ru: str
    required: bool = False

    @property
    def header(self) -> str:
        return f"{self.kk} / {self.ru}"


# The template's columns, in order. Headers are matched in Kazakh, in Russian, as the
# template's "Kazakh / Russian" pair, or by key.
COLUMNS = (
    Column("reference", "Жоба нөмірі (ұйымдікі)", "Номер проекта (у организации)", True),
    Column("kind", "Түрі", "Вид", True),
    Column("title_kk", "Атауы (қазақша)", "Название (на казахском)"),
    Column("title_ru", "Атауы (орысша)", "Название (на русском)"),
    Column("title_en", "Атауы (ағылшынша)", "Название (на английском)"),
    Column("description_kk", "Сипаттамасы (қазақша)", "Описание (на казахском)"),
    Column("description_ru", "Сипаттамасы (орысша)", "Описание (на русском)"),
    Column("description_en", "Сипаттамасы (ағылшынша)", "Описание (на английском)"),
    Column("organisation", "Жауапты ұйым", "Ответственная организация", True),
    Column("settlement_kato", "Елді мекеннің ҚАТО коды", "Код КАТО населённого пункта", True),
    Column("lon", "Бойлық", "Долгота"),
    Column("lat", "Ендік", "Широта"),
    Column("deadline", "Қаражат жинау мерзімі", "Срок сбора средств"),
    Column("report_due", "Есеп беру мерзімі", "Срок отчёта"),
    Column("line_name", "Смета: шығын атауы", "Смета: статья расходов", True),
    Column("quantity", "Саны", "Количество", True),
    Column("unit", "Өлшем бірлігі", "Единица измерения", True),
    Column("unit_price", "Бірлік бағасы, ₸", "Цена за единицу, ₸", True),
    Column("beneficiary_name", "Алушының аты-жөні (құпия)", "ФИО получателя (конфиденциально)"),
    Column("beneficiary_details", "Алушы туралы (құпия)", "Сведения о получателе (конфиденциально)"),
)
KIND_WORDS = {
    Kind.INFRASTRUCTURE: ("infrastructure", "инфрақұрылым", "инфраструктура"),
    Kind.PROVISION: ("provision", "жабдықтау", "оснащение", "обеспечение"),
    Kind.TARGETED_AID: ("targeted_aid", "targeted material aid", "атаулы материалдық көмек",
                        "атаулы көмек", "адресная материальная помощь", "адресная помощь"),
    Kind.CHARITY: ("charity", "charitable action", "қайырымдылық акциясы", "қайырымдылық",
                   "благотворительная акция", "благотворительность"),
}


def _norm(text) -> str:
    return " ".join(str(text or "").replace("\ufeff", "").split()).casefold()


HEADER_KEYS = {}
for _column in COLUMNS:
    for _name in (_column.key, _column.kk, _column.ru, _column.header):
        HEADER_KEYS[_norm(_name)] = _column.key
KIND_KEYS = {_norm(word): kind for kind, words in KIND_WORDS.items() for word in words}


class ImportFileError(ProjectError):
    """The file itself cannot be read (not a row's fault)."""


@dataclass
class RowReport:
    row: int  # the spreadsheet's row number (the header is row 1)
    reference: str
    outcome: str  # create, update, unchanged, rejected
    message: str = ""


OUTCOMES = {
    "create": gettext_lazy("new project"),
    "update": gettext_lazy("updates the project"),
    "rejected": gettext_lazy("refused"),
}


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)
    committed: bool = False
    created: int = 0
    updated: int = 0

    @property
    def rejected(self) -> int:
        return sum(1 for row in self.rows if row.outcome == "rejected")

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.rejected == 0

    def lines(self) -> list[str]:
        """The report as text, one line per row, then the totals."""
        out = []
        for row in self.rows:
            text = f"{_('row')} {row.row} [{row.reference or '—'}]: {OUTCOMES[row.outcome]}"
            out.append(f"{text}: {row.message}" if row.message else text)
        out.append(self.summary())
        return out

    def summary(self) -> str:
        projects_created = self.created
        projects_updated = self.updated
        if self.committed:
            return _("Written: %(created)d new projects, %(updated)d updated.") % {
                "created": projects_created, "updated": projects_updated}
        if self.rejected:
            return _("Nothing written: %(count)d rows refused. Correct them and upload the "
                     "list again.") % {"count": self.rejected}
        return _("Dry run: %(created)d new projects, %(updated)d to update. Nothing written "
                 "yet.") % {"created": projects_created, "updated": projects_updated}


# --- reading the file ------------------------------------------------------------------------

def read_rows(name: str, data: bytes) -> list[list]:
    """The cells of a CSV (UTF-8, comma or semicolon) or XLSX file, header row first."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB: split the list."), "file")
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_rows(data)
    if lowered.endswith(".csv") or lowered.endswith(".txt") or not lowered:
        return _csv_rows(data)
    raise ImportFileError(_("Upload the list as CSV or XLSX (the template is an XLSX file)."),
                          "file")


def _csv_rows(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The CSV file is not UTF-8 text: save it as \"CSV UTF-8\"."),
                              "file") from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": error},
                              "file") from None


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken or foreign file
        raise ImportFileError(_("The XLSX file cannot be read: open it in a spreadsheet "
                                "program and save it again as .xlsx."), "file") from None
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(list(values))
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


# --- parsing rows ----------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value, label: str):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ProjectError(_("%(column)s: \"%(value)s\" is not a date (write 2026-12-31 or "
                         "31.12.2026).") % {"column": label, "value": text[:40]})


def _coordinate(value, label: str):
    if value in (None, ""):
        return None
    number = actions.parse_decimal(value, actions.Decimal("0.0000001"))
    if number is None:
        try:
            return float(_text(value).replace(",", "."))
        except ValueError:
            raise ProjectError(_("%(column)s: \"%(value)s\" is not a number of degrees.")
                               % {"column": label, "value": _text(value)[:40]}) from None
    return float(number)


@dataclass
class ProjectRows:
    reference: str
    first_row: int
    rows: list[tuple[int, dict]] = field(default_factory=list)


def _header_map(header: list) -> dict[int, str]:
    mapping, unknown = {}, []
    for index, cell in enumerate(header):
        name = _norm(cell)
        if not name:
            continue
        key = HEADER_KEYS.get(name)
        if key is None:
            # "Түрі / Вид": either half may match.
            key = next((HEADER_KEYS[_norm(part)] for part in str(cell).split("/")
                        if _norm(part) in HEADER_KEYS), None)
        if key is None:
            unknown.append(str(cell))
        else:
            mapping[index] = key
    missing = [c for c in COLUMNS if c.required and c.key not in mapping.values()]
    if missing:
        raise ImportFileError(_("The header row lacks these columns: %(columns)s. Start from "
                                "the template.")
                              % {"columns": "; ".join(c.header for c in missing)}, "file")
    if unknown:
        raise ImportFileError(_("Unknown columns in the header row: %(columns)s. Use the "
                                "template's headers.") % {"columns": "; ".join(unknown)}, "file")
    return mapping


def group_rows(rows: list[list]) -> tuple[list[ProjectRows], list[RowReport]]:
    """Rows grouped by reference, in the order of their first row; rows without a
    reference are refused at once."""
    if not rows:
        raise ImportFileError(_("The file is empty: start from the template."), "file")
    mapping = _header_map(rows[0])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("The list has more than %(count)d rows: split it.")
                              % {"count": MAX_ROWS}, "file")
    groups: OrderedDict[str, ProjectRows] = OrderedDict()
    refused = []
    for number, cells in enumerate(rows[1:], start=2):
        values = {key: cells[index] if index < len(cells) else None
                  for index, key in mapping.items()}
        if all(_text(v) == "" for v in values.values()):
            continue  # blank lines of a spreadsheet
        reference = _text(values.get("reference"))
        if not reference:
            refused.append(RowReport(number, "", "rejected",
                                     _("give the organisation's reference of the project "
                                       "(the same on every row of its estimate).")))
            continue
        group = groups.setdefault(reference, ProjectRows(reference, number))
        group.rows.append((number, values))
    return list(groups.values()), refused


def _settlement(kato: str, area: AdminArea) -> Settlement:
    if not (kato.isdigit() and len(kato) == 9):
        raise ProjectError(_("the settlement's KATO code must have 9 digits, not \"%(kato)s\".")
                           % {"kato": kato[:20]})
    settlement = Settlement.objects.filter(kato=kato).first()
    if settlement is None:
        raise ProjectError(_("no settlement has the KATO code %(kato)s.") % {"kato": kato})
    home = actions.settlement_area(settlement)
    chain = set()
    node = home
    while node is not None:
        chain.add(node.pk)
        node = node.parent
    if area.pk not in chain:
        raise ProjectError(_("%(settlement)s (%(kato)s) is not in %(area)s, the area of this "
                             "upload.") % {"settlement": settlement.name, "kato": kato,
                                           "area": area.name})
    return settlement


def project_input(group: ProjectRows, area: AdminArea) -> ProjectInput:
    """The project of a group of rows, or ProjectError saying what is wrong with it."""
    first = group.rows[0][1]
    labels = {c.key: c.header for c in COLUMNS}
    kind = KIND_KEYS.get(_norm(first.get("kind")))
    if kind is None:
        raise ProjectError(_("%(column)s: \"%(value)s\" is not a kind; write one of: "
                             "infrastructure, provision, targeted material aid, charitable "
                             "action (in Kazakh or Russian too).")
                           % {"column": labels["kind"], "value": _text(first.get("kind"))[:40]})
    for _number, values in group.rows[1:]:
        for key in ("kind", "settlement_kato", "organisation"):
            if _text(values.get(key)) and _text(values.get(key)) != _text(first.get(key)):
                raise ProjectError(_("the rows of one project disagree on %(column)s.")
                                   % {"column": labels[key]})
    settlement = _settlement(_text(first.get("settlement_kato")), area)
    lon = _coordinate(first.get("lon"), labels["lon"])
    lat = _coordinate(first.get("lat"), labels["lat"])
    if (lon is None) != (lat is None):
        raise ProjectError(_("give both longitude and latitude, or neither (the settlement's "
                             "point is used)."))
    point = None
    if lon is not None:
        from django.contrib.gis.geos import Point

        point = Point(lon, lat, srid=4326)
    lines = [LineInput(name=_text(values.get("line_name")), quantity=values.get("quantity"),
                       unit=_text(values.get("unit")), unit_price=values.get("unit_price"))
             for _number, values in group.rows]
    return ProjectInput(
        kind=kind, title_kk=_text(first.get("title_kk")), title_ru=_text(first.get("title_ru")),
        title_en=_text(first.get("title_en")),
        description_kk=_text(first.get("description_kk")),
        description_ru=_text(first.get("description_ru")),
        description_en=_text(first.get("description_en")),
        organisation=_text(first.get("organisation")), settlement=settlement, lines=lines,
        point=point, deadline=_date(first.get("deadline"), labels["deadline"]),
        report_due=_date(first.get("report_due"), labels["report_due"]),
        beneficiary_name=_text(first.get("beneficiary_name")),
        beneficiary_details=_text(first.get("beneficiary_details")),
        reference=group.reference, reference_area=area)


# --- the import --------------------------------------------------------------------------------

class _Refused(Exception):
    pass


def import_projects(*, name: str, data: bytes, area: AdminArea, user=None,
                    commit: bool = False) -> ImportReport:
    """Check (and with commit=True write) a list for `area`. `user` None is the command
    line, trusted; a page passes the signed-in user, who must be staff of the area."""
    if user is not None and not may(user, Action.CHANGE, area):
        raise actions.NotAllowed(_("Only akimat or NGO staff of %(area)s may upload its "
                                   "projects.") % {"area": area.name})
    groups, refused = group_rows(read_rows(name, data))
    report = ImportReport(rows=list(refused))
    plans = []
    for group in groups:
        existing = SocialProject.objects.filter(reference_area=area,
                                                reference=group.reference).first()
        try:
            data_in = project_input(group, area)
            actions._clean(data_in)  # every rule of a project, without writing
            if existing is not None and existing.status not in (
                    SocialProject.Status.DRAFT, SocialProject.Status.PUBLISHED):
                raise ProjectError(_("the project is %(status)s: an upload can no longer "
                                     "change it.") % {"status": existing.get_status_display()})
            if existing is not None and actions.estimate_total(
                    actions.clean_estimate(data_in.lines)) < existing.pledged:
                raise ProjectError(_("%(pledged)s ₸ is already pledged: the estimate's total "
                                     "cannot be less than that.")
                                   % {"pledged": existing.pledged})
        except ProjectError as error:
            for number, _values in group.rows:
                report.rows.append(RowReport(number, group.reference, "rejected",
                                             error.message))
            continue
        outcome = "update" if existing else "create"
        for index, (number, _values) in enumerate(group.rows):
            message = (_("estimate line %(line)d of %(title)s")
                       % {"line": index + 1, "title": data_in.title_kk or data_in.title_ru})
            report.rows.append(RowReport(number, group.reference, outcome, message))
        plans.append((existing, data_in))
    report.rows.sort(key=lambda row: row.row)
    report.created = sum(1 for existing, _d in plans if existing is None)
    report.updated = sum(1 for existing, _d in plans if existing is not None)
    if not commit or report.rejected or not plans:
        return report
    try:
        with transaction.atomic():
            for existing, data_in in plans:
                if existing is None:
                    actions.create_project(user=user, data=data_in, trusted=user is None)
                else:
                    actions.update_project(user=user, project=existing, data=data_in,
                                           trusted=user is None)
    except ProjectError as error:
        # A race with another upload or edit: nothing of this list is written.
        report.rows.append(RowReport(0, "", "rejected", error.message))
        report.created = report.updated = 0
        return report
    report.committed = True
    return report


# --- the template ----------------------------------------------------------------------------

EXAMPLE_ROWS = (
    ("AK-2026-001", "Инфрақұрылым", "Мектеп шатырын жөндеу", "Ремонт крыши школы", "",
     "", "", "", "Ауыл әкімдігі", "", "", "", "2026-12-31", "2027-06-30",
     "Профнастил", "120", "м²", "6500", "", ""),
    ("AK-2026-001", "Инфрақұрылым", "", "", "", "", "", "", "Ауыл әкімдігі", "", "", "", "",
     "", "Монтаж жұмыстары", "1", "жиынтық", "350000", "", ""),
)


def template_xlsx() -> bytes:
    """The import template: the headers in Kazakh and Russian, two example rows (one project
    with two estimate lines) and an explanation sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Жобалар — Проекты"
    sheet.append([column.header for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in EXAMPLE_ROWS:
        sheet.append(list(row))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            14, min(40, len(column.header) // 2 + 6))
    notes = workbook.create_sheet("Нұсқау — Инструкция")
    for line in TEMPLATE_NOTES:
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in COLUMNS])
    for row in EXAMPLE_ROWS:
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


TEMPLATE_NOTES = (
    "Бір жол — сметаның бір жолы. Бір жобаның барлық жолдарында жоба нөмірі бірдей.",
    "Одна строка — одна статья сметы. У всех строк одного проекта один номер проекта.",
    "Түрі / Вид: инфрақұрылым, жабдықтау, атаулы материалдық көмек, қайырымдылық акциясы "
    "(инфраструктура, оснащение, адресная материальная помощь, благотворительная акция).",
    "Күндер / Даты: 2026-12-31 немесе / или 31.12.2026.",
    "Бойлық пен ендік бос болса, елді мекеннің нүктесі алынады. "
    "Если долгота и широта пусты, берётся точка населённого пункта.",
    "Қайта жүктеу жобаларды жаңартады. Повторная загрузка обновляет проекты.",
    "Алушы туралы мәліметтер құпия: картада да, есепте де көрсетілмейді. "
    "Сведения о получателе конфиденциальны: не показываются ни на карте, ни в отчёте.",
)
