"""`alertrelay worker`: rq workers on the relay queue, plus a ticker for expiry and orphaned messages."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from pathlib import Path
from types import FrameType

import redis
from rq import SimpleWorker, Worker
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.worker import BaseWorker

from alertrelay.bot import metrics
from alertrelay.bot.queues import RETRY_DRAIN, enqueue_once, job_id
from alertrelay.bot.scripts import is_cluster
from alertrelay.config.logging import configure_logging
from alertrelay.config.settings import Settings, as_environment
from alertrelay.workers.recovery import beat, forget, keep
from alertrelay.workers.runtime import Runtime, set_runtime

log = logging.getLogger(__name__)

RECONNECT_WAIT_S = 1.0
"""While Redis is unreachable a worker tries again every second (rq's default doubles up to a minute)."""


class StopAware(BaseWorker):
    """Remembers a shutdown request: rq's work loop returns the same way whether it was asked to stop or
    quit on an error it met, and only the second calls for a new worker. (A mixin before rq's worker
    class: its super() is that class.)"""

    stop_asked = False

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_asked = True
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]  # rq's request_stop is unannotated


class RelayWorker(StopAware, SimpleWorker):
    """SimpleWorker (jobs run in-process: ~5x the throughput of forking) with a configurable grace
    before a dead worker's job is taken as abandoned and retried."""

    abandoned_grace_s = 10
    exponential_backoff_factor = 1.0
    max_connection_wait_time = RECONNECT_WAIT_S

    def get_heartbeat_ttl(self, job: Job) -> int:
        if job.timeout == -1:
            return super().get_heartbeat_ttl(job)
        return int(job.timeout or self.worker_ttl) + self.abandoned_grace_s


class RelayForkWorker(StopAware, Worker):
    abandoned_grace_s = 10
    exponential_backoff_factor = 1.0
    max_connection_wait_time = RECONNECT_WAIT_S

    def get_heartbeat_ttl(self, job: Job) -> int:
        if job.timeout and job.timeout > 0:
            remaining = job.timeout - self.current_job_working_time
            return int(min(remaining, self.job_monitoring_interval)) + self.abandoned_grace_s
        return int(self.job_monitoring_interval) + self.abandoned_grace_s  # rq leaves the interval untyped


def ticker(rt: Runtime, stop: threading.Event) -> None:
    """Every tick_s: queue one sweep (deterministic id, so N workers queue it once)."""
    tick_s = rt.settings.tick_s
    while not stop.wait(tick_s):
        slot = int(time.time() // tick_s)
        try:
            enqueue_once(rt.queue, "alertrelay.workers.jobs.sweep_incidents", id_=job_id("sweep", str(slot)),
                         retry=RETRY_DRAIN, timeout_s=rt.settings.job_timeout_s)
        except Exception:  # Redis restarting: try again next tick
            log.exception("could not queue the sweep")


def run_worker(settings: Settings, *, fork: bool = False, burst: bool = False, tick: bool = True) -> None:
    """Work until asked to stop. rq's work loop quits on a Redis error it meets outside a blocking dequeue
    (mid-job, say, when Redis restarts): the worker is then started again, under a new name, once Redis
    answers; the job it was running is put back on the queue by the keepers' recovery (workers/recovery.py)."""
    configure_logging(settings)
    restore_metrics = metrics.use_directory(settings.data_dir)  # beside the bot's: one scrape counts all
    rt = Runtime(settings)
    set_runtime(rt)
    _ = rt.gazetteer  # load before the first job, not inside it
    stop = threading.Event()
    current: list[str | None] = [None]  # the rq worker this process runs now, for the keeper's heartbeat
    if not burst:
        threading.Thread(target=keep, args=(rt, lambda: current[0], stop), daemon=True, name="keeper").start()
    if tick and not burst:
        threading.Thread(target=ticker, args=(rt, stop), daemon=True).start()
    worker_class = RelayForkWorker if fork else RelayWorker
    try:
        while True:
            wait_for_redis(rt)
            worker = worker_class([rt.queue], connection=rt.queue_conn, serializer=JSONSerializer,
                                  worker_ttl=settings.worker_ttl_s,
                                  maintenance_interval=settings.maintenance_interval_s,
                                  job_monitoring_interval=min(10, settings.worker_ttl_s))
            worker.abandoned_grace_s = settings.abandoned_grace_s
            if not burst:
                beat(rt.conn, worker.name)  # alive before it takes its first job
                current[0] = worker.name
            try:
                worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
            except redis.RedisError:
                log.exception("worker %s: Redis failed under it; starting a new worker", worker.name)
            current[0] = None  # its heartbeat stops: whatever it was running is recovered
            if burst or worker.stop_asked:
                try:
                    forget(rt.conn, worker.name)  # stopped cleanly: nothing of it to recover
                except redis.RedisError:
                    pass
                return
            log.warning("worker %s stopped on its own; starting a new one", worker.name)
    finally:
        stop.set()
        metrics.process_exited(os.getpid())
        restore_metrics()


def wait_for_redis(rt: Runtime) -> None:
    while True:
        try:
            rt.conn.ping()
            rt.queue_conn.ping()  # rq's, when it is a Redis of its own
            return
        except redis.RedisError as exc:
            log.warning("Redis unreachable (%s); trying again in %.0f s", exc, RECONNECT_WAIT_S)
            time.sleep(RECONNECT_WAIT_S)


def worker_env(rt: Runtime) -> dict[str, str]:
    """Environment for worker processes sharing this process's Redis and secret."""
    import os

    if is_cluster(rt.conn):  # any node of the cluster: the children's clients find the rest
        url = rt.settings.redis_url or ""
    else:
        kwargs = rt.conn.connection_pool.connection_kwargs
        url = f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}" if "path" in kwargs else (rt.settings.redis_url or "")
    # every setting this process was given (flags included), then what the children must share exactly
    env = {**os.environ, **as_environment(rt.settings),
           "ALERTRELAY_REDIS_URL": url, "ALERTRELAY_SECRET_KEY": rt.settings.secret_bytes().decode(),
           "ALERTRELAY_DATA_DIR": str(rt.settings.data_dir), "ALERTRELAY_LOG_LEVEL": rt.settings.log_level,
           metrics.ENV: str(metrics.directory(rt.settings.data_dir).resolve()),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                      os.environ.get("PYTHONPATH")]))}
    return env


def start_worker_processes(rt: Runtime, count: int, *, tick: bool = True,
                           log_dir: Path | None = None) -> list[subprocess.Popen[bytes]]:
    import sys

    procs: list[subprocess.Popen[bytes]] = []
    for number in range(count):
        args = [sys.executable, "-m", "alertrelay.workers.main"] + ([] if tick else ["--no-tick"])
        if log_dir is None:
            procs.append(subprocess.Popen(args, env=worker_env(rt), stdin=subprocess.DEVNULL))
            continue
        with open(log_dir / f"worker-{number}.log", "ab") as log_file:
            procs.append(subprocess.Popen(args, env=worker_env(rt), stdin=subprocess.DEVNULL, stdout=log_file,
                                          stderr=log_file, start_new_session=True))
    return procs


def main() -> None:  # python -m workers.main (what `alertrelay drill` starts)
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--fork", action="store_true")
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--no-tick", action="store_true")
    args = parser.parse_args()
    run_worker(Settings(), fork=args.fork, burst=args.burst, tick=not args.no_tick)


if __name__ == "__main__":
    main()
