"""What the gazetteer finds: a phrase-table entry (_Entry), a street mention in a message (_Mention), and
the GeoResult it answers, whose matched span of the original text is found on first use."""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from alertrelay.bot.core.text import fold_char


class GeoJSON(TypedDict):
    """GeoResult.to_json(): one JSON line of `alertrelay geocode`."""

    lat: float
    lon: float
    precision: str
    place: str
    area: str | None
    confidence: float
    kind: str


@dataclass(frozen=True)
class GeoResult:
    lat: float
    lon: float
    precision: str          # "point" | "area"
    place: str
    area: str | None
    confidence: float
    kind: str               # intersection|station|landmark|alias|neighbourhood|district|street|zip|pin|custom
    _matched: str | tuple[str, tuple[str, ...]] = field(repr=False, compare=False)
    """The span of the text that named the place, or (text, tokens) to find it from on first use: the
    pipeline never asks, and finding it costs a regex per new phrase."""

    @property
    def matched(self) -> str:
        matched = self._matched
        if isinstance(matched, tuple):
            matched = _find_span(matched[0], list(matched[1]))
            object.__setattr__(self, "_matched", matched)
        return matched

    def to_json(self) -> GeoJSON:
        return {"lat": round(self.lat, 6), "lon": round(self.lon, 6), "precision": self.precision,
                "place": self.place, "area": self.area, "confidence": round(self.confidence, 3), "kind": self.kind}


@dataclass
class _Entry:
    lat: float
    lon: float
    place: str
    precision: str
    area: str | None
    kind: str               # GeoResult.kind
    score: float
    need: str = ""          # "" | "station" | "area"


@dataclass
class _Candidate:
    """One reading of a message: its score (adjusted for `near` before the best is taken), the place,
    the token span (i, j) that named it, and the message's tokens before correction."""

    score: float
    entry: _Entry
    span: tuple[int, int]
    toks: list[str]


@dataclass
class _Mention:
    i: int
    j: int
    base: str
    typ: str = ""
    d: str = ""
    num: bool = False
    ordsfx: bool = False
    pre: bool = False       # predir or Spanish pre-type ("calle", "avenida", "E 7th")
    cue: bool = False

    @property
    def strong(self) -> bool:
        return bool(self.typ or self.ordsfx or self.pre)



@functools.lru_cache(maxsize=4096)
def _span_pattern(toks: tuple[str, ...]) -> re.Pattern[str]:
    """Compiled once per token sequence: re's own cache (512) is too small for a city's place names."""
    parts: list[str] = []
    for t in toks:
        if t in ("&", "/", "@", ","):
            parts.append(re.escape(t) if t != "," else r"[.,;:!?]*")
        elif t == "saint":
            parts.append(r"(?:saint|st\.?|sta|santa|san)")
        else:
            parts.append(re.escape(t))
    return re.compile(r"[^a-z0-9&/@]*".join(parts))


def _find_span(text: str, toks: list[str]) -> str:
    """Best-effort: the substring of the original text that produced these tokens."""
    if not toks:
        return ""
    # fold character by character, keeping a map back to the original offsets
    if text.isascii():
        f = text.lower()
        back: Sequence[int] = range(len(text))
    else:
        f, back = _fold_map(text)
    m = _span_pattern(tuple(toks)).search(f)
    if not m or m.end() == m.start():
        return " ".join(toks)
    return text[back[m.start()]: back[m.end() - 1] + 1]


def _fold_map(text: str) -> tuple[str, list[int]]:
    folded: list[str] = []
    back: list[int] = []
    for idx, ch in enumerate(text):
        piece = fold_char(ch)
        for pc in piece:
            folded.append(pc)
            back.append(idx)
    return "".join(folded), back
