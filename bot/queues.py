"""The one rq queue, job ids, and every stage's retry policy (the bot's and the workers' jobs alike)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer
from rq.types import FunctionReferenceType

QUEUE_NAME = "relay"
"""One queue: rq's reliable dequeue (BLMOVE + recovery) only applies to a worker on exactly one queue."""

RETRY_KICK = Retry(max=3, interval=[1, 5, 15])
"""The drain job ingest queues (bot/ingest.py kick_drain)."""
RETRY_DRAIN = Retry(max=5, interval=[1, 5, 15, 30, 60])
"""A drain or sweep the workers queue."""
RETRY_DELIVERY = Retry(max=8, interval=[2, 5, 15, 30, 60, 120, 300, 600])
RETRY_REACTION = Retry(max=3, interval=[5, 30, 120])
RETRY_TWILIO_RESEND = Retry(max=5, interval=[2, 5, 15, 60, 300])
"""A message Twilio failed after accepting it (workers/jobs.py::resend_twilio)."""


def make_queue(conn: redis.Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=conn, serializer=JSONSerializer)


def job_id(*parts: str) -> str:
    """rq job ids allow [A-Za-z0-9_-] only; long or odd parts are hashed."""
    raw = "-".join(parts)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raw)
    if len(safe) > 120 or safe != raw:
        safe = safe[:80] + "-" + hashlib.sha256(raw.encode()).hexdigest()[:16]
    return safe


def enqueue_once(queue: Queue, func: FunctionReferenceType, *args: Any, id_: str, retry: Retry,
                 timeout_s: int, at_front: bool = False, delay_s: int = 0) -> bool:
    """Enqueue unless a job with this id exists (queued, running or finished recently). True if new.
    With delay_s, scheduled that much later (rq does not check a scheduled job's id for duplicates)."""
    options: dict[str, Any] = dict(job_id=id_, unique=True, retry=retry, job_timeout=timeout_s,
                                   result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600)
    try:
        if delay_s:
            queue.enqueue_in(timedelta(seconds=delay_s), func, *args, **options)
        else:
            queue.enqueue(func, *args, at_front=at_front, **options)
    except DuplicateJobError:
        return False
    return True
