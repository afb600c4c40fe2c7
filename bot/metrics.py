"""Prometheus metrics: the counters the pipeline bumps at its seams, and what GET /metrics serves.

Multi-process mode (prometheus_client's): every process (the bot, each rq worker, a drill) writes its
counts to files in data_dir/metrics (PROMETHEUS_MULTIPROC_DIR), and a scrape merges them, so a worker's
counts are included, and kept after it exits. Queue depth and drainer lag are read from Redis at scrape
time. Labels are channels, kinds, outcomes and provider error codes only: never a number, a pseudonym, a
group id or any text.

Metrics are built on first use, after `use_directory` has chosen where they are written: prometheus_client
decides between in-memory and file-backed values when a metric (or a label's child) is created.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alertrelay.bot import keys
from alertrelay.bot.errors import PermanentError

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    import redis
    from prometheus_client import CollectorRegistry
    from prometheus_client.metrics_core import Metric
    from rq import Queue

    from alertrelay.bot.transports.base import Outbound, Sender

log = logging.getLogger(__name__)

ENV = "PROMETHEUS_MULTIPROC_DIR"
SUBDIR = "metrics"

LATENCY_BUCKETS_S = (1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
"""Report arrival → alert sent is mostly the wait for a second, independent report: minutes, not ms."""


def directory(data_dir: Path | str) -> Path:
    return Path(data_dir) / SUBDIR


_HOST = re.sub(r"[^A-Za-z0-9]+", "-", socket.gethostname()) or "host"


def process_id(pid: int | None = None) -> str:
    """What names a process's files: host and pid. The bot and the workers of compose.yaml run in separate
    containers sharing DATA_DIR, each its own pid 1; the pid alone would have them write one file. No
    underscore: prometheus_client reads a file's type and gauge mode from the parts of its name."""
    return f"{_HOST}-{os.getpid() if pid is None else pid}"


class _Metrics:
    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        # an own registry (not the global one): rebuilt when the directory changes, and the scrape in
        # single-process mode (tests, a bot with no workers) reads it
        self.registry = CollectorRegistry()
        r = self.registry
        self.inbound = Counter("alertrelay_inbound_messages", "Inbound messages processed, by channel and kind "
                               "as the pipeline read them", ["channel", "kind"], registry=r)
        self.decisions = Counter("alertrelay_decisions", "Incident decisions: verified, cleared, expired, "
                                 "retracted", ["decision"], registry=r)
        self.alert_latency = Histogram("alertrelay_alert_latency_seconds", "From the arrival of an incident's "
                                       "first counted report to the alert sent to a group",
                                       buckets=LATENCY_BUCKETS_S, registry=r)
        self.deliveries = Counter("alertrelay_deliveries", "Outbound sends by channel, kind and outcome (sent; "
                                  "refused: permanent, not retried; failed: retried)",
                                  ["channel", "kind", "outcome"], registry=r)
        self.provider_errors = Counter("alertrelay_provider_errors", "Errors from Signal / Twilio by code",
                                       ["channel", "code"], registry=r)


_lock = threading.Lock()
_metrics: _Metrics | None = None
_active: str | None = None
"""The directory use_directory chose (None: in memory)."""


def _m() -> _Metrics:
    global _metrics
    if _metrics is None:
        with _lock:
            if _metrics is None:
                _metrics = _Metrics()
    return _metrics


def _switch(path: str | None) -> None:
    """Write metrics built from now on to `path` (None: in memory), and rebuild them."""
    global _metrics, _active
    from prometheus_client import values

    with _lock:
        _active = path
        if path is None:
            os.environ.pop(ENV, None)
            values.ValueClass = values.MutexValue
        else:
            os.environ[ENV] = path
            values.ValueClass = values.MultiProcessValue(  # type: ignore[no-untyped-call]  # prometheus_client's is untyped
                process_identifier=process_id)
        _metrics = None


def use_directory(data_dir: Path | str, *, clean: bool = False) -> Callable[[], None]:
    """Count into data_dir/metrics from now on (and in the worker processes started with this environment).
    `clean`: at a bot's or drill's start, drop the files of this host's processes no longer running (a
    restart resets the counters, which Prometheus' rate() expects; another container's are kept, its worker
    may be running). Returns a function restoring what was before."""
    path = directory(data_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    if clean:
        remove_dead_files(path)
    before = _active
    if _active != str(path):  # also when PROMETHEUS_MULTIPROC_DIR was set at start: files named by process_id
        _switch(str(path))
    return lambda: _switch(before) if _active != before else None


def remove_dead_files(path: Path) -> None:
    mine = re.compile(rf"_{re.escape(_HOST)}-(\d+)\.db$")
    for file in path.glob("*.db"):
        match = mine.search(file.name)
        if match is not None and not _alive(int(match.group(1))):
            file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_exited(pid: int) -> None:
    """A worker process ended: its live gauges go (its counters stay in the totals)."""
    path = os.environ.get(ENV)
    if path and os.path.isdir(path):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(process_id(pid), path)  # type: ignore[no-untyped-call]  # untyped upstream


# --- the seams ---------------------------------------------------------------------------------------------------

def count_inbound(channel: str, kind: str) -> None:
    _m().inbound.labels(channel=channel, kind=str(kind)).inc()


def count_decision(decision: str, amount: int = 1) -> None:
    if amount:
        _m().decisions.labels(decision=decision).inc(amount)


def note_applied(conn: redis.Redis, result: Any, *, arrived_at_s: float | None, ttl_s: int) -> None:
    """After a message was applied to an incident (workers/decisions.py): its decision, and for the incident's
    first counted report, when it arrived (the start of the alert-latency clock). `arrived_at_s`: the wall
    time the message was admitted (its inbox entry's stamp), None when it did not come through the inbox."""
    if result is None:
        return
    if result.transition in ("verified", "cleared"):
        count_decision(result.transition)
    if arrived_at_s is not None and result.newly_counted and result.reporters == 1:
        conn.set(keys.first_report_arrival(result.incident), repr(arrived_at_s), nx=True, ex=ttl_s)


def alert_delivered(rt: Any, kind: str, record: dict[str, str], sent: int) -> None:
    """A delivery job sent `sent` lines of `kind` for one group (workers/delivery.py): an alert's first send
    to the group ends the latency clock note_applied started."""
    if kind != "alert" or not sent or not record.get("incident"):
        return
    arrived = rt.conn.get(keys.first_report_arrival(record["incident"]))
    if arrived is not None:
        _m().alert_latency.observe(max(0.0, time.time() - float(arrived)))


_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def error_code(exc: BaseException) -> str:
    """A provider error's code, for a label: Twilio's numeric code, Signal's HTTP status, else the kind of
    failure (its exception class). Never the message, which may name a recipient."""
    cause = exc.__cause__
    code = getattr(cause, "code", None) or getattr(exc, "code", None)
    if isinstance(code, int) and code > 0:
        return str(code)
    status = getattr(cause, "status", None)
    if isinstance(status, int) and status > 0:
        return f"http_{status}"
    match = _HTTP_STATUS.search(str(exc))
    if match:
        return f"http_{match.group(1)}"
    return type(cause if cause is not None else exc).__name__


class CountingSender:
    """Wraps the relay's sender: every send counted by channel, kind and outcome, errors by code."""

    def __init__(self, inner: Sender):
        self.inner = inner

    def send(self, message: Outbound) -> str | None:
        metrics = _m()
        try:
            provider_id = self.inner.send(message)
        except Exception as exc:
            outcome = "refused" if isinstance(exc, PermanentError) else "failed"
            metrics.deliveries.labels(channel=message.channel, kind=message.kind, outcome=outcome).inc()
            metrics.provider_errors.labels(channel=message.channel, code=error_code(exc)).inc()
            raise
        metrics.deliveries.labels(channel=message.channel, kind=message.kind, outcome="sent").inc()
        return provider_id

    def __getattr__(self, name: str) -> Any:  # whatever else the inner sender offers (close, react…)
        return getattr(self.inner, name)


# --- the scrape --------------------------------------------------------------------------------------------------

class RedisStateCollector:
    """Gauges read from Redis when scraped: queue depth, the inbox and how far behind the drainer is."""

    def __init__(self, conn: redis.Redis, queue: Queue):
        self.conn = conn
        self.queue = queue

    def describe(self) -> Iterable[Metric]:
        return []  # computed at scrape time; nothing to check at registration

    def collect(self) -> Iterable[Metric]:
        from prometheus_client.core import GaugeMetricFamily
        from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

        from alertrelay.bot.regions import all_regions

        up = GaugeMetricFamily("alertrelay_redis_up", "1 when Redis answered this scrape")
        queue = self.queue
        try:
            rq_pipe = queue.connection.pipeline(transaction=False)  # rq's Redis (the store's unless apart)
            rq_pipe.llen(queue.key)
            rq_pipe.zcard(StartedJobRegistry(queue=queue).key)
            rq_pipe.zcard(ScheduledJobRegistry(queue=queue).key)  # type: ignore[no-untyped-call]  # rq's is untyped
            rq_pipe.zcard(FailedJobRegistry(queue=queue).key)
            rq_pipe.scard(f"rq:workers:{queue.name}")
            queued, started, scheduled, failed, workers = rq_pipe.execute()
            regions = all_regions(self.conn)
            now = self.conn.time()  # the store's clock (a cluster's pipelines refuse TIME)
            pipe = self.conn.pipeline(transaction=False)
            pipe.xlen(keys.INBOX_DEAD)
            for region in regions:  # summed over the regions: no label names one
                pipe.xlen(region.inbox)
                pipe.xrange(region.inbox, count=1)
                pipe.zcard(region.incidents_active)
            dead, *per_region = pipe.execute()
            inbox = sum(per_region[0::3])
            firsts = [first[0] for first in per_region[1::3] if first]
            oldest = [min(firsts, key=lambda entry: tuple(map(int, entry[0].split(b"-"))))] if firsts else []
            active = sum(per_region[2::3])
        except Exception:  # noqa: BLE001  a scrape's boundary: Redis down (or any failure) is redis_up 0
            # and the counters are still served
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        jobs = GaugeMetricFamily("alertrelay_queue_jobs", "rq jobs on the relay queue by state", labels=["state"])
        for state, count in (("queued", queued), ("started", started), ("scheduled", scheduled),
                             ("failed", failed)):
            jobs.add_metric([state], count)
        yield jobs
        yield GaugeMetricFamily("alertrelay_inbox_messages", "Inbound messages admitted and not yet processed",
                                value=inbox)
        lag_s = 0.0
        if oldest:  # a stream id is the Redis clock in ms when the message was admitted
            seconds, micros = now
            lag_s = max(0.0, seconds + micros / 1e6 - int(oldest[0][0].split(b"-")[0]) / 1000)
        yield GaugeMetricFamily("alertrelay_drainer_lag_seconds", "Age of the oldest message waiting for the "
                                "drainer (0: none waiting)", value=lag_s)
        yield GaugeMetricFamily("alertrelay_dead_letters", "Messages given up on after repeated failures",
                                value=dead)
        yield GaugeMetricFamily("alertrelay_open_incidents", "Incidents open (pending or verified)", value=active)
        yield GaugeMetricFamily("alertrelay_workers", "rq workers registered on the relay queue", value=workers)


def _settled_files_collector(registry: CollectorRegistry, path: str) -> None:
    """The library's multi-process collector, minus the files a process is still creating: one exists at
    0 bytes before it is sized, and reading it fails the whole scrape (prometheus/client_python#1199; a
    worker starting during a scrape hit it here, and one killed in that window would break every scrape)."""
    from prometheus_client import multiprocess

    class SettledFilesCollector(multiprocess.MultiProcessCollector):
        def collect(self) -> Iterable[Metric]:
            files = [f for f in glob.glob(os.path.join(self._path, "*.db")) if _size(f) > 0]
            merged: Iterable[Metric] = self.merge(  # type: ignore[no-untyped-call]  # prometheus_client's is untyped
                files, accumulate=True)
            return merged

    SettledFilesCollector(registry, path=path)  # type: ignore[no-untyped-call]  # prometheus_client's is untyped


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:  # removed between the glob and now (a process marked dead)
        return 0


def scrape(conn: redis.Redis, queue: Queue, path: str | None = None) -> tuple[bytes, str]:
    """The text exposition for GET /metrics: every process's counters plus the Redis gauges. `path`: the
    multi-process directory (default: this process's, if it has one)."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    registry = CollectorRegistry()
    path = path or os.environ.get(ENV)
    if path and os.path.isdir(path):
        _settled_files_collector(registry, path)
    else:
        registry.register(_m().registry)
    registry.register(RedisStateCollector(conn, queue))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def serve_http(conn: redis.Redis, queue: Queue, host: str, port: int) -> ThreadingHTTPServer:
    """/metrics on its own small HTTP server in a thread (a drill has no bot server), over this process's
    metrics directory as of now. Returns the server (`.server_port`: the port bound; `.shutdown()`)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    path = os.environ.get(ENV)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            try:
                body, content_type = scrape(conn, queue, path)
            except Exception:  # a failed scrape answers 500 and the next one tries again
                log.exception("metrics scrape failed")
                self.send_error(500)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet: a scrape every few seconds
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="metrics-http").start()
    return server
