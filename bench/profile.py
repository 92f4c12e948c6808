"""`--profile`: where the portal's workers spend their CPU, sampled with py-spy.

py-spy (PyPI) is installed into .venv-bench-tools on first use. It samples the gunicorn master
and its workers (--subprocesses, --nonblocking) while the load client runs a 2-thread pass;
only samples holding the GIL are kept (--gil): a worker blocked on the database socket, on
accept or in gunicorn's lingering close is waiting, not computing, so the shares are shares of
the workers' Python CPU time.
"""

import re
import subprocess
from collections import Counter
from pathlib import Path

from .util import ROOT, progress

TOOLS_VENV = ROOT / ".venv-bench-tools"
FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")

# Buckets by file path, first match wins: what part of the stack a sample is in.
BUCKETS = [
    ("psycopg / libpq", ("psycopg/", "psycopg_binary", "psycopg_c")),
    ("django db backend", ("django/db/",)),
    ("django middleware", ("django/middleware/", "django/contrib/sessions/",
                           "django/contrib/auth/", "django/contrib/messages/",
                           "django/utils/deprecation.py")),
    ("django url resolving", ("django/urls/",)),
    ("django request/response", ("django/http/", "django/core/handlers/")),
    ("django i18n", ("django/utils/translation/",)),
    ("DRF", ("rest_framework/",)),
    ("portal code", ("/layers/", "/tiles/", "/gis_portal/")),
    ("gunicorn", ("gunicorn/",)),
    ("json", ("json/",)),
]


def ensure_pyspy() -> Path:
    binary = TOOLS_VENV / "bin" / "py-spy"
    if not binary.exists():
        progress("installing py-spy into .venv-bench-tools (first --profile run only)")
        subprocess.run(["python3", "-m", "venv", str(TOOLS_VENV)], check=True)
        subprocess.run([str(TOOLS_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", "py-spy"], check=True)
    return binary


def start(binary: Path, pid: int, seconds: float, output: Path, rate: int = 500):
    output.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(binary), "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--gil",
         "--rate", str(rate), "--duration", str(max(1, round(seconds))), "--format", "raw",
         "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for raw in stack.split(";"):
        match = FRAME.match(raw.strip())
        if match:
            frames.append((match["func"], match["file"]))
    return frames


def _bucket(file: str) -> str | None:
    for name, needles in BUCKETS:
        if any(n in file for n in needles):
            return name
    return None


def summarize(raw_path: Path, top: int = 15) -> dict:
    """Total samples; self time per bucket (innermost frame that falls in one); inclusive and
    self time per function."""
    total = 0
    inclusive: Counter = Counter()
    own: Counter = Counter()
    buckets: Counter = Counter()
    for line in raw_path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = _frames(stack)
        if not frames:
            continue
        total += n
        for func, file in dict.fromkeys(frames):
            if "gunicorn/" not in file and "threading.py" not in file:
                inclusive[f"{func} ({_short(file)})"] += n
        leaf_func, leaf_file = frames[-1]
        own[f"{leaf_func} ({_short(leaf_file)})"] += n
        bucket = "other"
        for _func, file in reversed(frames):
            found = _bucket(file)
            if found:
                bucket = found
                break
        buckets[bucket] += n
    share = (lambda n: round(100.0 * n / total, 1)) if total else (lambda n: 0.0)
    return {
        "samples": total,
        "buckets_pct": {k: share(v) for k, v in buckets.most_common()},
        "inclusive_pct": {k: share(v) for k, v in inclusive.most_common(top)},
        "self_pct": {k: share(v) for k, v in own.most_common(top)},
    }


def _short(file: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file
