"""`python -m bench`: lookups and MVT tiles, portal vs raw SQL vs TiPg, in one run.

Starts the portal (gunicorn) and TiPg (uvicorn) on free loopback ports, times them against
the raw SQL they run, prints one table per scenario and the target ratios, and writes
bench/results/latest.json. See bench/README.md. Main options: --quick (1 repetition),
--only SCENARIOS, --no-tipg, --profile (py-spy on the gunicorn workers), --portal-dir DIR
(A/B run of a patched copy of the code), --regenerate-lists."""

import argparse
import importlib
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from . import breakdown, database, lists, mvt, portal, profile, report, servers
from .load import (
    Contender,
    PassResult,
    http_call,
    run_interleaved,
    run_pass,
    sql_call,
    warm_every_worker,
)
from .util import RESULTS_DIR, ROOT, cv, median, progress

# Layers that join the bench: modules bench/<name>.py with ensure_volume(conn) (the synthetic
# national volume, written into the bench's own database), scenarios(ctx) (latency pairs, as
# build_tiles below) and optionally extra(ctx) (runs that are not pairs). Volumes are made in
# this order: a module may build on an earlier one's rows.
LAYER_BENCHES: tuple[str, ...] = ("layer_routes", "layer_help", "layer_heritage",
                                  "layer_projects", "layer_funding", "layer_volunteers",
                                  "layer_investments")

CLK_TCK = os.sysconf("SC_CLK_TCK")
THREADS = 2
# Each repetition's 2-thread time (--seconds) is split into this many alternating chunks.
CHUNKS = 3


def _terminate(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions (median)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="target length of each 2-thread throughput pass")
    parser.add_argument("--quick", action="store_true", help="1 repetition, short passes")
    parser.add_argument("--regenerate-lists", action="store_true",
                        help="rewrite bench/tiles.txt and bench/points.txt from the data")
    parser.add_argument("--no-tipg", action="store_true", help="skip the TiPg contender")
    parser.add_argument("--keep-views", action="store_true",
                        help="keep the bench.* views TiPg reads after the run")
    parser.add_argument("--only", default="",
                        help="comma-separated subset of: floor, lookup, tiles:settlements, "
                             "tiles:areas, and the layers' keys, e.g. projects:tiles, "
                             "extra:layer_funding (default: all)")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed passes, sample the gunicorn workers with py-spy "
                             "during a lookup and a tile pass (where the time goes)")
    parser.add_argument("--no-breakdown", action="store_true",
                        help="skip the in-process split of the overhead into layers")
    parser.add_argument("--portal-dir", default=str(ROOT),
                        help="run the portal from another copy of the code (A/B of a "
                             "patch): gunicorn serves it and the raw SQL is taken from it")
    parser.add_argument("--retries", type=int, default=1,
                        help="re-runs of a scenario during which the data changed")
    parser.add_argument("--wait-quiet", type=float, default=30.0,
                        help="before each scenario, wait up to this many seconds for other "
                             "processes to go under 10%% CPU")
    parser.add_argument("--fresh-db", action="store_true",
                        help="make the bench database again from the dev database (the "
                             "synthetic volumes are then inserted again)")
    parser.add_argument("--output", default=str(RESULTS_DIR / "latest.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.seconds = 1, 1.5
    return args


# --- CPU accounting ------------------------------------------------------------------------


class CpuMeter:
    """CPU time (from /proc) of a contender's server processes, of the database backends
    serving our database, of this client process, and of everything else on the box."""

    def __init__(self, monitor_conn, dbname: str, all_servers: list):
        self.conn, self.dbname, self.servers = monitor_conn, dbname, all_servers
        with monitor_conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.own_pid = cur.fetchone()[0]

    def backends(self) -> list[int]:
        with self.conn.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s "
                        "AND backend_type = 'client backend'", (self.dbname, self.own_pid))
            return [row[0] for row in cur.fetchall()]

    @staticmethod
    def _busy_ticks() -> int:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal: all but idle and iowait
        return sum(fields[:3]) + sum(fields[5:8])

    def snapshot(self, app_pids: list[int]) -> dict:
        db = self.backends()
        servers_pids = [pid for server in self.servers if server for pid in server.pids()]
        return {"app": servers.cpu_ticks(app_pids), "has_app": bool(app_pids),
                "db": servers.cpu_ticks(db),
                "client": servers.cpu_ticks([os.getpid()]),
                "ours": servers.cpu_ticks(servers_pids + db + [os.getpid()]),
                "busy": self._busy_ticks(), "time": time.monotonic()}

    @staticmethod
    def delta(before: dict, after: dict, requests: int) -> dict:
        """CPU ms per request (app: None without server processes) and the share of the
        box's CPU used by other processes during the pass."""
        ms = 1000.0 / CLK_TCK / max(requests, 1)
        wall_ticks = (after["time"] - before["time"]) * CLK_TCK * (os.cpu_count() or 1)
        foreign = (after["busy"] - before["busy"]) - (after["ours"] - before["ours"])
        return {
            "cpu_app_ms_per_req": (after["app"] - before["app"]) * ms
            if after["has_app"] else None,
            "cpu_db_ms_per_req": (after["db"] - before["db"]) * ms,
            "cpu_client_ms_per_req": (after["client"] - before["client"]) * ms,
            "foreign_cpu_pct": max(0.0, 100.0 * foreign / wall_ticks) if wall_ticks else 0.0,
        }


def wait_data_stable(conn, quiet_s: float = 15.0, limit_s: float = 300.0) -> None:
    """Wait until nobody has written to the areas tables for quiet_s seconds."""
    started = time.monotonic()
    last, since = portal.data_fingerprint(conn), time.monotonic()
    while time.monotonic() - since < quiet_s and time.monotonic() - started < limit_s:
        time.sleep(1.0)
        current = portal.data_fingerprint(conn)
        if current != last:
            last, since = current, time.monotonic()
    progress(f"areas tables quiet for {quiet_s:.0f}s (waited "
             f"{time.monotonic() - started:.0f}s)")


def wait_quiet(meter: "CpuMeter", limit_s: float, threshold_pct: float = 10.0) -> dict:
    """Wait (up to limit_s) until other processes use under threshold_pct of the box over a
    2 s window: the box is shared, and its 2 cores are the benchmark's whole budget."""
    started = time.monotonic()
    while True:
        before = meter.snapshot([])
        time.sleep(2.0)
        load = CpuMeter.delta(before, meter.snapshot([]), 1)["foreign_cpu_pct"]
        waited = time.monotonic() - started
        if load < threshold_pct or waited >= limit_s:
            if load >= threshold_pct:
                progress(f"other processes still use {load:.0f}% of the CPU after "
                         f"{waited:.0f}s: going on, see the 'other load' column")
            return {"waited_s": round(waited, 1), "other_load_pct": round(load, 1)}
        progress(f"other processes use {load:.0f}% of the CPU: waiting "
                 f"({waited:.0f}/{limit_s:.0f}s)")


# --- one scenario ----------------------------------------------------------------------------


class LayerBenchContext:
    """What a layer's bench module gets to build its scenarios: the raw-SQL and portal calls
    (as build_tiles uses them), the portal's worker pids, the monitor connection, the
    psycopg connection parameters, the tile and point lists and the parsed arguments."""

    def __init__(self, **parts):
        self.__dict__.update(parts)



def measure(title: str, contenders: list[Contender], items: dict[str, list],
            meter: CpuMeter, args, zooms: list[int] | None = None,
            parity=None) -> dict:
    """Warm-up (bodies kept for parity), then per repetition: one 1-thread pass with the
    contenders interleaved request by request (latency), and one 2-thread pass per contender
    (throughput, and CPU per request from /proc)."""
    quiet = wait_quiet(meter, args.wait_quiet)
    progress(f"{title}: warm-up")
    calls = {c.name: [c.make_call(t) for t in range(THREADS)] for c in contenders}
    warm: dict[str, PassResult] = {}
    for c in contenders:
        # The first request of each item is the cold one (the portal compiles its statement
        # then): its latency is reported apart as "cold p50".
        warm[c.name] = run_pass(calls[c.name][:1], items[c.name], keep_bodies=True)
        if c.kind == "http":
            warm_every_worker(calls[c.name], items[c.name])
    parity_result = parity(warm) if parity else None
    n = len(next(iter(items.values())))
    repeat = {}
    for c in contenders:
        mean_s = sum(warm[c.name].latencies_ms) / 1000 / max(warm[c.name].requests, 1)
        chunk_s = args.seconds / CHUNKS
        repeat[c.name] = max(1, min(50, math.ceil(chunk_s * THREADS / (n * mean_s))))
    runs: dict[str, dict[str, list]] = {c.name: {"c1": [], "c2": []} for c in contenders}
    for rep in range(args.reps):
        progress(f"{title}: repetition {rep + 1}/{args.reps}")
        before = meter.snapshot([])
        interleaved = run_interleaved([calls[c.name][0] for c in contenders],
                                      [items[c.name] for c in contenders])
        foreign = CpuMeter.delta(before, meter.snapshot([]), 1)["foreign_cpu_pct"]
        first = interleaved[0].latencies_ms
        for c, result in zip(contenders, interleaved, strict=True):
            entry = {"p50": result.p(50), "p95": result.p(95), "p99": result.p(99),
                     "mean": sum(result.latencies_ms) / max(result.requests, 1),
                     "requests": result.requests, "rps": result.rps,
                     "statuses": dict(result.statuses), "errors": result.errors,
                     "foreign_cpu_pct": foreign,
                     # median over items of (this contender − the first one), same item
                     "paired_delta_p50": median([a - b for a, b in
                                                 zip(result.latencies_ms, first, strict=True)])}
            if zooms is not None:
                by_zoom: dict[int, list[float]] = {}
                for z, latency in zip(zooms, result.latencies_ms, strict=True):
                    by_zoom.setdefault(z, []).append(latency)
                entry["p50_by_zoom"] = {z: PassResult(v, Counter(), 0, 1, []).p(50)
                                        for z, v in sorted(by_zoom.items())}
            runs[c.name]["c1"].append(entry)
        # Throughput in CHUNKS short passes per contender, contenders alternating, so the
        # k-th chunks of two contenders ran next to each other and can be paired.
        for chunk in range(CHUNKS):
            order = contenders[chunk % len(contenders):] + contenders[:chunk % len(contenders)]
            for c in order:
                before = meter.snapshot(c.app_pids())
                result = run_pass(calls[c.name], items[c.name], repeat=repeat[c.name])
                cpu = CpuMeter.delta(before, meter.snapshot(c.app_pids()), result.requests)
                runs[c.name]["c2"].append({"rps": result.rps, "p50": result.p(50),
                                           "p95": result.p(95), "requests": result.requests,
                                           "wall_s": result.wall_s,
                                           "statuses": dict(result.statuses),
                                           "errors": result.errors, **cpu})
    summary = {}
    for c in contenders:
        c1, c2 = runs[c.name]["c1"], runs[c.name]["c2"]
        row = {
            "note": c.note,
            "p50": median([r["p50"] for r in c1]), "p95": median([r["p95"] for r in c1]),
            "p99": median([r["p99"] for r in c1]), "mean": median([r["mean"] for r in c1]),
            "cv_p50": cv([r["p50"] for r in c1]),
            "rps_c1": median([r["rps"] for r in c1]),
            "rps_c2": median([r["rps"] for r in c2]), "cv_rps_c2": cv([r["rps"] for r in c2]),
            "p50_c2": median([r["p50"] for r in c2]), "p95_c2": median([r["p95"] for r in c2]),
            "paired_delta_p50": median([r["paired_delta_p50"] for r in c1]),
            "cpu_app_ms_per_req": median([r["cpu_app_ms_per_req"] for r in c2
                                          if r["cpu_app_ms_per_req"] is not None]),
            "cpu_db_ms_per_req": median([r["cpu_db_ms_per_req"] for r in c2]),
            "cpu_client_ms_per_req": median([r["cpu_client_ms_per_req"] for r in c2]),
            "foreign_cpu_pct": max(r["foreign_cpu_pct"] for r in c1 + c2),
            "statuses": dict(sum((Counter(r["statuses"]) for r in c1 + c2), Counter())),
            "errors": [e for r in c1 + c2 for e in r["errors"]][:5],
            "warmup_statuses": dict(warm[c.name].statuses),
            # the first request of each item: for the portal, the statement is compiled then
            "cold_p50": warm[c.name].p(50),
            "bytes_per_request": warm[c.name].bytes_total / max(warm[c.name].requests, 1),
        }
        if zooms is not None:
            zs = sorted(set(zooms))
            row["p50_by_zoom"] = {z: median([r["p50_by_zoom"][z] for r in c1]) for z in zs}
            bytes_by_zoom: dict[int, list[int]] = {}
            for z, body in zip(zooms, warm[c.name].bodies, strict=True):
                bytes_by_zoom.setdefault(z, []).append(len(body or b""))
            row["bytes_mean_by_zoom"] = {z: sum(v) / len(v) for z, v in bytes_by_zoom.items()}
        summary[c.name] = row
    return {"title": title, "quiet_check": quiet, "requests_per_pass": n,
            "throughput_repeat": repeat,
            "contenders": summary, "runs": runs, "parity": parity_result}


# --- parity checks ---------------------------------------------------------------------------


def lookup_parity(raw_name: str, http_name: str):
    def check(warm: dict[str, PassResult]) -> dict:
        mismatches, not_ok = [], 0
        for index, (raw_body, http_body) in enumerate(
                zip(warm[raw_name].bodies, warm[http_name].bodies, strict=True)):
            try:
                answer = json.loads(http_body)
            except (TypeError, ValueError):
                not_ok += 1
                continue
            if "oblast" not in answer:
                not_ok += 1
                continue
            first = {}
            for _generation, level, kato, *_ in raw_body:
                first.setdefault(level, kato)
            for level in ("oblast", "district", "okrug", "settlement"):
                got = (answer.get(level) or {}).get("kato")
                if got != first.get(level):
                    mismatches.append((index, level, got, first.get(level)))
        return {"checked": len(warm[raw_name].bodies), "http_not_ok": not_ok,
                "mismatches": len(mismatches), "examples": mismatches[:5],
                "ok": not mismatches}
    return check


def tile_parity(raw_name: str, ours_name: str, tipg_names: list[str], tiles, tolerance=0.02):
    def check(warm: dict[str, PassResult]) -> dict:
        result = {"tiles": len(tiles)}
        raw_bodies = [b or b"" for b in warm[raw_name].bodies]
        ours_bodies = [b or b"" for b in warm[ours_name].bodies]
        identical = sum(1 for a, b in zip(raw_bodies, ours_bodies, strict=True) if a == b)
        result["ours_vs_raw_identical"] = identical
        ours = [mvt.summarize(b) for b in ours_bodies]
        result["ours_features"] = sum(s["features"] for s in ours)
        result["ours_features_in_tile"] = sum(s["features_in_tile"] for s in ours)
        result["ours_bytes"] = sum(s["bytes"] for s in ours)
        result["ours_max_features"] = max(s["features"] for s in ours)
        result["ok"] = identical == len(tiles)
        for name in tipg_names:
            theirs = [mvt.summarize(b or b"") for b in warm[name].bodies]
            strict_ok = within_one = 0
            worst = (0.0, None)
            for tile, a, b in zip(tiles, ours, theirs, strict=True):
                expected, got = a["features_in_tile"], b["features"]
                deviation = abs(got - expected) / max(expected, 1)
                strict_ok += deviation <= tolerance
                within_one += abs(got - expected) <= max(1, tolerance * expected)
                if deviation > worst[0]:
                    worst = (deviation, f"{tile[0]}/{tile[1]}/{tile[2]}: ours {expected} "
                                        f"in tile ({a['features']} with buffer), {name} {got}")
            result[name] = {
                "features": sum(s["features"] for s in theirs),
                "bytes": sum(s["bytes"] for s in theirs),
                "tiles_within_2pct_of_ours_in_tile": strict_ok,
                "tiles_within_max_1_or_2pct": within_one,
                "worst": worst[1], "worst_deviation": worst[0],
            }
            total_ours = result["ours_features_in_tile"]
            total_theirs = result[name]["features"]
            result[name]["ok"] = (within_one == len(tiles) and abs(total_theirs - total_ours)
                                  <= tolerance * max(total_ours, 1))
            result["ok"] = result["ok"] and result[name]["ok"]
        return result
    return check


def run_profiles(server, targets: dict[str, list], seconds: float = 8.0) -> dict:
    binary = profile.ensure_pyspy()
    found = {}
    for key, (_, items) in targets.items():
        progress(f"profile: {key} ({seconds:.0f} s of py-spy on the gunicorn workers)")
        output = RESULTS_DIR / f"profile-{key.replace(':', '-')}.txt"
        calls = [http_call(server.port) for _ in range(THREADS)]
        probe = run_pass(calls, items)
        repeat = max(1, math.ceil((seconds + 2) / max(probe.wall_s, 0.01)))
        recorder = profile.start(binary, server.process.pid, seconds, output)
        time.sleep(0.5)
        result = run_pass(calls, items, repeat=repeat)
        _, errors = recorder.communicate(timeout=seconds + 60)
        if recorder.returncode != 0 or not output.exists():
            found[key] = {"error": errors.decode(errors="replace")[-500:]}
            continue
        found[key] = profile.summarize(output)
        found[key].update({"raw_file": str(output.relative_to(ROOT)),
                           "requests": result.requests, "rps_while_sampled": result.rps})
    return found


# --- the run -----------------------------------------------------------------------------------


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "load_avg_at_start": os.getloadavg(),
            "python": platform.python_version()}


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    env = portal.portal_environment()
    # Everything runs on the bench's own copy of the dev database (bench/database.py).
    env["DATABASE_URL"] = database.ensure_bench_database(database.dev_database_url(),
                                                         fresh=args.fresh_db)
    database.migrate(env)
    portal.setup_django(env, Path(args.portal_dir).resolve())
    import django
    import gunicorn
    import psycopg

    params = portal.db_params()
    monitor = portal.connect(params)
    wait_data_stable(monitor, quiet_s=5.0)
    data = portal.data_summary(monitor)
    if not data["settlements_with_point"] or not data["areas_with_geom"]:
        raise SystemExit("the database has no geocoded settlements or areas: run "
                         "`make data` (load_reference_data --commit) first")
    progress(f"data: {data['settlements_with_point']} settlements with a point, "
             f"{data['areas_with_geom']} areas ({data['areas_by_level']})")
    if args.regenerate_lists or not lists.TILES_FILE.exists():
        lists.write_tiles(lists.generate_tiles(monitor))
        progress(f"wrote {lists.TILES_FILE.relative_to(ROOT)}")
    if args.regenerate_lists or not lists.POINTS_FILE.exists():
        lists.write_points(lists.generate_points(monitor))
        progress(f"wrote {lists.POINTS_FILE.relative_to(ROOT)}")
    tiles, points = lists.read_tiles(), lists.read_points()
    layer_modules = {name: importlib.import_module(f"bench.{name}") for name in LAYER_BENCHES}
    volumes = {}
    for name, module in layer_modules.items():
        progress(f"volume: {name}")
        volumes[name] = module.ensure_volume(monitor)
    tile = portal.tile_settings()
    tipg_version = None if args.no_tipg else servers.ensure_tipg()

    results = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_revision(), "machine": machine(), "data": data, "tile_settings": tile,
        "versions": {"django": django.get_version(), "gunicorn": gunicorn.__version__,
                     "psycopg": psycopg.__version__, "tipg_uvicorn": tipg_version},
        "lists": {"tiles": len(tiles), "tiles_by_zoom": dict(Counter(z for z, _, _ in tiles)),
                  "points": len(points)},
        "portal_dir": args.portal_dir,
        "settings": {"reps": args.reps, "throughput_seconds": args.seconds,
                     "threads": THREADS, "workers": servers.WORKERS,
                     "client": "socket client (status line and framing only, as wrk), new connection "
                               "per request (Connection: close)"},
        "volumes": volumes,
        "scenarios": {},
        "extra": {},
    }
    gunicorn_server = tipg_server = tipg_workdir = None
    raw_conns = []
    try:
        if not args.no_tipg:
            results["views"] = portal.create_views(monitor)
        gunicorn_server = servers.portal_server(env, Path(args.portal_dir).resolve())
        gunicorn_server.start()
        if not args.no_tipg:
            tipg_server, tipg_workdir = servers.tipg_server(portal.database_url(params), tile)
            tipg_server.start()
        raw_conns = [portal.connect(params) for _ in range(THREADS)]
        meter = CpuMeter(monitor, params["dbname"], [gunicorn_server, tipg_server])

        ours = gunicorn_server.port
        raw_call = lambda t: sql_call(raw_conns[t], keep_body=True)  # noqa: E731
        portal_pids = gunicorn_server.pids
        tipg_pids = tipg_server.pids if tipg_server else (lambda: [])

        wanted = {k.strip() for k in args.only.split(",") if k.strip()}
        run = (lambda key: not wanted or key in wanted)  # noqa: E731
        profile_items: dict[str, list] = {}

        def guarded(key: str, build) -> None:
            """Run a scenario; if anyone wrote to the areas tables meanwhile (the loader),
            wait for the data to settle and run it again (--retries times)."""
            for attempt in range(args.retries + 1):
                before = portal.data_fingerprint(monitor)
                contenders, items, options = build()
                target = options.pop("target", None)
                result = measure(key, contenders, items, meter, args, **options)
                if target is not None:
                    result["target"] = list(target)
                result["data_changed"] = portal.data_fingerprint(monitor) != before
                result["attempt"] = attempt + 1
                results["scenarios"][key] = result
                if not result["data_changed"]:
                    break
                progress(f"{key}: the areas tables changed during the run")
                if attempt < args.retries:
                    wait_data_stable(monitor)
            if key != "floor":
                names = [c.name for c in contenders]
                profile_items[key] = (items[names[0]], items[names[1]])

        # 0. Floors: the HTTP stacks without SQL, and one SQL round trip.
        def build_floor():
            n = 200
            contenders = [
                Contender("raw SQL: SELECT 1", "sql", raw_call),
                Contender("portal: 204, no SQL", "http",
                          lambda t: http_call(ours, keep_body=True), portal_pids,
                          "a zoom below the layer's range: middleware + URL + view, no query"),
            ]
            items = {contenders[0].name: [("SELECT 1", (), "rows")] * n,
                     contenders[1].name: ["/tiles/settlements/3/5/2.mvt"] * n}
            if tipg_server:
                contenders.append(Contender("tipg: /healthz", "http",
                                            lambda t: http_call(tipg_server.port, True),
                                            tipg_pids))
                items[contenders[-1].name] = ["/healthz"] * n
            return contenders, items, {}

        # 1. Point lookups.
        def build_lookup():
            statement = portal.lookup_sql()
            contenders = [
                Contender("raw LOOKUP_SQL", "sql", raw_call, note="psycopg, persistent conn"),
                Contender("portal /api/areas/lookup", "http",
                          lambda t: http_call(ours, keep_body=True), portal_pids),
            ]
            items = {
                contenders[0].name: [(statement, {"lon": lon, "lat": lat, "code": None},
                                      "rows")
                                     for lon, lat, _ in points],
                contenders[1].name: [f"/api/areas/lookup?lon={lon}&lat={lat}"
                                     for lon, lat, _ in points],
            }
            return contenders, items, {
                "parity": lookup_parity(contenders[0].name, contenders[1].name)}

        # 2. Tiles, per layer.
        zooms = [z for z, _, _ in tiles]

        def build_tiles(slug: str):
            raw_name, ours_name = f"raw ST_AsMVT ({slug})", f"portal /tiles/{slug}"
            contenders = [Contender(raw_name, "sql", raw_call,
                                    note="tiles.sql.tile_statement via psycopg"),
                          Contender(ours_name, "http",
                                    lambda t: http_call(ours, keep_body=True), portal_pids)]
            raw_items, http_items = portal.tile_items(slug, tiles)
            items = {raw_name: raw_items, ours_name: http_items}
            tipg_names = []
            if tipg_server:
                info = portal.layer_info(slug)
                fields = ",".join(["id"] + info["tile_fields"])
                name = f"tipg bench.{slug} (view)"
                contenders.append(Contender(name, "http",
                                            lambda t: http_call(tipg_server.port, True),
                                            tipg_pids, "same rows and columns as our tiles"))
                items[name] = [
                    f"/collections/bench.{slug}/tiles/WebMercatorQuad/{z}/{x}/{y}"
                    f"?properties={fields}&geom-column={info['geometry_by_zoom'].get(z, 'geom')}"
                    for z, x, y in tiles]
                tipg_names.append(name)
                if slug == "settlements":
                    name = "tipg public.areas_settlement"
                    contenders.append(Contender(name, "http",
                                                lambda t: http_call(tipg_server.port, True),
                                                tipg_pids, "the table; name = name_kk"))
                    items[name] = [
                        f"/collections/public.areas_settlement/tiles/WebMercatorQuad/"
                        f"{z}/{x}/{y}?properties=id,kato,name_kk,population,osm_place"
                        for z, x, y in tiles]
                    tipg_names.append(name)
            return contenders, items, {
                "zooms": zooms, "parity": tile_parity(raw_name, ours_name, tipg_names, tiles)}

        if run("floor"):
            guarded("floor", build_floor)
        if run("lookup"):
            guarded("lookup", build_lookup)
        for slug in portal.LAYER_SLUGS:
            if run(f"tiles:{slug}"):
                guarded(f"tiles:{slug}", lambda slug=slug: build_tiles(slug))

        context = LayerBenchContext(
            raw_call=raw_call, portal_call=lambda t: http_call(ours, keep_body=True),
            portal_pids=portal_pids, port=ours, monitor=monitor, raw_conns=raw_conns,
            params=params, tiles=tiles, points=points, args=args)
        for name, module in layer_modules.items():
            for key, build in module.scenarios(context):
                if run(key):
                    guarded(key, build)
            if hasattr(module, "extra") and run(f"extra:{name}"):
                progress(f"extra: {name}")
                results["extra"][name] = module.extra(context)

        if args.profile:
            results["profile"] = run_profiles(gunicorn_server, profile_items)
        if not args.no_breakdown:
            django_calls = {"lookup": lambda: portal.django_lookup_calls(points)}
            for slug in portal.LAYER_SLUGS:
                django_calls[f"tiles:{slug}"] = (
                    lambda slug=slug: portal.django_tile_calls(slug, tiles))
            results["breakdown"] = {}
            for key, (raw_items, paths) in profile_items.items():
                if key not in django_calls:  # the layers' scenarios have no in-process split
                    continue
                progress(f"breakdown: {key} (in-process: SQL, Django DB layer, WSGI)")
                results["breakdown"][key] = breakdown.run(raw_items, raw_conns[0],
                                                          django_calls[key](), paths, ours)
    finally:
        for server in (tipg_server, gunicorn_server):
            if server is not None:
                try:
                    server.stop()
                except Exception as error:  # keep stopping the others
                    progress(f"could not stop {server.name}: {error}")
        if tipg_workdir is not None:
            shutil.rmtree(tipg_workdir, ignore_errors=True)
        for conn in raw_conns:
            conn.close()
        if not args.no_tipg and not args.keep_views:
            try:
                portal.drop_views(monitor)
            except Exception as error:
                progress(f"could not drop the bench views: {error}")
        monitor.close()

    results["elapsed_s"] = round(time.monotonic() - started, 1)
    report.print_report(results)
    output = os.path.abspath(args.output)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as f:
        json.dump(results, f, indent=1, default=str)
    progress(f"wrote {os.path.relpath(output, ROOT)} ({results['elapsed_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
