"""The offline gazetteer: loads the prebuilt index and geocodes chat messages."""
from __future__ import annotations

import gzip
import json
import math
import functools
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from shapely.geometry import LineString
from unidecode import unidecode

from .aliases import AREA_ALIASES, CONTEXT_ALIASES, PLACE_ALIASES, PlaceAlias
from .areas import Areas
from .normalise import (DATA_ONLY_TYPES, DIRS, PRE_TYPES, TYPES, WORD_ORDINALS, display_street, ordinal,
                        parse_street, tokenize)
from .pins import find_pin
from .words import (AREA_AFTER, AREA_CUES, COMMON, CONNECTORS, COUNT_NOUNS, CUES, FILLER, NUM_STREET_CUES,
                    RELATIVE_ANCHORS, RELATIVE_WORDS, STATION_CUES, STATION_SKIP, STREET_STOP, STRONG_CONNECTORS,
                    TRAVEL)

DEFAULT_INDEX = Path(__file__).resolve().parent / "data" / "index.json.gz"

# candidate scores (also the reported confidence, before adjustments)
S_CORNER = 0.95          # two streets joined by a connector and found in the index
S_CORNER_WEAK = 0.9      # joined by "near"/"by"/"cerca de"
S_CORNER_IMPLICIT = 0.78  # two streets named apart in the same message ("en la Lake, ahora en la 18 av")
S_STATION = 0.93
S_LANDMARK = 0.82
S_PARK = 0.72
S_AREA = 0.7
S_STREET_PAIR = 0.64    # two streets joined, no corner in the index, but they come close: a street, not a corner
S_STREET_TYPED = 0.5
S_STREET_CUED = 0.45
S_STREET_NUM = 0.3
S_ZIP = 0.4
PAIR_MAX_M = 1000.0      # two streets whose sample points come this close may meet (_street_pair) ...
PAIR_EXTEND_M = 900.0    # ... and their lines may be extended this far from the samples to cross

PLACE_NOUNS = {"parque", "park", "station", "estacion", "mercado", "iglesia", "escuela", "school", "church",
               "tienda", "store", "barrio", "colegio", "biblioteca", "library", "hospital", "clinica", "plaza"}
CHAINS = {"target", "cub", "cub foods", "walmart", "costco", "aldi", "lunds", "lunds byerlys", "kowalskis",
          "home depot", "menards", "walgreens", "cvs", "holiday", "speedway", "mcdonalds", "festival foods",
          "hy vee", "trader joes", "whole foods", "best buy", "kohls", "sams club", "rainbow foods"}


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
        if isinstance(self._matched, tuple):
            object.__setattr__(self, "_matched", _find_span(self._matched[0], list(self._matched[1])))
        return self._matched  # type: ignore[return-value]

    def to_json(self) -> dict:
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


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


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


class Gazetteer:
    """Offline geocoder for Twin Cities place mentions in chat messages (see bot/geo/__init__.py)."""

    def __init__(self, index: dict):
        self.areas = Areas(index["areas"])
        self.inter: dict[str, list] = index["inter"]
        self.streets: dict[str, list] = index["streets"]
        self.stations = {s[0]: s for s in index["stations"]}
        self._custom: dict[tuple[str, ...], _Entry] = {}
        # ---- street bases
        bases = set(self.streets)
        for k in self.inter:
            a, b = k.split("|")
            bases.add(a)
            bases.add(b)
        self.core_bases = {b for b, vs in self.streets.items() if any(v[2] != "sub" for v in vs)}
        self.bases = bases
        self.base_max: dict[str, int] = {}
        for b in bases:
            toks = b.split()
            self.base_max[toks[0]] = max(self.base_max.get(toks[0], 0), len(toks))
        # ---- phrases
        self.phrases: dict[tuple[str, ...], list[_Entry]] = {}
        self._build_phrases(index)
        self.phrase_max: dict[str, int] = {}
        for k in self.phrases:
            self.phrase_max[k[0]] = max(self.phrase_max.get(k[0], 0), len(k))
        # ---- fuzzy vocabulary: words of core street names and of every phrase, bucketed by first letter
        vocab: set[str] = set()
        for b in self.core_bases:
            vocab.update(t for t in b.split() if len(t) >= 4 and t.isalpha())
        for k in self.phrases:
            vocab.update(t for t in k if len(t) >= 4 and t.isalpha())
        self.vocab = vocab
        self._buckets: dict[str, list[str]] = {}
        for w in sorted(vocab):
            self._buckets.setdefault(w[0], []).append(w)
        self._base_buckets: dict[str, list[str]] = {}
        for w in sorted({t for b in self.core_bases for t in b.split() if len(t) >= 4 and t.isalpha()}):
            self._base_buckets.setdefault(w[0], []).append(w)
        self._ctx_aliases = [(tuple(tuple(s.split()) for s in stores), set(streets), gap, self._resolve_alias(al))
                             for stores, streets, gap, al in CONTEXT_ALIASES]
        self._grid = self._build_grid()
        self._zipmap = {z[0]: z for z in index["zips"]}
        self._mention_start = set(self.base_max) | set(PRE_TYPES) | set(DIRS) | set(WORD_ORDINALS)
        self._cache: dict = {}
        self._pair_memo: dict = {}

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

    def corner(self, a: str, b: str, near: tuple[float, float] | None = None) -> list | None:
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

    def _build_phrases(self, index: dict) -> None:
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
        for disp, lat, lon, line, area in index["stations"]:
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
        for al in PLACE_ALIASES:
            e = self._resolve_alias(al)
            if e is None:
                continue
            for ph in al.phrases:
                self._add(phrase_tokens(ph), e)
        # -- landmarks (landmarks.csv, ODbL) and parks
        for name, cat, city, lat, lon, area in index["landmarks"]:
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

    def _build_grid(self) -> dict[tuple[int, int], list]:
        grid: dict[tuple[int, int], list] = {}
        for k, clusters in self.inter.items():
            for c in clusters:
                grid.setdefault((int(c[0] * 200), int(c[1] * 200)), []).append(c)
        return grid

    # ================================================================ public API
    def area_at(self, lat: float, lon: float) -> str | None:
        return self.areas.at(float(lat), float(lon))

    def area_shape(self, name: str):
        return self.areas.shape(name)

    def area_names(self) -> list[str]:
        return list(self.areas.names)

    def copy(self) -> "Gazetteer":
        """A gazetteer sharing this one's read-only index, with its own taught places: add_place on the
        copy leaves this one as it was (one runtime's places never leak into another's)."""
        twin = Gazetteer.__new__(Gazetteer)
        twin.__dict__.update(self.__dict__)
        twin._custom = dict(self._custom)
        twin.phrases = dict(self.phrases)
        twin.phrase_max = dict(self.phrase_max)
        twin.vocab = set(self.vocab)
        twin._buckets = {k: list(v) for k, v in self._buckets.items()}
        twin._cache = {}
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
        self._fuzzy.cache_clear()
        self._cache.clear()

    def nearest_corner(self, lat: float, lon: float, max_m: float = 200.0) -> tuple[list, float] | None:
        gy, gx = int(lat * 200), int(lon * 200)
        best = None
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

    def geocode(self, text: str, near: tuple[float, float] | None = None) -> GeoResult | None:
        """Best place mention in a chat message, or None. Results are memoised (bounded, per instance):
        forwards and repeats of the same text cost nothing."""
        if not text or not text.strip():
            return None
        key = (text, near)
        try:
            return self._cache[key]
        except KeyError:
            pass
        r = self._geocode(text, near)
        if len(self._cache) >= 4096:
            self._cache.clear()
        self._cache[key] = r
        return r

    def _geocode(self, text: str, near: tuple[float, float] | None) -> GeoResult | None:
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
                d = haversine_m(near[0], near[1], c[1].lat, c[1].lon)
                c[0] -= min(0.08, d / 200000.0)
        cands.sort(key=lambda c: (-c[0], c[2][0]))
        score, e, (i, j), orig = cands[0]
        return GeoResult(e.lat, e.lon, e.precision, e.place, e.area, round(max(0.05, min(1.0, score)), 3), e.kind,
                         (text, tuple(orig[i:j])))

    # ================================================================ matching
    @lru_cache(maxsize=20000)
    def _fuzzy(self, tok: str, streets_only: bool = False) -> str | None:
        bucket = (self._base_buckets if streets_only else self._buckets).get(tok[0])
        if not bucket:
            return None
        n = len(tok)
        cutoff = 85 if n >= 8 else (83 if n >= 6 else 80)
        if streets_only:
            cutoff = max(cutoff, 88)
        got = process.extractOne(tok, bucket, scorer=fuzz.ratio, score_cutoff=cutoff)
        return got[0] if got else None

    def _correct(self, toks: list[str]) -> tuple[list[str], set[int]]:
        out = list(toks)
        fixed: set[int] = set()
        n = len(toks)
        for k, t in enumerate(toks):
            if len(t) < 5 or not t.isalpha() or t in COMMON or t in TYPES or t in CUES \
                    or t in self.bases or t in self.phrase_max or t in STATION_CUES:
                continue
            prev = toks[k - 1] if k else ""
            nxt = toks[k + 1] if k + 1 < n else ""
            streety = prev in STRONG_CONNECTORS or nxt in STRONG_CONNECTORS or nxt in TYPES or prev in PRE_TYPES
            if t in self.vocab:
                if not streety:
                    continue
                f = self._fuzzy(t, True)  # a place word next to "&"/"y"/"Ave": is it a street's typo?
            elif not (streety or prev in CUES or prev in CONNECTORS or prev in PLACE_NOUNS
                      or nxt in STATION_CUES or nxt in PLACE_NOUNS):
                continue
            else:
                f = self._fuzzy(t)
            if f and f != t:
                out[k] = f
                fixed.add(k)
        return out, fixed

    def _mentions(self, toks: list[str]) -> list[_Mention]:
        out: list[_Mention] = []
        n = len(toks)
        i = 0
        starts = self._mention_start
        while i < n:
            t0 = toks[i]
            if t0 not in starts and not t0[0].isdigit():
                i += 1
                continue
            j = i
            pretype = ""
            predir = ""
            if toks[j] in PRE_TYPES and j + 1 < n:
                pretype = PRE_TYPES[toks[j]]
                j += 1
            if toks[j] in DIRS and j + 1 < n and not self._dir_base(toks, j) \
                    and (toks[j] != "n" or self._n_is_dir(toks, i, j, out)):
                nx = toks[j + 1]
                if ordinal(nx) is not None or nx == "broadway" or (nx in self.base_max and nx in self.core_bases):
                    predir = DIRS[toks[j]]
                    j += 1
            base = None
            num = ordsfx = False
            o = ordinal(toks[j]) if j < n else None
            if o is not None and j + 2 < n and toks[j + 1] == "/" and toks[j + 2] in ("2", "3", "4") and o[0] < 4:
                i = j + 3  # a fraction: "1/2 block north of 35th"
                continue
            if o is not None and j + 3 < n and toks[j + 1] == "1" and toks[j + 2] == "/" and toks[j + 3] == "2" \
                    and f"{o[0]}h" in self.bases:
                base = f"{o[0]}h"  # "36 1/2 Ave": a half street
                num = True
                ordsfx = o[1]
                j += 4
            elif o is not None and 1 <= o[0] <= 99 and not (j + 1 < n and toks[j + 1] in ("1",)):
                base = str(o[0])
                num = True
                ordsfx = o[1]
                j += 1
            elif j < n and toks[j] in self.base_max:
                for m in range(min(self.base_max[toks[j]], n - j), 0, -1):
                    cand = " ".join(toks[j:j + m])
                    if cand in self.bases:
                        if m > 1 and toks[j + m - 1] in TYPES and " ".join(toks[j:j + m - 1]) in self.bases \
                                and not (j + m < n and toks[j + m] in TYPES):
                            continue  # "River Terrace E" is River Ter, not a street named "River Terrace"
                        base = cand
                        j += m
                        break
            if base is None:
                i += 1
                continue
            typ = ""
            d = predir
            if j < n and toks[j] in TYPES and toks[j] not in DATA_ONLY_TYPES:
                typ = TYPES[toks[j]]
                j += 1
            elif pretype:
                typ = pretype
            if j < n and toks[j] in DIRS and (typ or num) and (len(toks[j]) <= 2 or typ):
                if not (toks[j] == "e" and j + 1 < n and toks[j + 1] not in (",", "&", "/", "y", "and", "at", "con")
                        and not typ and toks[j + 1] in self.bases):
                    d = d or DIRS[toks[j]]
                    j += 1
            if base in FILLER and not typ:
                i += 1  # "the", "la": a street in some data file ("The Mall"), an article in a message
                continue
            prev = toks[i - 1] if i > 0 else ""
            m = _Mention(i, j, base, typ, d, num, ordsfx, bool(pretype or predir), prev in CUES)
            if num and not m.strong:
                # bare number: only next to a connector / clause end, never a count, route or house number
                nxt = toks[j] if j < n else ","
                joined = prev in ("&", "/", "y", "and", "con", "x", "e", "n", "@", "esquina")
                if nxt in COUNT_NOUNS or not (joined or nxt in (",", "&", "/", "y", "and", "con", "x", "at", "e", "n", "@")
                                              or nxt in TYPES):
                    i = j
                    continue
                if prev.isdigit() or prev in ("the", "el", "los", "las", "bus", "route", "ruta", "line", "linea"):
                    i = j
                    continue
            if num and ordsfx and not typ and j < n and toks[j] in ("time", "times", "vez", "floor", "piso", "grade",
                                                                   "shift", "day", "place", "of", "one", "car", "suv"):
                i = j
                continue
            out.append(m)
            i = j
        return out

    def _dir_base(self, toks: list[str], j: int) -> bool:
        """A street name that starts with a direction word: "East River Rd", "West River Pkwy"."""
        for m in range(min(self.base_max.get(toks[j], 0), len(toks) - j), 1, -1):
            if " ".join(toks[j:j + m]) in self.bases:
                return True
        return False

    @staticmethod
    def _n_is_dir(toks: list[str], i: int, j: int, out: list[_Mention]) -> bool:
        """'n' is a direction in "N 2nd Ave" but "and" in "Lake n 2nd Ave": a direction only when it does
        not follow a street mention and a numbered street with a type follows."""
        if out and out[-1].j == i:
            return False
        return ordinal(toks[j + 1]) is not None and j + 2 < len(toks) and toks[j + 2] in TYPES

    def _corner_lookup(self, m1: _Mention, m2: _Mention, near) -> tuple[list, float] | None:
        if m1.base == m2.base:
            # "25th St & 25th Ave": one number, two streets (key "25|25"). At least one type must be written,
            # and two different ones if both are; the written types decide which mention is which side.
            if m1.typ == m2.typ or not (m1.typ or m2.typ):
                return None
            orders = ((m1, m2), (m2, m1))
        else:
            orders = ((m1, m2),) if m1.base < m2.base else ((m2, m1),)
        clusters = self.inter.get(f"{orders[0][0].base}|{orders[0][1].base}")
        if not clusters:
            return None
        best = None
        scored = []
        for c in clusters:
            lat, lon, disp, ta, da, tb, db, city, support, area = c
            s = -9.0
            for a, b in orders:
                so = 0.0
                for m, ts, ds in ((a, ta, da), (b, tb, db)):
                    if m.typ:
                        so += 1.0 if m.typ in ts else (-1.0 if ts else 0.0)
                    if m.d:
                        so += 0.5 if m.d in ds else (-0.5 if ds else 0.0)
                s = max(s, so)
            s += 0.6 if city != "sub" else 0.0
            s += 0.1 * math.log(1 + support)
            if near is not None:
                s -= haversine_m(near[0], near[1], lat, lon) / 2000.0
            scored.append((s, c))
        scored.sort(key=lambda x: -x[0])
        best_s, best = scored[0]
        conf = 1.0
        if best_s < 0.5:
            conf -= 0.1  # the words did not fit the street types well ("Lake Av & 18th St")
        for s, c in scored[1:]:
            if s >= best_s - 0.6 and haversine_m(c[0], c[1], best[0], best[1]) > 400:
                conf -= 0.2  # two readings far apart: ambiguous
                break
        return best, conf

    def _street_pair(self, m1: _Mention, m2: _Mention, near) -> _Entry | None:
        """Two streets named as a corner that the index does not have ("Snelling & Selby", "Robert St & Cesar
        Chavez": Saint Paul has no centerlines, and its corners come only from bus-stop names).

        From the Saint Paul streets' sample points (their bus stops): the closest pair of samples, then a line
        through each street's samples nearest the other street (shapely), crossed. The answer is honestly a
        street, not a corner: precision area, kind street, "Snelling Av near Selby Av", at the crossing. None
        when the samples never come within PAIR_MAX_M, or the lines do not cross within PAIR_EXTEND_M of them
        (parallel streets)."""
        if m1.base == m2.base:
            return None
        for m in (m1, m2):
            if m.base not in self.core_bases or m.base in COMMON or m.base in STREET_STOP:
                return None
        key = (m1.base, m1.typ, m2.base, m2.typ)
        try:
            got = self._pair_memo[key]
        except KeyError:
            got = self._pair_memo[key] = self._street_pair_uncached(m1, m2)
            if len(self._pair_memo) > 4096:
                self._pair_memo.clear()
        return None if got is None else _Entry(*got)

    def _street_pair_uncached(self, m1: _Mention, m2: _Mention) -> tuple | None:

        def variants(m: _Mention) -> list:
            # Saint Paul only: Minneapolis has centerlines, so a Minneapolis pair missing from the index does
            # not meet; and the suburbs have too few samples
            vs = [v for v in self.streets.get(m.base, ()) if v[2] == "stp"]
            if m.typ:
                vs = [v for v in vs if v[0] == m.typ] or vs
            return vs

        best = None
        for va in variants(m1):
            kx = math.cos(math.radians(va[4]))
            for vb in variants(m2):
                for p in va[6]:
                    for q in vb[6]:
                        d2 = (p[0] - q[0]) ** 2 + ((p[1] - q[1]) * kx) ** 2
                        if best is None or d2 < best[0]:
                            best = (d2, p, q, va, vb)
        if best is None:
            return None
        _, p, q, va, vb = best
        if haversine_m(p[0], p[1], q[0], q[1]) > PAIR_MAX_M:
            return None
        x = _cross_lines(va[6], vb[6], p, q)
        if x is None or haversine_m(x[0], x[1], p[0], p[1]) > PAIR_EXTEND_M \
                or haversine_m(x[0], x[1], q[0], q[1]) > PAIR_EXTEND_M:
            return None  # near each other somewhere, but they do not run into each other
        lat, lon = x
        return lat, lon, f"{va[7]} near {vb[7]}", "area", self.areas.at(lat, lon), "street", S_STREET_PAIR

    def _street_only(self, m: _Mention, near) -> _Entry | None:
        variants = self.streets.get(m.base)
        if not variants:
            return None
        vs = [v for v in variants if v[2] != "sub"] or ([] if not m.strong else variants)
        if not vs:
            return None
        if m.typ:
            typed = [v for v in vs if v[0] == m.typ]
            vs = typed or vs
        elif m.num:
            # bare numbers: Minneapolis numbered streets run E-W (St), avenues N-S (Av): prefer streets
            vs = sorted(vs, key=lambda v: (v[0] != "st", -v[3]))
        if near is not None:
            kx = math.cos(math.radians(near[0]))

            def d2(p):
                return (p[0] - near[0]) ** 2 + ((p[1] - near[1]) * kx) ** 2

            v = min(vs, key=lambda v: min(map(d2, v[6])))
            p = min(v[6], key=d2)
            if haversine_m(near[0], near[1], p[0], p[1]) < 3000:
                return _Entry(p[0], p[1], v[7], "area", self.areas.at(p[0], p[1]), "street", 0)
        else:
            v = max(vs, key=lambda v: v[3]) if not m.num else vs[0]
        return _Entry(v[4], v[5], v[7], "area", v[8], "street", 0)

    def _candidates(self, toks0: list[str], near) -> list[list]:
        toks, fixed = self._correct(toks0)
        ctoks = [canon(t) for t in toks]
        n = len(toks)
        cands: list[list] = []

        def add(score, e, i, j):
            pen = 0.05 if any(k in fixed for k in range(i, j)) else 0.0
            cands.append([score - pen + 0.004 * (j - i), e, (i, j), toks0])

        # ---- phrases: stations, aliases, areas, landmarks, parks, custom places
        for i in range(n):
            mx = self.phrase_max.get(ctoks[i])
            if not mx:
                continue
            for m in range(min(mx, n - i), 0, -1):
                key = tuple(ctoks[i:i + m])
                ents = self.phrases.get(key)
                if not ents:
                    continue
                for e in ents:
                    if e.need == "station" and not _station_cue(ctoks, i, i + m):
                        continue
                    if e.need == "area" and not _area_cue(ctoks, i, i + m, self.bases):
                        continue
                    score = e.score
                    if e.kind in ("neighbourhood", "district", "alias") and e.precision == "area":
                        # "Lake St"-like use of an area word: "Bryant Av", "Central & Broadway"
                        if i + m < n and (ctoks[i + m] in TYPES):
                            continue
                    add(score, e, i, i + m)
        # a phrase inside a longer matched phrase does not count ("Lake Harriet" in "Lake Harriet Bandshell")
        if len(cands) > 1:
            spans = {c[2] for c in cands}
            cands = [c for c in cands if not any(a <= c[2][0] and c[2][1] <= b and (a, b) != c[2] for a, b in spans)]
        # ---- context aliases ("the Cub on Lake", "Cub de la lake y minnehaha")
        tokset = set(toks)
        for stores, streets, gap, e in self._ctx_aliases:
            if e is None or not any(st[0] in tokset for st in stores) or not (streets & tokset):
                continue
            for k in range(n):
                for st in stores:
                    if tuple(toks[k:k + len(st)]) == st:
                        lo, hi = max(0, k - gap), min(n, k + len(st) + gap)
                        if any(toks[q] in streets for q in range(lo, hi)):
                            add(e.score, e, k, k + len(st))
        # ---- streets and corners
        ms = self._mentions(toks)
        paired: set[int] = set()
        for x in range(len(ms)):
            for y in range(x + 1, len(ms)):
                m1, m2 = ms[x], ms[y]
                between = toks[m1.j:m2.i]
                explicit = y == x + 1 and len(between) <= 3 and between and all(
                    t in CONNECTORS or t in FILLER for t in between) and any(t in CONNECTORS for t in between)
                if (m1.base in STREET_STOP and not m1.typ) or (m2.base in STREET_STOP and not m2.typ):
                    continue
                relative = not explicit and _relative(between)
                if not explicit and not relative:
                    # implicit: both clearly streets, and the second is not a direction of travel
                    if not ((m1.strong or m1.cue) and (m2.strong or m2.cue)):
                        continue
                    if any(t in TRAVEL for t in toks[max(0, m2.i - 3):m2.i]):
                        continue
                    if y == x + 1 and len(between) == 0:
                        continue
                got = self._corner_lookup(m1, m2, near)
                if not got:
                    if explicit or relative:
                        e = self._street_pair(m1, m2, near)
                        if e is not None:
                            add(S_STREET_PAIR, e, m1.i, m2.j)
                    continue
                c, conf = got
                if explicit:
                    strong = any(t in STRONG_CONNECTORS for t in between)
                    score = (S_CORNER if strong else S_CORNER_WEAK) * conf
                elif relative:
                    score = S_CORNER_WEAK * conf
                else:
                    score = S_CORNER_IMPLICIT * conf
                lat, lon, disp, *_rest = c
                e = _Entry(lat, lon, disp, "point", c[9], "intersection", score)
                add(score, e, m1.i, m2.j)
                paired.update((x, y))
        # "X entre A y B": between two corners on X
        for x in range(len(ms) - 2):
            m0, m1, m2 = ms[x], ms[x + 1], ms[x + 2]
            if "entre" in toks[m0.j:m1.i] or "between" in toks[m0.j:m1.i]:
                g1, g2 = self._corner_lookup(m0, m1, near), self._corner_lookup(m0, m2, near)
                if g1 and g2:
                    (c1, f1), (c2, f2) = g1, g2
                    lat, lon = (c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2
                    sx, s1, s2 = (_side(c, m.base) for c, m in ((c1, m0), (c1, m1), (c2, m2)))
                    e = _Entry(lat, lon, f"{sx} between {s1} and {s2}", "point", self.areas.at(lat, lon),
                               "intersection", S_CORNER * min(f1, f2))
                    add(e.score + 0.01, e, m0.i, m2.j)
        # streets without a cross street score <= 0.5: only worth computing when nothing better was found
        best_so_far = max((c[0] for c in cands), default=0.0)
        for x, m in enumerate(ms if best_so_far < 0.6 else ()):
            if m.num and not m.strong:
                if not (m.i > 0 and toks[m.i - 1] in NUM_STREET_CUES):
                    continue
                score = S_STREET_NUM
            elif m.strong:
                score = S_STREET_TYPED
            elif m.cue and m.base in self.core_bases and m.base not in COMMON and m.base not in STREET_STOP:
                score = S_STREET_CUED
            else:
                continue
            e = self._street_only(m, near)
            if e:
                e.score = score
                add(score, e, m.i, m.j)
        # ---- ZIP codes
        for i, t in enumerate(toks):
            if len(t) == 5 and t.isdigit() and t[:2] == "55":
                z = self._zip(t)
                if z:
                    add(S_ZIP, z, i, i + 1)
        return cands

    def _zip(self, z: str) -> _Entry | None:
        row = self._zipmap.get(z)
        if row is None:
            return None
        return _Entry(row[2], row[3], f"ZIP {z} ({row[1].title()})", "area", row[4], "zip", S_ZIP)


def _side(cluster: list, base: str) -> str:
    """The display name of one street of a corner cluster ('Lake St E & 18 Av S', 'lake') -> 'Lake St E'."""
    for part in cluster[2].split(" & "):
        if part.lower().replace("west broadway", "broadway").startswith(base.split()[0]):
            return part
    return display_street(base, "", "")


def _cross_lines(a: list, b: list, p: list, q: list) -> tuple[float, float] | None:
    """Where a line through street a's samples nearest q crosses a line through b's samples nearest p."""
    kx = math.cos(math.radians(p[0]))

    def line(pts: list, at: list) -> LineString | None:
        near4 = sorted(pts, key=lambda u: (u[0] - at[0]) ** 2 + ((u[1] - at[1]) * kx) ** 2)[:4]
        if len(near4) < 2:
            return None
        xs = [u[1] * kx for u in near4]
        ys = [u[0] for u in near4]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        syy = sum((y - my) ** 2 for y in ys)
        sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
        if sxx + syy < 1e-12:
            return None
        ang = 0.5 * math.atan2(2 * sxy, sxx - syy)  # principal direction of the samples
        dx, dy = math.cos(ang) * 0.05, math.sin(ang) * 0.05
        return LineString([(mx - dx, my - dy), (mx + dx, my + dy)])

    la, lb = line(a, q), line(b, p)
    if la is None or lb is None:
        return None
    x = la.intersection(lb)
    if x.is_empty or x.geom_type != "Point":
        return None
    return x.y, x.x / kx


def _relative(between: list[str]) -> bool:
    """Words between two streets that place something relative to their corner ("a block south of",
    "just past", "a media cuadra de la"), never a direction of travel ("heading toward")."""
    if not between or len(between) > 8:
        return False
    k = 1 if between[0] == "," else 0
    anchor = False
    for q in range(k, len(between)):
        t = between[q]
        if t == "to":
            if q == 0 or between[q - 1] not in ("next", "close", "closer"):
                return False
        elif t in TRAVEL and t not in RELATIVE_WORDS:
            return False
        elif t not in RELATIVE_WORDS and t not in CONNECTORS and t not in FILLER:
            return False
        anchor = anchor or t in RELATIVE_ANCHORS
    return anchor


def _station_cue(ctoks: list[str], i: int, j: int) -> bool:
    n = len(ctoks)
    k = j
    steps = 0
    while k < n and steps < 5:
        t = ctoks[k]
        if t in STATION_CUES:
            if t == "stop" and k > 0 and ctoks[k - 1] == "bus":
                return False
            if t == "parada":
                return k + 2 < n and ctoks[k + 1] in ("del", "de") and ctoks[k + 2] in ("tren", "train", "lrt")
            return True
        if t not in STATION_SKIP and t != ",":
            break
        k += 1
        steps += 1
    for k in range(max(0, i - 5), i):
        t = ctoks[k]
        if t in STATION_CUES and t not in ("stop", "parada"):
            return True
    return False


def _area_cue(ctoks: list[str], i: int, j: int, bases: set) -> bool:
    cued = i > 0 and ctoks[i - 1] in AREA_CUES
    if not cued and i > 1 and ctoks[i - 1] in ("the", "el") and (ctoks[i - 2] in AREA_CUES or ctoks[i - 2] == "on"):
        cued = True
    if cued:
        nxt = ctoks[j] if j < len(ctoks) else ","
        return nxt not in TYPES and nxt not in ("&", "/", "y", "and", "con")
    if j < len(ctoks) and ctoks[j] in AREA_AFTER:
        return True
    return False


@functools.lru_cache(maxsize=4096)
def _span_pattern(toks: tuple[str, ...]) -> re.Pattern[str]:
    """Compiled once per token sequence: re's own cache (512) is too small for a city's place names."""
    parts = []
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
        back = range(len(text))
    else:
        f, back = _fold_map(text)
    m = _span_pattern(tuple(toks)).search(f)
    if not m or m.end() == m.start():
        return " ".join(toks)
    return text[back[m.start()]: back[m.end() - 1] + 1]


def _fold_map(text: str) -> tuple[str, list[int]]:
    folded = []
    back = []
    for idx, ch in enumerate(text):
        piece = unidecode(ch).lower() if ord(ch) > 127 else ch.lower()
        for pc in piece:
            folded.append(pc)
            back.append(idx)
    return "".join(folded), back


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
