"""The one-off move of keys an older release named without a Redis Cluster hash tag (bot/keys.py).

The configuration (`relay:config:*`, the rotation's `relay:ops:*`, the STOP opt-outs) now shares the tag
`{config}`, the Signal pairings `{signal}` and the Twilio keys `{twilio}`, so that each transaction and
script over several of them touches one cluster slot. Every process that opens the store (`Runtime`, the
operations commands) calls `migrate_key_names` first: one GET once the move is done (an empty store is
left empty, and looked at again next time). The move is
idempotent and survives a crash halfway (a key is copied with DUMP/RESTORE, its TTL kept, then the old
one deleted; a key already at its new name is never overwritten), and it works across cluster slots,
where RENAME does not. Stop the old release's processes first: one still running would write old names.
"""

from __future__ import annotations

import redis

from alertrelay.bot import keys

KEY_NAMES = f"{keys.CONFIG_PREFIX}:key-names"
"""Present (value KEY_NAMES_VERSION) once this store's keys have their hash tags."""
KEY_NAMES_VERSION = b"2"

RENAMES: tuple[tuple[str, str], ...] = (
    (f"{keys.PREFIX}:config:", f"{keys.CONFIG_PREFIX}:"),
    (f"{keys.PREFIX}:ops:", f"{keys.CONFIG_PREFIX}:ops:"),
    (f"{keys.PREFIX}:twilio:suppressed:", keys.twilio.suppressed("")),
    (f"{keys.PREFIX}:twilio:", f"{keys.TWILIO}:"),
    (f"{keys.PREFIX}:signal:pairing:", keys.signal_pairing("")),
)
"""Old prefix → new prefix, the first that matches wins (opt-outs before the rest of Twilio's keys)."""


def new_name(old: str) -> str | None:
    """The tagged name of a key an older release wrote, None if it needs no move."""
    for before, after in RENAMES:
        if old.startswith(before):
            return after + old[len(before):]
    return None


def migrate_key_names(conn: redis.Redis) -> int:
    """Move every untagged key to its tagged name (once per store). Answers how many keys moved."""
    if conn.get(KEY_NAMES) == KEY_NAMES_VERSION:
        return 0
    moved = 0
    for before, _after in RENAMES:
        for raw in conn.scan_iter(match=f"{before}*", count=1000):
            old = raw.decode("utf-8", "surrogateescape")
            target = new_name(old)
            if target is not None and _move(conn, old, target):
                moved += 1
    if moved or next(iter(conn.scan_iter(match=f"{keys.PREFIX}:*", count=1000)), None) is not None:
        conn.set(KEY_NAMES, KEY_NAMES_VERSION)  # not in an empty store: `import` wants it untouched
    return moved


def _move(conn: redis.Redis, old: str, target: str) -> bool:
    dumped = conn.dump(old)
    if dumped is None:  # expired or moved meanwhile
        return False
    if not conn.exists(target):
        ttl_ms = int(conn.pttl(old))
        try:
            conn.restore(target, max(ttl_ms, 0), dumped)
        except redis.ResponseError as err:
            if "BUSYKEY" not in str(err):  # another process moved it first
                raise
    conn.delete(old)
    return True
