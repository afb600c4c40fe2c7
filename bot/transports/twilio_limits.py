"""Twilio's sending state in Redis, shared by every worker: opt-outs (STOP), slow-downs after Twilio's
rate errors, and the rate limiter."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import redis

from alertrelay.bot.identity import Identity
from alertrelay.bot.keys import twilio as tk
from alertrelay.bot.transports.twilio_wire import channel_of

log = logging.getLogger(__name__)

def suppress(conn: redis.Redis, channel: str, member: str) -> None:
    conn.sadd(tk.suppressed(channel), member)


def is_suppressed(conn: redis.Redis, identity: Identity, number: str, channel: str | None = None) -> bool:
    """Has `number` opted out (STOP, or Twilio's 21610) on `channel` (default: the channel its form implies)?"""
    member = identity.pseudonym(number)
    return bool(conn.sismember(tk.suppressed(channel or channel_of(number)), member))


def slow_down(conn: redis.Redis, channel: str, seconds: int, warning: str) -> None:
    """Halve the channel's send rate for a while and leave a warning for the admins."""
    if conn.set(tk.slowdown(channel), "1", nx=True, ex=seconds):
        conn.xadd(tk.WARNINGS, {"at": datetime.now(UTC).isoformat(), "channel": channel, "text": warning},
                  maxlen=tk.WARNINGS_MAXLEN, approximate=True)
        log.warning("%s (for %d s)", warning, seconds)


_ACQUIRE = """
-- GCRA with reservation: every caller gets the next free slot and is told how long to wait for it.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then interval = interval * 2 end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
redis.call('SET', KEYS[1], string.format('%.3f', tat + interval), 'PX', math.floor(tat + interval - now) + 1000)
return string.format('%.3f', tat - now)
"""


class RateLimiter:
    """One sender's rate across every worker process: slots handed out by Redis, spaced 1/rate apart."""

    def __init__(self, conn: redis.Redis, channel: str, rate_per_s: float):
        self.conn = conn
        self.channel = channel
        self.interval_ms = 1000.0 / max(rate_per_s, 0.001)
        self._script = conn.register_script(_ACQUIRE)

    def acquire(self) -> float:
        """Block until this caller's slot; returns the seconds waited."""
        wait_ms = float(self._script(keys=[tk.rate(self.channel), tk.slowdown(self.channel)],
                                     args=[repr(self.interval_ms)]))
        if wait_ms > 0:
            time.sleep(wait_ms / 1000)
        return wait_ms / 1000
