"""A bounded memo: a dict that empties itself when full. The geocoder's lookups repeat (forwards, the same
corner, the same typo) and their inputs are unbounded, so each memo is capped; emptying at the cap is
cheaper than LRU bookkeeping and loses nothing but speed."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

GEOCODE_MEMO_MAX = 4096  # a text (and where it was sent from) → its place
FUZZY_MEMO_MAX = 20000  # a token → its spelling correction
AT_MEMO_MAX = 8192  # a point → the neighbourhood it is in


class BoundedMemo(Generic[K, V]):
    def __init__(self, max_items: int) -> None:
        self.max_items = max_items
        self._items: dict[K, V] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The remembered value for `key`, else `compute()` remembered (None included)."""
        try:
            return self._items[key]
        except KeyError:
            pass
        value = compute()
        if len(self._items) >= self.max_items:
            self._items.clear()
        self._items[key] = value
        return value

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
