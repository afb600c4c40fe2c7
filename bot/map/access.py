"""Who may see the map and the feeds: signed expiring links (/map in chat), the dashboard token
(ALERTRELAY_MAP_TOKEN), session cookies, and the feeds' mode (off | token | public).

A signed value is `base64url(json).base64url(hmac-sha256)`, keyed by a key derived from the relay's secret
key for this one purpose, so a map link can never be mistaken for a pseudonym or a seal. Tokens are never
logged; a refused request logs only why.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Literal

import redis

from alertrelay.bot import keys, replies

FeedsMode = Literal["off", "token", "public"]
FEEDS_MODES: tuple[FeedsMode, ...] = ("off", "token", "public")
DASHBOARD = "dashboard"
"""The `who` of a session opened with the dashboard token (a screen, not a person)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: bytes, purpose: str = "alertrelay map v1"):
        self._key = hmac.new(secret, purpose.encode(), hashlib.sha256).digest()

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def sign(self, who: str, expires_at: float, kind: str) -> str:
        body = _b64(json.dumps({"w": who, "e": int(expires_at), "k": kind}, separators=(",", ":")).encode())
        return f"{body}.{self._mac(body)}"

    def verify(self, value: str | None, kind: str, now: float) -> tuple[str, float] | None:
        """(who, expires_at) of a valid, unexpired value of this kind; None otherwise."""
        if not value or value.count(".") != 1 or len(value) > 400:
            return None
        body, mac = value.split(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        try:
            data = json.loads(_unb64(body))
        except ValueError:
            return None
        if data.get("k") != kind or float(data.get("e", 0)) <= now:
            return None
        return str(data["w"]), float(data["e"])


def token_matches(given: str | None, expected: str | None) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def may_see_map(conn: redis.Redis, who: str) -> bool:
    """A person's link works only while they are still an admin or a verifier."""
    if who == DASHBOARD:
        return True
    pipe = conn.pipeline(transaction=False)
    pipe.sismember(keys.ADMINS, who)
    pipe.sismember(keys.VERIFIERS, who)
    return any(pipe.execute())


def feeds_mode(conn: redis.Redis, default: FeedsMode) -> FeedsMode:
    """What /feeds last set, else the ALERTRELAY_FEEDS setting."""
    raw = conn.get(keys.FEEDS_MODE)
    mode = replies.text(raw) if raw else default
    for known in FEEDS_MODES:  # the Literal it is, not just a str equal to one
        if mode == known:
            return known
    return "off"
