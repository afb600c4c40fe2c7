"""Crash recovery within claim_idle_s, not rq's minute.

rq recovers a dead worker's job only when its started-registry entry expires (job_timeout + grace), a job
it had dequeued but not started a fixed minute after its maintenance first sees it, and a retry only when
the scheduler lock the dead worker held has expired. Every worker process here runs a keeper thread
instead: it writes a heartbeat for its rq worker every liveness_s / 4, and one keeper at a time runs a
recovery pass that

  (a) puts back on the queue a job left in rq's intermediate queue (dequeued, never started) for
      liveness_s: a live worker starts a job within milliseconds of taking it;
  (b) puts back on the queue a started job whose worker has not beaten for liveness_s (one of its retries);
  (c) puts on the queue a retry overdue by liveness_s (the scheduler is not running: its lock holder died);
  (d) queues a drain when the inbox holds messages, nobody holds the drain lease and the drain-pending
      flag's job is neither queued nor running (the flag is then stale: cleared first).

liveness_s is claim_idle_s / 2, so a dead worker's jobs are back on the queue within claim_idle_s, and the
drain lease of a dead drainer expires after claim_idle_s. Job ids are kept: a job put back is the same job,
and the stages it runs are idempotent (a worker wrongly taken for dead costs a repeat, never a double send:
each send is claimed per recipient).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import redis
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.utils import parse_composite_key

from alertrelay.bot import keys, replies
from alertrelay.bot.ingest import kick_drain
from alertrelay.bot.regions import all_regions
from alertrelay.bot.scripts import run_script
from alertrelay.config.settings import Settings
from alertrelay.workers.runtime import Runtime

log = logging.getLogger(__name__)

LIVE_STATUSES = (b"queued", b"started")
"""A drain job in one of these will read the inbox; any other (finished, failed, scheduled, gone) will not
soon enough."""


def liveness_s(settings: Settings) -> float:
    """A worker whose heartbeat is older than this is dead."""
    return max(1.0, settings.claim_idle_s / 2)


def beat_interval_s(settings: Settings) -> float:
    """How often a keeper beats and may run a recovery pass: four beats fit in one liveness window."""
    return liveness_s(settings) / 4


_BEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], now, ARGV[1])
return tostring(now)
"""


def beat(conn: redis.Redis, worker_name: str) -> float:
    """Record that `worker_name` is alive, at Redis's clock (workers on several hosts agree on it)."""
    return float(run_script(conn, _BEAT, keys=[keys.WORKER_BEATS], args=[worker_name]))


def forget(conn: redis.Redis, worker_name: str) -> None:
    """A worker that stopped cleanly left no job behind: nothing to recover from it."""
    conn.zrem(keys.WORKER_BEATS, worker_name)


# rq reads every execution its job's registry lists when the job ends, and fails the job if one is gone
# (an abandoned execution whose hash expired is listed for another minute): a job goes back on the queue
# with only the executions that still exist. ARGV[1]: rq's execution key prefix for the job.
_PRUNE = """
local function prune(registry, prefix)
  for _, id in ipairs(redis.call('ZRANGE', registry, 0, -1)) do
    if redis.call('EXISTS', prefix .. id) == 0 then redis.call('ZREM', registry, id) end
  end
end
"""

# A started job back on the queue, if it is still registered as started (so one pass, or rq's own
# cleanup, moves it once); one of its retries is used up. Answers 1 if requeued, -1 if no retry is left.
_REQUEUE_STARTED = _PRUNE + """
if redis.call('ZSCORE', KEYS[1], ARGV[2]) == false then return 0 end
local left = tonumber(redis.call('HGET', KEYS[2], 'retries_left') or '')
if not left or left < 1 then return -1 end
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[4])
prune(KEYS[5], ARGV[1])
redis.call('HSET', KEYS[2], 'status', 'queued', 'retries_left', left - 1)
redis.call('LPUSH', KEYS[3], ARGV[3])
return 1
"""

# A job left in the intermediate queue (or overdue in the scheduled registry) back on the queue, if it is
# still there.
_REQUEUE_LISTED = _PRUNE + """
local removed
if ARGV[3] == 'list' then removed = redis.call('LREM', KEYS[1], 1, ARGV[2])
else removed = redis.call('ZREM', KEYS[1], ARGV[2]) end
if removed == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
prune(KEYS[4], ARGV[1])
redis.call('HSET', KEYS[2], 'status', 'queued')
redis.call('LPUSH', KEYS[3], ARGV[2])
return 1
"""

_CLEAR_FLAG = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _redis_now(conn: redis.Redis) -> float:
    seconds, micros = conn.time()
    return seconds + micros / 1_000_000


def _note(conn: redis.Redis, at: float, what: str, job_id: str) -> None:
    log.warning("recovery: %s %s", what, job_id)
    pipe = conn.pipeline(transaction=False)
    pipe.lpush(keys.RECOVERIES, json.dumps({"at": round(at, 3), "what": what, "job": job_id}))
    pipe.ltrim(keys.RECOVERIES, 0, keys.RECOVERIES_MAX - 1)
    pipe.execute()


def recover(rt: Runtime) -> list[tuple[str, str]]:
    """One recovery pass. Answers what it did: (what, job id) pairs."""
    conn, queue, settings = rt.conn, rt.queue, rt.settings
    qconn = rt.queue_conn  # rq's keys; the relay's own (beats, stranded-seen, notes) are the store's
    window_s = liveness_s(settings)
    now = _redis_now(conn)
    done: list[tuple[str, str]] = []

    # workers silent for a day are long gone, and their jobs were recovered by now
    conn.zremrangebyscore(keys.WORKER_BEATS, "-inf", now - 24 * 3600)
    dead = {replies.text(name) for name in conn.zrangebyscore(keys.WORKER_BEATS, "-inf", now - window_s)}

    started = StartedJobRegistry(queue=queue)
    entries = [replies.text(entry) for entry in qconn.zrange(started.key, 0, -1)]
    started_ids = {parse_composite_key(entry)[0] for entry in entries}
    if dead and entries:
        pipe = qconn.pipeline(transaction=False)
        for entry in entries:
            pipe.hget(Job.key_for(parse_composite_key(entry)[0]), "worker_name")
        for entry, worker in zip(entries, pipe.execute()):
            if worker is None or worker.decode() not in dead:
                continue  # a live worker's, or one that never beat here (rq's own cleanup handles those)
            job_id = parse_composite_key(entry)[0]
            moved = run_script(qconn, _REQUEUE_STARTED,
                               keys=[started.key, Job.key_for(job_id), queue.key,
                                     Execution.from_composite_key(entry, qconn).key, _executions(qconn, job_id)],
                               args=[_execution_prefix(qconn, job_id), entry, job_id])
            if moved == 1:
                done.append(("requeued started job of dead worker", job_id))
            elif moved == -1:
                _fail(rt, started, entry, job_id, worker.decode())
                done.append(("failed started job of dead worker, no retry left", job_id))

    # (a) dequeued, never started: the worker that took it died between BLMOVE and starting it
    stranded = [replies.text(job_id) for job_id in qconn.lrange(queue.intermediate_queue_key, 0, -1)]
    seen = {replies.text(k): float(v) for k, v in conn.hgetall(keys.STRANDED_SEEN).items()}
    gone = [job_id for job_id in seen if job_id not in stranded or job_id in started_ids]
    if gone:
        conn.hdel(keys.STRANDED_SEEN, *gone)
    for job_id in stranded:
        if job_id in started_ids:
            continue
        first = seen.get(job_id)
        if first is None:
            conn.hsetnx(keys.STRANDED_SEEN, job_id, repr(now))
            continue
        if now - first < window_s:
            continue
        if run_script(qconn, _REQUEUE_LISTED, args=[_execution_prefix(qconn, job_id), job_id, "list"],
                      keys=[queue.intermediate_queue_key, Job.key_for(job_id), queue.key, _executions(qconn, job_id)]):
            done.append(("requeued job stranded in the intermediate queue", job_id))
        conn.hdel(keys.STRANDED_SEEN, job_id)

    # (c) retries the scheduler should have queued by now
    scheduled: ScheduledJobRegistry = queue.scheduled_job_registry  # (rq's constructor is unannotated)
    for raw in qconn.zrangebyscore(scheduled.key, "-inf", now - window_s):
        job_id = replies.text(raw)
        if run_script(qconn, _REQUEUE_LISTED, args=[_execution_prefix(qconn, job_id), job_id, "zset"],
                      keys=[scheduled.key, Job.key_for(job_id), queue.key, _executions(qconn, job_id)]):
            done.append(("queued overdue retry", job_id))

    # (d) messages waiting, and no drain that will read them
    if ensure_drain(rt):
        done.append(("queued a drain for a stalled inbox", "-"))
    for what, job_id in done:
        _note(conn, now, what, job_id)
    return done


def _executions(conn: redis.Redis, job_id: str) -> str:
    return ExecutionRegistry(job_id=job_id, connection=conn).key


def _execution_prefix(conn: redis.Redis, job_id: str) -> str:
    """rq's key of the job's execution <id>, less the id."""
    return Execution(id="", job_id=job_id, connection=conn).key


def ensure_drain(rt: Runtime) -> bool:
    """Queue a drain for every region whose inbox holds messages that no drain will read: nobody holds its
    drain lease, and its drain-pending flag (cleared here if so) names no queued or running job. True if
    one was queued."""
    queued = False
    for region in all_regions(rt.conn):
        queued = _ensure_region_drain(rt, region) or queued
    return queued


def _ensure_region_drain(rt: Runtime, region: keys.Region) -> bool:
    conn = rt.conn
    if not conn.xlen(region.inbox) or conn.exists(region.drainer):
        return False
    flag = conn.get(region.drain_pending)
    if flag and _live(rt.queue_conn, replies.text(flag)):
        return False
    if flag:
        run_script(conn, _CLEAR_FLAG, keys=[region.drain_pending], args=[flag])
    return kick_drain(conn, rt.queue, rt.settings.job_timeout_s, rt.settings.claim_idle_s, region)


def _live(conn: redis.Redis, job_id: str) -> bool:
    """Whether the job is queued or running."""
    status = conn.hget(Job.key_for(job_id), "status")
    return status is not None and replies.raw(status) in LIVE_STATUSES


def _fail(rt: Runtime, started: StartedJobRegistry, entry: str, job_id: str, worker: str) -> None:
    """A job whose workers keep dying under it (it used up its retries): failed, as rq would."""
    try:
        job = Job.fetch(job_id, connection=rt.queue_conn, serializer=rt.queue.serializer)
    except Exception:  # noqa: BLE001  gone meanwhile, or left unreadable: either way not there to fail
        rt.queue_conn.zrem(started.key, entry)
        return
    with rt.queue_conn.pipeline() as pipe:
        job.set_status(JobStatus.FAILED, pipeline=pipe)
        rt.queue.failed_job_registry.add(job, ttl=job.failure_ttl, pipeline=pipe,
                                         exc_string=f"worker {worker} died running it, no retry left")
        pipe.zrem(started.key, entry)
        pipe.execute()


def keep(rt: Runtime, current_worker: Callable[[], str | None], stop: threading.Event) -> None:
    """The keeper thread: beat for this process's current rq worker, and run a recovery pass when it is
    this keeper's turn. A pass only judges others once this process has reached Redis for a whole
    liveness window: after an outage every live worker needs one beat before anyone is taken for dead."""
    settings = rt.settings
    interval_s, window_s = beat_interval_s(settings), liveness_s(settings)
    reachable_since: float | None = None
    while True:
        try:
            name = current_worker()
            started_at = time.monotonic()
            if name:
                beat(rt.conn, name)
            else:
                rt.conn.ping()
            # a beat that waited (the connection rides out a restart) ends an outage: start counting again
            if reachable_since is None or time.monotonic() - started_at > interval_s:
                reachable_since = time.monotonic()
            turn_ms = max(1, int(interval_s * 1000))  # one pass per beat interval across all workers
            if (time.monotonic() - reachable_since >= window_s
                    and rt.conn.set(keys.RECOVERY_LOCK, name or "-", nx=True, px=turn_ms)):
                recover(rt)
        except redis.RedisError as exc:
            if reachable_since is not None:
                log.warning("keeper: Redis unreachable (%s); beating again when it is back", exc)
            reachable_since = None
        except Exception:  # a bug here must not stop the heartbeat
            log.exception("keeper: recovery pass failed")
        if stop.wait(interval_s):
            return
