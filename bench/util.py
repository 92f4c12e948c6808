"""Small shared helpers: paths, console output, percentiles, free ports."""

import math
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
LOG_DIR = RESULTS_DIR / "logs"
TILES_FILE = BENCH_DIR / "tiles.txt"
POINTS_FILE = BENCH_DIR / "points.txt"

_START = time.monotonic()


def out(text: str = "") -> None:
    """The CLI's report output (stdout)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def progress(text: str) -> None:
    """Progress lines (stderr), so stdout holds only the report."""
    sys.stderr.write(f"[bench {time.monotonic() - _START:6.1f}s] {text}\n")
    sys.stderr.flush()


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of an already sorted list."""
    if not sorted_values:
        return math.nan
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def median(values: list[float]) -> float:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def cv(values: list[float]) -> float:
    """Coefficient of variation (stdev / mean) of repetitions; 0 for a single value."""
    values = [v for v in values if v is not None and not math.isnan(v)]
    if len(values) < 2 or statistics.mean(values) == 0:
        return 0.0
    return statistics.stdev(values) / statistics.mean(values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"
