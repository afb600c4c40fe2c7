"""Fuzzy correction: misspelt words of a message mapped onto the index's vocabulary (rapidfuzz), never
onto words people write for other reasons."""
from __future__ import annotations

from rapidfuzz import fuzz, process

from .index import IndexTables
from .normalise import PRE_TYPES, TYPES
from .words import COMMON, CONNECTORS, CUES, STATION_CUES, STRONG_CONNECTORS

PLACE_NOUNS = {"parque", "park", "station", "estacion", "mercado", "iglesia", "escuela", "school", "church",
               "tienda", "store", "barrio", "colegio", "biblioteca", "library", "hospital", "clinica", "plaza"}




class FuzzyCorrection(IndexTables):
    """Mixed into Gazetteer: reads the vocabulary PhraseIndex builds."""

    def _fuzzy(self, tok: str, streets_only: bool = False) -> str | None:
        """Memoised per instance (bounded); add_place clears it, since it changes the vocabulary."""
        return self._fuzzy_memo.get((tok, streets_only), lambda: self._fuzzy_uncached(tok, streets_only))

    def _fuzzy_uncached(self, tok: str, streets_only: bool) -> str | None:
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
