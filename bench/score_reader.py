"""Score the reader on labelled message files (not a test): the figures bench/READER.md keeps.

    python bench/score_reader.py FILE.jsonl [FILE.jsonl ...]

Each file holds `{"id", "text", "label", "context"?}` lines (the shared corpus's messages, or ours in
tests/data and bench/reader_holdout.jsonl). It reads them through bot.classify, the code behind
`alertrelay classify`, and prints per file and in total: accuracy, the false-report rate (non-reports
read as first-hand sightings), report recall and all-clear recall.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def score(rows: list[dict], predicted: dict[str, str]) -> dict[str, float]:
    def rate(hit: int, of: int) -> float:
        return hit / of if of else 1.0

    reports = [r for r in rows if r["label"] == "report"]
    clears = [r for r in rows if r["label"] == "all_clear"]
    others = [r for r in rows if r["label"] != "report"]
    return {
        "n": len(rows),
        "accuracy": rate(sum(predicted[r["id"]] == r["label"] for r in rows), len(rows)),
        "false_report_rate": rate(sum(predicted[r["id"]] == "report" for r in others), len(others)),
        "report_recall": rate(sum(predicted[r["id"]] == "report" for r in reports), len(reports)),
        "all_clear_recall": rate(sum(predicted[r["id"]] == "all_clear" for r in clears), len(clears)),
    }


def main(paths: list[str]) -> int:
    from alertrelay.bot.classify import classify_lines

    everything: list[dict] = []
    predicted: dict[str, str] = {}
    print(f"{'file':44s} {'n':>5s} {'acc':>6s} {'false rep':>9s} {'rep rec':>8s} {'clear rec':>9s}")
    for path in paths:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
        for out in classify_lines((f"{path}:{i}", line) for i, line in enumerate(lines, 1)):
            predicted[out["id"]] = out["label"]
        everything += rows
        s = score(rows, predicted)
        print(f"{Path(path).name:44s} {s['n']:5d} {s['accuracy']:6.3f} {s['false_report_rate']:9.3f} "
              f"{s['report_recall']:8.3f} {s['all_clear_recall']:9.3f}")
    if len(paths) > 1:
        s = score(everything, predicted)
        print(f"{'all':44s} {s['n']:5d} {s['accuracy']:6.3f} {s['false_report_rate']:9.3f} "
              f"{s['report_recall']:8.3f} {s['all_clear_recall']:9.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
