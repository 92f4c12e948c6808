"""Place-name normalisation for matching KATO settlements to OpenStreetMap places.

KATO writes "с.Ақсу" / "Ақсу а.", OSM "Ақсу", "Аксу" or "Aksu". After normalisation the
Russian and Kazakh spellings of one name meet: type markers and quotes go, case, hyphens and
spaces are unified, and the Kazakh letters fold onto their Russian look-alikes (қ→к, ө→о…),
as Russian transcriptions of Kazakh names do.
"""

import re

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
    text = text.translate(_FOLD)
    text = _SEPARATORS.sub(" ", text).strip()
    return text or None
