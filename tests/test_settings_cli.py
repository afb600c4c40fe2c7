"""Every command honours the settings it reads: a flag that was given, else ALERTRELAY_* in the
environment, else `.env`, else the default. A flag that was not given never hides the environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alertrelay.bot import keys
from alertrelay.bot.cli import app
from alertrelay.config.settings import Settings, as_environment
from alertrelay.workers.redis_conn import EmbeddedRedis, connect
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "drill.jsonl"
EXAMPLE_AREAS = REPO / "config" / "example.areas.toml"


@pytest.fixture
def own_redis(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A Redis of this test's own, so that 'the drill used it' can be seen in it."""
    server = EmbeddedRedis(tmp_path / "own-redis").start()
    yield server
    server.stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("ALERTRELAY_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


def drill(*args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(app, ["drill", str(EXAMPLE), "--areas", str(EXAMPLE_AREAS), *args])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines, result.stderr


# -- precedence, once, on the settings themselves

def test_environment_beats_dotenv_and_dotenv_beats_defaults(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ALERTRELAY_QUIET_PERIOD_S=600\nALERTRELAY_TICK_S=5\n")
    assert Settings().quiet_period_s == 600 and Settings().tick_s == 5
    clean_env.setenv("ALERTRELAY_QUIET_PERIOD_S", "300")
    assert Settings().quiet_period_s == 300 and Settings().tick_s == 5
    assert Settings(quiet_period_s=60).quiet_period_s == 60  # a flag that was given


def test_flags_not_given_do_not_hide_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    from alertrelay.config.settings import load_settings

    clean_env.setenv("ALERTRELAY_REDIS_URL", "redis://example.invalid:6379/3")
    assert load_settings(redis_url=None).redis_url == "redis://example.invalid:6379/3"
    assert load_settings(redis_url="redis://flag:1/0").redis_url == "redis://flag:1/0"


def test_worker_processes_get_every_setting_this_process_was_given(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ALERTRELAY_PENDING_PLACE_TTL_S", "77")
    env = as_environment(Settings(quiet_period_s=61, signal_reactions=False))
    assert env["ALERTRELAY_QUIET_PERIOD_S"] == "61"
    assert env["ALERTRELAY_PENDING_PLACE_TTL_S"] == "77"
    assert env["ALERTRELAY_SIGNAL_REACTIONS"] == "false"
    assert "ALERTRELAY_TWILIO_AUTH_TOKEN" not in env  # unset stays unset


# -- alertrelay drill

def test_drill_uses_the_redis_of_the_environment(clean_env: pytest.MonkeyPatch, own_redis: EmbeddedRedis) -> None:
    clean_env.setenv("ALERTRELAY_REDIS_URL", own_redis.url)
    code, lines, err = drill()
    assert code == 0, err
    assert any(line["kind"] == "alert" for line in lines)
    assert connect(own_redis.url).exists(keys.PROCESSED_COUNT)  # it ran there, not in an embedded Redis


def test_drill_redis_flag_beats_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                                own_redis: EmbeddedRedis) -> None:
    busy = EmbeddedRedis(tmp_path / "busy").start()
    try:
        connect(busy.url).set("someone-else", "1")  # a drill refuses a Redis that is not empty
        clean_env.setenv("ALERTRELAY_REDIS_URL", busy.url)
        code, _, err = drill()
        assert code == 2 and "not empty" in err
        code, _, err = drill("--redis-url", own_redis.url)
        assert code == 0, err
    finally:
        busy.stop()


def test_drill_keeps_its_files_in_the_data_dir_of_the_environment(clean_env: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    clean_env.setenv("ALERTRELAY_DATA_DIR", str(kept))
    code, lines, err = drill()
    assert code == 0, err
    assert (kept / "outbox.jsonl").exists() and (kept / "worker-0.log").exists()
    assert (kept / "redis" / "redis.sock").exists()  # its embedded Redis is still there to inspect
    recorded = (kept / "outbox.jsonl").read_text().splitlines()
    assert len(recorded) == len(lines)
    flagged = tmp_path / "flagged"
    code, _, err = drill("--data-dir", str(flagged))  # the flag beats the environment
    assert code == 0, err
    assert (flagged / "outbox.jsonl").exists()
    from alertrelay.workers.redis_conn import _embedded

    for path in (kept, flagged):
        server = _embedded.pop((path / "redis").resolve(), None)
        if server is not None:
            server.stop()


def test_drill_reads_its_policy_settings_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    code, default, err = drill()
    assert code == 0, err
    clean_env.setenv("ALERTRELAY_QUIET_PERIOD_S", "120")  # incidents go quiet after 2 min, not 90
    code, short, err = drill()
    assert code == 0, err
    count = lambda lines, kind: sum(line["kind"] == kind for line in lines)  # noqa: E731
    assert count(short, "update") > count(default, "update")


def test_drill_takes_the_areas_of_the_environment_when_no_flag_is_given(clean_env: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(EXAMPLE.read_text())
    (tmp_path / "areas.toml").write_text("this is not toml [")  # beside the scenario, and broken
    clean_env.setenv("ALERTRELAY_AREAS", str(EXAMPLE_AREAS))
    result = CliRunner().invoke(app, ["drill", str(scenario)])
    assert result.exit_code == 0, result.stderr
    clean_env.delenv("ALERTRELAY_AREAS")
    result = CliRunner().invoke(app, ["drill", str(scenario)])
    assert result.exit_code != 0  # without it, the broken file beside the scenario is the one read


# -- alertrelay worker, audit, run

def child_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTRELAY_")}
    env.update({f"ALERTRELAY_{k.upper()}": v for k, v in settings.items()})
    env["PYTHONPATH"] = str(REPO)
    return env


def test_worker_works_the_queue_of_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                                   own_redis: EmbeddedRedis) -> None:
    from rq.job import Job

    from alertrelay.bot.queues import RETRY_DRAIN, enqueue_once, job_id
    from alertrelay.workers.runtime import Runtime

    rt = Runtime(Settings(redis_url=own_redis.url, data_dir=tmp_path, secret_key="k" * 32))
    enqueue_once(rt.queue, "alertrelay.workers.jobs.sweep_incidents", id_=job_id("sweep", "test"), retry=RETRY_DRAIN,
                 timeout_s=30)
    subprocess.run([sys.executable, "-m", "alertrelay.bot.cli", "worker", "--burst"], check=True, timeout=120,
                   env=child_env(redis_url=own_redis.url, data_dir=str(tmp_path), secret_key="k" * 32,
                                 log_level="WARNING"), cwd=tmp_path)
    job = Job.fetch(job_id("sweep", "test"), connection=rt.conn, serializer=rt.queue.serializer)
    assert job.get_status() == "finished"


def test_audit_reads_the_redis_of_the_environment(clean_env: pytest.MonkeyPatch, own_redis: EmbeddedRedis) -> None:
    connect(own_redis.url).xadd(keys.AUDIT, {"who": "p-test", "what": "area add Riverside"})
    clean_env.setenv("ALERTRELAY_REDIS_URL", own_redis.url)
    result = CliRunner().invoke(app, ["audit"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["what"] == "area add Riverside"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_listens_and_seeds_as_the_environment_says(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                                       own_redis: EmbeddedRedis) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "alertrelay.bot.cli", "run", "--workers", "0"], cwd=tmp_path,
                            env=child_env(redis_url=own_redis.url, data_dir=str(tmp_path), http_port=str(port),
                                          areas=str(EXAMPLE_AREAS), log_level="WARNING"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "the bot never listened on ALERTRELAY_HTTP_PORT"
                time.sleep(0.2)
        assert connect(own_redis.url).dbsize() > 0  # groups and policy seeded from ALERTRELAY_AREAS there
        assert not (tmp_path / "redis").exists()  # no embedded Redis was started beside it
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_geocode_and_classify_read_no_settings(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("ALERTRELAY_REDIS_URL", "redis://127.0.0.1:1/0")  # unreachable: must not matter
    result = CliRunner().invoke(app, ["geocode", "Lake St & Bloomington Ave"])
    assert result.exit_code == 0, result.stderr
    messages = tmp_path / "m.jsonl"
    messages.write_text(json.dumps({"id": "1", "text": "two ICE trucks at Lake & Chicago right now"}) + "\n")
    result = CliRunner().invoke(app, ["classify", "--no-places", str(messages)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["label"] == "report"
