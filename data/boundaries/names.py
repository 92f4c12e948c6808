"""Place-name normalisation for matching KATO settlements to OpenStreetMap places.

KATO writes "с.Ақсу" / "Ақсу а.", OSM "Ақсу", "Аксу" or "Aksu". After normalisation the
Russian and Kazakh spellings of one name meet: type markers and quotes go, case, hyphens and
spaces are unified, and the Kazakh letters fold onto their Russian look-alikes (қ→к, ө→о…),
as Russian transcriptions of Kazakh names do.
"""

import csv
import functools
import re
import unicodedata
from pathlib import Path

# Kazakh-specific letters onto the Russian letter used in Russian spellings; ё/э onto е.
_FOLD = str.maketrans({
    "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
    "і": "и", "ё": "е", "э": "е", "ъ": "", "ь": "",
})
# Latin letters that look Cyrillic and turn up inside Cyrillic names (typing accidents).
_HOMOGLYPHS = str.maketrans({
    "a": "а", "c": "с", "e": "е", "i": "и", "k": "к", "m": "м", "o": "о", "p": "р",
    "t": "т", "x": "х", "y": "у", "h": "н", "b": "в",
})
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]")
_QUOTES = re.compile(r"[«»\"'“”„`’]")
# Russian type markers before the name (KATO: "с.Аксу", "зимовка Тазоба", "с.им.Абая").
_PREFIX = re.compile(
    r"^(?:с|а|г|п|пос|уч|ст|рзд|кр|отг|им|"
    r"село|аул|поселок|посёлок|зимовка|точка|станция|разъезд|имени)(?:\.\s*|\s+)"
)
# Kazakh type markers after the name (KATO: "Аксу а.", "Тазоба қыстауы", "Абай атын.а.").
_SUFFIX = re.compile(
    r"(?:\s+|(?<=\.))(?:а|қ|к|ќ|ж|уч|ст|рзд|атын\.а|ауылы|кенті|мекені|қыстауы|стансасы)\.?$"
)
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,()]+")


def normalise(name: str | None) -> str | None:
    """The matching key of a place name, or None when nothing of a name is left."""
    text = strip_markers(name)
    if text is None:
        return None
    text = text.translate(_FOLD)
    text = _SEPARATORS.sub(" ", text).strip()
    return text or None


def strip_markers(name: str | None) -> str | None:
    """The bare name, lower case, without type markers and quotes; Kazakh letters kept."""
    if not name or not isinstance(name, str):
        return None
    text = name.strip().lower()
    if _CYRILLIC.search(text):
        text = text.translate(_HOMOGLYPHS)
    text = _QUOTES.sub("", text)
    # Strip at most a couple of markers: "с.им.Абая" has two, a name itself has none.
    for _ in range(2):
        text = _PREFIX.sub("", text).strip()
    text = _SUFFIX.sub("", text).strip()
    return text or None


# --- romanised names ----------------------------------------------------------------------------
# Kazakh and Russian Cyrillic to Latin as GeoNames romanises Kazakh places (BGN/PCGN style, its
# diacritics dropped): Ұзынағаш → Uzynaghash, Жаңаөзен → Zhangaozen, Қорқыт → Qorqyt.
_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d", "е": "e", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m",
    "н": "n", "ң": "ng", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
# Spelling variants the romanisations of one name differ by (Russian "-skiy"/"-skii",
# "Nikolayevka"/"Nikolaevka", "Artyomovka"/"Artemovka", q/k, gh/g, ng/n): folded on both sides.
_LATIN_FOLDS = (("shch", "sh"), ("yo", "e"), ("ye", "e"), ("iy", "i"), ("yy", "y"),
                ("ii", "i"), ("kh", "h"), ("gh", "g"), ("ng", "n"), ("q", "k"), ("w", "u"),
                ("x", "ks"), ("j", "zh"))
_NOT_LATIN_LETTER = re.compile(r"[^a-z0-9]+")


def transliterate(name: str) -> str:
    """Cyrillic (Kazakh or Russian) in Latin letters; other characters pass through."""
    return "".join(_LATIN.get(char, _LATIN.get(char.lower(), char).capitalize()
                              if char.isupper() else char) for char in name)


# KATO's abbreviated Kazakh type markers after a name, in an English name: a village, town or
# city marker goes (the settlement's kind says it); a station, site or pasture, and the kind of
# a rural okrug or administration, are said in English. Other generic words ("қыстауы", winter
# quarters) are romanised with the name, as romanised gazetteers keep them.
_ENGLISH_MARKERS = {
    "атын.а.о": "rural okrug", "ат.а.о": "rural okrug", "а.о": "rural okrug",
    "а.ә": "village administration", "к.ә": "settlement administration",
    "қ.ә": "town administration",
    "атын.а": "", "а": "", "қ": "", "к": "", "ст": "station", "уч": "site", "ж": "pasture",
}
_ENGLISH_MARKER = re.compile(
    r"(?:\s+|(?<=\.))(атын\.а\.о|ат\.а\.о|атын\.а|[ақк]\.[оә]|а|қ|к|ст|уч|ж)\.$",
    re.IGNORECASE)
# "а.о" and "а.ә" also end a name without their last dot.
_UNFINISHED_MARKER = re.compile(r"(?<=[.\s])[ақк]\.[оә]$", re.IGNORECASE)


# English spells қ, ғ and ң as k, g and n, as the oblasts' and districts' English names do
# ("Karagandy", "Aktobe", "Taldykorgan"), not as BGN/PCGN's q, gh and ng.
_ENGLISH_LETTERS = str.maketrans({"қ": "к", "Қ": "К", "ғ": "г", "Ғ": "Г", "ң": "н", "Ң": "Н"})


def english_name(name_kk: str | None) -> str:
    """A Kazakh place name as English-language maps print it: romanised as the oblasts' and
    districts' English names are (k, g, n for қ, ғ, ң; no diacritics), KATO's type abbreviation
    replaced: "Қарағанды қ." → "Karagandy", "Ақбұлақ ст." → "Akbulak station". Empty for no
    name."""
    if not name_kk or not name_kk.strip():
        return ""
    text = name_kk.strip()
    if _UNFINISHED_MARKER.search(text):
        text += "."
    marker = _ENGLISH_MARKER.search(text)
    word = ""
    if marker:
        word = _ENGLISH_MARKERS[marker.group(1).lower()]
        text = text[:marker.start()].strip()
    text = _QUOTES.sub('"', transliterate(text.translate(_ENGLISH_LETTERS)))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(part for part in (text.strip(), word) if part)


def latin_key(name: str | None) -> str | None:
    """The matching key of a romanised name (or of a Cyrillic one, transliterated): type
    markers gone, diacritics dropped, letters and digits only ("Татан 6" is not "Tatan"),
    spelling variants folded."""
    text = strip_markers(name)
    if text is None:
        return None
    text = transliterate(text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = _NOT_LATIN_LETTER.sub("", text.lower())
    for old, new in _LATIN_FOLDS:
        text = text.replace(old, new)
    return text or None


OTHER_NAMES_FILE = Path(__file__).with_name("other_names.csv")


@functools.lru_cache(maxsize=1)
def _other_names_table() -> dict[str, tuple[tuple[str, str], ...]]:
    """(name, kind) by KATO code, in file order: kind "former" for a name the town bore,
    "spelling" for another way of writing a name that the search should know."""
    with OTHER_NAMES_FILE.open(encoding="utf-8", newline="") as table:
        names: dict[str, list[tuple[str, str]]] = {}
        for row in csv.DictReader(table):
            names.setdefault(row["kato"], []).append((row["name"].strip(), row["kind"]))
    return {kato: tuple(rows) for kato, rows in names.items()}


def other_names(kato: str | None) -> tuple[str, ...]:
    """The names a renamed town was known by (other_names.csv: Tselinograd, Semipalatinsk,
    Kapchagay…) and the other spellings of its names a search should know (Baikonur,
    Kustanai), oldest former name first."""
    return tuple(name for name, _ in _other_names_table().get(kato or "", ()))


def shown_former_names(kato: str | None) -> str:
    """The former names as a place's card shows them, in Cyrillic as the town bore them,
    oldest first: "Акмолинск, Целиноград, Акмола, Нур-Султан"."""
    return ", ".join(name for name, kind in _other_names_table().get(kato or "", ())
                     if kind == "former")


def settlement_search_key(kato: str | None, name_kk: str | None, name_ru: str | None) -> str:
    """A settlement's search keys: its Kazakh and Russian names, its former names and the
    other spellings of them."""
    return search_key(name_kk, name_ru, *other_names(kato))


def search_key(*names: str | None) -> str:
    """The Latin keys of a place's names (Kazakh, Russian…) joined by "|": what a search in
    Latin letters ("Almaty", "Qaraghandy", "Karaganda", "Ust-Kamenogorsk") is compared with,
    after the same latin_key folding of the query."""
    return "|".join(sorted({key for key in map(latin_key, names) if key}))

