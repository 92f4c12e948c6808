"""Upload of NGOs' lists of volunteers (CSV or XLSX), the same pattern as the help lists.

The template's headers are in Kazakh and Russian ("Толық аты-жөні / ФИО"); a column is found
by either half, or by its code. Every row is checked on its own and the report says, row by
row, what is wrong. A dry run writes nothing; a commit writes every row or, if any row is
wrong, nothing at all. A volunteer already held (same name, birth year and settlement: the
blind index) is updated, not added. Report messages never quote personal data.
"""

from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may
from layers.core import importing
from layers.core.importing import CREATE, REFUSED, UPDATE, RowReport, fold
from layers.help.importer import ImportReport, _Lookups

from . import actions
from .anonymity import rebuild_cards
from .models import Direction, Volunteer

COLUMNS = [
    ("full_name", "Толық аты-жөні", "ФИО"),
    ("birth_year", "Туған жылы", "Год рождения"),
    ("gender", "Жынысы", "Пол"),
    ("phone", "Телефон", "Телефон"),
    ("email", "Электрондық пошта", "Электронная почта"),
    ("settlement_kato", "Елді мекеннің КАТО коды", "Код КАТО населённого пункта"),
    ("settlement", "Елді мекен", "Населённый пункт"),
    ("district", "Аудан", "Район"),
    ("directions", "Бағыттар", "Направления"),
    ("own_directions", "Өз бағыттары", "Свои направления"),
    ("days", "Күндер (1–7)", "Дни (1–7)"),
    ("hours", "Сағаттар (мыс. 9-13)", "Часы (напр. 9-13)"),
    ("languages", "Тілдер", "Языки"),
    ("has_car", "Көлігі бар", "Есть автомобиль"),
    ("car_seats", "Бос орындар", "Свободных мест"),
    ("travel_km", "Қанша км-ге барады", "Готов ехать, км"),
    ("education", "Білімі", "Образование"),
    ("experience", "Тәжірибесі", "Опыт"),
]
REQUIRED = ("full_name", "birth_year", "gender", "phone", "directions")
GENDERS = importing.Words({"f": ("ә", "әйел", "ж", "жен", "женский", "female"),
                           "m": ("е", "ер", "м", "муж", "мужской", "male")})
YES = {"1", "yes", "иә", "да", "бар", "есть", "true"}


class ImportFileError(actions.VolunteerError, importing.FileRejected):
    """The file as a whole cannot be read (format, headers, size)."""


TABLE = importing.columns_from(COLUMNS, REQUIRED)
READER = importing.TableReader(TABLE, error=ImportFileError)
LABELS = {column.key: column.header for column in TABLE}


def read_table(data: bytes, filename: str) -> list[dict]:
    """Rows of the file as {column code: text}, with their line numbers under "_line"."""
    return [{"_line": number, **values} for number, values in READER.read(filename, data)]


TEMPLATE_EXAMPLE = ["Demo Volunteer 0001", "1995", "әйел", "+7 700 900 00 01",
                    "demo.volunteer.1@example.kz", "751110000", "", "", "teaching; consulting",
                    "", "6; 7", "10-14", "kk; ru", "иә", "3", "15", "higher", "some"]


def template_bytes(fmt: str) -> tuple[bytes, str]:
    return importing.template_file(TABLE, fmt, error=ImportFileError,
                                   examples=[TEMPLATE_EXAMPLE], sheet_title="volunteers")


def _parts(value: str) -> list[str]:
    return [p.strip() for p in (value or "").replace(",", ";").split(";") if p.strip()]


def _whole(value: str, field: str, errors, message) -> int | None:
    if not value:
        return None
    try:
        return int(float(value.replace(",", ".")))
    except ValueError:
        errors.append((field, message))
        return None


def _directions(value: str, errors) -> list[str]:
    names = {direction.code: (direction.name_kk, direction.name_ru, direction.name_en)
             for direction in Direction.objects.filter(is_active=True)}
    words = importing.Words(names)
    codes = []
    for part in _parts(value):
        code = words.value_of(part)
        if code is None:
            errors.append(("directions", _("Unknown direction; use: %(choices)s (or the column "
                                           "of own directions).")
                           % {"choices": ", ".join(sorted(names))}))
        else:
            codes.append(code)
    return codes


def _slots(row: dict, errors) -> list[int]:
    days = []
    for part in _parts(row.get("days", "")):
        if not part.isdigit() or not 1 <= int(part) <= 7:
            errors.append(("days", _("Days are numbers 1 (Monday) to 7 (Sunday).")))
            return []
        days.append(int(part) - 1)
    hours_text = row.get("hours", "")
    if not days and not hours_text:
        return []
    hours = range(24)
    if hours_text:
        low, _sep, high = hours_text.replace("–", "-").partition("-")
        if not (low.strip().isdigit() and high.strip().isdigit()
                and 0 <= int(low) < int(high) <= 24):
            errors.append(("hours", _("Hours are a range such as 9-13.")))
            return []
        hours = range(int(low), int(high))
    return actions.slots_for(days or range(7), hours)


def check_row(row: dict, lookups: _Lookups, user) -> RowReport:
    report = RowReport(row["_line"])
    errors = report.errors
    for code in REQUIRED:
        if not row.get(code):
            errors.append((code, _("%(column)s is missing.") % {"column": LABELS[code]}))
    birth_year = _whole(row.get("birth_year", ""), "birth_year", errors,
                        _("Birth year must be a year, e.g. 1995."))
    gender = GENDERS.value_of(row.get("gender", "")) or ""
    if row.get("gender") and not gender:
        errors.append(("gender", _("Gender is әйел/жен or ер/муж.")))
    directions = _directions(row.get("directions", ""), errors)
    slots = _slots(row, errors)
    seats = _whole(row.get("car_seats", ""), "car_seats", errors,
                   _("Free seats must be a number.")) or 0
    travel = _whole(row.get("travel_km", ""), "travel_km", errors,
                    _("Travel distance must be a number of km.")) or 10
    settlement, problem = lookups.settlement(row)
    if problem:
        errors.append(("settlement", problem))
    if errors:
        report.outcome = REFUSED
        return report
    data = actions.QuestionnaireInput(
        full_name=row["full_name"], phone=row["phone"], email=row.get("email", ""),
        birth_year=birth_year, gender=gender, settlement=settlement, directions=directions,
        own_directions=_parts(row.get("own_directions", "")), slots=slots,
        languages=[fold(p) for p in _parts(row.get("languages", ""))],
        has_car=fold(row.get("has_car", "")) in YES, car_seats=seats, travel_km=travel,
        education=fold(row.get("education", "")), experience=fold(row.get("experience", "")))
    errors += actions.input_errors(data)
    if not errors and not may(user, Action.CHANGE, actions.settlement_area(settlement)):
        errors.append(("settlement", _("You have no staff role in the area of this settlement "
                                       "(%(kato)s).") % {"kato": settlement.kato}))
    if errors:
        report.outcome = REFUSED
        return report
    report.data = data
    index = actions.person_index_for(data.full_name, data.birth_year, settlement.kato)
    report.outcome = UPDATE if Volunteer.objects.filter(person_index=index).exists() else CREATE
    report.upsert_key = index
    return report


def check_file(*, user, data: bytes, filename: str) -> ImportReport:
    lookups = _Lookups()
    report = ImportReport(rows=[check_row(row, lookups, user)
                                for row in read_table(data, filename)])
    report.refuse_repeated("full_name", _("The same person as row %(line)d."))
    return report


def import_file(*, user, data: bytes, filename: str, commit: bool) -> ImportReport:
    """Check every row; with commit and no error anywhere, write them all in one transaction
    and rebuild the public list once. Otherwise nothing is written."""
    report = check_file(user=user, data=data, filename=filename)

    def write():
        # A row found again by its blind index has the same settlement, so the same oblast:
        # the oblasts of the rows written are all the oblasts the import touched.
        oblasts = set()
        for row in report.rows:
            volunteer, _created = actions.enter_paper(user=user, data=row.data, rebuild=False)
            oblasts.add(volunteer.oblast_id)
        rebuild_cards(oblast_ids=oblasts)

    return report.commit_planned(write, commit=commit)
