"""The one rq queue, job ids and retry policy per stage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

QUEUE_NAME = "relay"
"""One queue: rq's reliable dequeue (BLMOVE + recovery) only applies to a worker on exactly one queue."""

RETRY_DRAIN = Retry(max=5, interval=[1, 5, 15, 30, 60])
RETRY_DELIVERY = Retry(max=8, interval=[2, 5, 15, 30, 60, 120, 300, 600])


def make_queue(conn: redis.Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=conn, serializer=JSONSerializer)


def job_id(*parts: str) -> str:
    """rq job ids allow [A-Za-z0-9_-] only; long or odd parts are hashed."""
    raw = "-".join(parts)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raw)
    if len(safe) > 120 or safe != raw:
        safe = safe[:80] + "-" + hashlib.sha256(raw.encode()).hexdigest()[:16]
    return safe


def enqueue_once(queue: Queue, func: Callable[..., Any], *args: Any, id_: str, retry: Retry,
                 timeout_s: int, at_front: bool = False) -> bool:
    """Enqueue unless a job with this id exists (queued, running or finished recently). True if new."""
    try:
        queue.enqueue(func, *args, job_id=id_, unique=True, retry=retry, job_timeout=timeout_s,
                      result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600, at_front=at_front)
    except DuplicateJobError:
        return False
    return True
