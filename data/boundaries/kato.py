"""The KATO classifier: strict reading of kato.csv and the code arithmetic of its hierarchy.

A 9-digit KATO code nests: oblast = first 2 digits + 0000000; district = first 4 + 00000 (for
the cities of republican significance 71/75/79, whose districts sit one level lower: first 6 +
000); okrug = first 6 + 000.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceRejected

REPUBLICAN_CITIES = ("71", "75", "79")  # Astana, Almaty, Shymkent: oblast level
LEVELS = ("oblast", "district", "sub_district", "settlement")
REQUIRED_COLUMNS = ("kato", "level", "name_ru", "name_kk")
_CODE = re.compile(r"\d{9}")


@dataclass(frozen=True)
class KatoRow:
    kato: str
    level: str
    name_ru: str
    name_kk: str
    line: int


def oblast_of(kato: str) -> str:
    return kato[:2] + "0000000"


def district_of(kato: str) -> str:
    if kato[:2] in REPUBLICAN_CITIES:
        return kato[:6] + "000"
    return kato[:4] + "00000"


def okrug_of(kato: str) -> str:
    return kato[:6] + "000"


def is_city_district(row: KatoRow) -> bool:
    """The 19 districts of Astana, Almaty and Shymkent are `sub_district` rows in KATO but
    district-level units with polygons of their own."""
    return row.level == "sub_district" and row.kato[:2] in REPUBLICAN_CITIES


def city_settlements(rows: list[KatoRow]) -> list[KatoRow]:
    """Cities that KATO lists only as administrative units, never as `settlement` rows:
    Astana, Almaty and Shymkent (oblast level) and the 39 okrug-level units with no settlement
    rows under them ("г.Семей"), each a city administered as one unit. They are settlements,
    the largest ones, so the settlement layer includes them under the unit's own code."""
    with_settlements = {okrug_of(r.kato) for r in rows if r.level == "settlement"}
    return [r for r in rows
            if (r.level == "oblast" and r.kato[:2] in REPUBLICAN_CITIES)
            or (r.level == "sub_district" and not is_city_district(r)
                and r.kato not in with_settlements)]


def district_kind_from_code(kato: str) -> str:
    """KATO numbers city administrations 10–29 and rural districts 30–99 within an oblast
    (checked against all 209 districts of NK RK 11-2025); used where no classifier name is
    at hand, i.e. for the 2018 generation."""
    if kato[:2] in REPUBLICAN_CITIES:
        return "район"
    return "Г.А." if int(kato[2:4]) < 30 else "район"


def oblast_kind(kato: str) -> str:
    return "г." if kato[:2] in REPUBLICAN_CITIES else "область"


def district_kind(name_ru: str) -> str:
    return "Г.А." if "Г.А." in name_ru else "район"


# Lower case only: "с.Аксу" is a village named Aksu, not a "с.а." administration.
_OKRUG_KIND = re.compile(r"(?<![^\W\d_])(с\.о|с\.а|п\.а|г\.а|р\.а)(?:\.|\b|$)")
_LEADING_TYPE = re.compile(r"^([^\W\d_]{1,5})\.")


def okrug_kind(name_ru: str) -> str:
    """The classifier's abbreviation: с.о. rural okrug, с.а. village administration, п.а.
    settlement administration, г.а. town administration, р.а. district administration, or
    г./п. for a city or settlement administered directly."""
    match = _OKRUG_KIND.search(name_ru)
    if match:
        return match.group(1) + "."
    match = _LEADING_TYPE.match(name_ru)
    return match.group(1).lower() + "." if match else ""


_SETTLEMENT_WORD_KINDS = ("зимовка", "точка", "разъезд", "станция", "кордон", "поселок")


def settlement_kind(name_ru: str) -> str:
    """The type marker the classifier puts before a settlement's name: "с." village, "п."
    settlement, "г." town, "ст." station, "рзд." passing loop, "уч." site, "зимовка"…"""
    match = _LEADING_TYPE.match(name_ru)
    if match:
        return match.group(1).lower() + "."
    first_word = name_ru.split(" ", 1)[0].lower()
    return first_word if first_word in _SETTLEMENT_WORD_KINDS else ""


def read_kato(path: Path) -> list[KatoRow]:
    """All rows, or SourceRejected for the whole file: a classifier with one truncated or
    garbled row is not trusted anywhere."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _parse(path, csv.reader(handle, strict=True))
    except UnicodeDecodeError as exc:
        raise SourceRejected(path, f"not UTF-8 text (byte {exc.start}): garbled file") from exc
    except csv.Error as exc:
        raise SourceRejected(path, f"malformed CSV: {exc}") from exc
    except OSError as exc:
        raise SourceRejected(path, f"cannot be read: {exc}") from exc


def _parse(path: Path, reader) -> list[KatoRow]:
    header = next(reader, None)
    if not header:
        raise SourceRejected(path, "empty file")
    header = [column.strip() for column in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise SourceRejected(path, f"required column(s) missing: {', '.join(missing)} "
                                   f"(found: {', '.join(header)})")
    index = {column: header.index(column) for column in REQUIRED_COLUMNS}
    rows, seen = [], set()
    for fields in reader:
        line = reader.line_num
        if not fields:
            continue
        if len(fields) != len(header):
            raise SourceRejected(path, f"line {line} has {len(fields)} fields, expected "
                                       f"{len(header)}: truncated or garbled row")
        row = KatoRow(line=line, **{column: fields[i].strip() for column, i in index.items()})
        if not _CODE.fullmatch(row.kato):
            raise SourceRejected(path, f"line {line}: KATO code {row.kato!r} is not 9 digits")
        if row.level not in LEVELS:
            raise SourceRejected(path, f"line {line}: unknown level {row.level!r}")
        if not (row.name_ru and row.name_kk):
            raise SourceRejected(path, f"line {line}: KATO {row.kato} has an empty name")
        if row.kato in seen:
            raise SourceRejected(path, f"line {line}: KATO {row.kato} appears twice")
        seen.add(row.kato)
        rows.append(row)
    if not rows:
        raise SourceRejected(path, "no data rows")
    return rows
