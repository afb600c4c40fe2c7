"""`alertrelay drill`: replay a scenario through the real pipeline (real Redis, real rq workers),
with message time as the clock, and optionally score it against a truth file."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, TypedDict

from pydantic import SecretStr, ValidationError
from rq import Worker
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from alertrelay.bot import keys, metrics, replies
from alertrelay.bot.core.models import Envelope, InboundMessage
from alertrelay.bot.core.scoring import Score, score
from alertrelay.bot.errors import DrillError
from alertrelay.bot.ingest import ClockedMessage, ingest, ingest_on_message_clock, message_key, prepare_on_message_clock
from alertrelay.bot.regions import RegionRoutes, all_regions
from alertrelay.bot.transports.recording import RecordingSender
from alertrelay.config.areas import load_areas
from alertrelay.config.settings import Settings
from alertrelay.workers.config_state import seed_config
from alertrelay.workers.main import start_worker_processes
from alertrelay.workers.ops.store_checks import cluster_region_problem
from alertrelay.workers.pipeline import sweep
from alertrelay.workers.redis_conn import store_size
from alertrelay.workers.runtime import Runtime

KIND_ORDER = {"alert": 0, "update": 1, "all_clear": 2, "retraction": 3, "reply": 4}
MESSAGE_TIMEOUT_S = 30.0


@dataclass
class DrillResult:
    outbound: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    score: Score | None
    seconds: float
    mode: str = "message clock"
    replay_seconds: float = 0.0
    """From the first message queued to the last line sent (worker start-up and teardown not in it)."""
    incidents: list[dict[str, Any]] = field(default_factory=list)
    metrics_server: object | None = None
    """With metrics_port: the /metrics server, still serving over the finished drill (.shutdown() it)."""


def load_scenario(path: Path) -> list[dict[str, Any]]:
    messages = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            to_inbound(raw)
        except (json.JSONDecodeError, ValidationError, KeyError, TypeError, ValueError) as exc:
            raise DrillError(f"{path}:{number}: not a valid drill message: {str(exc).splitlines()[0]}") from exc
        messages.append(raw)
    return messages


def to_inbound(raw: dict[str, Any]) -> InboundMessage:
    location = raw.get("location")
    return InboundMessage(
        channel=raw["channel"], message_id=raw["id"], sender=raw["sender"], group=raw.get("group"),
        text=raw.get("text") or "", at=datetime.fromisoformat(raw["at"]),
        location=(float(location["lat"]), float(location["lon"])) if location else None,
        quote=raw.get("quote"), forwarded=bool(raw.get("forwarded", False)),
    )


def _sort_key(line: dict[str, Any]) -> tuple[str, int, int, str, str]:
    number = (line.get("alert_id") or "")[1:].split("-")[0]  # a3, or a3-<region>
    return (line["at"], KIND_ORDER.get(line["kind"], 9), int(number) if number.isdigit() else 0,
            line["to"].get("group") or "", line["to"].get("recipient") or "")


def outstanding_jobs(rt: Runtime) -> int:
    """Jobs queued, just dequeued, running or waiting to retry, read in one transaction: rq moves a job
    queue → intermediate list → started registry atomically, so no job is ever between the three."""
    queue = rt.queue
    pipe = rt.queue_conn.pipeline(transaction=True)
    pipe.llen(queue.key)
    pipe.llen(queue.intermediate_queue_key)
    pipe.zcard(StartedJobRegistry(queue=queue).key)
    scheduled: ScheduledJobRegistry = queue.scheduled_job_registry  # (rq's constructor is unannotated)
    pipe.zcard(scheduled.key)
    return sum(pipe.execute())


def _wait_idle(rt: Runtime, workers: list[subprocess.Popen[bytes]], deadline_s: float) -> None:
    end = time.monotonic() + deadline_s
    while outstanding_jobs(rt):
        _check_alive(workers)
        if time.monotonic() > end:
            raise DrillError("deliveries did not finish in time")
        time.sleep(0.005)


def _wait_ready(rt: Runtime, workers: list[subprocess.Popen[bytes]], count: int) -> None:
    """Until every worker has loaded the gazetteer and registered with rq: the replay's time is then the
    pipeline's, not the workers' start-up."""
    end = time.monotonic() + MESSAGE_TIMEOUT_S
    while Worker.count(queue=rt.queue) < count:
        _check_alive(workers)
        if time.monotonic() > end:
            raise DrillError(f"the workers did not start in {MESSAGE_TIMEOUT_S:.0f} s")
        time.sleep(0.01)


def _check_alive(workers: list[subprocess.Popen[bytes]]) -> None:
    for number, proc in enumerate(workers):
        if proc.poll() is not None:
            raise DrillError(f"worker {number} exited with code {proc.returncode}; see worker-{number}.log "
                             "(run with --data-dir to keep it)")


class _DrillSettings(TypedDict, total=False):
    """What a drill sets itself, over the environment's settings."""

    data_dir: Path
    outbox: Path
    areas: Path
    redis_url: str
    secret_key: SecretStr
    durable_ack: str
    log_level: str


def run_drill(scenario: Path, areas: Path, *, workers: int = 1, data_dir: Path | None = None,
              redis_url: str | None = None, log_level: str = "WARNING", stepwise: bool = False,
              progress: Callable[[int, int], None] | None = None, metrics_port: int | None = None,
              metrics_host: str = "127.0.0.1", on_metrics: Callable[[str], None] | None = None) -> DrillResult:
    """Replay `scenario` on message time. By default every message is queued at once and the drainer
    itself sweeps at each message's time before deciding it (full pipeline speed); `stepwise` is the
    old replay, one message at a time, kept to check that both send exactly the same lines.
    `progress(done, total)` is called as messages are decided. `metrics_port`: serve /metrics during the
    drill and after it (`on_metrics(url)` is told where).

    `data_dir`, `redis_url`: as given on the command line (None: not given, so ALERTRELAY_DATA_DIR and
    ALERTRELAY_REDIS_URL apply, else a throw-away directory with an embedded Redis). Every other setting
    (quiet period, TTLs, claim windows…) comes from the environment as for the relay itself.
    `metrics_port`: serve /metrics there (0: any free port) from the start; `on_metrics` is told its URL.
    It keeps serving after the drill (result.metrics_server) when the drill's directory is kept."""
    messages = load_scenario(scenario)
    areas_file = load_areas(areas)
    environment = Settings()
    if data_dir is None and "data_dir" in environment.model_fields_set:
        data_dir = environment.data_dir
    own_dir = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="alertrelay-drill-")) if data_dir is None else Path(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    # a drill never sends for real: what would go out is recorded here, in the drill's own directory
    outbox = root / "outbox.jsonl"
    outbox.unlink(missing_ok=True)
    drill_own: _DrillSettings = {"data_dir": root, "outbox": outbox, "areas": areas}
    if redis_url is not None:
        drill_own["redis_url"] = redis_url
    if environment.secret_key is None:
        drill_own["secret_key"] = SecretStr(secrets.token_urlsafe(32))  # pseudonyms of a rehearsal are throw-away
    if "durable_ack" not in environment.model_fields_set:
        drill_own["durable_ack"] = ""  # a rehearsal's Redis is thrown away: no fsync per send
    if "log_level" not in environment.model_fields_set:
        drill_own["log_level"] = log_level
    settings = Settings(**drill_own)
    restore_metrics = metrics.use_directory(root, clean=True)  # the drill's own counts and its workers'
    rt = Runtime(settings)
    procs: list[subprocess.Popen[bytes]] = []
    began = time.monotonic()
    inbound = [to_inbound(raw) for raw in messages]
    mode = "stepwise" if stepwise else "message clock"
    if not stepwise and not in_time_order(inbound):
        # a sender's first-seen time is set when their message is queued: queuing everything at once
        # would date it from a later line's earlier time, so this scenario is replayed the old way
        stepwise, mode = True, "stepwise (the scenario's lines are not in time order)"
    metrics_http, keep_server = None, False
    try:
        if metrics_port is not None:
            metrics_http = metrics.serve_http(rt.conn, rt.queue, metrics_host, metrics_port)
            if on_metrics is not None:
                on_metrics(f"http://{metrics_host}:{metrics_http.server_port}/metrics")
        if store_size(rt.conn):
            raise DrillError("the drill's Redis database is not empty; give it an empty one")
        seed_config(rt.conn, areas_file, rt.identity)
        problem = cluster_region_problem(rt.conn)
        if problem:
            raise DrillError(problem)
        prepared = ([], []) if stepwise else clocked_messages(rt, inbound)  # a bad sender fails here
        procs = start_worker_processes(rt, max(1, workers), tick=False, log_dir=root)
        _wait_ready(rt, procs, len(procs))
        replay_began = time.monotonic()
        if stepwise:
            _replay_stepwise(rt, procs, messages, inbound, progress)
        else:
            _replay_on_message_clock(rt, procs, prepared, progress)
        replay_s = time.monotonic() - replay_began
        outbound = sorted(RecordingSender(outbox).read(), key=_sort_key)
        keep_server = metrics_http is not None and not own_dir
        return DrillResult(outbound=outbound, messages=messages, score=None, seconds=time.monotonic() - began,
                           mode=mode, incidents=incident_summaries(rt), replay_seconds=replay_s,
                           metrics_server=metrics_http if keep_server else None)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            metrics.process_exited(proc.pid)
        if metrics_http is not None and not keep_server:
            metrics_http.shutdown()
        restore_metrics()
        if own_dir:
            from alertrelay.workers.redis_conn import _embedded

            server = _embedded.pop(root.resolve(), None)
            if server is not None:
                server.stop()
            shutil.rmtree(root, ignore_errors=True)


def in_time_order(inbound: list[InboundMessage]) -> bool:
    times = [message.at.timestamp() for message in inbound]  # naive times read as local, like sweep does
    return all(a <= b for a, b in pairwise(times))


def _processed(rt: Runtime) -> int:
    return sum(int(rt.conn.get(region.processed_count) or 0) for region in all_regions(rt.conn))


def sweep_all(rt: Runtime, now: datetime) -> None:
    """The workers' ticker at `now`: every region's quiet-period expiry."""
    for region in all_regions(rt.conn):
        sweep(rt, region, None, now)  # outside a drain: its updates are queued at once


def _replay_stepwise(rt: Runtime, procs: list[subprocess.Popen[bytes]], messages: list[dict[str, Any]],
                     inbound: list[InboundMessage], progress: Callable[[int, int], None] | None) -> None:
    """Sweep at the message's time, ingest it, wait until it is decided, next."""
    settings = rt.settings
    expected = 0
    routes = RegionRoutes(sender_region_ttl_s=settings.report_ttl_s, refresh_s=0)
    for number, (raw, message) in enumerate(zip(messages, inbound), start=1):
        sweep_all(rt, message.at)
        if ingest(rt.conn, rt.queue, rt.identity, message, ttl_s=settings.report_ttl_s,
                  job_timeout_s=settings.job_timeout_s, drain_pending_s=settings.claim_idle_s,
                  routes=routes):
            expected += 1
        end = time.monotonic() + MESSAGE_TIMEOUT_S
        while _processed(rt) < expected:
            if time.monotonic() > end:
                _check_alive(procs)
                raise DrillError(f"message {raw['id']} was not processed in {MESSAGE_TIMEOUT_S:.0f} s")
            time.sleep(0.0005)
        if progress is not None:
            progress(number, len(messages))
    _wait_idle(rt, procs, 60)


def clocked_messages(rt: Runtime, inbound: list[InboundMessage]) -> tuple[list[ClockedMessage], list[datetime]]:
    """The messages to queue, each carrying the sweep times the stepwise replay would have run before it:
    its own, after those of the redeliveries just before it (which ingest drops); and the sweep times of
    redeliveries at the very end, which nothing follows."""
    queued: list[tuple[InboundMessage, list[datetime]]] = []
    seen: set[str] = set()
    sweeps: list[datetime] = []
    for message in inbound:
        sweeps.append(message.at)
        key = message_key(message.channel, message.message_id)
        if key not in seen:
            seen.add(key)
            queued.append((message, sweeps))
            sweeps = []
    return prepare_on_message_clock(rt.identity, queued, drill_router(rt)), sweeps


def drill_router(rt: Runtime) -> Callable[[InboundMessage, Envelope], keys.Region]:
    """Route a drill's messages before any is decided: as ingest would, except that a direct reply goes to
    the region of the message it quotes as the scenario says (a live relay finds that message's reference in
    its region; here none is written yet), or of the incident a dispatch it quotes names."""
    routes = RegionRoutes(sender_region_ttl_s=rt.settings.report_ttl_s)
    routed: dict[str, keys.Region] = {}

    def region_of(message: InboundMessage, envelope: Envelope) -> keys.Region:
        quote = message.quote or ""
        if message.group is None and quote in routed:
            region = routed[quote]
        elif message.group is None and quote.startswith("dispatch-"):
            region = keys.region_of_id(quote.removeprefix("dispatch-"))
        else:
            region = routes.region_for(rt.conn, message, envelope.reporter)
        routed[message.message_id] = region
        return region

    return region_of


INBOX_BACKLOG_MAX = 20_000
"""Messages a drill keeps queued ahead of the drainer: far below keys.INBOX_MAXLEN, past which the inbox
stream trims its oldest entries, so a month-long drill never loses a message it queued."""
INGEST_SLICE = 5_000


def _replay_on_message_clock(rt: Runtime, procs: list[subprocess.Popen[bytes]],
                             prepared: tuple[list[ClockedMessage], list[datetime]],
                             progress: Callable[[int, int], None] | None) -> None:
    """Queue the messages as fast as the drainer takes them (all at once, up to INBOX_BACKLOG_MAX ahead);
    the drainer sweeps and decides them in order."""
    settings = rt.settings
    queued, sweeps = prepared
    slice_size = min(INGEST_SLICE, INBOX_BACKLOG_MAX)
    expected = 0
    for start in range(0, len(queued), slice_size):
        _wait_decided(rt, procs, expected - (INBOX_BACKLOG_MAX - slice_size), len(queued), progress)
        admitted = ingest_on_message_clock(rt.conn, rt.queue, queued[start:start + slice_size],
                                           ttl_s=settings.report_ttl_s, job_timeout_s=settings.job_timeout_s,
                                           drain_pending_s=settings.claim_idle_s)
        expected += sum(admitted)
    _wait_decided(rt, procs, expected, expected, progress)
    _wait_idle(rt, procs, 60)
    if sweeps:  # the last lines were redeliveries: the stepwise replay swept at their times too
        for at in sweeps:
            sweep_all(rt, at)
        _wait_idle(rt, procs, 60)


def _wait_decided(rt: Runtime, procs: list[subprocess.Popen[bytes]], target: int, total: int,
                  progress: Callable[[int, int], None] | None) -> None:
    """Until `target` messages are decided; a drainer that decides none for MESSAGE_TIMEOUT_S fails the drill."""
    done, last_change = -1, time.monotonic()
    while True:
        now_done = _processed(rt)
        if now_done != done:
            done, last_change = now_done, time.monotonic()
            if progress is not None:
                progress(min(done, total), total)
        if done >= target:
            return
        if time.monotonic() - last_change > MESSAGE_TIMEOUT_S:
            _check_alive(procs)
            raise DrillError(f"no message was decided in {MESSAGE_TIMEOUT_S:.0f} s ({done} of {total} done)")
        time.sleep(0.005)


def incident_summaries(rt: Runtime) -> list[dict[str, Any]]:
    """Every incident the drill opened, in order, for the per-incident summary: its place, final state,
    voices counted, alert id, and why it was verified and cleared (from its decision log)."""
    conn = rt.conn
    ids = [f"i{number}{region.id_suffix}" for region in all_regions(conn)
           for number in range(1, int(conn.get(region.incident_seq) or 0) + 1)]
    out = []
    for incident_id in ids:
        fields = {replies.text(k): replies.text(v) for k, v in conn.hgetall(keys.incident(incident_id)).items()}
        if not fields:
            continue
        why = [json.loads(entry) for entry in conn.lrange(keys.incident_why(incident_id), 0, -1)]
        alert_id = fields.get("alert_id", "")
        record = {replies.text(k): replies.text(v) for k, v in conn.hgetall(keys.alert(alert_id)).items()} \
            if alert_id else {}
        clears = [entry for entry in why if entry.get("k") == "clear" and entry.get("c")]
        out.append({
            "incident": incident_id, "place": fields.get("place", ""), "area": fields.get("area", ""),
            "state": fields.get("state", ""), "alert_id": alert_id,
            "reports": int(fields.get("voices") or conn.zcard(keys.incident_reporters(incident_id))),
            "messages": len(why),
            "verified_by": ("verifier" if record.get("by_verifier") == "1"
                            else f"{record['reports']} independent reports") if record else "",
            "cleared_by": ("verifier" if clears and clears[-1].get("w") == "verifier"
                           else f"{len(clears)} all-clears") if fields.get("state") == "cleared" else "",
        })
    return out


def check(result: DrillResult, truth_path: Path) -> Score:
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    result.score = score(result.outbound, truth, result.messages)
    return result.score
