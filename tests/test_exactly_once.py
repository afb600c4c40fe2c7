"""A message that went out never goes out again (issue 10): Redis failing right after Twilio accepted a send,
a worker killed while the provider answered, an attempt that never reached the provider.

Real Redis (an embedded server of the test's own where it is killed), the real twilio client against
tests/fakes/twilio_api.py, SignalSender against tests/fakes/signal_api.py. A "worker" that dies is a forked
child process running the delivery job, SIGKILLed by the fake provider at the moment that matters."""

from __future__ import annotations

import json
import secrets
import signal
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from alertrelay.bot import keys
from alertrelay.bot.errors import TransientError
from alertrelay.bot.ingest import message_key
from alertrelay.bot.keys import twilio as tk
from alertrelay.bot.transports.signal_sender import SignalSender
from alertrelay.bot.transports.twilio_sender import TwilioSender
from alertrelay.config.areas import load_areas
from alertrelay.config.settings import Settings
from alertrelay.workers import delivery
from alertrelay.workers.config_state import seed_config
from alertrelay.workers.delivery import deliver
from alertrelay.workers.redis_conn import EmbeddedRedis, connect
from alertrelay.workers.runtime import Runtime, set_runtime
from tests.conftest import T0
from tests.fakes.signal_api import FakeSignalApi, make_group
from tests.fakes.twilio_api import FakeTwilio, Sent
from tests.killable_worker import KillableWorker
from tests.transports.twilio_harness import ACCOUNT, twilio_settings

SUR = ["whatsapp:+16125559101", "whatsapp:+16125559102"]
ITEMS = [["a1", "alert", T0.isoformat(), ""]]
LEASE_S = 2


def store_alert(conn: redis.Redis, group: str) -> None:
    """What `announce` writes for a verified alert (workers/delivery.py)."""
    conn.hset(keys.alert("a1"), mapping={
        "incident": "i1", "groups": json.dumps([group]), "place": "38th St & Chicago Ave", "area": "",
        "lat": "44.93445", "lon": "-93.26256", "at": T0.isoformat(), "in_reply_to": "", "by_verifier": "0",
        "reports": "2", "seen": ""})


def closed_port() -> int:
    """A port nothing listens on (bound, then closed): connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def twilio_runtime(base: Settings, conn: redis.Redis, api: FakeTwilio, token: str) -> Runtime:
    settings = twilio_settings(base, api.url, token, delivery_lease_s=LEASE_S)
    rt = Runtime(settings, conn=conn)
    rt._sender = TwilioSender(settings, conn, rt.identity)
    seed_config(conn, load_areas(settings.areas), rt.identity)
    store_alert(conn, "sur-es")
    set_runtime(rt)
    return rt


def creates_to(api: FakeTwilio) -> Counter[str]:
    return Counter(s.to for s in api.sent)


def claim_of(rt: Runtime, number: str) -> bytes | None:
    return rt.conn.get(keys.delivery_claim("a1", "alert", "sur-es", rt.identity.pseudonym(number)))


@pytest.fixture
def fake_twilio() -> Iterator[tuple[FakeTwilio, str]]:
    token = secrets.token_hex(16)
    api = FakeTwilio(ACCOUNT, token).start()
    yield api, token
    api.stop()


@pytest.fixture(autouse=True)
def _fresh_worker_memory() -> Iterator[None]:
    delivery._accepted_unrecorded.clear()
    yield
    delivery._accepted_unrecorded.clear()
    set_runtime(None)


# ------------------------------------------------------------------------------------------ Twilio

def test_redis_failing_right_after_twilio_accepted_sends_nothing_twice(tmp_path: Path, settings: Settings,
                                                                       fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    server = EmbeddedRedis(tmp_path / "own-redis").start()
    conn = connect(server.url)
    try:
        rt = twilio_runtime(settings.model_copy(update={"redis_url": server.url}), conn, api, token)

        def redis_dies(sent: Sent) -> None:  # Twilio has the message; our Redis is gone before the 201
            if len(api.sent) == 1:
                assert server.process is not None
                server.process.kill()
                server.process.wait()

        api.accepted = redis_dies
        with pytest.raises(TransientError):
            deliver("sur-es", ITEMS)
        assert creates_to(api) == Counter(SUR[:1])

        server = EmbeddedRedis(tmp_path / "own-redis").start()  # Redis is back (its AOF kept the claim)
        assert deliver("sur-es", ITEMS) == 1  # the retry: the first member is recorded, not sent again
        assert creates_to(api) == Counter(SUR)
        assert deliver("sur-es", ITEMS) == 0
        assert creates_to(api) == Counter(SUR)
        assert {claim_of(rt, n.split(":")[1]) for n in SUR} == {b"sent"}
        first = api.sent[0]
        # the bookkeeping Twilio's record needed was written late, not lost
        assert conn.hget(tk.sent_message(first.sid), "token") == first.query["t"].encode()
        assert rt.sender._unremembered == []  # type: ignore[attr-defined]
    finally:
        conn.close()
        server.stop()


def test_redis_down_for_good_after_acceptance_then_another_worker_finds_it_at_twilio(
        tmp_path: Path, settings: Settings, fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    server = EmbeddedRedis(tmp_path / "own-redis").start()
    conn = connect(server.url)
    try:
        rt = twilio_runtime(settings.model_copy(update={"redis_url": server.url}), conn, api, token)
        api.accepted = lambda sent: (server.process.kill(), server.process.wait()) if len(api.sent) == 1 else None  # type: ignore[union-attr]
        with pytest.raises(TransientError):
            deliver("sur-es", ITEMS)
        server = EmbeddedRedis(tmp_path / "own-redis").start()
        delivery._accepted_unrecorded.clear()  # the retry runs in another worker process
        rt._sender = TwilioSender(rt.settings, conn, rt.identity)
        time.sleep(LEASE_S + 0.1)  # the lease is over (the failed attempt's bookkeeping already took ~5 s)
        assert deliver("sur-es", ITEMS) == 1
        assert creates_to(api) == Counter(SUR) and api.lists >= 1
        assert claim_of(rt, SUR[0].split(":")[1]) == b"sent"
        # the quote reference of the alert found at Twilio is written too
        assert conn.get(keys.message_ref(message_key("whatsapp", api.sent[0].sid))) == b"i1"
    finally:
        conn.close()
        server.stop()


def killed_once_twilio_accepted(settings: Settings, conn: redis.Redis, api: FakeTwilio, token: str) -> Runtime:
    """A delivery worker SIGKILLed the moment Twilio accepted its first message, before it recorded it."""
    rt = twilio_runtime(settings, conn, api, token)
    worker = KillableWorker(rt.settings, "whatsapp", "sur-es", ITEMS)
    api.accepted = lambda sent: worker.kill() if len(api.sent) == 1 else None
    assert worker.start().wait() == -signal.SIGKILL
    return rt


def test_a_worker_killed_after_twilio_accepted_is_found_at_twilio_and_not_resent(
        settings: Settings, conn: redis.Redis, fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    rt = killed_once_twilio_accepted(settings, conn, api, token)
    assert creates_to(api) == Counter(SUR[:1])
    assert claim_of(rt, SUR[0].split(":")[1]).startswith(b"sending:")  # type: ignore[union-attr]
    with pytest.raises(Exception, match="another attempt is sending"):
        deliver("sur-es", ITEMS)  # inside its lease the attempt may still be under way: hands off
    assert len(api.sent) == 1 and api.lists == 0

    time.sleep(LEASE_S + 0.1)  # the dead worker's lease is over
    assert deliver("sur-es", ITEMS) == 1  # only the second member, who had not been sent to
    assert creates_to(api) == Counter(SUR)
    assert api.lists >= 1 and claim_of(rt, SUR[0].split(":")[1]) == b"sent"
    assert deliver("sur-es", ITEMS) == 0 and len(api.sent) == 2


def test_a_worker_killed_before_twilio_took_it_is_resent_exactly_once(
        settings: Settings, conn: redis.Redis, fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    rt = twilio_runtime(settings, conn, api, token)
    worker = KillableWorker(rt.settings, "whatsapp", "sur-es", ITEMS)

    def dies_before_creating(form: dict[str, str]) -> int | None:
        if not api.rejected and not api.sent:
            worker.kill()
            print("KILLED", flush=True)  # the request arrived; the worker dies before Twilio created anything
            return 20500
        return None

    api.hook = dies_before_creating
    assert worker.start().wait() == -signal.SIGKILL
    assert api.sent == [] and claim_of(rt, SUR[0].split(":")[1]).startswith(b"sending:")  # type: ignore[union-attr]
    time.sleep(LEASE_S + 0.1)
    assert deliver("sur-es", ITEMS) == 2  # not at Twilio: sent now, once
    assert creates_to(api) == Counter(SUR)
    assert deliver("sur-es", ITEMS) == 0 and creates_to(api) == Counter(SUR)


def test_a_5xx_after_twilio_created_it_is_looked_up_at_once_and_not_resent(
        settings: Settings, conn: redis.Redis, fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    rt = twilio_runtime(settings, conn, api, token)
    api.queued = True  # still in Twilio's queue: no DateSent yet, found by the newest-first query
    api.fail_after_create = [20500]
    with pytest.raises(Exception, match="twilio 500"):
        deliver("sur-es", ITEMS)
    assert creates_to(api) == Counter(SUR[:1])
    assert claim_of(rt, SUR[0].split(":")[1]).startswith(b"unsure:")  # type: ignore[union-attr]
    assert deliver("sur-es", ITEMS) == 1  # no lease to wait for: that attempt is over, asked at once
    assert creates_to(api) == Counter(SUR)


def test_a_5xx_for_a_message_twilio_never_created_is_resent_once(
        settings: Settings, conn: redis.Redis, fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    rt = twilio_runtime(settings, conn, api, token)
    api.hook = lambda form: 20500 if not api.rejected else None  # the first create fails, nothing created
    with pytest.raises(Exception, match="twilio 500"):
        deliver("sur-es", ITEMS)
    assert api.sent == [] and claim_of(rt, SUR[0].split(":")[1]).startswith(b"unsure:")  # type: ignore[union-attr]
    assert deliver("sur-es", ITEMS) == 2 and api.lists >= 1
    assert creates_to(api) == Counter(SUR)
    assert deliver("sur-es", ITEMS) == 0 and creates_to(api) == Counter(SUR)


def test_twilio_unreachable_releases_the_claim_and_the_retry_sends_once(
        settings: Settings, conn: redis.Redis, fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    url = api.url
    api.stop()  # nothing listens: the connection is refused before any request
    rt = twilio_runtime(settings, conn, api, token)
    rt.sender.client.api.base_url = url  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="unreachable"):
        deliver("sur-es", ITEMS)
    assert claim_of(rt, SUR[0].split(":")[1]) is None  # certainly not sent: free to send at once
    restarted = FakeTwilio(ACCOUNT, token).start()
    try:
        rt.sender.client.api.base_url = restarted.url  # type: ignore[attr-defined]
        assert deliver("sur-es", ITEMS) == 2 and creates_to(restarted) == Counter(SUR)
    finally:
        restarted.stop()


def test_the_status_callback_token_finds_a_send_without_asking_twilio(
        settings: Settings, conn: redis.Redis, fake_twilio: tuple[FakeTwilio, str]) -> None:
    api, token = fake_twilio
    rt = killed_once_twilio_accepted(settings, conn, api, token)
    sent = api.sent[0]
    assert sent.query["t"] == delivery.delivery_token(keys.delivery_claim(
        "a1", "alert", "sur-es", rt.identity.pseudonym(SUR[0].split(":")[1])))
    assert "t" not in sent.form.get("Body", "") and sent.query["t"] not in sent.body  # invisible to them
    conn.set(tk.sent_token(sent.query["t"]), sent.sid)  # what its status callback records (handle_status)
    time.sleep(LEASE_S + 0.1)
    lists = api.lists
    assert deliver("sur-es", ITEMS) == 1 and api.lists == lists and creates_to(api) == Counter(SUR)


# ------------------------------------------------------------------------------------------ Signal

GROUP = make_group("Seward")
BOT = "+4915112345678"


def signal_runtime(tmp_path: Path, base: Settings, conn: redis.Redis, api: FakeSignalApi) -> Runtime:
    areas = tmp_path / "areas.toml"
    areas.write_text(f'[[group]]\nid = "seward-en"\nchannel = "signal"\nlanguage = "en"\n'
                     f'signal_id = "{GROUP.id}"\nareas = ["Seward"]\n')
    settings = base.model_copy(update={"outbox": None, "areas": areas, "signal_service": api.service,
                                       "signal_number": BOT, "signal_https": "0", "delivery_lease_s": LEASE_S})
    rt = Runtime(settings, conn=conn)
    rt._sender = SignalSender.from_settings(settings)
    seed_config(conn, load_areas(areas), rt.identity)
    store_alert(conn, "seward-en")
    set_runtime(rt)
    return rt


@pytest.fixture
def fake_signal() -> Iterator[FakeSignalApi]:
    api = FakeSignalApi(BOT, [GROUP]).start()
    yield api
    api.stop()


def test_signal_a_worker_killed_waiting_for_the_answer_is_not_resent_blind(
        tmp_path: Path, settings: Settings, conn: redis.Redis, fake_signal: FakeSignalApi) -> None:
    rt = signal_runtime(tmp_path, settings, conn, fake_signal)
    fake_signal.send_delay_s = 1.0  # signal-cli takes its time; the worker is killed meanwhile
    worker = KillableWorker(rt.settings, "signal", "seward-en", ITEMS).start()
    deadline = time.monotonic() + 30
    while not fake_signal.send_attempts and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.kill()
    assert worker.wait() == -signal.SIGKILL
    time.sleep(fake_signal.send_delay_s + 0.2)
    assert len(fake_signal.sends) == 1  # signal-cli sent it after all
    claim = keys.delivery_claim("a1", "alert", "seward-en", "0")
    assert conn.get(claim).startswith(b"sending:")  # type: ignore[union-attr]
    time.sleep(LEASE_S + 0.1)
    # signal-cli-rest-api cannot be asked: not sent blind a second time, and the admins are told
    assert deliver("seward-en", ITEMS) == 0
    assert len(fake_signal.send_attempts) == 1
    assert conn.get(claim) == b"unknown"
    (_, warning), = conn.xrange(keys.DELIVERY_WARNINGS)
    assert warning[b"channel"] == b"signal" and b"a1" in warning[b"text"] and b"+" not in warning[b"text"]


def test_signal_unreachable_releases_the_claim_and_the_retry_sends_once(
        tmp_path: Path, settings: Settings, conn: redis.Redis, fake_signal: FakeSignalApi) -> None:
    rt = signal_runtime(tmp_path, settings, conn, fake_signal)
    good = rt.sender
    rt._sender = SignalSender(f"127.0.0.1:{closed_port()}", BOT, https="0")
    with pytest.raises(Exception, match="cannot reach"):
        deliver("seward-en", ITEMS)
    assert conn.get(keys.delivery_claim("a1", "alert", "seward-en", "0")) is None
    rt._sender = good
    assert deliver("seward-en", ITEMS) == 1 and deliver("seward-en", ITEMS) == 0
    assert len(fake_signal.sends) == 1


# ------------------------------------------------------------------------------------------ recorded outbox

def test_the_outbox_is_asked_like_a_provider_after_a_lease(rt: Runtime) -> None:
    """Drills and local runs: the outbox file is what was sent; a line is there whole or not at all."""
    from alertrelay.bot.transports.recording import RecordingSender

    rt.settings = rt.settings.model_copy(update={"delivery_lease_s": 0})
    store_alert(rt.conn, "sur-es")
    assert deliver("sur-es", ITEMS) == 2
    outbox = RecordingSender(rt.settings.outbox)  # type: ignore[arg-type]
    lines = outbox.read()
    members = [n.split(":")[1] for n in SUR]
    # both attempts "died" unconfirmed: one had written its line, the other had not
    rt.settings.outbox.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n")  # type: ignore[union-attr]
    for number in members:
        claim = keys.delivery_claim("a1", "alert", "sur-es", rt.identity.pseudonym(number))
        rt.conn.set(claim, f"sending:{delivery.delivery_token(claim)}:{int(time.time() * 1000) - 1000}")
    assert deliver("sur-es", ITEMS) == 1
    assert outbox.read() == lines  # the one that was missing, once; the other not again


def test_a_status_callback_records_which_send_carried_a_token(settings: Settings, conn: redis.Redis) -> None:
    from tests.transports.twilio_harness import TwilioRelay

    tr = TwilioRelay(settings, conn)
    try:
        tr.whatsapp("la migra en la 38 y chicago, 3 camionetas", sender="+16125550011")
        tr.whatsapp("ICE at 38th St & Chicago Ave right now, agents detaining someone", sender="+16125550012")
        alert = tr.sent("alert")[0]
        assert tr.receipt(alert, "sent") == 200
        assert conn.get(tk.sent_token(alert.query["t"])) == alert.sid.encode()
    finally:
        tr.close()


def test_the_durable_ack_fsyncs_the_embedded_redis_aof_and_refuses_nonsense(conn: redis.Redis) -> None:
    from alertrelay.bot.durability import _aof_file, durable_ack

    path = _aof_file(conn)
    assert path is not None and path.name == "appendonly.aof" and path.is_file()
    assert durable_ack(conn, "auto") and durable_ack(conn, "fsync") and durable_ack(conn, "")
    assert not durable_ack(conn, "waitaof")  # Redis 6.2 has no WAITAOF: a warning, the send goes on
    with pytest.raises(ValueError):
        durable_ack(conn, "sometimes")
