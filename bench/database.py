"""The bench's own database: a copy of the dev database, with the synthetic national volumes.

Layers join the bench with volumes far above the demo (50,000 projects, a million help
requests, …). They are written into `<dev database>_bench`, never into the dev database that
`make run` serves, and kept between runs (each volume module inserts only what is missing).
`--fresh-db` drops the copy and makes it again from the dev database.
"""

import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

from .util import ROOT, progress

SUFFIX = "_bench"


def dev_database_url() -> str:
    """The dev database's URL: DATABASE_URL, or the private cluster (var/pg/port)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    port_file = ROOT / "var" / "pg" / "port"
    port = port_file.read_text().strip() if port_file.exists() else "5432"
    return f"postgis://postgres@127.0.0.1:{port}/tugan_zher"


def _with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _libpq_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def bench_database_url(dev_url: str) -> str:
    name = urlsplit(dev_url).path.lstrip("/")
    return _with_name(dev_url, name + SUFFIX)


def ensure_bench_database(dev_url: str, fresh: bool = False) -> str:
    """Create `<dev>_bench` from the dev database when it is missing (or when fresh); return
    its URL. A template copy needs the dev database idle; when `make run` holds it open, the
    copy goes through pg_dump | pg_restore instead."""
    import psycopg

    dev_name = urlsplit(dev_url).path.lstrip("/")
    bench_name = dev_name + SUFFIX
    admin_url = _libpq_url(_with_name(dev_url, "postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (bench_name,)).fetchone()
        if exists and not fresh:
            return bench_database_url(dev_url)
        if exists:
            progress(f"dropping {bench_name}")
            conn.execute(f'DROP DATABASE "{bench_name}" WITH (FORCE)')
        progress(f"copying {dev_name} into {bench_name}")
        try:
            conn.execute(f'CREATE DATABASE "{bench_name}" TEMPLATE "{dev_name}"')
            return bench_database_url(dev_url)
        except psycopg.errors.ObjectInUse:
            progress(f"{dev_name} is in use: copying with pg_dump | pg_restore")
            conn.execute(f'CREATE DATABASE "{bench_name}"')
    _dump_restore(_libpq_url(dev_url), _libpq_url(bench_database_url(dev_url)))
    return bench_database_url(dev_url)


def _pg_bin(name: str) -> str:
    majors = sorted((p for p in os.listdir("/usr/lib/postgresql") if p.isdigit()), key=int)
    return f"/usr/lib/postgresql/{majors[-1]}/bin/{name}" if majors else name


def _dump_restore(source_url: str, target_url: str) -> None:
    dump = subprocess.Popen([_pg_bin("pg_dump"), "-Fc", "--no-owner", source_url],
                            stdout=subprocess.PIPE)
    restore = subprocess.run([_pg_bin("pg_restore"), "--no-owner", "-d", target_url],
                             stdin=dump.stdout, capture_output=True, text=True)
    dump.stdout.close()
    if dump.wait() != 0 or restore.returncode not in (0, 1):
        raise SystemExit(f"copying the dev database failed: {restore.stderr[-2000:]}")


def migrate(env: dict) -> None:
    """Apply the portal's migrations to the bench database (the dev one may be behind)."""
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "migrate",
                    "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
