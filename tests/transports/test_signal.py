"""Signal end to end: the real signalbot 2.2.1 against tests/fakes/signal_api.py over real HTTP and websockets,
the bot's HTTP server (webhook sink), ingest, in-process burst workers, and SignalSender back to the fake.

Areas: franklin-en and south-en (bound by signal_id) both cover Franklin & Chicago; seward-en covers Seward;
a fourth group the bot is in is bound to nothing.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from alertrelay.bot import keys
from alertrelay.bot.app import run_bot
from alertrelay.bot.server import BotContext
from alertrelay.config.areas import load_areas
from alertrelay.config.settings import Settings
from alertrelay.workers.config_state import seed_config
from alertrelay.workers.runtime import Runtime, set_runtime
from tests.conftest import enqueue_due_retries
from tests.fakes.signal_api import (
    FakeSignalApi,
    envelope,
    make_group,
    quote_of,
    quote_of_sent,
    sync_envelope,
    wait_until,
)

BOT = "+4915112345678"
ALICE = ("+4917612345678", "5c2c7b0e-3f6e-4a8b-9a51-2f7d1c6b8e11")
BOB = ("+4917623456789", "6d3d8c1f-4a7f-4b9c-8b62-3a8e2d7c9f22")
CAROL = ("+4917634567890", "7e4e9d2a-5b8a-4cad-9c73-4b9f3e8dab33")
DAVE = ("+4917645678901", "8f5fae3b-6c9b-4dbe-ad84-5cafaf9ebc44")
HIDDEN = (None, "9a6abf4c-7dac-4ecf-be95-6dbabaafcd55")   # phone number privacy: uuid only
ADMIN = "+16125559001"
WEBHOOK_TOKEN = "test-webhook-token"

FRANKLIN = make_group("Franklin rapid response")
SOUTH = make_group("South side")
SEWARD = make_group("Seward")
OTHER = make_group("Book club")

REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"

AREAS = f"""
[policy]
min_independent_reports = 2
window_minutes = 45
radius_m = 500
all_clear_reports = 2

[[group]]
id = "franklin-en"
channel = "signal"
language = "en"
signal_id = "{FRANKLIN.id}"
areas = [{{ lat = 44.9627, lon = -93.2626, radius_m = 700 }}, "East Phillips"]

[[group]]
id = "south-en"
channel = "signal"
language = "en"
signal_id = "{SOUTH.id}"
areas = [{{ lat = 44.9627, lon = -93.2626, radius_m = 400 }}]

[[group]]
id = "seward-en"
channel = "signal"
language = "en"
signal_id = "{SEWARD.id}"
areas = ["Seward"]

[[admin]]
sender = "{ADMIN}"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SignalRelay:
    """The bot process (HTTP server + signalbot receiver) on a thread, workers run in bursts on demand."""

    def __init__(self, rt: Runtime, api: FakeSignalApi):
        self.rt = rt
        self.api = api
        self.conn: redis.Redis = rt.conn
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="bot", daemon=True)
        self.error: BaseException | None = None

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            ctx = BotContext(self.rt.settings, self.rt.conn, self.rt.queue, self.rt.identity)
            await run_bot(ctx, self._stop)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001  (the bot thread's end, surfaced by stop())
            self.error = exc

    def start(self, *, wait: bool = True) -> SignalRelay:
        self._thread.start()
        if wait:
            self.api.wait_for_ws_client()
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)
        assert not self._thread.is_alive(), "the bot did not stop"
        assert self.error is None, f"the bot crashed: {self.error!r}"

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # ---- driving ------------------------------------------------------------------------------------

    def seen(self) -> int:
        return sum(1 for _ in self.conn.scan_iter("relay:seen:*"))

    def push(self, env: dict[str, Any], *, expect_new: bool = True) -> dict[str, Any]:
        before = self.seen()
        self.api.push(env)
        if expect_new:
            wait_until(lambda: self.seen() > before, 10, "the message to be ingested")
        return env

    def work(self) -> None:
        enqueue_due_retries(self.rt.queue)
        SimpleWorker([self.rt.queue], connection=self.conn, serializer=JSONSerializer).work(burst=True)

    def say(self, text: str, who: tuple[str | None, str], group: Any = None, **kw: Any) -> dict[str, Any]:
        env = self.push(envelope(text, number=who[0], uuid=who[1], group=group, **kw))
        self.work()
        return env

    def alerts(self, kind_word: str = "VERIFIED") -> list[dict[str, Any]]:
        return [s for s in list(self.api.sends) if kind_word in s["message"]]

    def inbox_groups(self) -> list[str | None]:
        """The group of every envelope waiting in the inbox (before a worker drains it)."""
        return [json.loads(fields[b"e"])["group"] for _, fields in self.conn.xrange(keys.INBOX)]


@pytest.fixture
def areas_file(tmp_path: Path) -> Path:
    path = tmp_path / "signal.areas.toml"
    path.write_text(AREAS)
    return path


@pytest.fixture
def api() -> Iterator[FakeSignalApi]:
    fake = FakeSignalApi(BOT, [FRANKLIN, SOUTH, SEWARD, OTHER]).start()
    yield fake
    fake.stop()


def make_relay(tmp_path: Path, redis_url: str, conn: redis.Redis, api: FakeSignalApi, areas: Path,
               **overrides: Any) -> SignalRelay:
    port = free_port()
    if overrides.pop("webhook", True):
        api.webhook_url = f"http://127.0.0.1:{port}/signal/receive?token={WEBHOOK_TOKEN}"
    settings = Settings(data_dir=tmp_path, redis_url=redis_url, secret_key=secrets.token_urlsafe(16), areas=areas,
                        signal_service=api.service, signal_number=BOT, signal_https="0",
                        signal_webhook_token=WEBHOOK_TOKEN, http_host="127.0.0.1", http_port=port, **overrides)
    rt = Runtime(settings, conn=conn)
    seed_config(conn, load_areas(areas), rt.identity)
    set_runtime(rt)
    return SignalRelay(rt, api)


@pytest.fixture
def relay(tmp_path: Path, redis_server: Any, conn: redis.Redis, api: FakeSignalApi,
          areas_file: Path) -> Iterator[SignalRelay]:
    bot = make_relay(tmp_path, redis_server.url, conn, api, areas_file).start()
    yield bot
    bot.stop()
    set_runtime(None)


@pytest.fixture
def ws_only_relay(tmp_path: Path, redis_server: Any, conn: redis.Redis, api: FakeSignalApi,
                  areas_file: Path) -> Iterator[SignalRelay]:
    bot = make_relay(tmp_path, redis_server.url, conn, api, areas_file, webhook=False).start()
    yield bot
    bot.stop()
    set_runtime(None)


# ---- groups and alerts ---------------------------------------------------------------------------------

def test_two_group_reports_alert_each_bound_group_once_and_only_those(relay: SignalRelay) -> None:
    first = relay.say(REPORT_A, ALICE, FRANKLIN)
    assert relay.alerts() == []
    second = relay.say(REPORT_B, BOB, SOUTH)
    alerts = relay.alerts()
    assert sorted(a["recipients"][0] for a in alerts) == sorted([FRANKLIN.id, SOUTH.id])
    assert all(len(a["recipients"]) == 1 and a["number"] == BOT for a in alerts)
    assert relay.api.sent_to(SEWARD.id) == [] and relay.api.sent_to(OTHER.id) == []
    assert relay.api.sent_to(FRANKLIN.internal_id) == []
    # 👀 on the first report once counted, then ✅ on both once verified (a ✅ replaces the 👀)
    by_target = [(r["timestamp"], r["reaction"]) for r in relay.api.reactions]
    ts_a, ts_b = first["dataMessage"]["timestamp"], second["dataMessage"]["timestamp"]
    assert by_target[0] == (ts_a, "👀")
    assert sorted(by_target[1:]) == sorted([(ts_a, "✅"), (ts_b, "✅")])
    recipients = {r["timestamp"]: (r["recipient"], r["target_author"]) for r in relay.api.reactions}
    assert recipients[ts_a] == (FRANKLIN.id, ALICE[1]) and recipients[ts_b] == (SOUTH.id, BOB[1])


def test_a_forwarded_copy_and_a_repeat_do_not_count(relay: SignalRelay) -> None:
    relay.say(REPORT_A, ALICE, FRANKLIN)
    relay.say(REPORT_A, CAROL, SOUTH)                       # a forward: same text, another person
    relay.say("pls share: " + REPORT_A, DAVE, FRANKLIN)
    relay.say("still at franklin y chicago, 3 cars now", ALICE, FRANKLIN)   # the same person again
    assert relay.alerts() == []
    reacted = {r["timestamp"] for r in relay.api.reactions}
    assert len(reacted) == 1  # only the first report was counted
    relay.say(REPORT_B, BOB, SOUTH)
    assert len(relay.alerts()) == 2  # one per bound group


def test_a_redelivered_frame_is_ingested_once(relay: SignalRelay) -> None:
    env = relay.say(REPORT_A, ALICE, FRANKLIN)
    relay.api.push(env)                                     # signal-cli redelivers the same message
    time.sleep(0.3)
    relay.work()
    assert int(relay.conn.get(keys.PROCESSED_COUNT)) == 1


def test_direct_message_without_a_place_gets_a_question_and_the_answer_completes_it(relay: SignalRelay) -> None:
    question_to = HIDDEN[1]
    dm = relay.say("hay migra afuera de mi trabajo!!", HIDDEN)
    (question,) = relay.api.sent_to(question_to)
    assert "Dónde" in question["message"] and question["recipients"] == [question_to]
    assert question["quote_timestamp"] == dm["dataMessage"]["timestamp"]   # it quotes the report
    relay.say("en la franklin y chicago", HIDDEN)
    assert relay.alerts() == []
    relay.say(REPORT_A, ALICE, FRANKLIN)
    assert sorted(a["recipients"][0] for a in relay.alerts()) == sorted([FRANKLIN.id, SOUTH.id])
    # a sender who shows their number is answered at their uuid too: a number can change or be hidden
    relay.say("/help", CAROL)
    (answer,) = relay.api.sent_to(CAROL[1])
    assert "/areas" in answer["message"] and relay.api.sent_to(CAROL[0]) == []


@pytest.mark.parametrize("first", [HIDDEN, CAROL], ids=["number-hidden", "number-shown-then-hidden"])
def test_a_direct_report_gets_its_question_and_acknowledgement_at_the_senders_uuid(
        relay: SignalRelay, first: tuple[str | None, str]) -> None:
    uuid = first[1]
    relay.say("hay migra afuera de mi trabajo!!", first)
    relay.say("en la franklin y chicago", (None, uuid))    # the answer comes with the number hidden
    question, ack = relay.api.sent_to(uuid)
    assert "Dónde" in question["message"] and question["recipients"] == [uuid]
    assert ack["message"].startswith("Recibido") and ack["recipients"] == [uuid]   # the same person
    assert first[0] is None or relay.api.sent_to(first[0]) == []


@pytest.mark.parametrize("shown_first", [True, False], ids=["shown-then-hidden", "hidden-then-shown"])
def test_one_person_is_one_voice_whether_their_number_shows_or_not(relay: SignalRelay,
                                                                   shown_first: bool) -> None:
    hidden = (None, ALICE[1])
    relay.say(REPORT_A, ALICE if shown_first else hidden, FRANKLIN)
    relay.say(REPORT_B, hidden if shown_first else ALICE, SOUTH)
    assert relay.alerts() == []                              # one voice, not two
    relay.push(envelope("ICE at franklin & chicago, agents by the bus stop", number=ALICE[0], uuid=None,
                        group=FRANKLIN))                     # an old client: the number alone
    relay.work()
    assert relay.alerts() == []
    relay.say("yes I see them at franklin and chicago, 2 SUVs", BOB, SEWARD)
    assert sorted(a["recipients"][0] for a in relay.alerts()) == sorted([FRANKLIN.id, SOUTH.id])


def test_an_admin_listed_by_number_keeps_the_role_with_the_number_hidden_and_a_group_is_answered_in_the_group(
        relay: SignalRelay) -> None:
    admin = (ADMIN, "1b2c3d4e-0000-4000-8000-00000000a001")
    relay.say("/help", admin)                                # once with the number: the pairing is learnt
    (answer,) = relay.api.sent_to(admin[1])
    relay.say("/subscribe Seward", (None, admin[1]), OTHER)
    (in_group,) = relay.api.sent_to(OTHER.id)
    assert "now gets alerts for Seward" in in_group["message"]
    assert relay.api.sent_to(admin[1]) == [answer]           # the group's answer went to the group only


def test_a_quote_reply_confirmed_counts_and_replies_to_the_alert_clear_it(relay: SignalRelay) -> None:
    report = relay.say(REPORT_A, ALICE, FRANKLIN)
    relay.say("\ufffc confirmed, I see them too", BOB, FRANKLIN, quote=quote_of(report),
              mentions=[{"name": BOT, "number": BOT, "uuid": relay.api.uuid, "start": 0, "length": 1}])
    alerts = relay.alerts()
    assert sorted(a["recipients"][0] for a in alerts) == sorted([FRANKLIN.id, SOUTH.id])
    alert = next(a for a in alerts if a["recipients"] == [FRANKLIN.id])
    # quote-replies to the bot's alert ("se fueron") count against its incident
    quoted = quote_of_sent(alert["timestamp"], BOT, relay.api.uuid, alert["message"])
    relay.say("se fueron", CAROL, FRANKLIN, quote=quoted)
    relay.say("ya se fueron", DAVE, FRANKLIN, quote=quoted)
    clears = [s for s in relay.api.sends if s["timestamp"] > alert["timestamp"] and s not in alerts]
    assert sorted(c["recipients"][0] for c in clears) == sorted([FRANKLIN.id, SOUTH.id])


def test_subscribe_inside_an_unbound_group_binds_it_by_its_public_id(relay: SignalRelay) -> None:
    relay.say("/subscribe Seward", (ADMIN, "1b2c3d4e-0000-4000-8000-00000000a001"), OTHER)
    (answer,) = relay.api.sent_to(OTHER.id)
    assert "now gets alerts for Seward" in answer["message"]
    relay.say("ICE driving around Seward, 2 dark SUVs", ALICE)
    relay.say("migra en seward ahorita, 2 camionetas", BOB)
    assert sorted(a["recipients"][0] for a in relay.alerts()) == sorted([OTHER.id, SEWARD.id])


def test_a_group_bound_by_its_public_id_in_areas_toml(tmp_path: Path, redis_server: Any, conn: redis.Redis,
                                                     api: FakeSignalApi) -> None:
    areas = tmp_path / "public.areas.toml"
    areas.write_text(f'''
[[group]]
id = "{OTHER.id}"
channel = "signal"
areas = ["Seward"]
''')
    bot = make_relay(tmp_path, redis_server.url, conn, api, areas).start()
    try:
        report = bot.say("ICE driving around Seward, 2 dark SUVs", ALICE, OTHER)
        bot.say("migra en seward ahorita, 2 camionetas", BOB)
        assert [a["recipients"] for a in bot.alerts()] == [[OTHER.id]]
        assert [(r["timestamp"], r["reaction"]) for r in api.reactions][-1] == (
            report["dataMessage"]["timestamp"], "✅")
    finally:
        bot.stop()
        set_runtime(None)


# ---- message loss and bad frames ---------------------------------------------------------------------------

def test_a_websocket_drop_during_a_burst_loses_nothing_with_the_webhook_on(relay: SignalRelay) -> None:
    before = relay.api.ws_connects
    texts = [f"msg {i}: ICE at Lake & Hiawatha?" for i in range(12)]
    for text in texts[:4]:
        relay.api.push(envelope(text, number=BOB[0], uuid=BOB[1], group=OTHER))
    relay.api.disconnect_clients()              # abrupt: signalbot reconnects after its 1 s backoff
    for text in texts[4:9]:
        relay.api.push(envelope(text, number=CAROL[0], uuid=CAROL[1], group=OTHER))
    assert len(relay.api.dropped) >= 5          # the websocket path lost them, as the real server does
    relay.api.wait_for_ws_client(after=before + 1)
    for text in texts[9:]:
        relay.api.push(envelope(text, number=DAVE[0], uuid=DAVE[1]))
    wait_until(lambda: relay.seen() == len(texts), 10, "every message")
    time.sleep(0.3)                             # the websocket copies arrive too, and are dropped as duplicates
    assert relay.seen() == len(texts) and relay.conn.xlen(keys.INBOX) == len(texts)
    assert set(relay.inbox_groups()) == {OTHER.id, None}   # an unbound group keeps its public id
    assert all(status == 200 for status in relay.api.webhook_posts)


def test_a_websocket_closed_cleanly_by_the_server_is_reopened(ws_only_relay: SignalRelay) -> None:
    relay = ws_only_relay
    relay.push(envelope("before", number=ALICE[0], uuid=ALICE[1]))
    before = relay.api.ws_connects
    relay.api.disconnect_clients(clean=True)    # signalbot's receive loop just ends on a clean close
    relay.api.wait_for_ws_client(after=before + 1)
    relay.push(envelope("after", number=BOB[0], uuid=BOB[1]))


def test_bad_frames_never_stop_the_bot_nor_lose_the_next_message(relay: SignalRelay) -> None:
    good = envelope("msg 1", number=ALICE[0], uuid=ALICE[1])
    missing = {"envelope": {"source": ALICE[0], "timestamp": 1}, "account": BOT}
    unknown = {"envelope": {**good, "dataMessage": None, "storyMessage": {"x": 1}}, "account": BOT}
    huge = envelope("ICE " + "x" * 1_000_000, number=BOB[0], uuid=BOB[1])
    connects = relay.api.ws_connects
    for frame in (missing, unknown, {"error": "Lost connection to signal-cli"}, "not json {", {"envelope": 7}):
        raw = frame if isinstance(frame, str) else json.dumps(frame)
        relay.api.push_raw(raw, webhook=json.dumps({"jsonrpc": "2.0", "method": "receive", "params": frame}))
        relay.push(envelope("next after a bad frame", number=CAROL[0], uuid=CAROL[1]))
    relay.push(huge)
    relay.push(good)
    relay.work()
    assert relay.alive and relay.seen() == 7
    # invalid frames crashed signalbot's producer, which reconnected; the webhook carried the gaps
    wait_until(lambda: relay.api.ws_connects > connects, 10, "a reconnect")
    # the websocket path recovers too: the bot reconnects and takes messages without the webhook
    relay.api.webhook_url = None
    relay.api.wait_for_ws_client()
    relay.push(envelope("over the websocket only", number=DAVE[0], uuid=DAVE[1]))


def test_frames_that_signalbot_skips_do_not_cost_a_reconnect(ws_only_relay: SignalRelay) -> None:
    relay = ws_only_relay
    connects = relay.api.ws_connects
    base = envelope("x", number=ALICE[0], uuid=ALICE[1])
    receipt = {**base, "dataMessage": None,
               "receiptMessage": {"when": 1, "isDelivery": True, "isRead": False, "isViewed": False}}
    typing = {**base, "dataMessage": None, "typingMessage": {"action": "STARTED", "timestamp": 1}}
    for env in (receipt, typing, envelope(None, number=BOB[0], uuid=BOB[1])):
        relay.api.push(env)
    relay.push(envelope("ICE " + "y" * 1_000_000, number=BOB[0], uuid=BOB[1]))
    relay.push(envelope("next", number=CAROL[0], uuid=CAROL[1]))
    assert relay.api.ws_connects == connects and relay.seen() == 2


def test_the_bot_ignores_its_own_accounts_messages(relay: SignalRelay) -> None:
    relay.api.push(sync_envelope(REPORT_A, bot_number=BOT, bot_uuid=relay.api.uuid, group=FRANKLIN))
    relay.api.push(envelope(REPORT_A, number=BOT, uuid=relay.api.uuid, group=FRANKLIN))
    relay.push(envelope("marker", number=BOB[0], uuid=BOB[1]))
    assert relay.seen() == 1


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "detected"])
def test_a_linked_phones_direct_messages_are_not_reports_from_their_recipients(
        tmp_path: Path, redis_server: Any, conn: redis.Redis, api: FakeSignalApi, areas_file: Path,
        declared: bool) -> None:
    bot = make_relay(tmp_path, redis_server.url, conn, api, areas_file, signal_linked_device=declared).start()
    try:
        if not declared:  # the phone writes in a group first: that gives the second device away
            api.push(sync_envelope("hi all", bot_number=BOT, bot_uuid=api.uuid, group=FRANKLIN))
        # the phone owner writes to Alice; signalbot would hand this on as a message *from* Alice
        api.push(sync_envelope(REPORT_A, bot_number=BOT, bot_uuid=api.uuid, destination=ALICE[0]))
        bot.push(envelope("a real direct message", number=BOB[0], uuid=BOB[1]))   # still taken (webhook)
        time.sleep(0.3)
        assert bot.seen() == 1
    finally:
        bot.stop()
        set_runtime(None)


def test_the_webhook_refuses_posts_without_the_token(relay: SignalRelay) -> None:
    url = f"http://127.0.0.1:{relay.rt.settings.http_port}/signal/receive"
    body = json.dumps({"jsonrpc": "2.0", "method": "receive",
                       "params": {"envelope": envelope("forged", number=ALICE[0], uuid=ALICE[1]), "account": BOT}})
    assert httpx.post(url, content=body).status_code == 403
    assert httpx.post(url + "?token=wrong", content=body).status_code == 403
    assert relay.seen() == 0


def test_the_webhook_works_while_signalbot_cannot_start(tmp_path: Path, redis_server: Any, conn: redis.Redis,
                                                        api: FakeSignalApi, areas_file: Path) -> None:
    api.mode = "normal"                          # signalbot refuses anything but json-rpc, and retries
    bot = make_relay(tmp_path, redis_server.url, conn, api, areas_file).start(wait=False)
    try:
        wait_until(lambda: ("GET", "/v1/about") in api.requests, 10, "signalbot's version check")
        bot.push(envelope("ICE at Lake & Hiawatha", number=ALICE[0], uuid=ALICE[1]))
        assert api.ws_connects == 0
        api.mode = "json-rpc"
        api.wait_for_ws_client()
        bot.push(envelope("and now over the websocket too", number=BOB[0], uuid=BOB[1]))
    finally:
        bot.stop()
        set_runtime(None)


# ---- sending -------------------------------------------------------------------------------------------

def test_a_429_on_send_is_retried_and_the_alert_arrives_once(relay: SignalRelay) -> None:
    relay.say(REPORT_A, ALICE, FRANKLIN)
    relay.api.fail_sends(429)
    relay.say(REPORT_B, BOB, SOUTH)
    assert len(relay.alerts()) == 1                          # one of the two groups was rate-limited
    time.sleep(2.2)                                          # RETRY_DELIVERY's first interval
    relay.work()
    alerts = relay.alerts()
    assert sorted(a["recipients"][0] for a in alerts) == sorted([FRANKLIN.id, SOUTH.id])
    relay.work()
    assert len(relay.alerts()) == 2


def test_an_admin_names_an_area_in_a_dm_and_binds_a_group_to_it(relay: SignalRelay) -> None:
    admin = (ADMIN, "1b2c3d4e-0000-4000-8000-00000000a001")
    relay.say("/area add Riverside = Seward", admin)
    relay.say("/subscribe Riverside", admin, OTHER)
    (answer,) = relay.api.sent_to(OTHER.id)
    assert "now gets alerts for Riverside" in answer["message"]
    relay.say("ICE driving around Seward, 2 dark SUVs", ALICE)
    relay.say("migra en seward ahorita, 2 camionetas", BOB)
    assert sorted(a["recipients"][0] for a in relay.alerts()) == sorted([OTHER.id, SEWARD.id])
