"""Reference files from the local data folder or, when absent there, from their public URL.

Either way the file's sha256 must match the manifest: a local copy that does not match is
refused, a download that does not match is deleted before anyone can read it.
"""

import hashlib
import logging
import os
import tempfile
import urllib.request
from pathlib import Path

from django.conf import settings

from .errors import ChecksumMismatch, SourceRejected
from .manifest import MANIFEST, SourceFile, dataset_files

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
DOWNLOAD_TIMEOUT_S = 60


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_file(entry: SourceFile, *, data_dir: Path | None = None,
                cache_dir: Path | None = None) -> Path:
    """Path of a verified copy of the manifest entry: local folder first, then the cache, then
    a download into the cache."""
    data_dir = Path(data_dir or settings.TZ_DATA_DIR)
    cache_dir = Path(cache_dir or settings.TZ_DATA_CACHE_DIR)

    local = data_dir / entry.path
    if local.is_file():
        _verify(local, entry)
        return local

    cached = cache_dir / entry.path
    if cached.is_file():
        if sha256_of(cached) == entry.sha256:
            return cached
        logger.warning("cached %s does not match the manifest; downloading it again", cached)
        cached.unlink()

    _download(entry, cached)
    return cached


def ensure_dataset(dataset: str, *, data_dir: Path | None = None, cache_dir: Path | None = None,
                   manifest: tuple[SourceFile, ...] = MANIFEST) -> Path:
    """All files of a dataset, side by side; returns the one to open (the .shp of a shapefile)."""
    paths = [ensure_file(entry, data_dir=data_dir, cache_dir=cache_dir)
             for entry in dataset_files(dataset, manifest)]
    folders = {path.parent for path in paths}
    if len(folders) > 1:
        # A shapefile whose members come from two folders cannot be opened as one.
        raise SourceRejected(dataset, "only some of its files are in the data folder "
                                      f"({', '.join(sorted(map(str, folders)))}); add the rest "
                                      "or remove them so that all are downloaded")
    shapefiles = [path for path in paths if path.suffix == ".shp"]
    return shapefiles[0] if shapefiles else paths[0]


def _verify(path: Path, entry: SourceFile) -> None:
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise ChecksumMismatch(path, f"sha256 {actual} does not match the manifest's "
                                     f"{entry.sha256}; the file is not the published version")


def _download(entry: SourceFile, target: Path) -> None:
    """Stream into a temporary file next to the target, verify, then rename: readers never see
    a partial or unverified file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    logger.info("downloading %s", entry.url)
    digest = hashlib.sha256()
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".part", delete=False)
    temporary = Path(handle.name)
    try:
        with handle, urllib.request.urlopen(entry.url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            while chunk := response.read(_CHUNK):
                digest.update(chunk)
                handle.write(chunk)
        if digest.hexdigest() != entry.sha256:
            raise ChecksumMismatch(entry.url, f"downloaded sha256 {digest.hexdigest()} does not "
                                              f"match the manifest's {entry.sha256}")
        os.replace(temporary, target)
    except OSError as exc:  # urllib's URLError and HTTPError are OSErrors
        raise SourceRejected(entry.url, f"download failed: {exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)
