"""Every reference file the boundary pipeline reads: where it lives, where it comes from, its
checksum, licence and attribution.

Files are grouped into datasets (a shapefile is five files that must sit side by side). The
loader reads them from settings.TZ_DATA_DIR or downloads them from `url` into
settings.TZ_DATA_CACHE_DIR, verifying `sha256` either way (see fetch.py).
"""

import hashlib
import json
from dataclasses import asdict, dataclass

# Bump when the import logic changes what it derives from unchanged files, so that
# `load_reference_data` reloads instead of skipping an already loaded manifest.
PIPELINE_VERSION = 2

GEOKZ_COMMIT = "41c1a00454ec9e01bda031b5074920bd82de02ce"
GEOKZ_URL = f"https://github.com/arodionoff/geokz/raw/{GEOKZ_COMMIT}/inst/shape/{{file}}"
GEOKZ_LICENCE = "CC BY 4.0"
GEOKZ_ATTRIBUTION = (
    "Administrative boundaries: R package geokz by Alexander Rodionov "
    "(github.com/arodionoff/geokz), based on OCHA COD-AB Kazakhstan; CC BY 4.0"
)

KATO_COMMIT = "88067ea4fd20eef4318ff2c257df78aa161b5810"
KATO_LICENCE = "Official classifier NK RK 11-2025 (public); repository conversion MIT"
KATO_ATTRIBUTION = (
    "KATO classifier NK RK 11-2025, Bureau of National Statistics of the Republic of "
    "Kazakhstan (stat.gov.kz), as converted in github.com/siaarzh/kz-tax-rates"
)

# The HOT export as published on HDX ("hotosm_kaz_populated_places"); this exact copy is
# pinned in a public repository so that its checksum can be verified.
OSM_COMMIT = "69f8282c68afbd7d56762b08a2f3fd5aaac6f870"
OSM_LICENCE = "ODbL 1.0"
OSM_ATTRIBUTION = (
    "© OpenStreetMap contributors (ODbL 1.0); Humanitarian OpenStreetMap Team export "
    "hotosm_kaz_populated_places via HDX"
)

# Who's On First "locality" records of whosonfirst-data-admin-kz, flattened to one CSV; their
# positions and names come from GeoNames. The flattened file is re-derived from the WOF
# repository at this commit (see the data folder's README); the URL names that source.
WOF_COMMIT = "65a9c3ae2290e0deac0b0d6e8867b04f0ba9bf57"
WOF_GEONAMES_LICENCE = "GeoNames data CC BY 4.0; Who's On First's own work CC0"
WOF_GEONAMES_ATTRIBUTION = (
    "GeoNames (geonames.org), CC BY 4.0; via Who's On First (whosonfirst.org), "
    "whosonfirst-data-admin-kz, CC0"
)


@dataclass(frozen=True)
class SourceFile:
    dataset: str
    path: str  # relative to TZ_DATA_DIR (and to TZ_DATA_CACHE_DIR for downloads)
    url: str
    sha256: str
    licence: str
    attribution: str


# Dataset names: the importers ask for these.
ADM0_2018 = "geokz_adm0_2018"
ADM1_2018 = "geokz_adm1_2018"
ADM2_2018 = "geokz_adm2_2018"
ADM1_2024 = "geokz_adm1_2024"
ADM2_2024 = "geokz_adm2_2024"
KATO = "kato"
OSM_PLACES = "osm_populated_places"
WOF_GEONAMES = "wof_geonames_localities"

_SHAPEFILE_CHECKSUMS = {
    ADM0_2018: {
        "cpg": "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824",
        "dbf": "4a31dccbb1e295122bde7b7eca390aaa660816ad1ffb2a933995ec627cf62bf6",
        "prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
        "shp": "40cbe271d0d7fe7a4f644777740d2c04766c03f11815e3bc3883c929fe5ee0f3",
        "shx": "13fc455b443c4dbd70c4ab08fd8241a90690641a13c6aab4063df056ae83c218",
    },
    ADM1_2018: {
        "cpg": "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824",
        "dbf": "1121d41cbb7eee46ffb897ed0bb4f99e01e31898a8d96b6527b0abdd078f9bf0",
        "prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
        "shp": "07b82daae13ca7cfd62cc5c7031b271adbe370065ef3326186f3e135e2cc1c23",
        "shx": "ea0f2f50b7fff5a1510003c83f5ae97f9bd98f804fa63a2eae35e4104fcc7b25",
    },
    ADM2_2018: {
        "cpg": "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824",
        "dbf": "4caafff36bb0a815bd134a659106790beee95f290a17cb16d83ae68e316fdfe3",
        "prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
        "shp": "caa866a0b227288604f30b02054c942537aead65e071675d20bb58193be2a926",
        "shx": "bdec7b19a5374f5667b1416316c4c2886f2586dbb1ee1e3c3722af40cd5e5617",
    },
    ADM1_2024: {
        "cpg": "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824",
        "dbf": "d54e7f6e68e2a0f8778b8231aba861d77794b38f0a4fc009006ac67a2010fd95",
        "prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
        "shp": "e9cd4e520b263ebe2f984be026b25850be56853ecf6e623ab041cf21d0dfe6f7",
        "shx": "4bf4bbbd34a272c4fd43a482b190d2f57d4fe6d5cf97b9657f65eef4a07ef684",
    },
    ADM2_2024: {
        "cpg": "3ad3031f5503a4404af825262ee8232cc04d4ea6683d42c5dd0a2f2a27ac9824",
        "dbf": "e0fb676d93cdacb3b3a583fa64a679ce1e0a5456b464308f05a2a1c09f1c1168",
        "prj": "a02a27b1d1982c8516d83398e85a3c8b1aef1713c13ef4d84d7bde17430c07c4",
        "shp": "6821c48a27c5c77c20d1cf71365a0c4078d48e28494b19fa9a6be4c7c2b63a49",
        "shx": "9486f1b1f95a2eaceb23fc6834f68bd549dbb4bf0b47d833075850fd6b1d9dd6",
    },
}
_SHAPEFILE_STEMS = {
    ADM0_2018: "kaz_admbnda_adm0_2018",
    ADM1_2018: "kaz_admbnda_adm1_2018",
    ADM2_2018: "kaz_admbnda_adm2_2018",
    ADM1_2024: "kaz_admbnda_adm1_2024",
    ADM2_2024: "kaz_admbnda_adm2_2024",
}


def _geokz_files() -> list[SourceFile]:
    files = []
    for dataset, checksums in _SHAPEFILE_CHECKSUMS.items():
        stem = _SHAPEFILE_STEMS[dataset]
        for extension, sha256 in checksums.items():
            name = f"{stem}.{extension}"
            files.append(SourceFile(
                dataset=dataset,
                path=f"sources/geokz/{name}",
                url=GEOKZ_URL.format(file=name),
                sha256=sha256,
                licence=GEOKZ_LICENCE,
                attribution=GEOKZ_ATTRIBUTION,
            ))
    return files


MANIFEST: tuple[SourceFile, ...] = (
    *_geokz_files(),
    SourceFile(
        dataset=KATO,
        path="sources/kato/kato.csv",
        url=f"https://raw.githubusercontent.com/siaarzh/kz-tax-rates/{KATO_COMMIT}/data/kato.csv",
        sha256="6a0300f254c070dabcbb4fb65569f73b0e36879ab3feaaa35286c0d77c0c6c22",
        licence=KATO_LICENCE,
        attribution=KATO_ATTRIBUTION,
    ),
    SourceFile(
        dataset=OSM_PLACES,
        path="sources/osm/hotosm_kaz_populated_places_points_geojson.geojson",
        url=(
            f"https://raw.githubusercontent.com/Nurtugann/Tracking_heatmap/{OSM_COMMIT}/"
            "hotosm_kaz_populated_places_points_geojson.geojson"
        ),
        sha256="9b040a68b215a9b4f07bcffbce407613b34bf949a4932f43c9d6b3b63e520abc",
        licence=OSM_LICENCE,
        attribution=OSM_ATTRIBUTION,
    ),
    SourceFile(
        dataset=WOF_GEONAMES,
        path="sources/wof-geonames/kz_localities.csv",
        url=f"https://github.com/whosonfirst-data/whosonfirst-data-admin-kz/tree/{WOF_COMMIT}",
        sha256="640e399c00b139cb8f48fdee6078887ed5a3ae41bec3dece31df14d9e85b9218",
        licence=WOF_GEONAMES_LICENCE,
        attribution=WOF_GEONAMES_ATTRIBUTION,
    ),
)


def dataset_files(dataset: str, manifest: tuple[SourceFile, ...] = MANIFEST) -> list[SourceFile]:
    files = [entry for entry in manifest if entry.dataset == dataset]
    if not files:
        raise KeyError(f"no dataset {dataset!r} in the manifest")
    return files


def manifest_checksum(manifest: tuple[SourceFile, ...] = MANIFEST) -> str:
    """Identifies what a load was made from: every entry plus the pipeline version."""
    payload = {"pipeline_version": PIPELINE_VERSION, "files": [asdict(e) for e in manifest]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
