"""The gazetteer's index: the prebuilt street, corner, station and area data loaded into a phrase table
(every way a place may be named, as canonical tokens), the street bases, the fuzzy vocabulary and a
grid of corners."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from alertrelay.bot.core.geometry import haversine_m

from .aliases import AREA_ALIASES, CONTEXT_ALIASES, PLACE_ALIASES, PlaceAlias
from .areas import Areas
from .memo import FUZZY_MEMO_MAX, GEOCODE_MEMO_MAX, BoundedMemo
from .normalise import DATA_ONLY_TYPES, DIRS, PRE_TYPES, TYPES, WORD_ORDINALS, ordinal, parse_street, tokenize
from .result import GeoResult, _Entry, _Mention
from .words import COMMON

# candidate scores of the phrases the index holds (also the reported confidence, before adjustments)
S_STATION = 0.93
S_LANDMARK = 0.82
S_PARK = 0.72
S_AREA = 0.7

CHAINS = {"target", "cub", "cub foods", "walmart", "costco", "aldi", "lunds", "lunds byerlys", "kowalskis",
          "home depot", "menards", "walgreens", "cvs", "holiday", "speedway", "mcdonalds", "festival foods",
          "hy vee", "trader joes", "whole foods", "best buy", "kohls", "sams club", "rainbow foods"}

# rows of the prebuilt index (bot/geo/build.py's docstring has the layout): decoded JSON lists
Cluster = list[Any]
"""A corner: [lat, lon, display, typesA, dirsA, typesB, dirsB, city, support, area]."""
StreetRow = list[Any]
"""One type of a street in one city: [type, dirs, city, n, lat, lon, [[lat, lon]...], display, area]."""
StationRow = list[Any]
"""[display, lat, lon, line, area]"""
ZipRow = list[Any]
"""[zip, city, lat, lon, area]"""
Near = tuple[float, float] | None
"""(lat, lon) of the group a message came from, to prefer nearby readings."""
PairRow = tuple[float, float, str, str, str | None, str, float]
"""_Entry fields of a street pair that meets (CandidateScoring._street_pair)."""
ContextAlias = tuple[tuple[tuple[str, ...], ...], set[str], int, _Entry | None]
"""(store phrases as tokens, street words, maximum tokens between, the resolved alias)."""


@lru_cache(maxsize=100000)
def canon(tok: str) -> str:
    """Canonical token for phrase keys: '38th' -> '38', 'Avenue' -> 'av'."""
    o = ordinal(tok)
    if o is not None and tok not in WORD_ORDINALS:
        return str(o[0])
    t = TYPES.get(tok)
    if t and tok not in DATA_ONLY_TYPES:
        return t
    return tok


def phrase_tokens(text: str) -> tuple[str, ...]:
    return tuple(canon(t) for t in tokenize(text) if t not in (",", "&", "/", "@"))


class IndexTables:
    """The tables PhraseIndex.__init__ builds, declared once for it and for the mixins that read them
    (FuzzyCorrection, MentionFinder, CandidateScoring). Annotations only: nothing here at run time."""

    areas: Areas
    inter: dict[str, list[Cluster]]
    streets: dict[str, list[StreetRow]]
    stations: dict[str, StationRow]
    _custom: dict[tuple[str, ...], _Entry]
    core_bases: set[str]
    bases: set[str]
    base_max: dict[str, int]
    phrases: dict[tuple[str, ...], list[_Entry]]
    phrase_max: dict[str, int]
    vocab: set[str]
    _buckets: dict[str, list[str]]
    _base_buckets: dict[str, list[str]]
    _ctx_aliases: list[ContextAlias]
    _grid: dict[tuple[int, int], list[Cluster]]
    _zipmap: dict[str, ZipRow]
    _mention_start: set[str]
    _cache: BoundedMemo[tuple[str, Near], GeoResult | None]
    _pair_memo: dict[tuple[str, str, str, str], PairRow | None]
    _fuzzy_memo: BoundedMemo[tuple[str, bool], str | None]

    if TYPE_CHECKING:  # the mixins' methods the others call (Gazetteer has them all)
        def _correct(self, toks: list[str]) -> tuple[list[str], set[int]]: ...
        def _mentions(self, toks: list[str]) -> list[_Mention]: ...
        def _corner_lookup(self, m1: _Mention, m2: _Mention, near: Near) -> tuple[Cluster, float] | None: ...


class PhraseIndex(IndexTables):
    """The loaded index (see the module docstring); the Gazetteer's lookups and matching read it."""

    def __init__(self, index: dict[str, Any]):
        self.areas = Areas(index["areas"])
        self.inter = index["inter"]
        self.streets = index["streets"]
        self.stations = {s[0]: s for s in index["stations"]}
        self._custom = {}
        # ---- street bases
        bases = set(self.streets)
        for k in self.inter:
            a, b = k.split("|")
            bases.add(a)
            bases.add(b)
        self.core_bases = {b for b, vs in self.streets.items() if any(v[2] != "sub" for v in vs)}
        self.bases = bases
        self.base_max = {}
        for b in bases:
            toks = b.split()
            self.base_max[toks[0]] = max(self.base_max.get(toks[0], 0), len(toks))
        # ---- phrases
        self.phrases = {}
        self._build_phrases(index)
        self.phrase_max = {}
        for phrase in self.phrases:
            self.phrase_max[phrase[0]] = max(self.phrase_max.get(phrase[0], 0), len(phrase))
        # ---- fuzzy vocabulary: words of core street names and of every phrase, bucketed by first letter
        vocab: set[str] = set()
        for b in self.core_bases:
            vocab.update(t for t in b.split() if len(t) >= 4 and t.isalpha())
        for phrase in self.phrases:
            vocab.update(t for t in phrase if len(t) >= 4 and t.isalpha())
        self.vocab = vocab
        self._buckets = {}
        for w in sorted(vocab):
            self._buckets.setdefault(w[0], []).append(w)
        self._base_buckets = {}
        for w in sorted({t for b in self.core_bases for t in b.split() if len(t) >= 4 and t.isalpha()}):
            self._base_buckets.setdefault(w[0], []).append(w)
        self._ctx_aliases = [(tuple(tuple(s.split()) for s in stores), set(streets), gap, self._resolve_alias(al))
                             for stores, streets, gap, al in CONTEXT_ALIASES]
        self._grid = self._build_grid()
        self._zipmap = {z[0]: z for z in index["zips"]}
        self._mention_start = set(self.base_max) | set(PRE_TYPES) | set(DIRS) | set(WORD_ORDINALS)
        self._cache = BoundedMemo(GEOCODE_MEMO_MAX)
        self._pair_memo = {}
        self._fuzzy_memo = BoundedMemo(FUZZY_MEMO_MAX)

    # ================================================================ building the phrase table
    def _add(self, key: tuple[str, ...], e: _Entry) -> None:
        if not key:
            return
        lst = self.phrases.setdefault(key, [])
        for o in lst:  # same place twice under one phrase: keep the better entry
            if o.kind == e.kind and o.need == e.need and haversine_m(o.lat, o.lon, e.lat, e.lon) < 300:
                if e.score > o.score:
                    lst[lst.index(o)] = e
                return
        lst.append(e)

    def corner(self, a: str, b: str, near: Near = None) -> Cluster | None:
        """Best index cluster for two street names ('Lake St E', 'Bloomington Av S'), or None."""
        pa, pb = parse_street(a), parse_street(b)
        if not pa or not pb:
            return None
        ma = _Mention(0, 0, pa[0], pa[1], pa[2])
        mb = _Mention(0, 0, pb[0], pb[1], pb[2])
        got = self._corner_lookup(ma, mb, near)
        return got[0] if got else None

    def _resolve_alias(self, al: PlaceAlias) -> _Entry | None:
        if al.latlon:
            lat, lon = al.latlon
        elif al.corner:
            c = self.corner(*al.corner)
            if c is None:
                return None
            lat, lon = c[0], c[1]
        elif al.station:
            s = self.stations.get(al.station)
            if not s:
                return None
            lat, lon = s[1], s[2]
        else:
            return None
        kind = "alias"
        return _Entry(lat, lon, al.place, al.precision, self.areas.at(lat, lon), kind, al.confidence)

    def _build_phrases(self, index: dict[str, Any]) -> None:
        areas = self.areas
        # -- official neighbourhood / district names
        for name in areas.names:
            kind = areas.kind[name]
            clat, clon = areas.centroid[name]
            key = phrase_tokens(name)
            need = "area" if (len(key) == 1 and (key[0] in self.bases or key[0] in COMMON)) else ""
            self._add(key, _Entry(clat, clon, name, "area", name, kind, S_AREA, need))
            if "(" in name:  # "Eastview-...-Highwood Hills (Sunray-Battlecreek-Highwood)"
                self._add(phrase_tokens(name.split("(")[0]), _Entry(clat, clon, name, "area", name, kind, S_AREA, need))
        # -- nicknames
        for al in AREA_ALIASES:
            targets = tuple(a for a in al.areas if a in areas.centroid)
            if not targets:
                continue
            if al.corner and (c := self.corner(*al.corner)):
                lat, lon = c[0], c[1]
            elif al.latlon:
                lat, lon = al.latlon
            else:
                lat, lon = areas.union_centroid(targets)
            area = targets[0] if len(targets) == 1 else areas.at(lat, lon)
            kind = "alias"
            for ph in al.phrases:
                key = phrase_tokens(ph)
                need = "area" if al.needs_cue or (len(key) == 1 and (key[0] in self.bases or key[0] in COMMON)) else ""
                self._add(key, _Entry(lat, lon, al.place or ph.title(), "area", area, kind, al.confidence, need))
        # -- LRT stations
        for disp, lat, lon, _line, area in index["stations"]:
            base = disp[: -len(" Station")] if disp.endswith(" Station") else disp
            variants: set[tuple[str, ...]] = set()
            for part in [base] + [p for p in re.split(r"\s*/\s*", base) if "/" in base]:
                key = phrase_tokens(part)
                variants.add(key)
                variants.add(tuple(t for t in key if t not in ("st", "av", "pkwy")))
            if "Midtown" in base:
                variants.update({("lake",), ("midtown",), ("lake", "midtown")})
            if "U.S. Bank" in base:
                variants.add(("us", "bank", "stadium"))
            if "VA Medical" in base:
                variants.add(("va",))
            if "Warehouse" in base:
                variants.add(("warehouse", "district"))
            for key in variants:
                if not key:
                    continue
                self._add(key, _Entry(lat, lon, disp, "point", area, "station", S_STATION, "station"))
                if len([t for t in key if not t.isdigit()]) >= 2:
                    self._add(key, _Entry(lat, lon, disp, "point", area, "station", 0.6, ""))
        # -- curated place aliases
        for pal in PLACE_ALIASES:
            e = self._resolve_alias(pal)
            if e is None:
                continue
            for ph in pal.phrases:
                self._add(phrase_tokens(ph), e)
        # -- landmarks (landmarks.csv, ODbL) and parks
        for name, cat, _city, lat, lon, area in index["landmarks"]:
            for key in self._landmark_keys(name, cat):
                self._add(key, _Entry(lat, lon, name, "point", area, "landmark", S_LANDMARK))
        for name, city, lat, lon, area in index["parks"]:
            score = S_PARK if city == "Minneapolis" else 0.6
            for key in self._park_keys(name):
                self._add(key, _Entry(lat, lon, name, "point", area, "landmark", score))

    def _ok_key(self, key: tuple[str, ...]) -> bool:
        if not key:
            return False
        if " ".join(key) in CHAINS:
            return False
        if len(key) == 1:
            t = key[0]
            return len(t) >= 6 and t.isalpha() and t not in COMMON and t not in self.bases
        return not all(t in COMMON or t in TYPES for t in key)

    def _landmark_keys(self, name: str, cat: str) -> set[tuple[str, ...]]:
        key = phrase_tokens(name)
        keys = {key}
        if key and key[0] == "the":
            keys.add(key[1:])
        s = " ".join(key)
        m = re.match(r"(.+?) (?:senior |junior |community |international )?(high|middle|elementary) school\b", s)
        if m:
            stem = m.group(1)
            keys.add(tuple(f"{stem} {m.group(2)}".split()))
            keys.add(tuple(f"{stem} {m.group(2)} school".split()))
            keys.add(tuple(f"escuela {stem}".split()))
            keys.add(tuple(f"{stem} school".split()))
        if cat == "library" and s.endswith(" library"):
            keys.add(tuple(f"biblioteca {s[:-8]}".split()))
        return {k for k in keys if self._ok_key(k)}

    def _park_keys(self, name: str) -> set[tuple[str, ...]]:
        key = phrase_tokens(name)
        keys = {key}
        s = " ".join(key)
        if s.endswith(" park"):
            stem = s[:-5]
            keys.add(tuple(f"parque {stem}".split()))
            keys.add(tuple(f"el parque {stem}".split()))
            if stem.startswith("lake ") and len(stem.split()) == 2:
                keys.add(tuple(stem.split()))
        return {k for k in keys if self._ok_key(k)}

    def _build_grid(self) -> dict[tuple[int, int], list[Cluster]]:
        grid: dict[tuple[int, int], list[Cluster]] = {}
        for clusters in self.inter.values():
            for c in clusters:
                grid.setdefault((int(c[0] * 200), int(c[1] * 200)), []).append(c)
        return grid
