"""Copy-paste detection: a forwarded or pasted report never counts as an independent one."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from alertrelay.bot.core.parsing import fold

COPY_SIMILARITY = 0.8
"""The corpus checker calls two texts copies at a difflib ratio of 0.8 on lowercased alphanumerics."""
_MIN_LENGTH = 12


def simplify(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def similarity(a: str, b: str) -> float:
    return fuzz.ratio(simplify(a), simplify(b)) / 100.0


def is_copy(text: str, earlier: Iterable[str], threshold: float = COPY_SIMILARITY, *,
            simplified: bool = False) -> bool:
    """Is `text` a copy of one of `earlier`? `simplified`: `earlier` went through simplify() already."""
    mine = simplify(text)
    if len(mine) < _MIN_LENGTH:
        return False
    for other in earlier:
        theirs = other if simplified else simplify(other)
        if len(theirs) < _MIN_LENGTH:
            continue
        if fuzz.ratio(mine, theirs) / 100.0 >= threshold:
            return True
        # "pls share: <the whole report>" and "<report> SHARE NOW!!!": one text contains the other
        shorter, longer = sorted((mine, theirs), key=len)
        if len(shorter) >= 40 and fuzz.partial_ratio(shorter, longer) / 100.0 >= 0.95:
            return True
    return False
