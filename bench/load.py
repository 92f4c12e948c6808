"""The load client: Python threads, one request at a time per thread.

HTTP contenders open ONE NEW CONNECTION PER REQUEST ("Connection: close"): keep-alive
generators meet 40 ms delayed-ACK stalls on some Python servers, and a browser's tile burst
opens connections anyway. The raw-SQL contenders keep one psycopg connection per thread, as
the portal's workers do (CONN_MAX_AGE).
"""

import itertools
import math
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .util import percentile

# A worker function sends one request and returns (status, size, body or None); size is
# bytes for HTTP and tiles, rows for a lookup (whose body is then the row list).
Call = Callable[[object], tuple[int, int, object]]


@dataclass
class Contender:
    name: str
    kind: str  # "http" or "sql"
    # make_call(thread_index) -> Call; each thread gets its own (connection, for SQL).
    make_call: Callable[[int], Call]
    # Processes whose CPU time is charged to this contender (app side), and DB backends.
    app_pids: Callable[[], list[int]] = field(default=lambda: [])
    note: str = ""


def http_call(port: int, keep_body: bool = False) -> Call:
    """GET over a new connection, read to the server's close, as a C load generator (wrk)
    would: the status line and the framing headers are all it parses. Python's http.client
    parses every header with the email package and reads through buffered file objects; on a
    50 KB list page that cost the client about 0.5 ms (0.1 ms on an empty answer), which the
    bench then charged to the server."""
    def call(path) -> tuple[int, int, object]:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                         % path.encode("ascii"))
            chunks = []
            while chunk := sock.recv(262144):
                chunks.append(chunk)
        status, body = parse_http_response(b"".join(chunks))
        return status, len(body), body if keep_body else None
    return call


def parse_http_response(data: bytes) -> tuple[int, bytes]:
    """(status, body) of a whole HTTP/1.1 response read until the server closed: the body
    checked against Content-Length, or decoded from chunked transfer encoding."""
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator or not head.startswith(b"HTTP/1."):
        raise ConnectionError(f"not an HTTP response: {data[:60]!r}")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        return status, _dechunk(body)
    if b"content-length" in headers and int(headers[b"content-length"]) != len(body):
        raise ConnectionError(f"body of {len(body)} bytes, Content-Length says "
                              f"{headers[b'content-length'].decode()}")
    return status, body


def _dechunk(body: bytes) -> bytes:
    parts, position = [], 0
    while True:
        line_end = body.index(b"\r\n", position)
        size = int(body[position:line_end].split(b";")[0], 16)
        if size == 0:
            return b"".join(parts)
        start = line_end + 2
        parts.append(body[start:start + size])
        position = start + size + 2


def sql_call(conn, keep_body: bool = False) -> Call:
    """item = (statement, params, mode): mode 'scalar' (a tile: bytea) or 'rows' (lookup)."""
    cursor = conn.cursor()

    def call(item) -> tuple[int, int, object]:
        statement, params, mode = item
        cursor.execute(statement, params)
        if mode == "scalar":
            row = cursor.fetchone()
            data = bytes(row[0]) if row and row[0] else b""
            return (200 if data else 204), len(data), data if keep_body else None
        rows = cursor.fetchall()
        return 200, len(rows), rows if keep_body else None
    return call


@dataclass
class PassResult:
    latencies_ms: list[float]
    statuses: Counter
    bytes_total: int
    wall_s: float
    errors: list[str]
    bodies: list | None = None  # per item, in list order (c=1 passes only)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.requests / self.wall_s if self.wall_s else math.nan

    def p(self, q: float) -> float:
        return percentile(sorted(self.latencies_ms), q)


def warm_every_worker(calls: list[Call], items: list) -> None:
    """Each item once per thread, all threads at the same moment. The portal's sync workers
    each serve one request at a time, so simultaneous requests reach different workers: every
    worker then holds what it caches per process (compiled statements) for every item, as a
    server does in its steady state."""
    barrier = threading.Barrier(len(calls))

    def worker(call: Call) -> None:
        for item in items:
            barrier.wait()
            try:
                call(item)
            except Exception:  # noqa: BLE001 - the measured passes report failures
                pass

    threads = [threading.Thread(target=worker, args=(call,), daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_pass(calls: list[Call], items: list, repeat: int = 1,
             keep_bodies: bool = False) -> PassResult:
    """Every item (times repeat) once, shared by len(calls) threads pulling from one queue.

    Latency is the wall time of one request; throughput is requests / wall time of the pass.
    """
    work = items * repeat
    counter = itertools.count()
    latencies = [math.nan] * len(work)
    statuses: Counter = Counter()
    errors: list[str] = []
    bodies = [None] * len(work) if keep_bodies else None
    totals = [0] * len(calls)
    lock = threading.Lock()

    def worker(index: int) -> None:
        call = calls[index]
        clock = time.perf_counter_ns
        while True:
            i = next(counter)
            if i >= len(work):
                return
            start = clock()
            try:
                status, size, body = call(work[i])
            except Exception as error:  # counted and reported, the pass goes on
                status, size, body = -1, 0, None
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
            latencies[i] = (clock() - start) / 1e6
            totals[index] += size
            if bodies is not None:
                bodies[i] = body
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=worker, args=(n,), daemon=True)
               for n in range(len(calls))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return PassResult(latencies, statuses, sum(totals), wall, errors[:10], bodies)


def run_interleaved(calls: list[Call], items: list[list]) -> list[PassResult]:
    """One thread, item by item: request i of every contender back to back (the order
    rotating with i), so load from elsewhere on the box falls on all contenders alike and
    per-item differences can be paired."""
    n, k = len(items[0]), len(calls)
    latencies = [[math.nan] * n for _ in range(k)]
    statuses = [Counter() for _ in range(k)]
    errors: list[list[str]] = [[] for _ in range(k)]
    sizes = [0] * k
    walls = [0.0] * k
    clock = time.perf_counter_ns
    for i in range(n):
        for j in range(k):
            c = (i + j) % k
            start = clock()
            try:
                status, size, _ = calls[c](items[c][i])
            except Exception as error:  # counted and reported, the pass goes on
                status, size = -1, 0
                errors[c].append(f"{type(error).__name__}: {error}")
            elapsed = clock() - start
            latencies[c][i] = elapsed / 1e6
            walls[c] += elapsed / 1e9
            statuses[c][status] += 1
            sizes[c] += size
    return [PassResult(latencies[c], statuses[c], sizes[c], walls[c], errors[c][:10])
            for c in range(k)]
