"""The rq jobs. Boundaries sit where retry needs differ: draining reports vs delivering to one group."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timezone

from bot.core.models import Envelope
from bot.ingest import kick_drain
from workers import keys
from workers.delivery import deliver, send_reply  # noqa: F401  (rq resolves jobs by dotted path)
from workers.pipeline import process, record_latency, sweep
from workers.runtime import runtime

log = logging.getLogger(__name__)

BATCH = 100
MAX_DELIVERIES = 5
"""A message that failed this many times goes to the dead-letter stream instead of blocking the rest."""
DEAD_LETTERS = f"{keys.PREFIX}:inbox:dead"


def _consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _ensure_group(conn) -> None:  # type: ignore[no-untyped-def]
    try:
        conn.xgroup_create(keys.INBOX, keys.INBOX_GROUP, id="0", mkstream=True)
    except Exception as exc:  # BUSYGROUP: it exists
        if "BUSYGROUP" not in str(exc):
            raise


def drain_inbox() -> int:
    """rq job: process every waiting inbound message, in arrival order, in batches."""
    rt = runtime()
    conn = rt.conn
    conn.delete(keys.INBOX_DRAIN_PENDING)  # before reading: a message added from now on kicks a new drain
    _ensure_group(conn)
    consumer = _consumer()
    done = 0
    # Redis 6.2 answers [cursor, entries], 7.x adds deleted ids: the entries are second either way
    stale = conn.xautoclaim(keys.INBOX, keys.INBOX_GROUP, consumer, rt.settings.claim_idle_s * 1000, "0-0",
                            count=BATCH)[1]
    batches = [stale] if stale else []
    while True:
        for entries in batches:
            for entry_id, data in entries:
                if _handle(rt, entry_id, data):
                    done += 1
        got = conn.xreadgroup(keys.INBOX_GROUP, consumer, {keys.INBOX: ">"}, count=BATCH)
        if not got:
            break
        batches = [got[0][1]]
    return done


def _handle(rt, entry_id: bytes, data: dict[bytes, bytes]) -> bool:  # type: ignore[no-untyped-def]
    """One message, inside its own error boundary: a bad message never blocks the ones behind it."""
    conn = rt.conn
    try:
        envelope = Envelope.model_validate_json(data[b"e"])
        process(rt, envelope)
    except Exception:
        pending = conn.xpending_range(keys.INBOX, keys.INBOX_GROUP, min=entry_id, max=entry_id, count=1)
        times = pending[0]["times_delivered"] if pending else MAX_DELIVERIES
        log.exception("inbox entry %s failed (attempt %d)", entry_id.decode(), times)
        if times < MAX_DELIVERIES:
            return False  # stays pending; a later drain claims it again
        conn.xadd(DEAD_LETTERS, {**data, b"error": b"failed repeatedly"}, maxlen=10_000, approximate=True)
    pipe = conn.pipeline(transaction=True)
    pipe.xack(keys.INBOX, keys.INBOX_GROUP, entry_id)
    pipe.xdel(keys.INBOX, entry_id)  # processed messages leave Redis at once
    pipe.incr(keys.PROCESSED_COUNT)
    pipe.execute()
    if b"w" in data:
        record_latency(rt, float(data[b"w"]))
    return True


def sweep_incidents(now_iso: str | None = None) -> int:
    """rq job (periodic): expire quiet incidents, and re-kick the drain for messages a dead worker left."""
    rt = runtime()
    now = datetime.fromisoformat(now_iso) if now_iso else datetime.now(timezone.utc)
    expired = sweep(rt, now)
    _ensure_group(rt.conn)
    if rt.conn.xpending(keys.INBOX, keys.INBOX_GROUP)["pending"] or rt.conn.xlen(keys.INBOX):
        kick_drain(rt.conn, rt.queue, rt.settings.job_timeout_s)
    return expired
