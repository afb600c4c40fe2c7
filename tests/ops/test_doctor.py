"""`alertrelay doctor` against a healthy setup (real Redis, a live rq worker, the fake signal-cli-rest-api,
the fake Twilio through the real twilio client, the real bot app for the webhook) and against each broken part."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pydantic import SecretStr
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from alertrelay.bot import keys
from alertrelay.bot.queues import make_queue
from alertrelay.bot.server import BotContext
from alertrelay.bot.transports import twilio as twilio_transport
from alertrelay.config.settings import Settings
from alertrelay.workers.ops import doctor
from alertrelay.workers.ops.doctor import healthy, run_checks
from alertrelay.workers.ops.keycheck import ensure_key_check
from alertrelay.workers.redis_conn import EmbeddedRedis, connect
from alertrelay.workers.runtime import Runtime
from tests.fakes.signal_api import FakeSignalApi
from tests.fakes.twilio_api import FakeTwilio
from tests.ops.opshelp import cli
from tests.server_thread import ServerThread
from tests.transports.twilio_harness import ACCOUNT, twilio_settings

BOT = "+16125550100"


class Setup:
    """Everything doctor looks at, healthy; tests break one part at a time."""

    def __init__(self, settings: Settings, conn: redis.Redis, tmp_path: Path):
        self.signal = FakeSignalApi(BOT, []).start()
        self.token = secrets.token_hex(16)
        self.twilio = FakeTwilio(ACCOUNT, self.token).start()
        base = settings.model_copy(update={"signal_service": self.signal.service, "signal_number": BOT,
                                           "signal_https": "0", "signal_webhook_token": SecretStr("w" * 24)})
        self.settings = twilio_settings(base, self.twilio.url, self.token)
        self.conn = conn
        rt = Runtime(self.settings, conn=conn)
        self.server = ServerThread(BotContext(self.settings, conn, rt.queue, rt.identity),
                                   [twilio_transport.register_routes]).start()
        self.settings = self.settings.model_copy(update={"public_url": self.server.url})
        ensure_key_check(conn, self.settings.secret_bytes())
        self.worker = SimpleWorker([rt.queue], connection=conn, serializer=JSONSerializer)
        self.worker.register_birth()  # a live worker, as `alertrelay worker` registers itself
        self.worker.heartbeat()

    def checks(self, **update: object) -> dict[str, doctor.Check]:
        return {c.name: c for c in run_checks(self.settings.model_copy(update=update), self.conn)}

    def close(self) -> None:
        self.worker.register_death()
        self.server.stop()
        self.twilio.stop()
        self.signal.stop()


@pytest.fixture
def setup(settings: Settings, conn: redis.Redis, tmp_path: Path) -> Iterator[Setup]:
    made = Setup(settings, conn, tmp_path)
    yield made
    made.close()


def failing(checks: dict[str, doctor.Check]) -> dict[str, str]:
    return {name: c.verdict for name, c in checks.items() if not c.ok and c.needed}


def test_a_healthy_setup_passes_every_check_and_exits_0(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = setup.checks()
    assert failing(checks) == {}
    assert {"redis", "redis.aof", "redis.appendfsync", "redis.eviction", "redis.memory", "secret_key", "areas",
            "clock", "rq.workers", "rq.queue", "rq.failed", "signal.api", "signal.account",
            "signal.webhook_token", "twilio.credentials", "twilio.templates", "twilio.webhook"} <= set(checks)
    env = {"ALERTRELAY_SIGNAL_SERVICE": setup.signal.service, "ALERTRELAY_SIGNAL_NUMBER": BOT,
           "ALERTRELAY_SIGNAL_HTTPS": "0", "ALERTRELAY_SIGNAL_WEBHOOK_TOKEN": "w" * 24,
           "ALERTRELAY_TWILIO_ACCOUNT_SID": ACCOUNT, "ALERTRELAY_TWILIO_AUTH_TOKEN": setup.token,
           "ALERTRELAY_TWILIO_API_URL": setup.twilio.url, "ALERTRELAY_TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
           "ALERTRELAY_TWILIO_CONTENT_SID_EN": "HX" + "1" * 32, "ALERTRELAY_TWILIO_CONTENT_SID_ES": "HX" + "2" * 32,
           "ALERTRELAY_PUBLIC_URL": setup.server.url}
    result = cli(monkeypatch, setup.settings, "doctor", "--json", env=env)
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True and all({"name", "ok", "verdict", "fix"} <= set(c) for c in report["checks"])
    text = cli(monkeypatch, setup.settings, "doctor", env=env)
    assert text.exit_code == 0 and text.stdout.strip().endswith("healthy")


def test_without_signal_or_twilio_configured_their_checks_are_skipped(settings: Settings, conn: redis.Redis) -> None:
    names = {c.name for c in run_checks(settings, conn)}
    assert not any(name.startswith(("signal", "twilio")) for name in names)


def test_redis_unreachable(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli(monkeypatch, settings, "doctor", redis_url=f"unix://{tmp_path}/nothing.sock")
    assert result.exit_code == 1
    assert "FAIL redis: unreachable" in result.stdout


def test_redis_not_persistent_or_evicting_or_full(settings: Settings, fresh_redis: EmbeddedRedis) -> None:
    own = connect(fresh_redis.url)
    own.config_set("appendonly", "no")
    own.config_set("appendfsync", "no")
    own.config_set("maxmemory-policy", "allkeys-lru")
    own.config_set("maxmemory", str(int(own.info("memory")["used_memory"]) + 100_000))
    checks = {c.name: c for c in run_checks(settings, own)}
    broken = failing(checks)
    assert "append-only file off" in broken["redis.aof"]
    assert "appendfsync no" in broken["redis.appendfsync"]
    assert "allkeys-lru" in broken["redis.eviction"]
    assert "MiB used of" in broken["redis.memory"]
    assert checks["redis.eviction"].fix == "redis-server --maxmemory-policy noeviction"
    own.config_set("maxmemory", "0")
    own.close()


def test_another_secret_key(setup: Setup) -> None:
    broken = failing(setup.checks(secret_key=SecretStr(secrets.token_urlsafe(16))))
    assert list(broken) == ["secret_key"] and "not the key that sealed" in broken["secret_key"]
    setup.conn.hset(keys.ROTATION, "new", "x")
    assert "half done" in failing(setup.checks())["secret_key"]


def test_no_secret_key_at_all(setup: Setup, tmp_path: Path) -> None:
    broken = failing(setup.checks(secret_key=None, data_dir=tmp_path / "empty"))
    assert "no ALERTRELAY_SECRET_KEY" in broken["secret_key"]
    assert not (tmp_path / "empty" / "secret.key").exists()  # doctor only looks


def test_a_bad_areas_file(setup: Setup, tmp_path: Path) -> None:
    bad = tmp_path / "areas.toml"
    bad.write_text('[policy]\nmin_reports = 2\n')
    assert "unknown [policy] setting min_reports" in failing(setup.checks(areas=bad))["areas"]


def test_signal_broken_parts(setup: Setup) -> None:
    setup.signal.registered = False
    assert "not registered" in failing(setup.checks())["signal.account"]
    setup.signal.registered = True
    assert "UNSET" in failing(setup.checks(signal_webhook_token=None))["signal.webhook_token"].upper()
    setup.signal.version = "0.90"
    assert "version 0.90" in failing(setup.checks())["signal.api"]
    setup.signal.stop()
    setup.signal = FakeSignalApi(BOT, []).start()  # close() stops this one
    assert "unreachable" in failing(setup.checks(signal_service="127.0.0.1:1"))["signal.api"]


def test_twilio_broken_parts(setup: Setup) -> None:
    assert "refused (401" in failing(setup.checks(twilio_auth_token=SecretStr("wrong")))["twilio.credentials"]
    setup.twilio.account_status = "suspended"
    assert "suspended" in failing(setup.checks())["twilio.credentials"]
    setup.twilio.account_status = "active"
    broken = failing(setup.checks(twilio_content_sid_es=None))
    assert list(broken) == ["twilio.templates"] and "for es" in broken["twilio.templates"]  # sur-es, eastside-es
    assert "unreachable" in failing(setup.checks(public_url="http://127.0.0.1:1"))["twilio.webhook"]
    assert "unset" in failing(setup.checks(public_url=None))["twilio.webhook"]


def test_the_clock(setup: Setup) -> None:
    checks = {c.name: c for c in run_checks(setup.settings, setup.conn, now=lambda: time.time() + 60)}
    assert "disagree by +60" in checks["clock"].verdict and not healthy(list(checks.values()))


def test_workers_queue_and_failures(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    setup.worker.register_death()
    assert "no rq worker is alive" in failing(setup.checks())["rq.workers"]
    setup.worker.register_birth()
    setup.worker.heartbeat()
    monkeypatch.setattr(doctor, "MAX_QUEUE_DEPTH", 2)
    queue = Runtime(setup.settings, conn=setup.conn).queue
    for _ in range(3):
        queue.enqueue("alertrelay.workers.jobs.sweep_incidents")
    assert "3 jobs waiting" in failing(setup.checks())["rq.queue"]
    queue.empty()
    setup.conn.xadd(keys.INBOX_DEAD, {"e": "{}", "error": "failed repeatedly"})
    assert "1 dead inbound message" in failing(setup.checks())["rq.failed"]


# --- rq on its own Redis (ALERTRELAY_QUEUE_REDIS_URL) ------------------------------------------------------

def test_a_separate_queue_redis_gets_the_stores_persistence_checks(
        settings: Settings, conn: redis.Redis, fresh_redis: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch) -> None:
    queue_conn = connect(fresh_redis.url)
    ensure_key_check(conn, settings.secret_bytes())
    worker = SimpleWorker([make_queue(queue_conn)], connection=queue_conn, serializer=JSONSerializer)
    worker.register_birth()  # alive on rq's Redis, where `alertrelay worker` registers itself
    worker.heartbeat()
    env = {"ALERTRELAY_QUEUE_REDIS_URL": fresh_redis.url}
    try:
        result = cli(monkeypatch, settings, "doctor", "--json", env=env)
        assert result.exit_code == 0, result.stdout
        checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
        queue_names = {"redis.queue", "redis.queue.aof", "redis.queue.appendfsync", "redis.queue.eviction",
                       "redis.queue.memory"}
        assert queue_names <= set(checks) and all(checks[name]["ok"] for name in queue_names)
        assert checks["redis.queue.aof"]["verdict"] == "rq's Redis: append-only file on"
        assert checks["redis.aof"]["verdict"] == "append-only file on"  # the store's, as before
        assert checks["rq.workers"]["ok"]

        queue_conn.config_set("appendonly", "no")
        result = cli(monkeypatch, settings, "doctor", env=env)
        assert result.exit_code == 1
        assert "FAIL redis.queue.aof: rq's Redis: append-only file off: a restart loses" in result.stdout
        assert "fix: on rq's Redis (ALERTRELAY_QUEUE_REDIS_URL): redis-server --appendonly yes" in result.stdout
        assert "ok   redis.aof: append-only file on" in result.stdout  # the store is fine: it says which
        assert "ok   rq.workers" in result.stdout

        queue_conn.config_set("maxmemory-policy", "allkeys-lru")
        broken = failing({c.name: c for c in run_checks(settings.model_copy(update={
            "queue_redis_url": fresh_redis.url}), conn, queue_conn)})
        assert set(broken) == {"redis.queue.aof", "redis.queue.eviction"}
        assert "rq's Redis: maxmemory-policy allkeys-lru" in broken["redis.queue.eviction"]
        assert "jobs the relay accepted" in broken["redis.queue.eviction"]
    finally:
        queue_conn.config_set("appendonly", "yes")
        queue_conn.config_set("maxmemory-policy", "noeviction")
        worker.register_death()
        queue_conn.close()


def test_queue_redis_unreachable(settings: Settings, conn: redis.Redis, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_key_check(conn, settings.secret_bytes())
    result = cli(monkeypatch, settings, "doctor", env={"ALERTRELAY_QUEUE_REDIS_URL": f"unix://{tmp_path}/none.sock"})
    assert result.exit_code == 1, result.stdout
    assert "FAIL redis.queue: rq's Redis unreachable: ConnectionError" in result.stdout
    assert "fix: start it, or set ALERTRELAY_QUEUE_REDIS_URL to where it runs" in result.stdout
    assert "ok   redis: reachable" in result.stdout and "redis.queue.aof" not in result.stdout
