"""`alertrelay classify`: how the relay reads each message, one JSON line per input.

It calls the pipeline's own reader (bot.core.parsing.parse) and geocoder, so what it prints is what the
drain job decides from. Inputs are JSONL lines `{"id", "text", "context"?}`; other fields are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, get_args

from alertrelay.bot.core.claims import read_clause, sentences
from alertrelay.bot.core.models import Context, Kind
from alertrelay.bot.core.parsing import fold_for_reading, parse
from alertrelay.bot.errors import BadLine

CONTEXTS = get_args(Context)


def read_message(line: str, where: str) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(message, dict):
        raise BadLine(f"{where}: a JSON object is needed")
    if not isinstance(message.get("text"), str):
        raise BadLine(f"{where}: \"text\" must be a string")
    context = message.get("context") or "none"
    if context not in CONTEXTS:
        raise BadLine(f"{where}: context {context!r} is not one of {', '.join(CONTEXTS)}")
    return {"id": message.get("id", where), "text": message["text"], "context": context}


def classify(message: dict[str, Any], geocode: Any = None, explain: bool = False) -> dict[str, Any]:
    """One output line. `geocode(text)`: the pipeline's geocoder, or None to leave places out."""
    parsed = parse(message["text"], context=message["context"])
    label = Kind.CHATTER.value if parsed.kind is Kind.COMMAND else parsed.kind.value
    out: dict[str, Any] = {"id": message["id"], "label": label, "lang": parsed.lang}
    found = geocode(message["text"]) if geocode is not None else None
    if found is not None:
        out["place"] = found.place
        out["precision"] = found.precision
    if explain:
        out["why"] = list(parsed.reasons)
        out["claims"] = {"source": parsed.source, "when": parsed.when, "denied": parsed.denied,
                         "ended": parsed.ended, "seen": list(parsed.seen), "time_cue": parsed.time_cue,
                         "needs_context": parsed.needs_context}
        out["sentences"] = [{"text": text, "asks": clause.asks, "cues": clause.cues}
                            for text, clause in ((t, read_clause(t, a))
                                                 for t, a in sentences(fold_for_reading(message["text"])))]
    return out


def classify_lines(named_lines: Iterable[tuple[str, str]], geocode: Any = None, explain: bool = False,
                   errors: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """(where, line) pairs in, output lines out. A bad line is reported in `errors` and skipped: the
    rest are still read."""
    for where, line in named_lines:
        if not line.strip():
            continue
        try:
            message = read_message(line, where)
        except BadLine as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        yield classify(message, geocode, explain)
