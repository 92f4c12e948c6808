"""Starting and stopping the servers under test: the portal (gunicorn) and TiPg (uvicorn).

Each server runs in its own session (process group), so stop() ends exactly the processes this
run started, master and workers, and nothing else.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .util import LOG_DIR, ROOT, free_port, progress

TIPG_VERSION = "1.6.1"
TIPG_VENV = ROOT / ".venv-tipg"
WORKERS = 2


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: Path,
                 port: int, ready_path: str):
        self.name, self.command, self.env, self.cwd = name, command, env, cwd
        self.port, self.ready_path = port, ready_path
        self.process: subprocess.Popen | None = None
        self.log_path = LOG_DIR / f"{name}.log"

    def start(self, timeout: float = 90.0) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 - kept open for the child's lifetime
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.ready_path, headers={"Connection": "close"})
                status = conn.getresponse().status
                conn.close()
                if status < 500:
                    progress(f"{self.name} ready on 127.0.0.1:{self.port} "
                             f"(pid {self.process.pid})")
                    return
                last_error = f"HTTP {status}"
            except OSError as error:
                last_error = str(error)
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s ({last_error}):\n"
                           f"{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the group id is the leader's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        progress(f"{self.name} stopped")

    def pids(self) -> list[int]:
        """The server's process tree (master and workers)."""
        if self.process is None:
            return []
        return process_tree(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_ticks(pids: list[int]) -> int:
    """utime + stime (clock ticks) summed over the processes that still exist."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total


def portal_server(env: dict[str, str], portal_dir: Path = ROOT) -> Server:
    """gunicorn on the portal in portal_dir (another copy of the code for an A/B run; it
    comes first on sys.path, ahead of the editable install of this checkout)."""
    port = free_port()
    env = dict(env)
    if portal_dir != ROOT:
        env["PYTHONPATH"] = str(portal_dir)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "gis_portal.wsgi:application",
               "--chdir", str(portal_dir),
               "--workers", str(WORKERS), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "--worker-tmp-dir", "/dev/shm", "--no-control-socket"]
    # A 204 from a zoom below the layer's range: the whole Django stack, no SQL.
    return Server("gunicorn", command, env, portal_dir, port, "/tiles/settlements/0/0/0.mvt")


def ensure_tipg() -> str:
    """.venv-tipg with tipg==1.6.1 and uvicorn[standard], made from the interpreter the portal
    runs on (a faster or slower Python on one side would not be the same race); made again
    when missing or made from another interpreter."""
    python = TIPG_VENV / "bin" / "python"
    base = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    check = [str(python), "-c",
             f"import os, sys, tipg, uvicorn; assert tipg.__version__ == {TIPG_VERSION!r}; "
             f"assert os.path.realpath(sys._base_executable) == {base!r}; "
             "print(tipg.__version__, uvicorn.__version__)"]
    if python.exists():
        result = subprocess.run(check, capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.strip()
        shutil.rmtree(TIPG_VENV)
    progress(f"creating {TIPG_VENV.name} with tipg=={TIPG_VERSION} on {base}")
    subprocess.run([base, "-m", "venv", str(TIPG_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    f"tipg=={TIPG_VERSION}", "uvicorn[standard]"], check=True)
    return subprocess.run(check, capture_output=True, text=True, check=True).stdout.strip()


def tipg_table_config() -> dict:
    return {
        "public_areas_settlement": {
            "pk": "id", "geomcol": "geom",
            "properties": ["id", "kato", "name_kk", "population", "osm_place"]},
        "bench_settlements": {
            "pk": "id", "geomcol": "geom",
            "properties": ["id", "kato", "name", "population", "osm_place"]},
        "bench_areas": {
            "pk": "id", "geomcol": "geom",
            "properties": ["id", "kato", "name", "level", "approximate"]},
    }


def tipg_server(database_url: str, tile: dict) -> tuple[Server, Path]:
    port = free_port()
    # TiPg reads a .env file from its working directory: give it an empty one.
    workdir = Path(tempfile.mkdtemp(prefix="bench-tipg-"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TIPG_", "DJANGO_", "DATABASE_", "POSTGRES_"))}
    env.update({
        "DATABASE_URL": database_url,
        "TIPG_DB_SCHEMAS": json.dumps(["public", "bench"]),
        "TIPG_DB_TABLES": json.dumps(["public.areas_settlement", "bench.settlements",
                                      "bench.areas"]),
        "TIPG_DB_FUNCTIONS": "[]",
        "TIPG_DB_DATETIME_EXTENT": "false",
        "TIPG_TABLE_CONFIG": json.dumps(tipg_table_config()),
        "TIPG_MAX_FEATURES_PER_TILE": str(tile["max_features"]),
        "TIPG_TILE_BUFFER": str(tile["buffer"]),
        "TIPG_TILE_RESOLUTION": str(tile["extent"]),
        # No catalogue refresh in the middle of a timed pass (TiPg's default is every 300 s).
        "TIPG_CATALOG_TTL": "0",
        "TIPG_DEBUG": "false",
    })
    command = [str(TIPG_VENV / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning",
               "--no-access-log"]
    return Server("tipg", command, env, workdir, port, "/collections"), workdir
