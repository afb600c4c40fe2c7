"""`alertrelay worker`: rq workers on the relay queue, plus a ticker for expiry and orphaned messages."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from config.logging import configure_logging
from config.settings import Settings, as_environment
from workers.queues import RETRY_DRAIN, enqueue_once, job_id
from workers.runtime import Runtime, set_runtime

log = logging.getLogger(__name__)
class RelayWorker(SimpleWorker):
    """SimpleWorker (jobs run in-process: ~5x the throughput of forking) with a configurable grace
    before a dead worker's job is taken as abandoned and retried."""

    abandoned_grace_s = 10

    def get_heartbeat_ttl(self, job):  # type: ignore[no-untyped-def]
        if job.timeout == -1:
            return super().get_heartbeat_ttl(job)
        return int(job.timeout or self.worker_ttl) + self.abandoned_grace_s


class RelayForkWorker(Worker):
    abandoned_grace_s = 10

    def get_heartbeat_ttl(self, job):  # type: ignore[no-untyped-def]
        if job.timeout and job.timeout > 0:
            remaining = job.timeout - self.current_job_working_time
            return int(min(remaining, self.job_monitoring_interval)) + self.abandoned_grace_s
        return self.job_monitoring_interval + self.abandoned_grace_s


def ticker(rt: Runtime, stop: threading.Event) -> None:
    """Every tick_s: queue one sweep (deterministic id, so N workers queue it once)."""
    tick_s = rt.settings.tick_s
    while not stop.wait(tick_s):
        slot = int(time.time() // tick_s)
        try:
            enqueue_once(rt.queue, "workers.jobs.sweep_incidents", id_=job_id("sweep", str(slot)),
                         retry=RETRY_DRAIN, timeout_s=rt.settings.job_timeout_s)
        except Exception:  # Redis restarting: try again next tick
            log.exception("could not queue the sweep")


def run_worker(settings: Settings, *, fork: bool = False, burst: bool = False, tick: bool = True) -> None:
    configure_logging(settings)
    rt = Runtime(settings)
    set_runtime(rt)
    rt.gazetteer  # load before the first job, not inside it
    stop = threading.Event()
    if tick and not burst:
        threading.Thread(target=ticker, args=(rt, stop), daemon=True).start()
    worker_class = RelayForkWorker if fork else RelayWorker
    worker = worker_class([rt.queue], connection=rt.conn, serializer=JSONSerializer,
                          worker_ttl=settings.worker_ttl_s, maintenance_interval=settings.maintenance_interval_s,
                          job_monitoring_interval=min(10, settings.worker_ttl_s))
    worker.abandoned_grace_s = settings.abandoned_grace_s
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
    finally:
        stop.set()


def worker_env(rt: Runtime) -> dict[str, str]:
    """Environment for worker processes sharing this process's Redis and secret."""
    import os

    kwargs = rt.conn.connection_pool.connection_kwargs
    url = f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}" if "path" in kwargs else (rt.settings.redis_url or "")
    # every setting this process was given (flags included), then what the children must share exactly
    env = {**os.environ, **as_environment(rt.settings),
           "ALERTRELAY_REDIS_URL": url, "ALERTRELAY_SECRET_KEY": rt.settings.secret_bytes().decode(),
           "ALERTRELAY_DATA_DIR": str(rt.settings.data_dir), "ALERTRELAY_LOG_LEVEL": rt.settings.log_level,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                      os.environ.get("PYTHONPATH")]))}
    return env


def start_worker_processes(rt: Runtime, count: int, *, tick: bool = True, log_dir=None):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    procs = []
    for number in range(count):
        args = [sys.executable, "-m", "workers.main"] + ([] if tick else ["--no-tick"])
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
