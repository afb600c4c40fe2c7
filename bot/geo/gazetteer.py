"""The offline gazetteer: loads the prebuilt index and geocodes chat messages."""
from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from alertrelay.bot.core.geometry import haversine_m

from .correction import FuzzyCorrection
from .index import Cluster, Near, PhraseIndex, phrase_tokens
from .memo import FUZZY_MEMO_MAX, GEOCODE_MEMO_MAX, BoundedMemo
from .mentions import MentionFinder
from .normalise import tokenize
from .pins import find_pin
from .result import GeoResult, _Entry
from .scoring import CandidateScoring

DEFAULT_INDEX = Path(__file__).resolve().parent / "data" / "index.json.gz"


class Gazetteer(PhraseIndex, FuzzyCorrection, MentionFinder, CandidateScoring):
    """Offline geocoder for Twin Cities place mentions in chat messages (see bot/geo/__init__.py): the index
    (bot/geo/index.py), fuzzy correction (correction.py), mention extraction (mentions.py) and candidate
    scoring (scoring.py), and the lookups below."""

    def area_at(self, lat: float, lon: float) -> str | None:
        return self.areas.at(float(lat), float(lon))

    def area_shape(self, name: str) -> BaseGeometry | None:
        return self.areas.shape(name)

    def area_names(self) -> list[str]:
        return list(self.areas.names)

    def copy(self) -> Gazetteer:
        """A gazetteer sharing this one's read-only index, with its own taught places: add_place on the
        copy leaves this one as it was (one runtime's places never leak into another's)."""
        twin = Gazetteer.__new__(Gazetteer)
        twin.__dict__.update(self.__dict__)
        twin._custom = dict(self._custom)
        twin.phrases = dict(self.phrases)
        twin.phrase_max = dict(self.phrase_max)
        twin.vocab = set(self.vocab)
        twin._buckets = {k: list(v) for k, v in self._buckets.items()}
        twin._cache = BoundedMemo(GEOCODE_MEMO_MAX)
        twin._fuzzy_memo = BoundedMemo(FUZZY_MEMO_MAX)
        return twin

    def add_place(self, name: str, lat: float, lon: float) -> None:
        key = phrase_tokens(name)
        if not key:
            raise ValueError("empty place name")
        e = _Entry(float(lat), float(lon), name.strip(), "point", self.areas.at(lat, lon), "custom", 0.97)
        self._custom[key] = e
        self.phrases[key] = [e] + [o for o in self.phrases.get(key, []) if o.kind != "custom"]
        self.phrase_max[key[0]] = max(self.phrase_max.get(key[0], 0), len(key))
        for t in key:
            if len(t) >= 4 and t.isalpha() and t not in self.vocab:
                self.vocab.add(t)
                self._buckets.setdefault(t[0], []).append(t)
        self._fuzzy_memo.clear()
        self._cache.clear()

    def nearest_corner(self, lat: float, lon: float, max_m: float = 200.0) -> tuple[Cluster, float] | None:
        gy, gx = int(lat * 200), int(lon * 200)
        best: tuple[Cluster, float] | None = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for c in self._grid.get((gy + dy, gx + dx), ()):
                    d = haversine_m(lat, lon, c[0], c[1])
                    if d <= max_m and (best is None or d < best[1]):
                        best = (c, d)
        return best

    def from_pin(self, lat: float, lon: float) -> GeoResult:
        lat, lon = float(lat), float(lon)
        area = self.areas.at(lat, lon)
        nc = self.nearest_corner(lat, lon)
        if nc:
            place = f"near {nc[0][2]}"
        elif area:
            place = f"{area} ({lat:.5f}, {lon:.5f})"
        else:
            place = f"{lat:.5f}, {lon:.5f}"
        return GeoResult(lat, lon, "point", place, area, 1.0, "pin", "")

    def pin_in_text(self, text: str) -> GeoResult | None:
        got = find_pin(text or "")
        if not got:
            return None
        lat, lon, s, e = got
        r = self.from_pin(lat, lon)
        return GeoResult(r.lat, r.lon, r.precision, r.place, r.area, 0.98, "pin", text[s:e])

    def geocode(self, text: str, near: Near = None) -> GeoResult | None:
        """Best place mention in a chat message, or None. Results are memoised (bounded, per instance):
        forwards and repeats of the same text cost nothing."""
        if not text or not text.strip():
            return None
        return self._cache.get((text, near), lambda: self._geocode(text, near))

    def _geocode(self, text: str, near: Near) -> GeoResult | None:
        pin = self.pin_in_text(text)
        if pin:
            return pin
        toks = tokenize(text)
        if not toks:
            return None
        cands = self._candidates(toks, near)
        if not cands:
            return None
        if near is not None:
            for c in cands:
                d = haversine_m(near[0], near[1], c.entry.lat, c.entry.lon)
                c.score -= min(0.08, d / 200000.0)
        cands.sort(key=lambda c: (-c.score, c.span[0]))
        best = cands[0]
        score, e, (i, j), orig = best.score, best.entry, best.span, best.toks
        return GeoResult(e.lat, e.lon, e.precision, e.place, e.area, round(max(0.05, min(1.0, score)), 3), e.kind,
                         (text, tuple(orig[i:j])))


@cache
def _load_default() -> Gazetteer:
    return _load(DEFAULT_INDEX)


def _load(path: Path) -> Gazetteer:
    with gzip.open(path, "rb") as f:
        index = json.loads(f.read())
    return Gazetteer(index)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load the prebuilt index (cached per process for the default path)."""
    if path is None or Path(path).resolve() == DEFAULT_INDEX:
        if not DEFAULT_INDEX.exists():
            from . import build
            build.write(build.build(verbose=False))
        return _load_default()
    return _load(Path(path))
