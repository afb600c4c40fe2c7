"""Geocoder speed and memory (not a test).

    python bench/bench_geocode.py [--seconds 3]

Prints: index load time (cold, in a fresh process), RSS after load, and geocodes/s on one core over
a mix of realistic chat inputs (corners, stations, landmarks, neighbourhoods, noise with no place,
Spanish, typos, ALL CAPS, pins). The fuzzy-match cache is cleared before every round, so repeated
inputs are not free, and the per-text result memo is cleared too; each round runs the whole mix once.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIX = [
    "ICE at Lake & Bloomington rn. 2 black tahoes no front plates + 1 white van",
    "la migra en la esquina de Lake y Bloomington, enfrente del Mercado Central",
    "migra en la bloomington y 35, cerca del parque powderhorn. estan parando carros",
    "agents on lake st & 18th ave s, just east of bloomington",
    "ICE stopping cars on Bloomington Av at 35th St, 2 unmarked trucks",
    "VERIFIED 12:18: ICE at 7th St E & Arcade, 3 unmarked SUVs in the gas station lot",
    "yo tambien los vi, estan en la gasolinera de la 7 y arcade",
    "ICE at Cedar-Riverside LRT. they stopped 2 men near the elevator",
    "on the train passing thru cedar riverside, saw 3-4 agents on the platform",
    "ICE in the Cub parking lot on Lake & Minnehaha",
    "heads up: ICE driving around Seward, 2 dark SUVs circling slow",
    "ICE in East Phillips right now!! vans parked by the buildings",
    "Whipple watch: 5 unmarked SUVs leaving the Whipple building, turning toward 55 north. 12:37",
    "🚨 ICE RAID AT MIDTOWN GLOBAL MARKET RIGHT NOW!!! 50+ AGENTS 🚨",
    "la migra en la University y Dale, en la parada del tren",
    "Migra en la Cesar Chavez y Wabasha!! cerca del Burrito Mercado",
    "ICE RAID at Snelling & University by the green line station",
    "agentes en la Bloomingtn y Lake, 3 trocas",          # typo
    "ICE AT CHICAGO AND FRANKLIN",
    "migra x la 38 y nicollet",
    "ICE on Broadway & Central",
    "cedar & 26th, by little earth",
    "ICE near Roosevelt high school on 28th ave",
    "estan en Frogtown, por la University",
    "ICE at 44.95551, -93.24795",
    "https://maps.google.com/?q=44.9484,-93.2525",
    # noise: no place
    "is this happening now?",
    "Gracias 🙏 cuidense mucho",
    "what do i do if they show up at my job?",
    "2 cars and 4-5 guys at the store, as of 13:00",
    "anyone know a lawyer who does free consults?",
    "siguen ahí? ya se fueron?",
    "thank u for this group ❤️",
    "know-your-rights cards are at the library if anyone needs a stack",
]


def rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cold_load() -> tuple[float, float, float]:
    """(seconds to import bot.geo, seconds for load_gazetteer(), RSS MB after) in a fresh interpreter."""
    code = ("import time;t0=time.perf_counter();import bot.geo as G;t1=time.perf_counter();"
            "g=G.load_gazetteer();t2=time.perf_counter();"
            "import sys;sys.path.insert(0,'bench');from bench_geocode import rss_mb;"
            "print(t1-t0,t2-t1,rss_mb())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"})
    a, b, c = out.stdout.split()
    return float(a), float(b), float(c)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    a = ap.parse_args()
    imp, load, rss = cold_load()
    print(f"import bot.geo: {imp * 1000:.0f} ms; load_gazetteer(): {load * 1000:.0f} ms "
          f"(total {(imp + load) * 1000:.0f} ms); RSS after load: {rss:.1f} MB")
    from alertrelay.bot.geo import load_gazetteer
    g = load_gazetteer()
    found = sum(g.geocode(t) is not None for t in MIX)
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < a.seconds:
        g._fuzzy_memo.clear()
        g._cache.clear()
        for t in MIX:
            g.geocode(t)
        n += len(MIX)
    dt = time.perf_counter() - t0
    print(f"geocode: {n / dt:,.0f} geocodes/s on one core ({n} calls over {len(MIX)} inputs, "
          f"{found} of them with a place; {dt / n * 1e6:.0f} us/call)")
    near = (44.95, -93.25)
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < a.seconds / 2:
        g._fuzzy_memo.clear()
        g._cache.clear()
        for t in MIX:
            g.geocode(t, near=near)
        n += len(MIX)
    dt = time.perf_counter() - t0
    print(f"geocode with near: {n / dt:,.0f} geocodes/s")
    t0 = time.perf_counter()
    k = 0
    while time.perf_counter() - t0 < 0.5:
        g.from_pin(44.95 + (k % 50) * 0.001, -93.25 + (k % 37) * 0.001)
        k += 1
    print(f"from_pin: {k / (time.perf_counter() - t0):,.0f} /s")
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.5:
        for t in MIX:
            g.geocode(t)
        n += len(MIX)
    print(f"geocode, repeated texts (result memo hit, e.g. forwards): {n / (time.perf_counter() - t0):,.0f} /s")
    print(f"RSS now: {rss_mb():.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
