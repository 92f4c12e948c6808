"""The loader reads the local data folder or downloads, verifying checksums either way."""

import dataclasses

import pyogrio
import pytest

from data.boundaries import manifest
from data.boundaries.errors import ChecksumMismatch, SourceRejected
from data.boundaries.fetch import ensure_dataset, ensure_file, sha256_of


def _served(entries, server):
    """The manifest entries with their public URL replaced by the loopback server's."""
    return tuple(dataclasses.replace(e, url=f"{server.base_url}/{e.path}") for e in entries)


def _kato_entry():
    return manifest.dataset_files(manifest.KATO)[0]


def test_manifest_lists_every_file_with_provenance(settings):
    datasets = {entry.dataset for entry in manifest.MANIFEST}
    assert datasets == {manifest.ADM0_2018, manifest.ADM1_2018, manifest.ADM2_2018,
                        manifest.ADM1_2024, manifest.ADM2_2024, manifest.KATO,
                        manifest.OSM_PLACES, manifest.WOF_GEONAMES}
    for dataset in (manifest.ADM1_2018, manifest.ADM2_2024):
        extensions = {e.path.rsplit(".", 1)[1] for e in manifest.dataset_files(dataset)}
        assert extensions == {"shp", "shx", "dbf", "prj", "cpg"}
    for entry in manifest.MANIFEST:
        assert entry.url.startswith("https://")
        assert entry.licence and entry.attribution
        assert sha256_of(settings.TZ_DATA_DIR / entry.path) == entry.sha256, entry.path


def test_local_file_is_used_and_verified(settings, tmp_path):
    path = ensure_file(_kato_entry(), cache_dir=tmp_path)
    assert path == settings.TZ_DATA_DIR / "sources/kato/kato.csv"
    assert not any(tmp_path.iterdir())


def test_local_file_with_wrong_checksum_is_refused(tmp_path):
    entry = dataclasses.replace(_kato_entry(), sha256="0" * 64)
    with pytest.raises(ChecksumMismatch, match="does not match the manifest"):
        ensure_file(entry, cache_dir=tmp_path)


def test_download_into_cache_when_not_local(data_server, tmp_path):
    entry, = _served([_kato_entry()], data_server)
    empty, cache = tmp_path / "empty", tmp_path / "cache"
    empty.mkdir()

    path = ensure_file(entry, data_dir=empty, cache_dir=cache)

    assert path == cache / entry.path
    assert sha256_of(path) == entry.sha256
    assert data_server.requests == [f"/{entry.path}"]
    assert [p.name for p in path.parent.iterdir()] == ["kato.csv"]  # no temporary left
    # A second call reads the verified cache without asking the server again.
    assert ensure_file(entry, data_dir=empty, cache_dir=cache) == path
    assert len(data_server.requests) == 1


def test_downloaded_shapefile_members_sit_together(data_server, tmp_path):
    served = _served(manifest.MANIFEST, data_server)
    empty = tmp_path / "empty"
    empty.mkdir()

    shp = ensure_dataset(manifest.ADM1_2024, data_dir=empty, cache_dir=tmp_path / "cache",
                         manifest=served)

    assert shp.suffix == ".shp"
    assert len(pyogrio.read_dataframe(shp)) == 20


def test_download_with_wrong_checksum_is_rejected_and_nothing_kept(data_server, tmp_path):
    entry, = _served([_kato_entry()], data_server)
    entry = dataclasses.replace(entry, sha256="f" * 64)
    empty, cache = tmp_path / "empty", tmp_path / "cache"
    empty.mkdir()

    with pytest.raises(ChecksumMismatch, match="downloaded sha256"):
        ensure_file(entry, data_dir=empty, cache_dir=cache)

    assert not [p for p in cache.rglob("*") if p.is_file()]


def test_corrupt_cached_file_is_downloaded_again(data_server, tmp_path):
    entry, = _served([_kato_entry()], data_server)
    empty, cache = tmp_path / "empty", tmp_path / "cache"
    empty.mkdir()
    cached = cache / entry.path
    cached.parent.mkdir(parents=True)
    cached.write_text("kato\n")

    assert ensure_file(entry, data_dir=empty, cache_dir=cache) == cached
    assert sha256_of(cached) == entry.sha256


def test_unreachable_url_is_a_clear_error(tmp_path):
    entry = dataclasses.replace(_kato_entry(), url="http://127.0.0.1:9/kato.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceRejected, match="download failed"):
        ensure_file(entry, data_dir=empty, cache_dir=tmp_path / "cache")


def test_dataset_split_between_folders_is_refused(settings, tmp_path):
    """Some shapefile members locally, the rest only downloadable: refuse rather than mix."""
    local = tmp_path / "local"
    entry = manifest.dataset_files(manifest.ADM1_2024)[0]
    (local / entry.path).parent.mkdir(parents=True)
    (local / entry.path).symlink_to(settings.TZ_DATA_DIR / entry.path)
    cache = tmp_path / "cache"
    for other in manifest.dataset_files(manifest.ADM1_2024)[1:]:
        (cache / other.path).parent.mkdir(parents=True, exist_ok=True)
        (cache / other.path).symlink_to(settings.TZ_DATA_DIR / other.path)

    with pytest.raises(SourceRejected, match="only some of its files"):
        ensure_dataset(manifest.ADM1_2024, data_dir=local, cache_dir=cache)
