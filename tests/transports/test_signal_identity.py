"""One Signal person, one pseudonym, whether an envelope shows their number, their uuid or both; replies go
to the uuid. Ingest against a real Redis: what a reporter is called, where they are answered, what is kept."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import redis

from alertrelay.bot import keys
from alertrelay.bot.core.models import Envelope, InboundMessage
from alertrelay.bot.ingest import ingest
from alertrelay.bot.transports.signal_inbound import SignalIds, SignalText, to_inbound
from alertrelay.workers.runtime import Runtime
from tests.conftest import T0

NUMBER = "+4917612345678"
UUID = "5c2c7b0e-3f6e-4a8b-9a51-2f7d1c6b8e11"
OTHER_UUID = "6d3d8c1f-4a7f-4b9c-8b62-3a8e2d7c9f22"
BOT = "+4915112345678"

_seq = iter(range(1_000_000))


def say(rt: Runtime, number: str | None, uuid: str | None, *, group: str | None = None,
        text: str = "hola") -> Envelope:
    """One Signal message through the real envelope → InboundMessage path, then ingest; its envelope."""
    n = next(_seq)
    item = SignalText(timestamp=1760000000000 + n, number=number, uuid=uuid, text=text)
    inbound = to_inbound(item, SignalIds(rt.identity, BOT), lambda _: None)
    assert inbound is not None
    if group is not None:
        inbound = inbound.model_copy(update={"group": group})
    inbound = inbound.model_copy(update={"at": T0 + timedelta(minutes=n)})
    assert ingest(rt.conn, rt.queue, rt.identity, inbound)
    _, fields = rt.conn.xrevrange(keys.INBOX, count=1)[0]
    return Envelope.model_validate_json(fields[b"e"])


def reporters(rt: Runtime, *senders: tuple[str | None, str | None]) -> list[str]:
    return [say(rt, number, uuid).reporter for number, uuid in senders]


@pytest.mark.parametrize("order", [
    [(NUMBER, UUID), (None, UUID)],           # the number shown, then hidden (the 2024 default)
    [(None, UUID), (NUMBER, UUID)],           # hidden first, then shown
    [(NUMBER, UUID), (NUMBER, None)],         # paired, then a number-only envelope
    [(None, UUID), (NUMBER, UUID), (NUMBER, None), (None, UUID)],
], ids=["shown-then-hidden", "hidden-then-shown", "paired-then-number-only", "all"])
def test_one_person_keeps_one_pseudonym_whichever_address_the_envelope_shows(
        rt: Runtime, order: list[tuple[str | None, str | None]]) -> None:
    names = reporters(rt, *order)
    assert len(set(names)) == 1
    assert names[0] == rt.identity.pseudonym(UUID)   # the uuid is who a person is


def test_a_direct_message_is_answered_at_the_uuid_whenever_the_envelope_has_one(rt: Runtime) -> None:
    shown = say(rt, NUMBER, UUID)
    hidden = say(rt, None, UUID)
    number_only = say(rt, NUMBER, None)
    assert rt.identity.unseal(shown.reply_to or "") == UUID
    assert rt.identity.unseal(hidden.reply_to or "") == UUID
    assert rt.identity.unseal(number_only.reply_to or "") == NUMBER   # all it has
    in_group = say(rt, NUMBER, UUID, group="franklin-en")
    assert in_group.reply_to is None and in_group.reporter == shown.reporter   # answered in the group


def test_the_pairing_is_kept_keyed_with_a_ttl_and_nothing_in_redis_holds_the_number_or_uuid(
        rt: Runtime) -> None:
    say(rt, NUMBER, UUID, text="ICE at Lake & Hiawatha")
    uuid_p, number_p = rt.identity.pseudonym(UUID), rt.identity.pseudonym(NUMBER)
    assert rt.conn.get(keys.signal_pairing(number_p)) == uuid_p.encode()
    assert rt.conn.get(keys.signal_pairing(uuid_p)) == number_p.encode()
    for key in (keys.signal_pairing(number_p), keys.signal_pairing(uuid_p)):
        assert keys.SIGNAL_PAIRING_TTL_S - 60 < rt.conn.ttl(key) <= keys.SIGNAL_PAIRING_TTL_S
    assert not any(needle in blob for blob in redis_contents(rt.conn)
                   for needle in ("4917612345678", "17612345678", UUID, UUID.replace("-", "")))


def test_a_hidden_message_refreshes_the_pairing(rt: Runtime) -> None:
    say(rt, NUMBER, UUID)
    key = keys.signal_pairing(rt.identity.pseudonym(UUID))
    rt.conn.expire(key, 100)
    say(rt, None, UUID)
    assert rt.conn.ttl(key) > 100


def test_a_number_that_changes_hands_follows_its_new_owner(rt: Runtime) -> None:
    first, _ = reporters(rt, (NUMBER, UUID), (None, UUID))
    second = say(rt, NUMBER, OTHER_UUID).reporter       # the carrier gave the number to someone else
    assert second != first and second == rt.identity.pseudonym(OTHER_UUID)
    assert say(rt, NUMBER, None).reporter == second
    assert say(rt, None, UUID).reporter == first         # the first person is still themselves


def test_a_role_given_to_a_number_that_changes_hands_goes_with_the_number(rt: Runtime) -> None:
    number_p = rt.identity.pseudonym(NUMBER)
    rt.conn.sadd(keys.ADMINS, number_p)
    assert reporters(rt, (NUMBER, UUID), (None, UUID)) == [number_p] * 2
    assert say(rt, NUMBER, OTHER_UUID).reporter == number_p   # whoever holds the number, as before
    assert say(rt, None, UUID).reporter == rt.identity.pseudonym(UUID)   # not its former owner too


def test_a_number_only_sender_never_seen_with_a_uuid_is_known_by_the_number(rt: Runtime) -> None:
    assert say(rt, NUMBER, None).reporter == rt.identity.pseudonym(NUMBER)


def test_a_role_given_to_the_number_holds_when_the_number_is_hidden(rt: Runtime) -> None:
    number_p = rt.identity.pseudonym(NUMBER)
    rt.conn.sadd(keys.ADMINS, number_p)              # areas.toml [[admin]] sender = "+49…" / /admin add +49…
    assert reporters(rt, (NUMBER, UUID), (None, UUID), (NUMBER, None)) == [number_p] * 3
    rt.conn.srem(keys.ADMINS, number_p)              # /admin remove: the person is known by the uuid again
    assert say(rt, None, UUID).reporter == rt.identity.pseudonym(UUID)


def test_a_role_given_to_the_uuid_wins(rt: Runtime) -> None:
    uuid_p = rt.identity.pseudonym(UUID)
    rt.conn.sadd(keys.VERIFIERS, uuid_p, rt.identity.pseudonym(NUMBER))
    assert reporters(rt, (NUMBER, UUID), (None, UUID), (NUMBER, None)) == [uuid_p] * 3


def test_a_malformed_number_beside_a_uuid_costs_only_the_pairing(rt: Runtime) -> None:
    message = InboundMessage(channel="signal", message_id="1760000000999-abc", sender=UUID,
                             sender_number="not a number", text="hola", at=T0)
    assert ingest(rt.conn, rt.queue, rt.identity, message)
    _, fields = rt.conn.xrevrange(keys.INBOX, count=1)[0]
    assert json.loads(fields[b"e"])["reporter"] == rt.identity.pseudonym(UUID)


def redis_contents(conn: redis.Redis) -> list[str]:
    """Every key and value in the database, as text."""
    out: list[str] = []
    for key in conn.scan_iter():
        out.append(key.decode(errors="replace"))
        kind = conn.type(key).decode()
        value: Any
        if kind == "string":
            value = conn.get(key)
        elif kind == "hash":
            value = conn.hgetall(key)
        elif kind == "set":
            value = conn.smembers(key)
        elif kind == "zset":
            value = conn.zrange(key, 0, -1, withscores=True)
        elif kind == "list":
            value = conn.lrange(key, 0, -1)
        elif kind == "stream":
            value = conn.xrange(key)
        else:
            value = ""
        out.append(repr(value))
    return out
