"""`alertrelay worker`: rq workers on the relay queue, plus a ticker for expiry and orphaned messages."""

from __future__ import annotations

import logging
import threading
import time

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from config.logging import configure_logging
from config.settings import Settings
from workers.queues import RETRY_DRAIN, enqueue_once, job_id
from workers.runtime import Runtime, set_runtime

log = logging.getLogger(__name__)
TICK_S = 15


def ticker(rt: Runtime, stop: threading.Event) -> None:
    """Every TICK_S: queue one sweep (deterministic id, so N workers queue it once)."""
    while not stop.wait(TICK_S):
        slot = int(time.time() // TICK_S)
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
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class([rt.queue], connection=rt.conn, serializer=JSONSerializer,
                          worker_ttl=settings.worker_ttl_s, maintenance_interval=settings.maintenance_interval_s,
                          job_monitoring_interval=min(10, settings.worker_ttl_s))
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
    finally:
        stop.set()


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
