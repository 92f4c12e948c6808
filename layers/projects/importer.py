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

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_portal.accounts.permissions import Action, may
from layers.areas.models import AdminArea, Settlement
from layers.core import importing
from layers.core.importing import Column

from . import actions
from .actions import LineInput, ProjectError, ProjectInput
from .models import SocialProject

Kind = SocialProject.Kind
MAX_BYTES = importing.MAX_BYTES  # the upload page reads no more than this

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


KINDS = importing.Words(KIND_WORDS)


class ImportFileError(ProjectError, importing.FileRejected):
    """The file itself cannot be read (not a row's fault)."""


class ImportReport(importing.ImportReport):
    """Counts projects (several estimate rows make one project), in the projects' words."""

    outcome_labels = {
        importing.CREATE: gettext_lazy("new project"),
        importing.UPDATE: gettext_lazy("updates the project"),
        importing.REFUSED: gettext_lazy("refused"),
    }


OUTCOMES = ImportReport.outcome_labels
READER = importing.TableReader(COLUMNS, error=ImportFileError, refuse_unknown=True)


# --- parsing rows (every value is the cell's text) ---------------------------------------------

def _date(text: str, label: str):
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ProjectError(_("%(column)s: \"%(value)s\" is not a date (write 2026-12-31 or "
                         "31.12.2026).") % {"column": label, "value": text[:40]})


def _coordinate(text: str, label: str):
    if not text:
        return None
    number = actions.parse_decimal(text, actions.Decimal("0.0000001"))
    if number is None:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ProjectError(_("%(column)s: \"%(value)s\" is not a number of degrees.")
                               % {"column": label, "value": text[:40]}) from None
    return float(number)


@dataclass
class ProjectRows:
    reference: str
    first_row: int
    rows: list[tuple[int, dict]] = field(default_factory=list)


def group_rows(rows: list[tuple[int, dict]]) -> tuple[list[ProjectRows], list]:
    """Rows grouped by reference, in the order of their first row; rows without a
    reference are refused at once."""
    groups: OrderedDict[str, ProjectRows] = OrderedDict()
    refused = []
    for number, values in rows:
        reference = values.get("reference", "")
        if not reference:
            refused.append(importing.RowReport(
                number, "", importing.REFUSED, _("give the organisation's reference of the "
                                                 "project (the same on every row of its "
                                                 "estimate).")))
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
    kind = KINDS.value_of(first.get("kind"))
    if kind is None:
        raise ProjectError(_("%(column)s: \"%(value)s\" is not a kind; write one of: "
                             "infrastructure, provision, targeted material aid, charitable "
                             "action (in Kazakh or Russian too).")
                           % {"column": labels["kind"], "value": first.get("kind", "")[:40]})
    for _number, values in group.rows[1:]:
        for key in ("kind", "settlement_kato", "organisation"):
            if values.get(key, "") and values.get(key, "") != first.get(key, ""):
                raise ProjectError(_("the rows of one project disagree on %(column)s.")
                                   % {"column": labels[key]})
    settlement = _settlement(first.get("settlement_kato", ""), area)
    lon = _coordinate(first.get("lon", ""), labels["lon"])
    lat = _coordinate(first.get("lat", ""), labels["lat"])
    if (lon is None) != (lat is None):
        raise ProjectError(_("give both longitude and latitude, or neither (the settlement's "
                             "point is used)."))
    point = None
    if lon is not None:
        from django.contrib.gis.geos import Point

        point = Point(lon, lat, srid=4326)
    lines = [LineInput(name=values.get("line_name", ""), quantity=values.get("quantity"),
                       unit=values.get("unit", ""), unit_price=values.get("unit_price"))
             for _number, values in group.rows]
    return ProjectInput(
        kind=kind, title_kk=first.get("title_kk", ""), title_ru=first.get("title_ru", ""),
        title_en=first.get("title_en", ""),
        description_kk=first.get("description_kk", ""),
        description_ru=first.get("description_ru", ""),
        description_en=first.get("description_en", ""),
        organisation=first.get("organisation", ""), settlement=settlement, lines=lines,
        point=point, deadline=_date(first.get("deadline", ""), labels["deadline"]),
        report_due=_date(first.get("report_due", ""), labels["report_due"]),
        beneficiary_name=first.get("beneficiary_name", ""),
        beneficiary_details=first.get("beneficiary_details", ""),
        reference=group.reference, reference_area=area)


# --- the import --------------------------------------------------------------------------------

def import_projects(*, name: str, data: bytes, area: AdminArea, user=None,
                    commit: bool = False) -> ImportReport:
    """Check (and with commit=True write) a list for `area`. `user` None is the command
    line, trusted; a page passes the signed-in user, who must be staff of the area."""
    if user is not None and not may(user, Action.CHANGE, area):
        raise actions.NotAllowed(_("Only akimat or NGO staff of %(area)s may upload its "
                                   "projects.") % {"area": area.name})
    groups, refused = group_rows(READER.read(name, data))
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
            report.rows += [importing.RowReport(number, group.reference, importing.REFUSED,
                                                error.message) for number, _v in group.rows]
            continue
        outcome = importing.UPDATE if existing else importing.CREATE
        for index, (number, _values) in enumerate(group.rows):
            message = (_("estimate line %(line)d of %(title)s")
                       % {"line": index + 1, "title": data_in.title_kk or data_in.title_ru})
            report.rows.append(importing.RowReport(number, group.reference, outcome, message))
        plans.append((existing, data_in))
    report.rows.sort(key=lambda row: row.row)
    report.created = sum(1 for existing, _d in plans if existing is None)
    report.updated = sum(1 for existing, _d in plans if existing is not None)

    def write():
        for existing, data_in in plans:
            if existing is None:
                actions.create_project(user=user, data=data_in, trusted=user is None)
            else:
                actions.update_project(user=user, project=existing, data=data_in,
                                       trusted=user is None)

    # A ProjectError while writing is a race with another upload or edit: nothing is written.
    return report.commit_planned(write, commit=commit, races=(ProjectError,),
                                 race_message=lambda error: error.message)


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
    return importing.write_template(COLUMNS, "xlsx", examples=EXAMPLE_ROWS,
                                    sheet_title="Жобалар — Проекты", notes=TEMPLATE_NOTES)


def template_csv() -> bytes:
    return importing.write_template(COLUMNS, "csv", examples=EXAMPLE_ROWS)


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
