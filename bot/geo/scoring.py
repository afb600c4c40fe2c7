"""Scoring: the candidate places a message's mentions and phrases may name (corners, street pairs, single
streets, stations, landmarks, areas, ZIPs), each with a score; the best one is the answer."""
from __future__ import annotations

import math

from shapely.geometry import LineString, Point

from alertrelay.bot.core.geometry import haversine_m

from .index import Cluster, IndexTables, Near, PairRow, StreetRow, canon
from .normalise import TYPES, display_street
from .result import _Candidate, _Entry, _Mention
from .words import (
    AREA_AFTER,
    AREA_CUES,
    COMMON,
    CONNECTORS,
    FILLER,
    NUM_STREET_CUES,
    RELATIVE_ANCHORS,
    RELATIVE_WORDS,
    STATION_CUES,
    STATION_SKIP,
    STREET_STOP,
    STRONG_CONNECTORS,
    TRAVEL,
)

S_CORNER = 0.95          # two streets joined by a connector and found in the index
S_CORNER_WEAK = 0.9      # joined by "near"/"by"/"cerca de"
S_CORNER_IMPLICIT = 0.78  # two streets named apart in the same message ("en la Lake, ahora en la 18 av")
S_STREET_PAIR = 0.64    # two streets joined, no corner in the index, but they come close: a street, not a corner
S_STREET_TYPED = 0.5
S_STREET_CUED = 0.45
S_STREET_NUM = 0.3
S_ZIP = 0.4
PAIR_MAX_M = 1000.0      # two streets whose sample points come this close may meet (_street_pair) ...
PAIR_EXTEND_M = 900.0    # ... and their lines may be extended this far from the samples to cross



class CandidateScoring(IndexTables):
    """Mixed into Gazetteer: reads PhraseIndex's tables, MentionFinder's mentions."""

    def _corner_lookup(self, m1: _Mention, m2: _Mention, near: Near) -> tuple[Cluster, float] | None:
        if m1.base == m2.base:
            # "25th St & 25th Ave": one number, two streets (key "25|25"). At least one type must be written,
            # and two different ones if both are; the written types decide which mention is which side.
            if m1.typ == m2.typ or not (m1.typ or m2.typ):
                return None
            orders: tuple[tuple[_Mention, _Mention], ...] = ((m1, m2), (m2, m1))
        else:
            orders = ((m1, m2),) if m1.base < m2.base else ((m2, m1),)
        clusters = self.inter.get(f"{orders[0][0].base}|{orders[0][1].base}")
        if not clusters:
            return None
        best = None
        scored: list[tuple[float, Cluster]] = []
        for c in clusters:
            lat, lon, _disp, ta, da, tb, db, city, support, _area = c
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

    def _street_pair(self, m1: _Mention, m2: _Mention, near: Near) -> _Entry | None:
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

    def _street_pair_uncached(self, m1: _Mention, m2: _Mention) -> PairRow | None:

        def variants(m: _Mention) -> list[StreetRow]:
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

    def _street_only(self, m: _Mention, near: Near) -> _Entry | None:
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

            def d2(p: list[float]) -> float:
                return (p[0] - near[0]) ** 2 + ((p[1] - near[1]) * kx) ** 2

            v = min(vs, key=lambda v: min(map(d2, v[6])))
            p = min(v[6], key=d2)
            if haversine_m(near[0], near[1], p[0], p[1]) < 3000:
                return _Entry(p[0], p[1], v[7], "area", self.areas.at(p[0], p[1]), "street", 0)
        else:
            v = max(vs, key=lambda v: v[3]) if not m.num else vs[0]
        return _Entry(v[4], v[5], v[7], "area", v[8], "street", 0)

    def _candidates(self, toks0: list[str], near: Near) -> list[_Candidate]:
        toks, fixed = self._correct(toks0)
        ctoks = [canon(t) for t in toks]
        n = len(toks)
        cands: list[_Candidate] = []

        def add(score: float, e: _Entry, i: int, j: int) -> None:
            pen = 0.05 if any(k in fixed for k in range(i, j)) else 0.0
            cands.append(_Candidate(score - pen + 0.004 * (j - i), e, (i, j), toks0))

        # ---- phrases: stations, aliases, areas, landmarks, parks, custom places
        for i in range(n):
            mx = self.phrase_max.get(ctoks[i])
            if not mx:
                continue
            for span in range(min(mx, n - i), 0, -1):
                key = tuple(ctoks[i:i + span])
                ents = self.phrases.get(key)
                if not ents:
                    continue
                for e in ents:
                    if e.need == "station" and not _station_cue(ctoks, i, i + span):
                        continue
                    if e.need == "area" and not _area_cue(ctoks, i, i + span, self.bases):
                        continue
                    score = e.score
                    if e.kind in ("neighbourhood", "district", "alias") and e.precision == "area" \
                            and i + span < n and (ctoks[i + span] in TYPES):
                        continue  # "Lake St"-like use of an area word: "Bryant Av", "Central & Broadway"
                    add(score, e, i, i + span)
        # a phrase inside a longer matched phrase does not count ("Lake Harriet" in "Lake Harriet Bandshell")
        if len(cands) > 1:
            spans = {c.span for c in cands}
            cands = [c for c in cands
                     if not any(a <= c.span[0] and c.span[1] <= b and (a, b) != c.span for a, b in spans)]
        # ---- context aliases ("the Cub on Lake", "Cub de la lake y minnehaha")
        tokset = set(toks)
        for stores, streets, gap, alias in self._ctx_aliases:
            if alias is None or not any(st[0] in tokset for st in stores) or not (streets & tokset):
                continue
            for k in range(n):
                for st in stores:
                    if tuple(toks[k:k + len(st)]) == st:
                        lo, hi = max(0, k - gap), min(n, k + len(st) + gap)
                        if any(toks[q] in streets for q in range(lo, hi)):
                            add(alias.score, alias, k, k + len(st))
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
                        pair = self._street_pair(m1, m2, near)
                        if pair is not None:
                            add(S_STREET_PAIR, pair, m1.i, m2.j)
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
        best_so_far = max((c.score for c in cands), default=0.0)
        for m in ms if best_so_far < 0.6 else ():
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
            street = self._street_only(m, near)
            if street:
                street.score = score
                add(score, street, m.i, m.j)
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


def _side(cluster: Cluster, base: str) -> str:
    """The display name of one street of a corner cluster ('Lake St E & 18 Av S', 'lake') -> 'Lake St E'."""
    display: str = cluster[2]
    for part in display.split(" & "):
        if part.lower().replace("west broadway", "broadway").startswith(base.split()[0]):
            return part
    return display_street(base, "", "")


def _cross_lines(a: list[list[float]], b: list[list[float]], p: list[float], q: list[float]
                 ) -> tuple[float, float] | None:
    """Where a line through street a's samples nearest q crosses a line through b's samples nearest p."""
    kx = math.cos(math.radians(p[0]))

    def line(pts: list[list[float]], at: list[float]) -> LineString | None:
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
    if x.is_empty or not isinstance(x, Point):  # shapely 2: geom_type "Point" is exactly the Point class
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
        elif (t in TRAVEL and t not in RELATIVE_WORDS) \
                or (t not in RELATIVE_WORDS and t not in CONNECTORS and t not in FILLER):
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


def _area_cue(ctoks: list[str], i: int, j: int, bases: set[str]) -> bool:
    cued = i > 0 and ctoks[i - 1] in AREA_CUES
    if not cued and i > 1 and ctoks[i - 1] in ("the", "el") and (ctoks[i - 2] in AREA_CUES or ctoks[i - 2] == "on"):
        cued = True
    if cued:
        nxt = ctoks[j] if j < len(ctoks) else ","
        return nxt not in TYPES and nxt not in ("&", "/", "y", "and", "con")
    return j < len(ctoks) and ctoks[j] in AREA_AFTER
