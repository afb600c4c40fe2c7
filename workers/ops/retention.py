"""Retention: nothing about a report outlives report_ttl_s; the audit trail is capped by length and age;
`alertrelay purge` deletes everything about incidents and reports at once.

Report and incident keys carry their own TTL (≤ report_ttl_s, set where they are written). What has no
TTL is trimmed here: streams, by the age of their entry ids (a Redis stream id is the ms time it was
added), on every write of the audit trail and on every periodic sweep (workers/jobs.py sweep_incidents)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from alertrelay.bot import keys
from alertrelay.bot.queues import QUEUE_NAME
from alertrelay.workers.key_names import KEY_NAMES
from alertrelay.workers.redis_conn import as_fields

CONFIGURATION = frozenset({keys.CONFIG_SEEDED, keys.CONFIG_REV, keys.GROUPS, keys.POLICY, keys.ADMINS,
                           keys.VERIFIERS, keys.PLACES, keys.NAMED_AREAS, keys.AREA_POLICIES, keys.RIGHTS,
                           keys.VERIFIER_INFO, keys.KEY_CHECK, keys.REGIONS, KEY_NAMES})
"""What purge keeps: what `alertrelay export` backs up, the key check, and the key names' version."""
OPT_OUTS_PREFIX = keys.twilio.suppressed("")
"""STOP opt-outs are kept too: a member who left must not be messaged after a purge."""
RQ_DATA = ("rq:job:*", "rq:results:*", "rq:executions:*", "rq:execution:*")
RQ_QUEUE_KEYS = ("queue", "wip", "finished", "failed", "deferred", "scheduled", "canceled")


def min_id(now_s: float, max_age_s: int) -> str:
    """The oldest stream id to keep: entries added more than max_age_s ago go."""
    return f"{max(0, int((now_s - max_age_s) * 1000))}-0"


def write_audit(conn: redis.Redis, entry: dict[str, str], *, max_entries: int, max_age_s: int,
                now_s: float | None = None) -> None:
    """XADD capped by length (MAXLEN ~) and then by age (XTRIM MINID ~), in one round trip."""
    pipe = conn.pipeline(transaction=False)
    pipe.xadd(keys.AUDIT, as_fields(entry), maxlen=max_entries, approximate=True)
    pipe.xtrim(keys.AUDIT, minid=min_id(time.time() if now_s is None else now_s, max_age_s), approximate=True)
    pipe.execute()


def trim_streams(conn: redis.Redis, *, report_ttl_s: int, audit_max_age_s: int, now_s: float) -> None:
    """The periodic part: streams that hold reports or people (dead letters keep a message's text and
    sealed reply address; operator warnings name members) lose what is older than report_ttl_s."""
    pipe = conn.pipeline(transaction=False)
    for stream in (keys.INBOX_DEAD, keys.twilio.WARNINGS):
        pipe.xtrim(stream, minid=min_id(now_s, report_ttl_s), approximate=False)
    pipe.xtrim(keys.AUDIT, minid=min_id(now_s, audit_max_age_s), approximate=True)
    pipe.execute()


@dataclass
class PurgeReport:
    relay_keys: int = 0
    rq_keys: int = 0


def is_configuration(name: str, keep_audit: bool) -> bool:
    return name in CONFIGURATION or name.startswith(OPT_OUTS_PREFIX) or (keep_audit and name == keys.AUDIT)


def purge(conn: redis.Redis, *, keep_audit: bool = False, queue_conn: redis.Redis | None = None) -> PurgeReport:
    """Delete every incident, report, alert, delivery record, pending question, sender note and queued or
    finished job; keep the configuration. Stop the relay first: a message in flight could write again.
    `queue_conn`: rq's Redis when it is not the store's (ALERTRELAY_QUEUE_REDIS_URL)."""
    report = PurgeReport()
    doomed = [raw for raw in conn.scan_iter(match=f"{keys.PREFIX}:*", count=1000)
              if not is_configuration(raw.decode("utf-8", "replace"), keep_audit)]
    report.relay_keys = _unlink(conn, doomed)
    rq = conn if queue_conn is None else queue_conn
    rq_doomed = [raw for pattern in RQ_DATA for raw in rq.scan_iter(match=pattern, count=1000)]
    rq_doomed += [f"rq:{kind}:{queue}".encode() for kind in RQ_QUEUE_KEYS for queue in (QUEUE_NAME,)]
    report.rq_keys = _unlink(rq, rq_doomed)
    return report


def _unlink(conn: redis.Redis, names: list[bytes]) -> int:
    deleted = 0
    for start in range(0, len(names), 500):
        deleted += conn.unlink(*names[start:start + 500])
    return deleted
