"""Prometheus metrics (issue 13): /metrics scraped during a drill moves as the drill's own summary says;
the bot's /metrics reads queue depth and drainer lag from Redis; worker processes' counts are merged."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from alertrelay.bot import metrics
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.errors import PermanentError, TransientError
from alertrelay.bot.server import BotContext, build_app, serve
from tests.conftest import REPO, T0

EXAMPLE = REPO / "examples" / "drill.jsonl"
EXAMPLE_TRUTH = REPO / "examples" / "drill.truth.json"
EXAMPLE_AREAS = REPO / "config" / "example.areas.toml"
ALLOWED_LABELS = {"channel", "kind", "outcome", "decision", "code", "state", "le"}


def parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of a text exposition."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(samples, name: str, **labels: str) -> float:
    return sum(value for (sample, labelset), value in samples.items()
               if sample == name and all(dict(labelset).get(k) == v for k, v in labels.items()))


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTRELAY_") and k != metrics.ENV}
    env["HOME"] = str(tmp_path)  # no .env or settings of the machine's relay
    return env


def test_metrics_scraped_during_a_drill_move_as_its_summary_says(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "alertrelay.bot.cli", "drill", str(EXAMPLE), "--areas", str(EXAMPLE_AREAS),
         "--workers", "2",
         "--data-dir", str(tmp_path / "drill"), "--out", str(out), "--metrics-port", "0",
         "--stepwise"],  # message by message: slow enough that scrapes land while it runs, even under load
        cwd=REPO, env=clean_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    lines: list[str] = []
    url: list[str] = []
    summary = threading.Event()

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("metrics: http"):
                url.append(line.split()[1])
            if line.startswith("drill:"):
                summary.set()

    threading.Thread(target=read_stderr, daemon=True).start()
    scrapes: list[float] = []
    try:
        deadline = time.monotonic() + 120
        while not url:
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.02)
        while not summary.is_set():  # during the drill: inbound messages counted so far
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            samples = parse(httpx.get(url[0], timeout=5).text)
            scrapes.append(total(samples, "alertrelay_inbound_messages_total"))
            time.sleep(0.02)
        final = parse(httpx.get(url[0], timeout=5).text)  # it serves on after the drill
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert proc.returncode == 0, "".join(lines)

    # the drill's own summary: "drill: 21 messages, 25 outbound (alert 5, all_clear 4, reply 15, update 1) …"
    said = next(line for line in lines if line.startswith("drill:"))
    messages_said = int(re.search(r"drill: (\d+) messages", said).group(1))  # type: ignore[union-attr]
    kinds_said = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", said.split("(")[1].split(")")[0])}
    outbound = [json.loads(line) for line in out.read_text().splitlines()]
    assert Counter(line["kind"] for line in outbound) == kinds_said

    # counters moving during the drill, never backwards, ending where the drill ended
    assert scrapes == sorted(scrapes)
    assert scrapes[0] == 0  # the first scrape comes before the workers are up
    assert any(0 < count < messages_said for count in scrapes), scrapes  # and some while it runs
    assert total(final, "alertrelay_inbound_messages_total") == messages_said
    for kind, count in kinds_said.items():
        assert total(final, "alertrelay_deliveries_total", kind=kind, outcome="sent") == count, kind
    assert total(final, "alertrelay_deliveries_total", outcome="refused") == 0
    assert total(final, "alertrelay_provider_errors_total") == 0

    # decisions: one per alert id that went out as an alert / all-clear / expiry update
    ids = {kind: {line["alert_id"] for line in outbound if line["kind"] == kind}
           for kind in ("alert", "all_clear", "update")}
    assert total(final, "alertrelay_decisions_total", decision="verified") == len(ids["alert"])
    assert total(final, "alertrelay_decisions_total", decision="cleared") == len(ids["all_clear"])
    assert total(final, "alertrelay_decisions_total", decision="expired") == len(ids["update"])
    assert total(final, "alertrelay_decisions_total", decision="retracted") == 0

    # inbound by channel, and by kind where the truth file's role names one
    scenario = [json.loads(line) for line in EXAMPLE.read_text().splitlines() if line.strip()]
    for channel, count in Counter(m["channel"] for m in scenario).items():
        assert total(final, "alertrelay_inbound_messages_total", channel=channel) == count
    roles = Counter(role["role"] for role in json.loads(EXAMPLE_TRUTH.read_text())["messages"].values())
    for kind in ("command", "question", "past", "chatter", "dispute"):
        assert total(final, "alertrelay_inbound_messages_total", kind=kind) == roles[kind], kind
    assert total(final, "alertrelay_inbound_messages_total", kind="all_clear") >= roles["all_clear"]

    # the latency histogram: one observation per group an alert was sent to
    groups_alerted = {(line["alert_id"], line["to"].get("group")) for line in outbound if line["kind"] == "alert"}
    assert total(final, "alertrelay_alert_latency_seconds_count") == len(groups_alerted)
    assert 0 < total(final, "alertrelay_alert_latency_seconds_sum") < 120

    # the Redis gauges, after the drill: nothing waiting
    assert total(final, "alertrelay_redis_up") == 1
    assert total(final, "alertrelay_inbox_messages") == 0
    assert total(final, "alertrelay_queue_jobs", state="queued") == 0

    # no label holds a number, a pseudonym, a group or any text
    for (_, labelset), _ in final.items():
        assert {name for name, _ in labelset} <= ALLOWED_LABELS, labelset
        for name, value in labelset:
            if name == "channel":
                assert value in ("signal", "whatsapp", "sms")
            assert not re.search(r"\d{5,}", value) or name == "code", labelset


def test_counts_of_a_worker_process_are_merged_and_kept_after_it_exits(tmp_path: Path) -> None:
    restore = metrics.use_directory(tmp_path, clean=True)
    try:
        code = (f"from bot import metrics; metrics.use_directory({str(tmp_path)!r}); "
                "metrics.count_inbound('sms', 'report'); metrics.count_decision('verified')")
        env = {**clean_env(tmp_path), metrics.ENV: str(metrics.directory(tmp_path).resolve())}
        for _ in range(2):
            child = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, timeout=60)
            assert child.returncode == 0
        metrics.count_inbound("signal", "chatter")  # this process, as the bot or a drill
        samples = parse(metrics.scrape(_NoRedis(), _Queue())[0].decode())
        assert total(samples, "alertrelay_inbound_messages_total", channel="sms", kind="report") == 2
        assert total(samples, "alertrelay_inbound_messages_total", channel="signal") == 1
        assert total(samples, "alertrelay_decisions_total", decision="verified") == 2
        assert total(samples, "alertrelay_redis_up") == 0  # Redis unreachable: said, counters still served
        metrics.process_exited(12345)  # no live gauges of its own: nothing to drop, nothing breaks
    finally:
        restore()
    assert os.environ.get(metrics.ENV) is None


def test_a_restart_drops_the_files_of_processes_no_longer_running(tmp_path: Path) -> None:
    folder = metrics.directory(tmp_path)
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (folder / f"counter_{metrics.process_id(int(dead.stdout))}.db").write_bytes(b"")
    (folder / f"counter_{metrics.process_id()}.db").write_bytes(b"")
    (folder / "counter_another-container-1.db").write_bytes(b"")  # its worker may be running: kept
    metrics.remove_dead_files(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["counter_another-container-1.db",
                                                        f"counter_{metrics.process_id()}.db"]


class _NoRedis:
    def pipeline(self, transaction: bool = True):  # type: ignore[no-untyped-def]
        raise ConnectionError("no Redis in this test")


class _Queue:
    name = "relay"
    key = "rq:queue:relay"


class _TwilioLike(Exception):
    def __init__(self, code: int, status: int):
        super().__init__("Unable to create record: The 'To' number +16125550100 is not valid")
        self.code, self.status = code, status


def test_provider_error_codes_never_carry_the_message() -> None:
    def raised(exc: Exception, cause: Exception | None = None) -> Exception:
        try:
            raise exc from cause
        except Exception as caught:  # noqa: BLE001  (hands back whatever it was given to raise)
            return caught

    assert metrics.error_code(raised(PermanentError("twilio refused: 400 21211"), _TwilioLike(21211, 400))) == "21211"
    assert metrics.error_code(raised(TransientError("signal: send to +1612…: HTTP 503: busy"))) == "http_503"
    assert metrics.error_code(raised(TransientError("x"), ConnectionError("+16125550100"))) == "ConnectionError"


def test_counting_sender_counts_outcomes_and_errors_by_code() -> None:
    from alertrelay.bot.transports.base import Outbound

    class Flaky:
        def __init__(self) -> None:
            self.errors = [TransientError("signal: send: HTTP 502: bad gateway"), PermanentError("HTTP 400: no")]

        def send(self, message):  # type: ignore[no-untyped-def]
            if self.errors:
                raise self.errors.pop(0)
            return "id-1"

    before = parse(metrics.scrape(_NoRedis(), _Queue())[0].decode())
    sender = metrics.CountingSender(Flaky())
    message = Outbound(kind="alert", channel="signal", text="t", at=T0, group="g")
    for _ in range(2):
        with pytest.raises((TransientError, PermanentError)):
            sender.send(message)
    assert sender.send(message) == "id-1"
    after = parse(metrics.scrape(_NoRedis(), _Queue())[0].decode())

    def grew(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert grew("alertrelay_deliveries_total", channel="signal", kind="alert", outcome="sent") == 1
    assert grew("alertrelay_deliveries_total", outcome="failed") == 1
    assert grew("alertrelay_deliveries_total", outcome="refused") == 1
    assert grew("alertrelay_provider_errors_total", channel="signal", code="http_502") == 1
    assert grew("alertrelay_provider_errors_total", channel="signal", code="http_400") == 1


def test_bot_metrics_endpoint_reads_queue_depth_and_drainer_lag_from_redis(rt, settings) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        ctx = BotContext(settings.model_copy(update={"metrics_token": None}), rt.conn, rt.queue, rt.identity)
        runner = await serve(build_app(ctx, []), "127.0.0.1", 0)
        port = runner.addresses[0][1]
        try:
            for number in range(3):  # admitted, no worker to drain them
                message = InboundMessage(channel="sms", message_id=f"SM{number}", sender=f"+1612555010{number}",
                                         text="ICE at Franklin and Chicago now", at=T0)
                await ctx.ingest_async(message)
            await asyncio.sleep(1.1)  # the oldest waits at least a second
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            samples = parse(response.text)
            assert total(samples, "alertrelay_inbox_messages") == 3
            assert total(samples, "alertrelay_queue_jobs", state="queued") == 1  # the one drain job
            assert total(samples, "alertrelay_drainer_lag_seconds") >= 1.0
            assert "+1612" not in response.text
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_metrics_token_is_asked_for_when_set(rt, settings) -> None:  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    async def scenario() -> None:
        ctx = BotContext(settings.model_copy(update={"metrics_token": SecretStr("s3cret-token")}), rt.conn,
                         rt.queue, rt.identity)
        runner = await serve(build_app(ctx, []), "127.0.0.1", 0)
        port = runner.addresses[0][1]
        try:
            async with httpx.AsyncClient() as client:
                assert (await client.get(f"http://127.0.0.1:{port}/metrics")).status_code == 401
                wrong = await client.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer x"})
                assert wrong.status_code == 401
                right = await client.get(f"http://127.0.0.1:{port}/metrics",
                                         headers={"Authorization": "Bearer s3cret-token"})
                assert right.status_code == 200 and "alertrelay_redis_up 1.0" in right.text
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_the_dashboard_queries_only_metrics_the_relay_exports() -> None:
    dashboard = json.loads((REPO / "docs" / "grafana-dashboard.json").read_text())
    source = (REPO / "bot" / "metrics.py").read_text()
    names = {name for panel in dashboard["panels"] for target in panel["targets"]
             for name in re.findall(r"alertrelay_\w+", target["expr"])}
    assert names
    for name in names:
        base = re.sub(r"_(total|bucket|count|sum)$", "", name)
        assert f'"{base}"' in source, name


def test_a_scrape_skips_a_metrics_file_a_starting_process_has_not_sized_yet(tmp_path: Path) -> None:
    """prometheus_client creates a process's file, then sizes it: a scrape in between must not fail."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.mmap_dict import MmapedDict, mmap_key

    (tmp_path / "counter_4242.db").write_bytes(b"")  # the window: a starting worker's file, not sized yet
    settled = MmapedDict(str(tmp_path / "counter_7.db"))  # and one a running process has written
    settled.write_value(mmap_key("alertrelay_test", "alertrelay_test_total", [], [], "a counter"), 3.0, 0.0)
    settled.close()
    registry = CollectorRegistry()
    metrics._settled_files_collector(registry, str(tmp_path))
    assert b"alertrelay_test_total 3.0" in generate_latest(registry)
