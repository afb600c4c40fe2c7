"""Reader speed (not a test): how long `parse` takes per message, on one core.

    python bench/bench_reader.py [--seconds 3] [FILE.jsonl ...]

Without files it reads the mix below (our own examples: sightings, forwards, denials, all-clears,
stories, questions, chatter, in English, Spanish and Spanglish, short and long); with files it reads
their "text"/"context" fields. The fold and reading caches are cleared before every round, so every message is read
from scratch. Prints µs per message (median of rounds), messages/s, and the slowest message.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIX = [
    ("3 agentes con chaleco parando carros en la Lake y Bloomington ahorita, vengan a grabar", "none"),
    ("ICE at the Cub on Lake rn, two black tahoes no plates. I'm in the parking lot", "none"),
    ("Fwd: URGENT raids at every school tomorrow, share with everyone!!!", "none"),
    ("my tia just called, she says la migra is at the laundromat on Bloomington", "none"),
    ("those are Xcel trucks fixing the transformer, not ICE, relax", "pending"),
    ("nadie ahi, acabo de pasar", "pending"),
    ("nadie ahi, acabo de pasar", "alerted"),
    ("they pulled out heading north on Cedar, corner is back to normal", "alerted"),
    ("yesterday around 7 I saw them take a guy outside the tire shop, still shaking", "none"),
    ("is anyone near Payne & Maryland? my son has to walk home", "none"),
    ("Reminder: do not open the door without a warrant signed by a judge", "none"),
    ("black ice on 35W this morning, drive slow", "none"),
    ("+1", "pending"),
    ("siguen ahi, ahora son 5 camionetas", "alerted"),
    ("que onda en la West 7th, todo bien?", "none"),
    ("prob ICE, helicopter circling over Phillips for 20 min", "none"),
    ("Mods: the screenshot about a raid at Midtown Global Market is from 2019, it is fake", "pending"),
    ("ok im here at the corner now with my camera, who else is coming?", "alerted"),
    ("hace 3 horas habia dos camionetas en la Rice y Maryland, ya no se si siguen", "none"),
    ("one van left but two SUVs are still parked by the church with agents inside", "alerted"),
    ("estoy viendo desde mi ventana como se llevan al vecino, son de ICE, sus chalecos dicen ERO, "
     "por favor alguien venga, no se que hacer, mis hijos estan llorando y no quiero salir", "none"),
]


def load(paths: list[Path]) -> list[tuple[str, str]]:
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["text"], row.get("context") or "none"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--seconds", type=float, default=3.0)
    a = ap.parse_args()

    from alertrelay.bot.core.parsing import fold, parse, read

    messages = load(a.files) if a.files else MIX
    rounds: list[float] = []
    deadline = time.perf_counter() + a.seconds
    while time.perf_counter() < deadline or len(rounds) < 3:
        fold.cache_clear()
        read.cache_clear()
        start = time.perf_counter()
        for text, context in messages:
            parse(text, context=context)  # type: ignore[arg-type]
        rounds.append((time.perf_counter() - start) / len(messages))
    slowest, slowest_s = "", 0.0
    for text, context in messages:
        fold.cache_clear()
        read.cache_clear()
        start = time.perf_counter()
        parse(text, context=context)  # type: ignore[arg-type]
        took = time.perf_counter() - start
        if took > slowest_s:
            slowest, slowest_s = text, took
    per_us = statistics.median(rounds) * 1e6
    print(f"messages: {len(messages)}  rounds: {len(rounds)}")
    print(f"reader: {per_us:.0f} µs per message (median), {1e6 / per_us:,.0f} messages/s on one core")
    print(f"slowest: {slowest_s * 1e6:.0f} µs  {slowest[:70]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
