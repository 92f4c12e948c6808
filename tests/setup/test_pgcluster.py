"""scripts/pgcluster.sh from any folder: a checkout the `postgres` user cannot enter (a clone
under /root, mode 700) keeps its cluster's data where that user can reach it, keyed by the
checkout's path, and still records the port in the checkout's var/pg/port."""

import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pgcluster.sh"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runuser"),
    reason="the server runs as the postgres user only when the set-up runs as root",
)


def postgres_home() -> Path:
    try:
        return Path(pwd.getpwnam("postgres").pw_dir)
    except KeyError:
        pytest.skip("no postgres user on this machine")


@pytest.fixture
def folder():
    """A fresh folder under /tmp (not pytest's tmp_path: that one is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="tz-checkout-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def make_checkout(parent: Path, mode: int) -> Path:
    parent.chmod(mode)
    checkout = parent / "portal"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy2(SCRIPT, checkout / "scripts" / "pgcluster.sh")
    return checkout.resolve()


def pgcluster(checkout: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(["bash", str(checkout / "scripts" / "pgcluster.sh"), *args],
                          capture_output=True, text=True, env=environ, timeout=120)


def test_private_folder_puts_the_data_with_the_postgres_user(folder):
    checkout = make_checkout(folder, 0o700)
    result = pgcluster(checkout, "datadir")
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256(str(checkout).encode()).hexdigest()[:16]
    assert result.stdout.strip() == str(postgres_home() / "tz-clusters" / digest / "data")
    assert not (checkout / "var").exists()  # resolving creates nothing


def test_open_folder_keeps_the_data_in_the_checkout(folder):
    postgres_home()
    checkout = make_checkout(folder, 0o755)
    result = pgcluster(checkout, "datadir")
    assert result.stdout.strip() == str(checkout / "var" / "pg" / "data")


def test_a_cluster_already_in_the_checkout_stays_there(folder):
    postgres_home()
    checkout = make_checkout(folder, 0o700)
    (checkout / "var" / "pg" / "data").mkdir(parents=True)
    (checkout / "var" / "pg" / "data" / "PG_VERSION").write_text("15\n")
    assert pgcluster(checkout, "datadir").stdout.strip() == str(checkout / "var/pg/data")


def test_start_and_destroy_from_a_private_folder(folder):
    postgres_home()
    checkout = make_checkout(folder, 0o700)
    clusters = folder.parent / f"{folder.name}-clusters"
    env = {"TZ_PG_CLUSTERS_DIR": str(clusters), "TZ_DB_NAME": "tz_setup_check"}
    try:
        started = pgcluster(checkout, "start", **env)
        assert started.returncode == 0, started.stdout + started.stderr
        data = Path(pgcluster(checkout, "datadir", **env).stdout.strip())
        assert data.parent.parent == clusters and (data / "PG_VERSION").exists()
        port = int((checkout / "var" / "pg" / "port").read_text())
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        again = pgcluster(checkout, "start", **env)  # reused, not initialised twice
        assert again.returncode == 0 and "cluster up" in again.stdout
    finally:
        destroyed = pgcluster(checkout, "destroy", **env)
        shutil.rmtree(clusters, ignore_errors=True)
    assert destroyed.returncode == 0, destroyed.stderr
    assert not data.exists() and not (checkout / "var" / "pg").exists()
