"""The printed report: one table per scenario, then the ratios against their targets."""

from .util import fmt, median, out

LOOKUP_DELTA_TARGET_MS = 2.0
TILE_DELTA_TARGET_MS = 2.0
TIPG_RPS_TARGET = 1.5


def _table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                     for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    out(line)
    out("-" * len(line))
    for row in rows:
        out("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                      for i, (c, w) in enumerate(zip(row, widths, strict=True))))


def _status_text(statuses: dict) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0])))


def _scenario_table(scenario: dict) -> None:
    headers = ["contender", "p50 ms", "p95 ms", "p99 ms", "req/s 1thr", "req/s 2thr",
               "p50@2thr", "CPU app ms/req", "CPU db ms/req", "CV p50", "other load",
               "statuses"]
    rows = []
    for name, c in scenario["contenders"].items():
        rows.append([name, fmt(c["p50"]), fmt(c["p95"]), fmt(c["p99"]), fmt(c["rps_c1"], 0),
                     fmt(c["rps_c2"], 0), fmt(c["p50_c2"]), fmt(c["cpu_app_ms_per_req"]),
                     fmt(c["cpu_db_ms_per_req"]), f"{c['cv_p50'] * 100:.0f}%",
                     f"{c['foreign_cpu_pct']:.0f}%",
                     _status_text(c["statuses"])])
    _table(headers, rows)
    for name, c in scenario["contenders"].items():
        if c["errors"]:
            out(f"  errors of {name}: {c['errors'][:3]}")


def _zoom_table(scenario: dict) -> None:
    first = next(iter(scenario["contenders"].values()))
    zooms = list(first["p50_by_zoom"])
    headers = ["p50 ms by zoom (mean bytes)"] + [f"z{z}" for z in zooms]
    rows = []
    for name, c in scenario["contenders"].items():
        rows.append([name] + [f"{fmt(c['p50_by_zoom'][z])} ({c['bytes_mean_by_zoom'][z]:.0f} B)"
                              for z in zooms])
    _table(headers, rows)


def _verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def ratios(results: dict) -> list[dict]:
    """The issue's ratios, each with its target and whether it is met."""
    found = []
    floor = results["scenarios"].get("floor", {}).get("contenders", {})
    lookup = results["scenarios"].get("lookup")
    if lookup:
        raw, http = (lookup["contenders"][k] for k in list(lookup["contenders"])[:2])
        delta = http["p50"] - raw["p50"]
        found.append({"name": "lookup p50 − raw LOOKUP_SQL p50", "value": delta, "unit": "ms",
                      "target": f"≤ {LOOKUP_DELTA_TARGET_MS} ms",
                      "ok": delta <= LOOKUP_DELTA_TARGET_MS,
                      "detail": f"{http['p50']:.2f} − {raw['p50']:.2f} (paired per point: "
                                f"{http['paired_delta_p50']:.2f}); "
                                f"{http['rps_c2']:.0f} lookups/s at 2 threads (MapIt reference: "
                                "≈9 ms p50, ≈200 lookups/s over a ≈0.2 ms floor)"})
    for key, scenario in results["scenarios"].items():
        if not key.startswith("tiles:"):
            continue
        names = list(scenario["contenders"])
        raw, ours = scenario["contenders"][names[0]], scenario["contenders"][names[1]]
        delta = ours["p50"] - raw["p50"]
        found.append({"name": f"{key} p50 − raw ST_AsMVT p50", "value": delta, "unit": "ms",
                      "target": f"≤ {TILE_DELTA_TARGET_MS} ms",
                      "ok": delta <= TILE_DELTA_TARGET_MS,
                      "detail": f"{ours['p50']:.2f} − {raw['p50']:.2f} (paired per tile: "
                                f"{ours['paired_delta_p50']:.2f}); portal 204 floor p50 "
                                f"{_floor_text(floor)}"})
        tipgs = [(n, scenario["contenders"][n]) for n in names[2:]]
        if tipgs:
            # Against the fastest TiPg variant: the stricter comparison.
            name, tipg = max(tipgs, key=lambda item: item[1]["rps_c2"])
            ratio = ours["rps_c2"] / tipg["rps_c2"]
            ours_chunks = [r["rps"] for r in scenario["runs"][names[1]]["c2"]]
            tipg_chunks = [r["rps"] for r in scenario["runs"][name]["c2"]]
            paired = median([a / b for a, b in zip(ours_chunks, tipg_chunks, strict=True)])
            others = "; ".join(f"vs {n}: {ours['rps_c2'] / t['rps_c2']:.2f}×, TiPg p50 − raw "
                               f"{t['p50'] - raw['p50']:.2f} ms"
                               for n, t in tipgs)
            parity = scenario.get("parity") or {}
            found.append({
                "name": f"{key} our req/s ÷ TiPg req/s (2 threads)", "value": ratio,
                "unit": "×", "target": f"≥ {TIPG_RPS_TARGET}×",
                "ok": ratio >= TIPG_RPS_TARGET,
                "paired": paired,
                "detail": f"{ours['rps_c2']:.0f} / {tipg['rps_c2']:.0f} ({name}; paired by "
                          f"adjacent chunks: {paired:.2f}×); {others}; "
                          f"p95 ours/TiPg {ours['p95'] / tipg['p95']:.2f}; parity "
                          f"{'ok' if parity.get('ok') else 'NOT ok (see parity lines)'} "
                          "(TiPg 1.6.1 reference: floor + 4.9 ms p50, 195 tiles/s)"})
    found += _layer_targets(results)
    if floor:
        names = list(floor)
        if len(names) >= 2:
            found.append({"name": "HTTP floor: portal 204 (no SQL) p50 − SELECT 1 p50",
                          "value": floor[names[1]]["p50"] - floor[names[0]]["p50"],
                          "unit": "ms", "target": "(information)", "ok": True,
                          "detail": "the Django + gunicorn cost of one request, new "
                                    "connection included"})
    return found


# A layer scenario's target (options["target"] of its build): the second contender (the
# portal) against the first (its raw SQL).
LAYER_TARGETS = {
    "delta_p50_ms": ("p50 − raw p50", "ms", lambda ours, raw: ours["p50"] - raw["p50"], "≤"),
    "ratio_p50": ("p50 ÷ raw p50", "×", lambda ours, raw: ours["p50"] / raw["p50"], "≤"),
    "p50_ms": ("p50", "ms", lambda ours, raw: ours["p50"], "≤"),
    "p95_ms": ("p95", "ms", lambda ours, raw: ours["p95"], "≤"),
}


def _cold_text(ours: dict) -> str:
    """The median of the per-request differences (each request against the raw statement run
    just before it: steadier than a difference of two medians when the statements' own times
    vary), and the first request of each item (the portal compiles its statement then)."""
    text = ""
    paired = ours.get("paired_delta_p50")
    if paired is not None:
        text += f"; paired per request: {paired:.2f} ms"
    cold = ours.get("cold_p50")
    if cold is not None:
        text += f"; first request of each, p50 {cold:.2f} ms"
    return text


def _layer_targets(results: dict) -> list[dict]:
    found = []
    for key, scenario in results["scenarios"].items():
        if not scenario.get("target"):
            continue
        kind, limit = scenario["target"]
        label, unit, compute, _sign = LAYER_TARGETS[kind]
        names = list(scenario["contenders"])
        raw, ours = scenario["contenders"][names[0]], scenario["contenders"][names[1]]
        value = compute(ours, raw)
        found.append({"name": f"{key} {label}", "value": value, "unit": unit,
                      "target": f"≤ {limit} {unit}", "ok": value <= limit,
                      "detail": f"{names[1]} p50 {ours['p50']:.2f} / p95 {ours['p95']:.2f} ms; "
                                f"{names[0]} p50 {raw['p50']:.2f} / p95 {raw['p95']:.2f} ms"
                                + _cold_text(ours)})
    return found


def _floor_text(floor: dict) -> str:
    names = list(floor)
    if len(names) < 2:
        return "not measured"
    return f"{floor[names[1]]['p50'] - floor[names[0]]['p50']:.2f} ms over SELECT 1"


def print_report(results: dict) -> None:
    data, lists = results["data"], results["lists"]
    out()
    out("=" * 100)
    out(f"Tugan Zher benchmark — {results['created']}  git {results['git']}  "
        f"({results['machine']['cores']} cores, {results['machine']['cpu']})")
    out(f"data: {data['settlements_with_point']} settlements with a point of "
        f"{data['settlements']}; areas {data['areas_by_level']} (generation "
        f"{data['generation']}, {data['area_vertices']} vertices, "
        f"{data['area_vertices_simplified']} simplified); {data['lookup_parts']} lookup parts")
    out(f"PostgreSQL {data['postgres']}, PostGIS {data['postgis']}, "
        f"max_parallel_workers_per_gather={data['max_parallel_workers_per_gather']}, "
        f"jit={data['jit']}; {results['versions']}")
    out(f"lists: {lists['points']} lookup points, {lists['tiles']} tiles "
        f"{lists['tiles_by_zoom']}; {results['settings']['reps']} repetitions (median), "
        f"2-thread passes ≈{results['settings']['throughput_seconds']} s; "
        f"{results['settings']['client']}; gunicorn and TiPg with "
        f"{results['settings']['workers']} workers each")
    for name, counts in (results.get("volumes") or {}).items():
        out(f"volume {name}: {counts}")
    out("=" * 100)
    for key, scenario in results["scenarios"].items():
        out()
        out(f"## {key}  ({scenario['requests_per_pass']} requests per c=1 pass)")
        if scenario.get("data_changed"):
            out(f"WARNING: the areas tables changed during this scenario (attempt "
                f"{scenario.get('attempt')}): its figures are not reliable")
        _scenario_table(scenario)
        if "p50_by_zoom" in next(iter(scenario["contenders"].values())):
            out()
            _zoom_table(scenario)
        parity = scenario.get("parity")
        if parity:
            out()
            if key == "lookup":
                out(f"parity: {parity['checked']} points, HTTP answers without an oblast "
                    f"{parity['http_not_ok']}, area/settlement mismatches vs raw SQL "
                    f"{parity['mismatches']} {parity['examples'] or ''}")
            else:
                out(f"parity: ours == raw ST_AsMVT byte for byte on "
                    f"{parity['ours_vs_raw_identical']}/{parity['tiles']} tiles; ours "
                    f"{parity['ours_features']} features ({parity['ours_features_in_tile']} "
                    f"inside the tile square, the rest only in the 64-unit buffer), "
                    f"{parity['ours_bytes']} B; max {parity['ours_max_features']} features "
                    f"in one tile")
                for name, p in parity.items():
                    if isinstance(p, dict):
                        out(f"  {name}: {p['features']} features, {p['bytes']} B; tiles whose "
                            f"count is within ±2 % of our in-tile count: "
                            f"{p['tiles_within_2pct_of_ours_in_tile']}/{parity['tiles']} "
                            f"(±max(1, 2 %): {p['tiles_within_max_1_or_2pct']}); worst: "
                            f"{p['worst']} → parity {'ok' if p['ok'] else 'NOT ok'}")
    for name, extra in (results.get("extra") or {}).items():
        out()
        out(f"## {name}")
        for key, value in extra.items():
            out(f"{key}: {value}")
    out()
    out("## ratios")
    for r in ratios(results):
        value = f"{r['value']:.2f} {r['unit']}".replace(" ×", "×")
        out(f"{_verdict(r['ok']) if r['target'] != '(information)' else 'info':6}  "
            f"{r['name']}: {value} (target {r['target']})")
        out(f"        {r['detail']}")
    results["ratios"] = ratios(results)
    if results.get("profile"):
        out()
        out("## where the portal workers' CPU goes (py-spy, samples holding the GIL)")
        for key, prof in results["profile"].items():
            if "error" in prof:
                out(f"{key}: py-spy failed: {prof['error']}")
                continue
            out(f"{key}: {prof['samples']} samples over {prof['requests']} requests "
                f"({prof['rps_while_sampled']:.0f} req/s while sampled); raw stacks in "
                f"{prof['raw_file']}")
            out("  by part of the stack: " + ", ".join(f"{k} {v}%"
                                                      for k, v in prof["buckets_pct"].items()))
            out("  inclusive: " + "; ".join(f"{k} {v}%"
                                            for k, v in list(prof["inclusive_pct"].items())[:12]))
            out("  self: " + "; ".join(f"{k} {v}%" for k, v in list(prof["self_pct"].items())[:10]))
    if results.get("breakdown"):
        out()
        out("## overhead by layer: the same requests interleaved, in this process (median ms)")
        headers = ["scenario", "raw SQL", "+ Django DB layer", "+ Django request (WSGI)",
                   "+ gunicorn, TCP (HTTP)", "DB layer", "request stack",
                   "gunicorn+TCP+client", "HTTP − SQL"]
        rows = []
        for key, b in results["breakdown"].items():
            rows.append([key, fmt(b["sql"]), fmt(b["django"]), fmt(b["wsgi"]), fmt(b["http"]),
                         fmt(b["django_db_layer"]), fmt(b["django_request_stack"]),
                         fmt(b["gunicorn_tcp_client"]), fmt(b["http_minus_sql"])])
        _table(headers, rows)
    out()
    out(f"elapsed {results['elapsed_s']} s")
