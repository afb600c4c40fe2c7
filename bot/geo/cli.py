"""`alertrelay geocode TEXT` / `alertrelay geocode --batch FILE`.

Runnable on its own for testing:
    python -m bot.geo.cli "migra en la bloomington y 35"
    python -m bot.geo.cli --batch texts.txt          # one text per line -> one JSON line per input
    python -m bot.geo.cli --near 44.95,-93.25 "Broadway & Central"
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from .gazetteer import load_gazetteer
from .result import GeoResult


def _line(text: str, r: GeoResult | None) -> dict[str, object]:
    if r is None:
        return {"text": text, "error": "no place found"}
    d: dict[str, object] = {"text": text}
    d.update(r.to_json())
    return d


def geocode_main(text: str | None, batch: Path | None, out: TextIO = sys.stdout,
                 near: tuple[float, float] | None = None) -> int:
    """Geocode one text (prints one JSON object) or a file of texts (one JSON line each).

    Returns the process exit code: 0 when every input found a place, 1 when some did not,
    2 on usage errors (neither or both of text and batch, unreadable file).
    """
    if (text is None) == (batch is None):
        print(json.dumps({"error": "give either TEXT or --batch FILE"}), file=out)
        return 2
    g = load_gazetteer()
    if text is not None:
        r = g.geocode(text, near=near)
        print(json.dumps(_line(text, r), ensure_ascii=False), file=out)
        return 0 if r else 1
    assert batch is not None  # exactly one of text and batch, checked above
    try:
        lines = Path(batch).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        print(json.dumps({"error": f"cannot read {batch}: {e.strerror}"}), file=out)
        return 2
    missing = 0
    for ln in lines:
        if not ln.strip():
            continue
        r = g.geocode(ln, near=near)
        missing += r is None
        print(json.dumps(_line(ln, r), ensure_ascii=False), file=out)
    return 0 if not missing else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.geo.cli", description="offline Twin Cities geocoder")
    ap.add_argument("text", nargs="?", help="a message or place phrase")
    ap.add_argument("--batch", type=Path, help="file with one text per line")
    ap.add_argument("--near", help="lat,lon of the group, to prefer nearby readings")
    a = ap.parse_args(argv)
    near = None
    if a.near:
        lat, lon = (float(x) for x in a.near.split(","))
        near = (lat, lon)
    return geocode_main(a.text, a.batch, near=near)


if __name__ == "__main__":
    raise SystemExit(main())
