"""Mention extraction: the spans of a (corrected) token list that name a street, with its type,
direction and cues."""
from __future__ import annotations

from .index import IndexTables
from .normalise import DATA_ONLY_TYPES, DIRS, PRE_TYPES, TYPES, ordinal
from .result import _Mention
from .words import COUNT_NOUNS, CUES, FILLER


class MentionFinder(IndexTables):
    """Mixed into Gazetteer: reads the street bases PhraseIndex builds."""

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
                for span in range(min(self.base_max[toks[j]], n - j), 0, -1):
                    cand = " ".join(toks[j:j + span])
                    if cand in self.bases:
                        if span > 1 and toks[j + span - 1] in TYPES and " ".join(toks[j:j + span - 1]) in self.bases \
                                and not (j + span < n and toks[j + span] in TYPES):
                            continue  # "River Terrace E" is River Ter, not a street named "River Terrace"
                        base = cand
                        j += span
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
            if j < n and toks[j] in DIRS and (typ or num) and (len(toks[j]) <= 2 or typ) \
                    and not (toks[j] == "e" and j + 1 < n and not typ and toks[j + 1] in self.bases
                             and toks[j + 1] not in (",", "&", "/", "y", "and", "at", "con")):
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
                if nxt in COUNT_NOUNS or not (
                        joined or nxt in (",", "&", "/", "y", "and", "con", "x", "at", "e", "n", "@") or nxt in TYPES):
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
