"""Geocoder accuracy on the drill corpus.

    python bench/geocode_accuracy.py [--corpus /work/shared/corpus] [-v]

For each incident in every *.truth.json: geocode the FIRST counted message (role report or
verifier), then every counted message (report, confirm, verifier), with near=None. A message with
a location pin uses the pin. A hit is within 400 m of the truth point for `precision: point`
incidents and within 1,500 m for area incidents.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alertrelay.bot.core.geometry import haversine_m
from alertrelay.bot.geo import load_gazetteer

COUNTED = ("report", "confirm", "verifier")


def run(corpus: Path, verbose: bool = False) -> dict:
    g = load_gazetteer()
    first_hits = first_total = 0
    first_point_hits = first_point_total = 0
    all_hits = all_total = 0
    misses = []
    rows = []
    for truth_path in sorted(corpus.glob("*.truth.json")):
        scen = truth_path.name[: -len(".truth.json")]
        truth = json.loads(truth_path.read_text())
        msgs = {}
        order = []
        for line in (corpus / f"{scen}.jsonl").read_text().splitlines():
            if line.strip():
                m = json.loads(line)
                msgs[m["id"]] = m
                order.append(m["id"])
        incidents = {i["id"]: i for i in truth["incidents"]}
        seen_first: set[str] = set()
        for mid in order:
            lab = truth["messages"].get(mid)
            if not lab or lab["role"] not in COUNTED or not lab.get("incident"):
                continue
            inc = incidents[lab["incident"]]
            m = msgs[mid]
            if m.get("location"):
                r = g.from_pin(m["location"]["lat"], m["location"]["lon"])
            else:
                r = g.geocode(m.get("text", ""))
            tol = 400.0 if inc["precision"] == "point" else 1500.0
            d = haversine_m(r.lat, r.lon, inc["lat"], inc["lon"]) if r else None
            ok = d is not None and d <= tol
            is_first = inc["id"] not in seen_first and lab["role"] in ("report", "verifier")
            if is_first:
                seen_first.add(inc["id"])
                first_total += 1
                first_hits += ok
                if inc["precision"] == "point":
                    first_point_total += 1
                    first_point_hits += ok
            all_total += 1
            all_hits += ok
            row = (scen, inc["id"], mid, lab["role"], "first" if is_first else "", ok,
                   None if d is None else round(d), r.place if r else None, r.precision if r else None,
                   (m.get("text") or "<pin>")[:90])
            rows.append(row)
            if not ok:
                misses.append(row)
    return dict(first_hits=first_hits, first_total=first_total, first_point_hits=first_point_hits,
                first_point_total=first_point_total, all_hits=all_hits, all_total=all_total, misses=misses, rows=rows)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    t = time.perf_counter()
    res = run(a.corpus, a.verbose)
    dt = time.perf_counter() - t
    if a.verbose:
        for r in res["rows"]:
            print(("ok  " if r[5] else "MISS"), *r[:5], f"{r[6]} m", r[7], r[8], repr(r[9]), sep=" | ")
    pct = lambda h, n: 100.0 * h / n if n else 0.0  # noqa: E731
    print(f"first counted message per incident: {res['first_hits']}/{res['first_total']} "
          f"({pct(res['first_hits'], res['first_total']):.1f} %)")
    print(f"  point incidents (<= 400 m): {res['first_point_hits']}/{res['first_point_total']} "
          f"({pct(res['first_point_hits'], res['first_point_total']):.1f} %)")
    print(f"every counted message (report/confirm/verifier): {res['all_hits']}/{res['all_total']} "
          f"({pct(res['all_hits'], res['all_total']):.1f} %)")
    for r in res["misses"]:
        print(f"  miss: {r[0]} {r[1]} {r[2]} ({r[3]}): {r[6]} m -> {r[7]!r} [{r[8]}]  text={r[9]!r}")
    print(f"({dt:.2f} s incl. index load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
