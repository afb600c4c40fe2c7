"""Region benchmark: reports/s through the drainers with 1 region and with 2, same reports, same workers.

    .venv/bin/python bench/bench_regions.py [--reports 4000] [--workers 2] [--runs 3]

Each run fills the inboxes first (Signal group messages, routed by their group), then starts the workers
and times from the first processed message to the last, as bench/bench_pipeline.py does. The same
reports go to two groups with the same areas: in the 1-region setup both groups are in the default
region (one drainer decides everything, in order); in the 2-region setup each group is its own region,
so two drainers decide at once, one per region, and each region's alerts go to its own group. Per run it
prints both rates, their ratio (runs on a shared machine differ more than the two setups of one run), and
the Redis server's CPU time per report (INFO cpu): one Redis core's ceiling is 1000 / that reports/s.
Embedded Redis, append-only everysec, as the default deployment.
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

from alertrelay.bot.core.models import InboundMessage  # noqa: E402
from alertrelay.bot.ingest import ingest  # noqa: E402
from alertrelay.bot.regions import RegionRoutes, all_regions  # noqa: E402
from alertrelay.config.areas import load_areas  # noqa: E402
from alertrelay.config.settings import Settings  # noqa: E402
from alertrelay.workers.config_state import seed_config  # noqa: E402
from alertrelay.workers.drill import outstanding_jobs  # noqa: E402
from alertrelay.workers.main import start_worker_processes  # noqa: E402
from alertrelay.workers.runtime import Runtime  # noqa: E402
from bench.bench_pipeline import AVENUES, STREETS, TEMPLATES, wait  # noqa: E402

GROUP = """
[[group]]
id = "{id}"
{region}channel = "signal"
language = "en"
areas = ["West Side"]
"""
SETUPS = {1: ("", ""), 2: ('region = "east"\n', 'region = "west"\n')}


def areas_file(root: Path, regions: int) -> Path:
    first, second = SETUPS[regions]
    path = root / f"areas-{regions}.toml"
    path.write_text(GROUP.format(id="group-a", region=first) + GROUP.format(id="group-b", region=second))
    return path


def messages(count: int, start: datetime) -> list[InboundMessage]:
    """Half the reports in each group, alternating; each group's senders are its own."""
    rng = random.Random(11)
    out = []
    for k in range(count):
        group = "group-a" if k % 2 == 0 else "group-b"
        text = rng.choice(TEMPLATES).format(a=rng.choice(AVENUES), b=rng.choice(STREETS))
        out.append(InboundMessage(channel="signal", message_id=f"r{k}", group=group, text=text,
                                  sender=f"+1612{5 + k % 2}55{rng.randrange(10_000):04d}",
                                  at=start + timedelta(seconds=k / 20)))
    return out


def processed(rt: Runtime) -> int:
    return sum(int(rt.conn.get(region.processed_count) or 0) for region in all_regions(rt.conn))


def redis_cpu_s(rt: Runtime) -> float:
    info = rt.conn.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def throughput(rt: Runtime, regions: int, count: int, workers: int) -> tuple[float, float]:
    """(reports/s, Redis CPU ms per report) of the workers deciding `count` reports."""
    rt.conn.flushdb()
    seed_config(rt.conn, load_areas(areas_file(rt.settings.data_dir, regions)), rt.identity, force=True)
    routes = RegionRoutes()
    for message in messages(count, datetime.now(UTC)):
        ingest(rt.conn, rt.queue, rt.identity, message, routes=routes)
    procs = start_worker_processes(rt, workers, tick=False, log_dir=rt.settings.data_dir)
    wait(lambda: processed(rt) > 0)
    first, first_count, cpu_before = time.monotonic(), processed(rt), redis_cpu_s(rt)
    wait(lambda: processed(rt) >= count)
    elapsed = time.monotonic() - first
    redis_ms = (redis_cpu_s(rt) - cpu_before) * 1000 / max(1, count - first_count)
    wait(lambda: outstanding_jobs(rt) == 0)
    for proc in procs:
        proc.terminate()
        proc.wait()
    return (count - first_count) / elapsed, redis_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="alertrelay-bench-regions-"))
    settings = Settings(data_dir=root, secret_key=secrets.token_urlsafe(16), outbox=root / "outbox.jsonl",
                        log_level="WARNING")
    rt = Runtime(settings)
    runs = []
    for number in range(1, args.runs + 1):
        one, one_redis_ms = throughput(rt, 1, args.reports, args.workers)
        two, two_redis_ms = throughput(rt, 2, args.reports, args.workers)
        runs.append({"run": number, "one_region_per_s": round(one), "two_regions_per_s": round(two),
                     "ratio": round(two / one, 2), "redis_cpu_ms_per_report": [round(one_redis_ms, 3),
                                                                              round(two_redis_ms, 3)]})
        print(json.dumps(runs[-1]), flush=True)
    print(json.dumps({"reports": args.reports, "workers": args.workers,
                      "median_ratio": statistics.median(run["ratio"] for run in runs)}))


if __name__ == "__main__":
    main()
