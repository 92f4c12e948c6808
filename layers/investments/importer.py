"""Akimats' lists of investment projects and settlements' employment indicators, CSV or XLSX.

Two importers share one reader and one report:

- projects (`manage.py import_investments FILE --area KATO`): one row per project; the
  akimat's reference is the key within the area of the upload, so uploading the list again
  updates those projects instead of duplicating them. Every settlement must lie in the area.
- employment (`manage.py import_employment FILE`): one row per settlement and year; a row
  for a settlement and year already known updates it. Projects of the settlements touched then
  carry the new latest indicator.

A dry run (the default) checks every row and reports what a commit would do, row by row. A
commit writes everything in one transaction, or nothing at all when any row is refused. The
same code serves the management commands and the staff upload page. Templates have headers
in Kazakh and Russian ("Kazakh / Russian"); headers are matched in either language or by key.
"""

from decimal import Decimal, InvalidOperation

from django.contrib.gis.geos import Point
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.areas.actions import home_areas
from layers.areas.models import Settlement
from layers.core import importing
from layers.core.importing import CREATE, REFUSED, UPDATE, Column, ImportReport, RowReport, fold

from .actions import (
    InvestmentError,
    ProjectInput,
    checked_jobs,
    refresh_project_employment,
)
from .models import InvestmentEvent, InvestmentProject, Position, Sector, SettlementEmployment

MAX_BYTES = importing.MAX_BYTES  # the upload page reads no more than this
Status = InvestmentProject.Status
OUTCOMES = ImportReport.outcome_labels


PROJECT_COLUMNS = (
    Column("reference", "Жоба нөмірі (әкімдікте)", "Номер проекта (в акимате)", True),
    Column("title_kk", "Атауы (қазақша)", "Название (на казахском)"),
    Column("title_ru", "Атауы (орысша)", "Название (на русском)"),
    Column("title_en", "Атауы (ағылшынша)", "Название (на английском)"),
    Column("description_kk", "Сипаттамасы (қазақша)", "Описание (на казахском)"),
    Column("description_ru", "Сипаттамасы (орысша)", "Описание (на русском)"),
    Column("description_en", "Сипаттамасы (ағылшынша)", "Описание (на английском)"),
    Column("sector", "Саласы", "Отрасль", True),
    Column("investment_needed", "Қажет инвестиция, ₸", "Необходимые инвестиции, ₸", True),
    Column("jobs_created", "Жаңа жұмыс орындары", "Новые рабочие места", True),
    Column("settlement_kato", "Елді мекеннің ҚАТО коды", "Код КАТО населённого пункта", True),
    Column("lon", "Бойлық", "Долгота"),
    Column("lat", "Ендік", "Широта"),
    Column("status", "Мәртебесі", "Статус"),
    Column("responsible_name", "Жауапты лауазымды тұлға", "Ответственное должностное лицо",
           True),
    Column("responsible_position", "Лауазымы", "Должность", True),
)

EMPLOYMENT_COLUMNS = (
    Column("settlement_kato", "Елді мекеннің ҚАТО коды", "Код КАТО населённого пункта", True),
    Column("year", "Жыл", "Год", True),
    Column("working_age_population", "Еңбекке қабілетті жастағы халық",
           "Население трудоспособного возраста", True),
    Column("employed", "Жұмыспен қамтылғандар", "Занятые", True),
    Column("unemployed", "Жұмыссыздар", "Безработные", True),
    Column("unemployment_rate", "Жұмыссыздық деңгейі, %", "Уровень безработицы, %"),
    Column("source", "Дереккөзі", "Источник", True),
    Column("is_sample", "Үлгі мәндер (иә/жоқ)", "Примерные значения (да/нет)"),
)


YES = {"1", "true", "yes", "y", "иә", "ия", "да", "д"}
NO = {"", "0", "false", "no", "n", "жоқ", "нет", "н"}


class ImportFileError(InvestmentError, importing.FileRejected):
    """The file itself cannot be read (not a row's fault)."""


PROJECT_READER = importing.TableReader(PROJECT_COLUMNS, error=ImportFileError)
EMPLOYMENT_READER = importing.TableReader(EMPLOYMENT_COLUMNS, error=ImportFileError)


def template(columns, fmt: str) -> bytes:
    """An empty list with the headers in Kazakh and Russian ("Kazakh / Russian")."""
    return importing.write_template(columns, fmt)


# --- shared row checks ---------------------------------------------------------------------------

def _settlement(kato: str, area=None) -> Settlement:
    kato = (kato or "").strip()
    if not (kato.isdigit() and len(kato) == 9):
        raise InvestmentError(_("The settlement's KATO code must have 9 digits, got %(value)r.")
                              % {"value": kato})
    settlement = Settlement.objects.filter(kato=kato).first()
    if settlement is None:
        raise InvestmentError(_("No settlement has the KATO code %(kato)s: check the code "
                                "against the classifier.") % {"kato": kato})
    if area is not None:
        areas = home_areas(settlement)
        if area.pk not in {a.pk for a in (areas.oblast, areas.district, areas.okrug) if a}:
            raise InvestmentError(_("%(name)s (%(kato)s) is not in %(area)s, the area of this "
                                    "upload.") % {"name": settlement.name, "kato": kato,
                                                  "area": area.name})
    return settlement


def _count(raw: str, label: str) -> int:
    try:
        return checked_jobs(raw, "count")
    except InvestmentError:
        raise InvestmentError(_("%(column)s must be a whole number of people, got %(value)r.")
                              % {"column": label, "value": raw}) from None


# --- projects ------------------------------------------------------------------------------------

# The controlled lists' words in Kazakh and Russian as akimats write them (the English labels
# and the keys are matched too).
SECTOR_WORDS = {
    Sector.AGRICULTURE: ("ауыл шаруашылығы", "мал шаруашылығы", "сельское хозяйство",
                         "животноводство"),
    Sector.FOOD_PROCESSING: ("азық-түлік өңдеу", "тамақ өнеркәсібі", "пищевая переработка",
                             "пищевая промышленность"),
    Sector.MANUFACTURING: ("өңдеу өнеркәсібі", "өндіріс", "обрабатывающая промышленность",
                           "производство"),
    Sector.CONSTRUCTION_MATERIALS: ("құрылыс материалдары", "строительные материалы"),
    Sector.TOURISM: ("туризм",),
    Sector.TRADE_SERVICES: ("сауда және қызмет көрсету", "сауда", "торговля и услуги",
                            "торговля"),
    Sector.LOGISTICS: ("көлік және логистика", "логистика", "транспорт и логистика"),
    Sector.ENERGY: ("энергетика",),
    Sector.CRAFTS: ("қолөнер және шағын бизнес", "қолөнер", "ремёсла и малый бизнес",
                    "ремесла и малый бизнес", "малый бизнес"),
    Sector.DIGITAL: ("цифрлық қызметтер", "цифровые услуги", "it"),
}
STATUS_WORDS = {
    Status.PROPOSED: ("ұсынылған", "предложен", "предложенный"),
    Status.SEEKING_INVESTOR: ("инвестор ізделуде", "поиск инвестора", "ищет инвестора"),
    Status.INVESTOR_FOUND: ("инвестор табылды", "инвестор найден"),
    Status.IN_PROGRESS: ("іске асырылуда", "орындалуда", "реализуется", "в работе"),
    Status.COMPLETED: ("аяқталды", "аяқталған", "завершён", "завершен"),
    Status.CANCELLED: ("тоқтатылды", "болдырылмады", "отменён", "отменен"),
}
POSITION_WORDS = {
    Position.SPECIALIST: ("маман", "специалист"),
    Position.CHIEF_SPECIALIST: ("бас маман", "главный специалист"),
    Position.DEPUTY_HEAD_OF_DEPARTMENT: ("бөлім басшысының орынбасары",
                                         "заместитель руководителя отдела"),
    Position.AKIM_OF_RURAL_OKRUG: ("ауылдық округ әкімі", "ауыл әкімі",
                                   "аким сельского округа", "аким села"),
    Position.HEAD_OF_DEPARTMENT: ("бөлім басшысы", "басқарма басшысы", "руководитель отдела",
                                  "начальник отдела", "руководитель управления"),
    Position.AKIM_OF_TOWN: ("қала әкімі", "аким города"),
    Position.DEPUTY_AKIM_OF_DISTRICT: ("аудан әкімінің орынбасары", "заместитель акима района"),
    Position.AKIM_OF_DISTRICT: ("аудан әкімі", "аким района"),
    Position.DEPUTY_AKIM_OF_OBLAST: ("облыс әкімінің орынбасары", "заместитель акима области"),
    Position.AKIM_OF_OBLAST: ("облыс әкімі", "аким области"),
}


SECTORS = importing.Words(SECTOR_WORDS, Sector.choices)
STATUSES = importing.Words(STATUS_WORDS, Status.choices)
POSITIONS = importing.Words(POSITION_WORDS, Position.choices)


def _point(values: dict) -> Point | None:
    lon, lat = values.get("lon", ""), values.get("lat", "")
    if not lon and not lat:
        return None
    try:
        point = Point(float(lon.replace(",", ".")), float(lat.replace(",", ".")), srid=4326)
    except ValueError:
        raise InvestmentError(_("Longitude and latitude must be numbers in degrees, e.g. "
                                "76.95 and 43.24.")) from None
    if not (46 <= point.x <= 88 and 40 <= point.y <= 56):
        raise InvestmentError(_("The point %(lon)s, %(lat)s is outside Kazakhstan: longitude "
                                "comes first.") % {"lon": lon, "lat": lat})
    return point


def project_input(values: dict, area) -> ProjectInput:
    sector_text = values.get("sector", "")
    status_text = values.get("status", "")
    position_text = values.get("responsible_position", "")
    return ProjectInput(
        title_kk=values.get("title_kk", ""), title_ru=values.get("title_ru", ""),
        title_en=values.get("title_en", ""),
        description_kk=values.get("description_kk", ""),
        description_ru=values.get("description_ru", ""),
        description_en=values.get("description_en", ""),
        sector=SECTORS.value_of(sector_text) or sector_text,
        investment_needed=values.get("investment_needed", ""),
        jobs_created=values.get("jobs_created", ""),
        settlement=_settlement(values.get("settlement_kato", ""), area),
        status=STATUSES.value_of(status_text) or status_text if status_text else
        Status.PROPOSED,
        responsible_name=values.get("responsible_name", ""),
        responsible_position=POSITIONS.value_of(position_text) or position_text,
        point=_point(values),
    )


def import_projects(*, name: str, content: bytes, area, commit: bool = False,
                    user=None) -> ImportReport:
    """Check (and with commit=True write) an akimat's list of projects for `area`. The caller
    has checked the user's right on the area (the staff page) or runs as the operator."""
    rows = PROJECT_READER.read(name, content)
    report = ImportReport()
    planned = []
    seen = {}
    existing = {p.reference: p for p in InvestmentProject.objects.filter(
        reference_area=area, reference__in=[v.get("reference", "") for _, v in rows])}
    for number, values in rows:
        reference = values.get("reference", "").strip()
        try:
            if not reference:
                raise InvestmentError(_("Give the project's number (the akimat's reference)."))
            if len(reference) > 64:
                raise InvestmentError(_("The project's number is longer than 64 characters."))
            if reference in seen:
                raise InvestmentError(_("The number %(reference)s is already used in row "
                                        "%(row)d.") % {"reference": reference,
                                                       "row": seen[reference]})
            seen[reference] = number
            cleaned = project_input(values, area).cleaned()
        except InvestmentError as error:
            report.rows.append(RowReport(number, reference, REFUSED, error.message))
            continue
        project = existing.get(reference)
        if project is not None and project.status in (Status.COMPLETED, Status.CANCELLED) \
                and cleaned["status"] != project.status:
            report.rows.append(RowReport(number, reference, REFUSED, _(
                "The project is %(status)s: its status can no longer change.")
                % {"status": project.get_status_display()}))
            continue
        outcome = UPDATE if project is not None else CREATE
        report.rows.append(RowReport(number, reference, outcome))
        planned.append((reference, cleaned, project))
    report.created = sum(1 for _, _, p in planned if p is None)
    report.updated = len(planned) - report.created

    def write():
        touched = set()
        for reference, cleaned, project in planned:
            if project is None:
                project = InvestmentProject(**cleaned, reference=reference,
                                            reference_area=area, created_by=user)
                action, previous = "import_create", ""
            else:
                project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
                previous = project.status
                for key, value in cleaned.items():
                    if key == "responsible_user":
                        continue
                    setattr(project, key, value)
                project.updated_at = timezone.now()
                action = "import_update"
            project.save()
            touched.add(project.settlement_id)
            InvestmentEvent.objects.create(project=project, actor=user, action=action,
                                           from_status=previous, to_status=project.status,
                                           note=_("uploaded in %(file)s") % {"file": name[:100]})
        refresh_project_employment(settlement_ids=touched)

    return report.commit_planned(
        write, commit=commit, races=(IntegrityError,),
        race_message=lambda error: _("The database refused the list: %(error)s")
        % {"error": error})


# --- employment indicators -------------------------------------------------------------------------

def _rate(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", ".").replace("%", "").strip())
    except (InvalidOperation, ValueError):
        raise InvestmentError(_("The unemployment rate must be a percentage, e.g. 7.5; got "
                                "%(value)r.") % {"value": raw}) from None
    if not value.is_finite() or not (0 <= value <= 100):
        raise InvestmentError(_("The unemployment rate must be between 0 and 100 %."))
    return value.quantize(Decimal("0.01"))


def employment_values(values: dict, area) -> dict:
    settlement = _settlement(values.get("settlement_kato", ""), area)
    year_text = values.get("year", "")
    if not (year_text.isdigit() and 1990 <= int(year_text) <= timezone.now().year):
        raise InvestmentError(_("The year must be a year from 1990 to now, got %(value)r.")
                              % {"value": year_text})
    population = _count(values.get("working_age_population", ""),
                        _("working-age population"))
    employed = _count(values.get("employed", ""), _("employed"))
    unemployed = _count(values.get("unemployed", ""), _("unemployed"))
    if employed + unemployed > population:
        raise InvestmentError(_("Employed and unemployed together (%(sum)d) exceed the "
                                "working-age population (%(population)d).")
                              % {"sum": employed + unemployed, "population": population})
    rate_text = values.get("unemployment_rate", "")
    if rate_text:
        rate = _rate(rate_text)
    elif employed + unemployed:
        # The labour force's unemployed share, as the statistics office defines it.
        rate = (Decimal(unemployed) * 100 / Decimal(employed + unemployed)).quantize(
            Decimal("0.01"))
    else:
        raise InvestmentError(_("Give the unemployment rate, or the employed and unemployed."))
    source = values.get("source", "").strip()
    if not source:
        raise InvestmentError(_("Say where the figures come from (the source)."))
    sample_text = fold(values.get("is_sample", ""))
    if sample_text not in YES | NO:
        raise InvestmentError(_("Sample values: answer yes or no, got %(value)r.")
                              % {"value": values.get("is_sample", "")})
    return {"settlement": settlement, "year": int(year_text),
            "working_age_population": population, "employed": employed,
            "unemployed": unemployed, "unemployment_rate": rate, "source": source[:200],
            "is_sample": sample_text in YES}


def import_employment(*, name: str, content: bytes, commit: bool = False,
                      area=None) -> ImportReport:
    """Check (and with commit=True write) employment indicators. With `area` (the staff page)
    every settlement must lie in it."""
    rows = EMPLOYMENT_READER.read(name, content)
    report = ImportReport()
    planned, seen = [], {}
    for number, values in rows:
        key = f"{values.get('settlement_kato', '')} {values.get('year', '')}".strip()
        try:
            cleaned = employment_values(values, area)
            pair = (cleaned["settlement"].pk, cleaned["year"])
            if pair in seen:
                raise InvestmentError(_("The same settlement and year are in row %(row)d.")
                                      % {"row": seen[pair]})
            seen[pair] = number
        except InvestmentError as error:
            report.rows.append(RowReport(number, key, REFUSED, error.message))
            continue
        planned.append(cleaned)
        report.rows.append(RowReport(number, key, CREATE))
    known = set(SettlementEmployment.objects.filter(
        settlement_id__in=[c["settlement"].pk for c in planned])
        .values_list("settlement_id", "year"))
    for row, cleaned in zip([r for r in report.rows if r.outcome != REFUSED], planned,
                            strict=True):
        if (cleaned["settlement"].pk, cleaned["year"]) in known:
            row.outcome = UPDATE
    report.count_rows()

    def write():
        now = timezone.now()
        for cleaned in planned:
            SettlementEmployment.objects.update_or_create(
                settlement=cleaned.pop("settlement"), year=cleaned.pop("year"),
                defaults={**cleaned, "imported_at": now})
        refresh_project_employment(settlement_ids=list({pk for pk, _ in seen}))

    return report.commit_planned(
        write, commit=commit, races=(IntegrityError,),
        race_message=lambda error: _("The database refused the file: %(error)s")
        % {"error": error})
