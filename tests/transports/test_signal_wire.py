"""Signal pieces without a bot: the id scheme, the raw-envelope reader, the group index and SignalSender's
error mapping (httpx MockTransport; every unexpected request fails the test)."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis

from alertrelay.bot import keys
from alertrelay.bot.errors import NotSent, PermanentError, RateLimited, TransientError
from alertrelay.bot.identity import Identity
from alertrelay.bot.transports.base import Outbound
from alertrelay.bot.transports.signal import GroupIndex
from alertrelay.bot.transports.signal_inbound import (
    SignalIds,
    frame_envelope,
    public_group_id,
    text_from_envelope,
    to_inbound,
)
from alertrelay.bot.transports.signal_sender import SignalSender, sent_message_id
from tests.fakes.signal_api import envelope, make_group, quote_of, quote_of_sent, sync_envelope

BOT = "+4915112345678"
ALICE = ("+4917612345678", "5c2c7b0e-3f6e-4a8b-9a51-2f7d1c6b8e11")
GROUP = make_group("Alerts")
AT = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def ids() -> SignalIds:
    return SignalIds(Identity(secrets.token_bytes(16)), BOT)


def no_groups(_: str) -> None:
    return None


class Records(logging.Handler):
    """Log capture that works with `-p no:logging` (no caplog there)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(r.getMessage() for r in self.records)


@pytest.fixture
def logs() -> Any:
    handler = Records()
    logger = logging.getLogger("alertrelay.bot.transports.signal_sender")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


# ---- ids and envelopes -------------------------------------------------------------------------------------

def test_public_group_id_is_the_rest_apis_form() -> None:
    notes_internal = "Wh+cPnstTm+AkaKzxNXm9wgZKjtMXW5/gJGis8TV5vc="
    assert public_group_id(notes_internal) == "group.V2grY1Buc3RUbStBa2FLenhOWG05d2daS2p0TVhXNS9nSkdpczhUVjV2Yz0="


def test_message_ids_hold_no_number_or_uuid_and_quotes_of_the_bot_match_what_sending_returns(ids: SignalIds) -> None:
    mid = ids.message_id(1760000000001, *ALICE)
    assert mid is not None and mid.startswith("1760000000001-")
    assert ALICE[0][1:] not in mid and ALICE[1] not in mid and "4917612345678" not in mid
    assert ids.message_id(1760000000001, None, ALICE[1]) == mid   # the uuid decides when both are known
    assert ids.message_id(1760000000002, BOT, "0b7e2f44-9d1a-4c3e-8f55-6a2b9c1d0e77") == sent_message_id(1760000000002)
    other = SignalIds(Identity(b"another secret"), BOT)
    assert other.message_id(1760000000001, *ALICE) != mid           # keyed: not guessable without the secret


def test_a_raw_group_message_becomes_an_inbound_message(ids: SignalIds) -> None:
    env = envelope("\ufffc ICE at Lake & Hiawatha", number=ALICE[0], uuid=ALICE[1], group=GROUP, attachments=2,
                   timestamp=1760000000001)
    item = text_from_envelope(frame_envelope({"envelope": env, "account": BOT}, BOT))
    assert item is not None
    msg = to_inbound(item, ids, lambda public: "alerts-en" if public == GROUP.id else None)
    assert msg is not None
    assert (msg.channel, msg.group, msg.text, msg.attachments, msg.sender, msg.sender_number) == (
        "signal", "alerts-en", "ICE at Lake & Hiawatha", 2, ALICE[1], ALICE[0])   # the uuid first
    assert msg.at == datetime.fromtimestamp(1760000000.151, tz=UTC)   # the server's clock
    unbound = to_inbound(item, ids, no_groups)
    assert unbound is not None and unbound.group == GROUP.id


def test_a_direct_message_is_addressed_to_the_uuid_whenever_the_envelope_has_one(ids: SignalIds) -> None:
    def sender_of(number: str | None, uuid: str | None) -> tuple[str, str | None]:
        item = text_from_envelope(envelope("hi", number=number, uuid=uuid))
        msg = to_inbound(item, ids, no_groups) if item is not None else None
        assert msg is not None
        return msg.sender, msg.sender_number

    assert sender_of(None, ALICE[1]) == (ALICE[1], None)          # number hidden (Signal's default)
    assert sender_of(*ALICE) == (ALICE[1], ALICE[0])
    assert sender_of(ALICE[0], None) == (ALICE[0], None)
    assert sender_of(ALICE[0], "not-a-uuid") == (ALICE[0], None)   # a broken uuid: the number still answers


def test_quotes_point_at_the_quoted_message_id(ids: SignalIds) -> None:
    original = envelope("ICE at Lake St", number=ALICE[0], uuid=ALICE[1], group=GROUP)
    reply = envelope("confirmed", number="+4917623456789", uuid=None, group=GROUP, quote=quote_of(original))
    item = text_from_envelope(reply)
    assert item is not None
    msg = to_inbound(item, ids, no_groups)
    assert msg is not None and msg.quote == ids.message_id(original["dataMessage"]["timestamp"], *ALICE)
    to_alert = envelope("se fueron", number=ALICE[0], uuid=ALICE[1], group=GROUP,
                        quote=quote_of_sent(1760000000999, BOT, "0b7e2f44-9d1a-4c3e-8f55-6a2b9c1d0e77"))
    alert_reply = to_inbound(text_from_envelope(to_alert), ids, no_groups)  # type: ignore[arg-type]
    assert alert_reply is not None and alert_reply.quote == sent_message_id(1760000000999)


@pytest.mark.parametrize("frame", [
    {"error": "Lost connection"},
    {"envelope": 7},
    {"jsonrpc": "2.0", "method": "somethingElse", "params": {}},
    {"envelope": {"timestamp": 1}, "account": BOT},
    {"envelope": envelope("hi", number=ALICE[0], uuid=ALICE[1]), "account": "+4915199999999"},
    {"envelope": {**envelope("x", number=ALICE[0], uuid=ALICE[1]), "dataMessage": None,
                  "typingMessage": {"action": "STARTED", "timestamp": 1}}},
    {"envelope": sync_envelope("mine", bot_number=BOT, bot_uuid="0b7e2f44-9d1a-4c3e-8f55-6a2b9c1d0e77",
                               destination=ALICE[0])},
    {"envelope": {**envelope(None, number=ALICE[0], uuid=ALICE[1]),
                  "dataMessage": {"timestamp": 5, "reaction": {"emoji": "👍", "targetSentTimestamp": 1,
                                                                "isRemove": False}}}},
    [1, 2, 3],
    "text",
], ids=["error", "non-dict", "other-method", "no-data", "other-account", "typing", "sync", "reaction", "list", "str"])
def test_frames_that_are_not_messages_are_ignored(frame: Any, ids: SignalIds) -> None:
    env = frame_envelope(frame, BOT)
    item = text_from_envelope(env) if env is not None else None
    assert item is None or to_inbound(item, ids, no_groups) is None


def test_own_messages_and_empty_ones_are_ignored(ids: SignalIds) -> None:
    own = text_from_envelope(envelope("ICE!", number=BOT, uuid=None, group=GROUP))
    empty = text_from_envelope(envelope(None, number=ALICE[0], uuid=ALICE[1]))
    assert own is not None and to_inbound(own, ids, no_groups) is None
    assert empty is not None and to_inbound(empty, ids, no_groups) is None


def test_jsonrpc_wrapped_webhook_posts_are_read() -> None:
    env = envelope("hi", number=ALICE[0], uuid=ALICE[1])
    wrapped = {"jsonrpc": "2.0", "method": "receive", "params": {"envelope": env, "account": BOT}}
    assert frame_envelope(wrapped, BOT) == env


def test_group_index_binds_by_public_id_or_signal_id_never_by_name(conn: redis.Redis) -> None:
    conn.hset(keys.GROUPS, mapping={
        "franklin-en": json.dumps({"id": "franklin-en", "channel": "signal", "signal_id": GROUP.id}),
        GROUP.id + "x": json.dumps({"id": "group.other", "channel": "signal"}),
        "Alerts": json.dumps({"id": "Alerts", "channel": "signal"}),
        "sur-es": json.dumps({"id": "sur-es", "channel": "whatsapp", "signal_id": "group.ws"}),
    })
    conn.set(keys.CONFIG_REV, 1)
    index = GroupIndex(conn)
    assert index(GROUP.id) == "franklin-en"
    assert index("group.other") == "group.other"
    assert index("Alerts") is None and index("group.ws") is None
    conn.hset(keys.GROUPS, "late", json.dumps({"id": "late", "channel": "signal", "signal_id": "group.L"}))
    conn.incr(keys.CONFIG_REV)   # /subscribe and areas changes bump the revision
    assert index("group.L") == "late"


def test_areas_toml_can_bind_a_group_by_its_public_id() -> None:
    from alertrelay.bot.core.areas import GroupConfig

    assert GroupConfig(id=GROUP.id, channel="signal").id == GROUP.id


# ---- SignalSender ------------------------------------------------------------------------------------------

class Api:
    """A MockTransport handler: answers from a script, records requests, fails on anything unscripted."""

    def __init__(self, *answers: httpx.Response | Exception):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            pytest.fail(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def sender(api: Api, https: str = "0") -> SignalSender:
    return SignalSender("signal-api:8080", BOT, https=https, transport=httpx.MockTransport(api))


def alert(**kw: Any) -> Outbound:
    fields: dict[str, Any] = {"kind": "alert", "channel": "signal", "text": "VERIFIED: ICE at Lake St", "at": AT,
                              "group": "franklin-en", "signal_group_id": GROUP.id, "alert_id": "a7"}
    return Outbound(**{**fields, **kw})


def sent(ts: str = "1760000001234", **extra: Any) -> httpx.Response:
    return httpx.Response(201, json=[{"timestamp": ts, **extra}])


def test_a_group_alert_goes_to_the_public_id_and_returns_the_quote_key() -> None:
    api = Api(sent())
    assert sender(api).send(alert()) == sent_message_id(1760000001234)
    (body,) = api.bodies()
    assert body == {"message": "VERIFIED: ICE at Lake St", "number": BOT, "recipients": [GROUP.id]}
    assert str(api.requests[0].url) == "http://signal-api:8080/v2/send"


def test_a_group_bound_by_its_id_needs_no_signal_id_and_an_unbound_one_is_refused() -> None:
    api = Api(sent())
    sender(api).send(alert(group=GROUP.id, signal_group_id=None))
    assert api.bodies()[0]["recipients"] == [GROUP.id]
    with pytest.raises(PermanentError, match="signal_id"):
        sender(Api()).send(alert(signal_group_id=None))


def test_a_reply_goes_to_the_sender_and_quotes_their_message() -> None:
    api = Api(sent())
    reply = Outbound(kind="reply", channel="signal", text="¿Dónde?", at=AT, recipient=ALICE[1],
                     in_reply_to="1760000000004-0123456789ab")
    sender(api).send(reply)
    (body,) = api.bodies()
    assert body["recipients"] == [ALICE[1]]
    assert (body["quote_timestamp"], body["quote_author"]) == (1760000000004, ALICE[1])
    api = Api(sent())
    sender(api).send(reply.model_copy(update={"in_reply_to": "SM123"}))   # another channel's id: no quote
    assert "quote_timestamp" not in api.bodies()[0]


@pytest.mark.parametrize("answer, error", [
    (httpx.Response(400, json={"error": "Failed to send message to +4917612345678"}), PermanentError),
    (httpx.Response(404, text="404 page not found"), PermanentError),
    (httpx.Response(500, json={"error": "boom"}), TransientError),
    (httpx.Response(503), TransientError),
    (httpx.ConnectError("refused"), NotSent),
    (httpx.Response(408), NotSent),
    (httpx.ReadTimeout("slow"), TransientError),
])
def test_send_errors_map_to_retry_or_give_up(answer: Any, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        sender(Api(answer)).send(alert())
    assert not isinstance(caught.value, RateLimited)
    # only what certainly never reached signal-cli may be sent again without a second thought
    assert isinstance(caught.value, NotSent) == (error is NotSent)
    assert "4917612345678" not in str(caught.value)   # numbers in error texts are scrubbed


def test_a_persisting_429_is_an_admin_visible_error_with_the_captcha_steps(logs: Records) -> None:
    limited = httpx.Response(429, json={"error": "Failed to send message due to rate limiting",
                                        "challenge_tokens": ["tok-123"], "account": BOT})
    s = sender(Api(limited, limited, limited, sent()))
    for _ in range(3):
        with pytest.raises(RateLimited):
            s.send(alert())
    s.send(alert())
    errors = [r for r in logs.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "signalcaptchas.org/challenge" in message and "tok-123" in message and "rate-limit-challenge" in message
    assert "a7" in message and BOT not in message
    assert "works again" in logs.text


def test_partial_failures_are_logged_and_the_send_still_counts(logs: Records) -> None:
    failed = {"errors": {"recipients": [{"number": ALICE[0], "uuid": ALICE[1], "reason": "UNREGISTERED_FAILURE"}]}}
    assert sender(Api(sent(**failed))).send(alert()) == sent_message_id(1760000001234)
    assert "UNREGISTERED_FAILURE" in logs.text and ALICE[0] not in logs.text


def test_auto_tries_https_then_settles_on_http() -> None:
    api = Api(httpx.ConnectError("TLS to a plain server"), sent(), sent())
    s = sender(api, https="auto")
    s.send(alert())
    s.send(alert())
    assert [r.url.scheme for r in api.requests] == ["https", "http", "http"]


def test_reactions_use_the_rest_api_body() -> None:
    api = Api(httpx.Response(204))
    sender(api).react(recipient=GROUP.id, author=ALICE[1], timestamp=1760000000001, emoji="👀", what="t")
    assert str(api.requests[0].url) == f"http://signal-api:8080/v1/reactions/{BOT}"
    assert api.bodies() == [{"recipient": GROUP.id, "reaction": "👀", "target_author": ALICE[1],
                             "timestamp": 1760000000001}]
