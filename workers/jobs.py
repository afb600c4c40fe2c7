"""The rq jobs. Boundaries sit where retry needs differ: draining reports vs delivering to one group."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from datetime import UTC, datetime

import redis

from alertrelay.bot import keys
from alertrelay.bot.core.models import Envelope
from alertrelay.bot.ingest import kick_drain
from alertrelay.bot.regions import all_regions
from alertrelay.bot.scripts import run_script
from alertrelay.workers.batch import Batch
from alertrelay.workers.delivery import flush
from alertrelay.workers.ops.retention import trim_streams
from alertrelay.workers.pipeline import process, sweep, sweep_on_message_clock
from alertrelay.workers.recovery import ensure_drain
from alertrelay.workers.redis_conn import as_fields
from alertrelay.workers.runtime import Runtime, runtime

log = logging.getLogger(__name__)

BATCH = 100
MAX_DELIVERIES = 5
"""A message that failed this many times goes to the dead-letter stream instead of blocking the rest."""
DEAD_LETTERS = keys.INBOX_DEAD
InboxEntry = tuple[bytes, dict[bytes, bytes]]
"""(stream entry id, fields) as XREADGROUP and XAUTOCLAIM answer them."""


def _consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _ensure_group(conn: redis.Redis, region: keys.Region) -> None:
    try:
        conn.xgroup_create(region.inbox, keys.INBOX_GROUP, id="0", mkstream=True)
    except Exception as exc:  # BUSYGROUP: it exists
        if "BUSYGROUP" not in str(exc):
            raise


def drain_inbox(region_name: str = "") -> int:
    """rq job: process every waiting inbound message of one region, in arrival order, in batches.

    One drainer per region at a time (a Redis lease): decisions then follow message order exactly,
    concurrent drains never fight over the same incidents, and other workers are free for deliveries or
    other regions' drains. A drainer that dies holding the lease loses it after claim_idle_s; its
    unfinished messages are claimed again.
    """
    rt = runtime()
    conn = rt.conn
    region = keys.region(region_name)
    conn.delete(region.drain_pending)  # before reading: a message added from now on kicks a new drain
    lease_ms = max(1, rt.settings.claim_idle_s) * 1000
    token = f"{_consumer()}-{time.monotonic_ns()}"
    if not conn.set(region.drainer, token, nx=True, px=lease_ms):
        return 0  # the drainer at work reads on until the inbox is empty, or kicks a new drain when it stops
    try:
        done = _drain(rt, region, token, lease_ms)
    finally:
        _release(conn, region, token)
    if conn.xlen(region.inbox):  # arrived between our last read and the release: nobody else will look
        kick_drain(conn, rt.queue, rt.settings.job_timeout_s, rt.settings.claim_idle_s, region)
    return done


_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _release(conn: redis.Redis, region: keys.Region, token: str) -> None:
    run_script(conn, _RELEASE, keys=[region.drainer], args=[token])


def _drain(rt: Runtime, region: keys.Region, token: str, lease_ms: int) -> int:
    conn = rt.conn
    _ensure_group(conn, region)
    consumer = _consumer()
    # Redis 6.2 answers [cursor, entries], 7.x adds deleted ids: the entries are second either way
    batch = conn.xautoclaim(region.inbox, keys.INBOX_GROUP, consumer, rt.settings.claim_idle_s * 1000, "0-0",
                            count=BATCH)[1]
    done = 0
    while True:
        if batch:
            done += _process_batch(rt, region, batch)
            if not run_script(conn, _RENEW, keys=[region.drainer], args=[token, lease_ms]):
                log.warning("drain lease lost (a batch took over %d ms); leaving the inbox to the new drainer",
                            lease_ms)
                return done
        got = conn.xreadgroup(keys.INBOX_GROUP, consumer, {region.inbox: ">"}, count=BATCH)
        if not got:
            return done
        assert isinstance(got, list)  # connect() speaks RESP2: [[stream, entries]], not RESP3's map
        batch = got[0][1]


def _process_batch(rt: Runtime, region: keys.Region, entries: list[InboxEntry]) -> int:
    """Process, then queue the batch's deliveries and replies, then acknowledge: a crash before the ack means
    the batch is processed again, which the idempotent stages turn into no-ops."""
    rt.refresh_config()  # once per batch; a command refreshes it again after changing it
    rt.open_incidents(region).sync(rt.conn)  # catch up with what changed since this process last drained
    envelopes = [_decode(data) for _, data in entries]
    batch = Batch(region)  # what the pipeline reads and writes: this region's keys, incidents and groups
    batch.sender_keys.prefetch(rt.conn, [(e.reporter, e.quote_ref) for e in envelopes if isinstance(e, Envelope)],
                               region)
    finished = [entry for entry, envelope in zip(entries, envelopes) if _handle(rt, region, batch, *entry, envelope)]
    flush(rt, batch)
    if not finished:
        return 0
    now = time.time()
    pipe = rt.conn.pipeline(transaction=True)
    for entry_id, _ in finished:
        pipe.xack(region.inbox, keys.INBOX_GROUP, entry_id)
        pipe.xdel(region.inbox, entry_id)  # processed messages leave Redis at once
    latencies = [round((now - float(data[b"w"])) * 1000, 3) for _, data in finished if b"w" in data]
    if latencies:  # the region's own: this transaction stays in one Redis Cluster slot
        pipe.lpush(region.latency, *latencies)
        pipe.ltrim(region.latency, 0, 99_999)
    pipe.incrby(region.processed_count, len(finished))
    pipe.execute()
    return len(finished)


def _decode(data: dict[bytes, bytes]) -> Envelope | Exception:
    try:
        return Envelope.model_validate_json(data[b"e"])
    except Exception as exc:  # noqa: BLE001  any failure is this message's: _handle reports it in its boundary
        return exc


def _handle(rt: Runtime, region: keys.Region, batch: Batch, entry_id: bytes, data: dict[bytes, bytes],
            envelope: Envelope | Exception) -> bool:
    """One message, inside its own error boundary: a bad message never blocks the ones behind it.
    True when it is finished with (processed, or given up on into the dead-letter stream)."""
    conn = rt.conn
    try:
        if isinstance(envelope, Exception):
            raise envelope
        batch.arrived_at_s = float(data[b"w"]) if b"w" in data else None
        if keys.INBOX_SWEEP_FIELD in data:  # a drill message: message time is the clock
            sweep_times = [datetime.fromisoformat(at) for at in json.loads(data[keys.INBOX_SWEEP_FIELD])]
            sweep_on_message_clock(rt, batch, sweep_times)
        process(rt, batch, envelope)
    except Exception:
        pending = conn.xpending_range(region.inbox, keys.INBOX_GROUP, min=entry_id, max=entry_id, count=1)
        times = int(pending[0]["times_delivered"]) if pending else MAX_DELIVERIES
        log.exception("inbox entry %s failed (attempt %d)", entry_id.decode(), times)
        if times < MAX_DELIVERIES:
            return False  # stays pending; a later drain claims it again
        conn.xadd(DEAD_LETTERS, {**as_fields(data), b"error": b"failed repeatedly"}, maxlen=10_000, approximate=True)
    return True


def resend_twilio(sid: str, reason: str) -> str | None:
    """rq job: resend a message Twilio failed after accepting it (a status receipt queues it:
    bot/transports/twilio_status.py::queue_resend), by this worker's own TwilioSender."""
    from alertrelay.bot.transports.twilio_sender import TwilioSender  # the twilio client loads only where it sends

    rt = runtime()
    sender = rt.channel_sender("whatsapp")
    if not isinstance(sender, TwilioSender):  # this process sends by another route: one made for the resend
        sender = TwilioSender.from_settings(rt.settings, rt.conn)
    return sender.resend(sid, reason)


def sweep_incidents(now_iso: str | None = None) -> int:
    """rq job (periodic): expire quiet incidents, and queue a drain for messages no drain will read (a dead
    worker's, or behind a drain-pending flag whose job is gone)."""
    rt = runtime()
    now = datetime.fromisoformat(now_iso) if now_iso else datetime.now(UTC)
    expired = 0
    for region in all_regions(rt.conn):
        expired += sweep(rt, region, None, now)  # outside a drain: its updates are queued at once
        _ensure_group(rt.conn, region)
    trim_streams(rt.conn, report_ttl_s=rt.settings.report_ttl_s, audit_max_age_s=rt.settings.audit_max_age_s,
                 now_s=time.time())  # by the clock streams are stamped with, not the sweep's `now`
    ensure_drain(rt)  # messages a dead worker read stay in the stream (unacknowledged) until processed
    return expired
