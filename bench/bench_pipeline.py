"""Pipeline benchmark: reports/s through ingest → drain jobs → decisions (and the deliveries they cause)
with 1 and 2 rq workers, rq's own no-op job rate in the same run, and report latency at a steady 50/s.

    .venv/bin/python bench/bench_pipeline.py [--reports 6000] [--rate 50] [--seconds 20]

Runs on an embedded Redis with append-only persistence (everysec), as the default deployment does
(`--appendfsync always` for the slower setting that loses nothing on a machine crash; README "Delivery
guarantees").
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from alertrelay.bot import keys  # noqa: E402
from alertrelay.bot.core.models import InboundMessage  # noqa: E402
from alertrelay.bot.ingest import ingest  # noqa: E402
from alertrelay.config.areas import load_areas  # noqa: E402
from alertrelay.config.settings import Settings  # noqa: E402
from alertrelay.workers.config_state import seed_config  # noqa: E402
from alertrelay.workers.drill import outstanding_jobs  # noqa: E402
from alertrelay.workers.main import start_worker_processes  # noqa: E402
from alertrelay.workers.runtime import Runtime  # noqa: E402

AVENUES = ["Chicago", "Bloomington", "Cedar", "Nicollet", "Portland", "Park", "Lyndale", "Hiawatha", "Minnehaha",
           "4th Av", "Cedar Ave", "Blaisdell"]
STREETS = [f"{n}th St" for n in range(24, 47)] + ["Lake", "Franklin"]
TEMPLATES = [
    "ICE at {a} & {b} right now, 2 unmarked SUVs",
    "la migra en la {a} y {b}, estan parando a la gente",
    "agents checking IDs at {a} and {b} bus stop",
    "confirmed, i see them too at {a} & {b}",
    "ya se fueron de la {a} y {b}",
    "is ICE still at {a} and {b}?",
    "thanks everyone, stay safe",
]


def messages(count: int, start: datetime, spread_s: float) -> list[InboundMessage]:
    rng = random.Random(7)
    out = []
    for k in range(count):
        text = rng.choice(TEMPLATES).format(a=rng.choice(AVENUES), b=rng.choice(STREETS))
        out.append(InboundMessage(channel=rng.choice(["signal", "whatsapp"]), message_id=f"b{k}",
                                  sender=f"+1612555{rng.randrange(10_000):04d}", group=None, text=text,
                                  at=start + timedelta(seconds=spread_s * k / count)))
    return out


def fresh_runtime(root: Path, appendfsync: str = "everysec") -> Runtime:
    settings = Settings(data_dir=root, secret_key=secrets.token_urlsafe(16), outbox=root / "outbox.jsonl",
                        areas=REPO / "config" / "example.areas.toml", log_level="WARNING",
                        redis_appendfsync=appendfsync)
    rt = Runtime(settings)
    rt.conn.flushdb()
    seed_config(rt.conn, load_areas(settings.areas), rt.identity)
    return rt


def wait(condition, timeout_s: float = 600, poll_s: float = 0.01) -> None:  # type: ignore[no-untyped-def]
    """Poll every 10 ms: on a 2-core machine a tighter loop takes CPU from the workers it measures, and
    10 ms is 0.2% of a 5 s run."""
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            raise RuntimeError("benchmark timed out")
        time.sleep(poll_s)


def noop_rate(rt: Runtime, workers: int, jobs: int) -> float:
    """rq's own rate for a job that does nothing, same workers, same Redis (jobs queued up front)."""
    rt.conn.flushdb()
    procs = start_worker_processes(rt, workers, tick=False, log_dir=rt.settings.data_dir)
    time.sleep(1.5)
    with rt.conn.pipeline() as pipe:
        rt.queue.enqueue_many([rt.queue.prepare_data("bench.noop.noop", result_ttl=0) for _ in range(jobs)],
                              pipeline=pipe)
        pipe.execute()
    began = time.monotonic()
    wait(lambda: outstanding_jobs(rt) == 0)
    elapsed = time.monotonic() - began
    for p in procs:
        p.terminate()
        p.wait()
    return jobs / elapsed


def throughput(rt: Runtime, workers: int, count: int) -> dict[str, float]:
    """Reports/s of the workers alone: the inbox is filled first, then timed from the first processed
    message to the last (worker start-up and the producer's speed are not in it)."""
    rt.conn.flushdb()
    seed_config(rt.conn, load_areas(rt.settings.areas), rt.identity, force=True)
    batch = messages(count, datetime.now(UTC), spread_s=count / 20)
    began = time.monotonic()
    for message in batch:
        ingest(rt.conn, rt.queue, rt.identity, message)
    ingest_rate = count / (time.monotonic() - began)
    procs = start_worker_processes(rt, workers, tick=False, log_dir=rt.settings.data_dir)
    wait(lambda: int(rt.conn.get(keys.PROCESSED_COUNT) or 0) > 0)
    first = time.monotonic()
    first_count = int(rt.conn.get(keys.PROCESSED_COUNT) or 0)
    wait(lambda: int(rt.conn.get(keys.PROCESSED_COUNT) or 0) >= count)
    elapsed = time.monotonic() - first
    wait(lambda: outstanding_jobs(rt) == 0)
    for p in procs:
        p.terminate()
        p.wait()
    return {"reports_per_s": (count - first_count) / elapsed, "ingest_per_s": ingest_rate}


def latency(rt: Runtime, rate: float, seconds: float) -> dict[str, float]:
    rt.conn.flushdb()
    seed_config(rt.conn, load_areas(rt.settings.areas), rt.identity, force=True)
    count = int(rate * seconds)
    batch = messages(count, datetime.now(UTC), spread_s=seconds)
    procs = start_worker_processes(rt, 1, tick=False, log_dir=rt.settings.data_dir)
    time.sleep(1.5)
    began = time.monotonic()
    for k, message in enumerate(batch):
        target = began + k / rate
        while time.monotonic() < target:
            time.sleep(0.0005)
        ingest(rt.conn, rt.queue, rt.identity, message)
    wait(lambda: int(rt.conn.get(keys.PROCESSED_COUNT) or 0) >= count)
    for p in procs:
        p.terminate()
        p.wait()
    samples = sorted(float(x) for x in rt.conn.lrange(keys.PREFIX + ":stats:latency_ms", 0, -1))
    return {"p50_ms": statistics.median(samples), "p99_ms": samples[int(0.99 * (len(samples) - 1))],
            "max_ms": samples[-1], "samples": len(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=6000)
    parser.add_argument("--noop-jobs", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--appendfsync", choices=["always", "everysec"], default="everysec")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alertrelay-bench-") as tmp:
        rt = fresh_runtime(Path(tmp), args.appendfsync)
        results: dict[str, object] = {}
        for workers in (1, 2):
            results[f"noop_jobs_per_s_{workers}w"] = round(noop_rate(rt, workers, args.noop_jobs), 1)
            run = throughput(rt, workers, args.reports)
            results[f"reports_per_s_{workers}w"] = round(run["reports_per_s"], 1)
            results[f"ingest_per_s_{workers}w"] = round(run["ingest_per_s"], 1)
            noop_per_s = results[f"noop_jobs_per_s_{workers}w"]
            results[f"ratio_to_noop_{workers}w"] = round(run["reports_per_s"] / noop_per_s, 2)
        results["latency_at_rate"] = {"offered_per_s": args.rate, **{k: round(v, 2) for k, v in
                                                                    latency(rt, args.rate, args.seconds).items()}}
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
