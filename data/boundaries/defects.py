"""Known defects of the source files and how the pipeline corrects them.

Every entry is listed in the shared data README ("Known defects"), verified there against the
KATO classifier NK RK 11-2025. Corrections are data, kept here in one place, and each one that
fires is written into the import report.
"""

from dataclasses import dataclass

# ADM2 codes of the 2024 boundary file that the current classifier spells differently. The 2018
# file has neither code: its Semey (632800000) and Satpaev (352300000) carry the pre-2022 codes
# of the 2018 classifier, which are right for that generation, so it is left as is.
KATO_REMAP_2024 = {
    "101010000": "104100000",  # Zhanasemey district (101010000 is the city of Semey itself)
    "622010000": "622000000",  # Satpaev city administration (622010000 is the city itself)
}


@dataclass(frozen=True)
class MissingPolygon:
    """A current district the boundary source has no polygon for."""

    name_en: str
    container_kato: str  # the district whose source polygon still covers its territory
    reason: str

    def note(self, container_name: str) -> str:
        return (f"The boundary source has no polygon for this district ({self.reason}); "
                f"its territory lies inside {container_name} ({self.container_kato}). "
                "No shape is drawn rather than an invented one.")


MISSING_POLYGONS_2024 = {
    "615500000": MissingPolygon("Sauran", "612000000", "created from Kentau's territory"),
    "635500000": MissingPolygon("Markakol", "635200000", "split from Kurshim"),
    "636300000": MissingPolygon("Ulken Naryn", "635400000", "split from Katonkaragay"),
    "711610000": MissingPolygon("Saraishyk", "711110000",
                                "split from Astana's Almaty district in 2025"),
}

# Exact misspellings in the boundary files' name columns (Latin letters in Cyrillic words,
# doubled suffixes, a wrong English spelling).
NAME_FIXES = {
    "Aршалинский": "Аршалинский",  # Latin "A"
    "Енбекшинскийский": "Енбекшинский",
    "Каратаускийский": "Каратауский",
    "Солтүстiк Қазақстан": "Солтүстік Қазақстан",  # Latin "i"
    "Zharasemey": "Zhanasemey",
}

# Taldykorgan's Kazakh and Russian names are swapped in both ADM2 files: (kk, ru) as found.
SWAPPED_KK_RU = {("Талдыкорган", "Талдықорған")}
