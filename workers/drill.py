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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from bot import metrics
from bot.core.models import InboundMessage
from bot.core.scoring import Score, score
from bot.ingest import ingest
from bot.transports.recording import RecordingSender
from config.areas import load_areas
from config.settings import Settings
from bot import keys
from workers.config_state import seed_config
from workers.main import start_worker_processes
from workers.pipeline import sweep
from workers.runtime import Runtime

KIND_ORDER = {"alert": 0, "update": 1, "all_clear": 2, "retraction": 3, "reply": 4}
MESSAGE_TIMEOUT_S = 30.0


class DrillError(Exception):
    pass


@dataclass
class DrillResult:
    outbound: list[dict]
    messages: list[dict]
    score: Score | None
    seconds: float
    metrics_server: object | None = None
    """With metrics_port: the /metrics server, still serving over the finished drill (.shutdown() it)."""


def load_scenario(path: Path) -> list[dict]:
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


def to_inbound(raw: dict) -> InboundMessage:
    location = raw.get("location")
    return InboundMessage(
        channel=raw["channel"], message_id=raw["id"], sender=raw["sender"], group=raw.get("group"),
        text=raw.get("text") or "", at=datetime.fromisoformat(raw["at"]),
        location=(float(location["lat"]), float(location["lon"])) if location else None,
        quote=raw.get("quote"), forwarded=bool(raw.get("forwarded", False)),
    )


def _sort_key(line: dict) -> tuple:
    alert = line.get("alert_id") or ""
    return (line["at"], KIND_ORDER.get(line["kind"], 9), int(alert[1:]) if alert[1:].isdigit() else 0,
            line["to"].get("group") or "", line["to"].get("recipient") or "")


def outstanding_jobs(rt: Runtime) -> int:
    """Jobs queued, just dequeued, running or waiting to retry, read in one transaction: rq moves a job
    queue → intermediate list → started registry atomically, so no job is ever between the three."""
    queue = rt.queue
    pipe = rt.conn.pipeline(transaction=True)
    pipe.llen(queue.key)
    pipe.llen(queue.intermediate_queue_key)
    pipe.zcard(StartedJobRegistry(queue=queue).key)
    pipe.zcard(ScheduledJobRegistry(queue=queue).key)
    return sum(pipe.execute())


def _wait_idle(rt: Runtime, workers: list[subprocess.Popen[bytes]], deadline_s: float) -> None:
    end = time.monotonic() + deadline_s
    while outstanding_jobs(rt):
        _check_alive(workers)
        if time.monotonic() > end:
            raise DrillError("deliveries did not finish in time")
        time.sleep(0.005)


def _check_alive(workers: list[subprocess.Popen[bytes]]) -> None:
    for number, proc in enumerate(workers):
        if proc.poll() is not None:
            raise DrillError(f"worker {number} exited with code {proc.returncode}; see worker-{number}.log "
                             "(run with --data-dir to keep it)")


def run_drill(scenario: Path, areas: Path, *, workers: int = 1, data_dir: Path | None = None,
              redis_url: str | None = None, log_level: str = "WARNING", metrics_port: int | None = None,
              metrics_host: str = "127.0.0.1", on_metrics: Callable[[str], None] | None = None) -> DrillResult:
    """`data_dir`, `redis_url`: as given on the command line (None: not given, so ALERTRELAY_DATA_DIR and
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
    root = Path(tempfile.mkdtemp(prefix="alertrelay-drill-")) if own_dir else Path(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    # a drill never sends for real: what would go out is recorded here, in the drill's own directory
    outbox = root / "outbox.jsonl"
    outbox.unlink(missing_ok=True)
    drill_own: dict[str, object] = {"data_dir": root, "outbox": outbox, "areas": areas}
    if redis_url is not None:
        drill_own["redis_url"] = redis_url
    if environment.secret_key is None:
        drill_own["secret_key"] = secrets.token_urlsafe(32)  # pseudonyms of a rehearsal are throw-away
    if "log_level" not in environment.model_fields_set:
        drill_own["log_level"] = log_level
    settings = Settings(**drill_own)  # type: ignore[arg-type]
    restore_metrics = metrics.use_directory(root, clean=True)  # the drill's own counts and its workers'
    rt = Runtime(settings)
    procs: list[subprocess.Popen[bytes]] = []
    began = time.monotonic()
    metrics_http, keep_server = None, False
    try:
        if metrics_port is not None:
            metrics_http = metrics.serve_http(rt.conn, rt.queue, metrics_host, metrics_port)
            if on_metrics is not None:
                on_metrics(f"http://{metrics_host}:{metrics_http.server_port}/metrics")
        if rt.conn.dbsize():
            raise DrillError("the drill's Redis database is not empty; give it an empty one")
        seed_config(rt.conn, areas_file, rt.identity)
        procs = start_worker_processes(rt, max(1, workers), tick=False, log_dir=root)
        expected = 0
        for raw in messages:
            message = to_inbound(raw)
            sweep(rt, message.at)
            if ingest(rt.conn, rt.queue, rt.identity, message, ttl_s=settings.report_ttl_s,
                      job_timeout_s=settings.job_timeout_s):
                expected += 1
            end = time.monotonic() + MESSAGE_TIMEOUT_S
            while int(rt.conn.get(keys.PROCESSED_COUNT) or 0) < expected:
                if time.monotonic() > end:
                    _check_alive(procs)
                    raise DrillError(f"message {raw['id']} was not processed in {MESSAGE_TIMEOUT_S:.0f} s")
                time.sleep(0.0005)
        _wait_idle(rt, procs, 60)
        outbound = sorted(RecordingSender(outbox).read(), key=_sort_key)
        keep_server = metrics_http is not None and not own_dir
        return DrillResult(outbound=outbound, messages=messages, score=None, seconds=time.monotonic() - began,
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
            from workers.redis_conn import _embedded

            server = _embedded.pop(root.resolve(), None)
            if server is not None:
                server.stop()
            shutil.rmtree(root, ignore_errors=True)


def check(result: DrillResult, truth_path: Path) -> Score:
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    result.score = score(result.outbound, truth, result.messages)
    return result.score
