"""Upload of the akimat's and NGOs' lists of people who need help (CSV or XLSX).

The template's headers are in Kazakh and Russian ("Толық аты-жөні / ФИО"); a column is found
by either half, or by its code. Every row is checked on its own and the report says, row by
row, what is wrong (missing fields, unknown settlement, birth year out of range, phone format,
personal data in the public description, an area the uploader has no role in). A dry run
writes nothing; a commit writes every row or, if any row is wrong, nothing at all. A person
already held (same name, birth year and settlement: the blind index) is updated, not added.
Report messages never quote personal data.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gis_portal.accounts.permissions import Action, may
from layers.areas.models import AdminArea, Settlement
from layers.core import importing
from layers.core.importing import CREATE, REFUSED, UPDATE, RowReport

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
TOPIC_NAMES = {
    "material": ("материалдық", "материальная"),
    "consultative": ("кеңес", "консультативная"),
    "labour": ("еңбек", "физический труд"),
    "other": ("басқа", "другое"),
}
CONSENT_WORDS = {"written": ("жазбаша", "письменное"), "oral": ("ауызша", "устное"),
                 "ngo_form": ("ҮЕҰ формасы", "форма НКО")}


class ImportFileError(actions.HelpError, importing.FileRejected):
    """The file as a whole cannot be read (format, headers, size)."""


class ImportReport(importing.ImportReport):
    """A list of people: each refused row's errors name their column; no row is quoted."""

    def lines(self) -> list[str]:
        """The report as text lines (command output, logs): no personal data."""
        return [_("row %(line)d: %(field)s: %(message)s")
                % {"line": row.line, "field": name, "message": message}
                for row in self.errors for name, message in row.errors]


TABLE = importing.columns_from(COLUMNS, REQUIRED)
READER = importing.TableReader(TABLE, error=ImportFileError)
LABELS = {column.key: column.header for column in TABLE}


def read_table(data: bytes, filename: str) -> list[dict]:
    """Rows of the file as {column code: text}, with their line numbers under "_line"."""
    return [{"_line": number, **values} for number, values in READER.read(filename, data)]


TEMPLATE_EXAMPLE = ["Demo Person 001", "1950", "+7 700 000 00 01", "Demo street 1",
                    "751110000", "", "", "material", "firewood", "lonely_pensioner; disabled",
                    "150000", "Қысқа отын керек. Нужны дрова на зиму.", "written"]


def template_bytes(fmt: str) -> tuple[bytes, str]:
    return importing.template_file(TABLE, fmt, error=ImportFileError,
                                   examples=[TEMPLATE_EXAMPLE], sheet_title="help")


# --- checking rows ---------------------------------------------------------------------------

def _choice(value: str, options: dict[str, tuple[str, ...]]) -> str | None:
    return importing.Words(options).value_of(value)


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
    report = RowReport(row["_line"])
    errors = report.errors
    for code in REQUIRED:
        if not row.get(code):
            errors.append((code, _("%(column)s is missing.") % {"column": LABELS[code]}))
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
        report.outcome = REFUSED
        return report
    data = actions.RequestInput(
        full_name=row["full_name"], phone=row["phone"], address=row["address"],
        birth_year=birth_year, settlement=settlement, topic=topic, kind=kind,
        family_tags=family, amount_needed=amount, description=row.get("description", ""),
        consent_method=consent)
    errors += actions.input_errors(data)
    if not errors and not may(user, Action.CHANGE, actions.settlement_area(settlement)):
        errors.append(("settlement", _("You have no staff role in the area of this settlement "
                                       "(%(kato)s).") % {"kato": settlement.kato}))
    if errors:
        report.outcome = REFUSED
        return report
    report.data = data
    index = actions.person_index_for(data.full_name, data.birth_year, settlement.kato)
    report.outcome = (UPDATE if HelpRequest.objects.filter(person_index=index, kind_id=kind)
                      .exists() else CREATE)
    report.upsert_key = (index, kind)
    return report


def check_file(*, user, data: bytes, filename: str) -> ImportReport:
    lookups = _Lookups()
    report = ImportReport(rows=[check_row(row, lookups, user)
                                for row in read_table(data, filename)])
    report.refuse_repeated("full_name", _("The same person and kind of help as row %(line)d."))
    return report


def import_file(*, user, data: bytes, filename: str, commit: bool) -> ImportReport:
    """Check every row; with commit and no error anywhere, write them all in one
    transaction (rows with consent are published). Otherwise nothing is written."""
    report = check_file(user=user, data=data, filename=filename)

    def write():
        for row in report.rows:
            actions.save_request(user=user, data=row.data,
                                 publish=bool(row.data.consent_method))

    return report.commit_planned(write, commit=commit)
