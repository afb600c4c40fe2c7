"""The keeper's recovery pass (workers/recovery.py) on a real Redis, with rq's own structures: a dead worker's
started and dequeued jobs go back on the queue, an overdue retry is queued, a stale drain flag is cleared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq import Retry, SimpleWorker
from rq.job import Job
from rq.queue import Queue
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.ingest import ingest
from alertrelay.workers.recovery import beat, liveness_s, recover
from alertrelay.workers.runtime import Runtime
from tests.conftest import T0, Relay

NOOP = "alertrelay.workers.jobs.sweep_incidents"  # any importable job: these tests never run it


def _started_by(rt: Runtime, job_id: str, *, beat_age_s: float) -> tuple[SimpleWorker, Job]:
    """A job taken and started by a worker (rq's own calls) whose last heartbeat is beat_age_s old."""
    rt.queue.enqueue(NOOP, job_id=job_id, retry=Retry(max=2))
    worker = SimpleWorker([rt.queue], connection=rt.conn, serializer=JSONSerializer)
    job, _ = Queue.dequeue_any([rt.queue], None, connection=rt.conn, serializer=JSONSerializer)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job, remove_from_intermediate_queue=True)
    now = beat(rt.conn, worker.name)
    rt.conn.zadd(keys.WORKER_BEATS, {worker.name: now - beat_age_s})
    return worker, job


def test_a_started_job_of_a_dead_worker_goes_back_on_the_queue(rt: Runtime) -> None:
    _, job = _started_by(rt, "deliver-x", beat_age_s=liveness_s(rt.settings) + 1)
    assert recover(rt) == [("requeued started job of dead worker", "deliver-x")]
    assert rt.queue.get_job_ids() == ["deliver-x"]
    assert StartedJobRegistry(queue=rt.queue).get_job_ids() == []
    job.refresh()
    assert (job.get_status(), job.retries_left) == ("queued", 1)  # one of its retries used up
    assert job.get_executions() == []  # rq reads them all when the job ends: none may dangle
    assert recover(rt) == []  # once


def test_a_live_workers_job_is_left_alone(rt: Runtime) -> None:
    _started_by(rt, "deliver-y", beat_age_s=liveness_s(rt.settings) / 2)
    assert recover(rt) == []
    assert StartedJobRegistry(queue=rt.queue).get_job_ids() == ["deliver-y"]


def test_a_job_whose_workers_keep_dying_fails_when_its_retries_are_used_up(rt: Runtime) -> None:
    _, job = _started_by(rt, "deliver-z", beat_age_s=liveness_s(rt.settings) + 1)
    rt.conn.hset(job.key, "retries_left", 0)
    assert recover(rt) == [("failed started job of dead worker, no retry left", "deliver-z")]
    assert rt.queue.get_job_ids() == []
    assert rt.queue.failed_job_registry.get_job_ids() == ["deliver-z"]


def test_a_job_dequeued_and_never_started_goes_back_after_one_liveness_window(rt: Runtime) -> None:
    rt.queue.enqueue(NOOP, job_id="deliver-w", retry=Retry(max=2))
    Queue.dequeue_any([rt.queue], None, connection=rt.conn, serializer=JSONSerializer)  # then the worker died
    assert rt.queue.intermediate_queue.get_job_ids() == ["deliver-w"]
    assert recover(rt) == []  # first seen now: a live worker starts it within milliseconds
    assert rt.conn.hexists(keys.STRANDED_SEEN, "deliver-w")
    rt.conn.hset(keys.STRANDED_SEEN, "deliver-w", rt.conn.time()[0] - liveness_s(rt.settings) - 1)
    assert recover(rt) == [("requeued job stranded in the intermediate queue", "deliver-w")]
    assert rt.queue.get_job_ids() == ["deliver-w"]
    assert rt.queue.intermediate_queue.get_job_ids() == []
    assert not rt.conn.hexists(keys.STRANDED_SEEN, "deliver-w")


def test_an_overdue_retry_is_queued_without_the_scheduler(rt: Runtime) -> None:
    due = datetime.now(UTC) - timedelta(seconds=liveness_s(rt.settings) + 2)
    rt.queue.enqueue_at(due, NOOP, job_id="deliver-v")
    rt.queue.enqueue_at(datetime.now(UTC) + timedelta(seconds=60), NOOP, job_id="deliver-later")
    assert recover(rt) == [("queued overdue retry", "deliver-v")]
    assert rt.queue.get_job_ids() == ["deliver-v"]
    assert ScheduledJobRegistry(queue=rt.queue).get_job_ids() == ["deliver-later"]


def test_a_drain_flag_whose_job_is_gone_is_cleared_and_a_drain_queued(relay: Relay) -> None:
    rt = relay.rt
    rt.conn.set(keys.INBOX_DRAIN_PENDING, "drain-999", ex=600)  # its job was never queued (Redis went away)
    ingest(rt.conn, rt.queue, rt.identity, InboundMessage(
        channel="signal", message_id="m1", sender="+16125550001", text="ICE agents here right now",
        at=T0, location=(44.94, -93.255)))
    assert rt.queue.get_job_ids() == []  # the stale flag swallowed the kick
    assert recover(rt) == [("queued a drain for a stalled inbox", "-")]
    (drain_id,) = rt.queue.get_job_ids()
    assert rt.conn.get(keys.INBOX_DRAIN_PENDING).decode() == drain_id
    relay.work()
    assert rt.conn.xlen(keys.INBOX) == 0
    assert recover(rt) == []


def test_a_queued_drain_or_a_held_lease_means_no_second_drain(rt: Runtime) -> None:
    ingest(rt.conn, rt.queue, rt.identity, InboundMessage(
        channel="signal", message_id="m2", sender="+16125550002", text="ICE agents here right now",
        at=T0, location=(44.94, -93.255)))
    assert len(rt.queue.get_job_ids()) == 1
    assert recover(rt) == []
    rt.queue.empty()
    rt.conn.set(keys.INBOX_DRAINER, "a-live-drainer", px=10_000)
    assert recover(rt) == []


def test_the_drain_flag_lives_claim_idle_s_and_names_its_job(rt: Runtime) -> None:
    ingest(rt.conn, rt.queue, rt.identity, InboundMessage(
        channel="signal", message_id="m3", sender="+16125550003", text="ICE agents here right now",
        at=T0, location=(44.94, -93.255)), drain_pending_s=10)
    assert 0 < rt.conn.ttl(keys.INBOX_DRAIN_PENDING) <= 10
    assert rt.queue.get_job_ids() == [rt.conn.get(keys.INBOX_DRAIN_PENDING).decode()]


def test_a_requeued_job_runs_to_completion_and_cleans_up(relay: Relay) -> None:
    rt = relay.rt
    rt.queue.enqueue(NOOP, job_id="sweep-r", retry=Retry(max=2), result_ttl=0)
    worker = SimpleWorker([rt.queue], connection=rt.conn, serializer=JSONSerializer)
    job, _ = Queue.dequeue_any([rt.queue], None, connection=rt.conn, serializer=JSONSerializer)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job, remove_from_intermediate_queue=True)
    rt.conn.zadd(keys.WORKER_BEATS, {worker.name: beat(rt.conn, worker.name) - liveness_s(rt.settings) - 1})
    assert recover(rt) == [("requeued started job of dead worker", "sweep-r")]
    relay.work()
    assert rt.queue.failed_job_registry.get_job_ids() == []
    assert not rt.conn.exists(job.key)  # finished, and deleted (result_ttl=0) without an error


def test_an_abandoned_execution_whose_record_expired_does_not_fail_the_retry(relay: Relay) -> None:
    """rq's own cleanup retries an abandoned job but leaves its dead execution listed; once that execution's
    record expires, the retry would fail as it ends (a job with result_ttl=0, like the drain)."""
    rt = relay.rt
    rt.queue.enqueue(NOOP, job_id="sweep-s", retry=Retry(max=2), result_ttl=0)
    worker = SimpleWorker([rt.queue], connection=rt.conn, serializer=JSONSerializer)
    job, _ = Queue.dequeue_any([rt.queue], None, connection=rt.conn, serializer=JSONSerializer)
    execution = worker.prepare_execution(job)
    worker.prepare_job_execution(job, remove_from_intermediate_queue=True)
    rt.conn.zrem(StartedJobRegistry(queue=rt.queue).key, execution.composite_key)  # as rq's cleanup does
    rt.conn.delete(execution.key)  # its record expired
    rt.queue.schedule_job(job, datetime.now(UTC) - timedelta(seconds=liveness_s(rt.settings) + 2))
    assert recover(rt) == [("queued overdue retry", "sweep-s")]
    relay.work()
    assert rt.queue.failed_job_registry.get_job_ids() == []
    assert not rt.conn.exists(job.key)
