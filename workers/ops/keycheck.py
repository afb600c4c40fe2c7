"""Which secret key sealed the data in this Redis: a keyed check value, never the key itself."""

from __future__ import annotations

import hashlib
import hmac

import redis

from alertrelay.bot import keys, replies
from alertrelay.bot.errors import WrongSecretKey

_CHECK_LABEL = b"alertrelay/key-check\0"
_CHECK_MESSAGE = b"alertrelay: this Redis was sealed with this key"


def key_check_value(secret: bytes) -> str:
    """An HMAC of a constant: equal for the same key, tells nothing about the key (or the people)."""
    mac_key = hashlib.sha256(_CHECK_LABEL + secret).digest()
    return hmac.new(mac_key, _CHECK_MESSAGE, hashlib.sha256).hexdigest()[:32]


def stored_key_check(conn: redis.Redis) -> str | None:
    raw = conn.get(keys.KEY_CHECK)
    return replies.text(raw) if raw is not None else None


def ensure_key_check(conn: redis.Redis, secret: bytes) -> None:
    """At start: note the key's check value if there is none yet; refuse a key other than the one noted
    (every pseudonym would change and no sealed member number would open)."""
    if conn.exists(keys.ROTATION):
        raise WrongSecretKey("a key rotation is half done: run `alertrelay rotate-key` again with the same "
                             "old and new keys to finish it before starting the relay")
    mine = key_check_value(secret)
    conn.set(keys.KEY_CHECK, mine, nx=True)
    stored = stored_key_check(conn)
    if stored != mine:
        raise WrongSecretKey(
            "the secret key is not the one that sealed the data in this Redis: set ALERTRELAY_SECRET_KEY "
            "(or data_dir/secret.key) back to that key, or move to a new one with `alertrelay rotate-key`")
