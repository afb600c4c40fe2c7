"""Drill benchmark: messages/s of `alertrelay drill` on the message clock with 2 workers, rq's no-op job rate
with the same 2 workers in the same run, and their ratio; then the outbound lines of the message-clock and
the stepwise replays compared byte for byte, on the shared drills and on a synthetic drill.

    .venv/bin/python bench/bench_drill.py [--messages 4000] [--runs 3] [--no-compare]

The synthetic drill comes from bench/drill_scenario.py (seeded), with config/example.areas.toml. The rate is
the drill's own replay window: from the first message queued to the last outbound line sent, after its
workers have started (DrillResult.replay_seconds); the whole command's time is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from alertrelay.workers.drill import run_drill  # noqa: E402
from bench.bench_pipeline import fresh_runtime, noop_rate  # noqa: E402
from bench.drill_scenario import scenario  # noqa: E402

AREAS = REPO / "config" / "example.areas.toml"
SHARED = Path(os.environ.get("ALERTRELAY_SHARED_CORPUS") or REPO.parent / "shared" / "corpus")
WORKERS = 2


def outbound_bytes(result) -> bytes:  # type: ignore[no-untyped-def]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in result.outbound).encode()


def compare(path: Path, areas: Path) -> dict[str, object]:
    stepwise = run_drill(path, areas, workers=WORKERS, stepwise=True)
    clocked = run_drill(path, areas, workers=WORKERS)
    return {"scenario": path.name, "messages": len(clocked.messages), "outbound": len(clocked.outbound),
            "identical": outbound_bytes(stepwise) == outbound_bytes(clocked),
            "stepwise_s": round(stepwise.replay_seconds, 2), "message_clock_s": round(clocked.replay_seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--noop-jobs", type=int, default=3000)
    parser.add_argument("--no-compare", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="alertrelay-bench-drill-") as tmp:
        synthetic = Path(tmp) / f"synthetic-{args.messages}.jsonl"
        synthetic.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n"
                                     for line in scenario(args.messages)), encoding="utf-8")
        noop_rt = fresh_runtime(Path(tmp) / "noop")
        runs = []
        for _ in range(args.runs):
            noop = noop_rate(noop_rt, WORKERS, args.noop_jobs)
            drill = run_drill(synthetic, AREAS, workers=WORKERS)
            rate = len(drill.messages) / drill.replay_seconds
            runs.append({"messages_per_s": round(rate, 1), "noop_jobs_per_s": round(noop, 1),
                         "ratio_to_noop": round(rate / noop, 2), "replay_s": round(drill.replay_seconds, 2),
                         "whole_drill_s": round(drill.seconds, 2), "outbound": len(drill.outbound)})
            print(json.dumps(runs[-1]), flush=True)
        results: dict[str, object] = {"workers": WORKERS, "messages": len(drill.messages), "runs": runs}
        if not args.no_compare:
            corpus = sorted(SHARED.glob("*.jsonl")) if SHARED.exists() else []
            examples = sorted((REPO / "examples").glob("*.jsonl"))
            results["compare"] = ([compare(path, SHARED / "areas.toml") for path in corpus]
                                  + [compare(path, AREAS) for path in examples + [synthetic]])
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
