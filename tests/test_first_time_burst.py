"""Part 6 of issue 9: a burst of first-time senders reporting one place is one voice until someone with a
history, or a verifier, confirms. Through the real inbound path (ingest notes when a sender was first
heard; the drain decides)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alertrelay.bot import keys
from alertrelay.bot.core.models import Kind
from alertrelay.bot.core.parsing import parse
from tests.conftest import T0, Relay

ADMIN = "+16125559001"
VERIFIER = "+16125559009"
KNOWN = "+16125550070"
NEW = ["+16125550081", "+16125550082", "+16125550083", "+16125550084"]
REPORTS = [
    "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID",
    "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas",
    "I see ICE agents at Franklin and Chicago right now, 3 of them",
    "estoy en franklin y chicago, veo a la migra ahorita",
]


@pytest.fixture(autouse=True)
def _reports_are_reports() -> None:
    for text in REPORTS:  # the reader is not what these tests are about
        assert parse(text, has_location=False).kind is Kind.REPORT, text


def listening(relay: Relay) -> None:
    """The relay has run for two days, and KNOWN wrote to it (chatter) thirty hours ago."""
    relay.send("hola a todos", sender="+16125550090", channel="whatsapp", at=T0 - timedelta(days=2))
    relay.send("buenos dias, gracias por la info", sender=KNOWN, channel="whatsapp", at=T0 - timedelta(hours=30))


def test_first_heard_time_is_noted_at_ingest_and_keeps_the_earliest(relay: Relay) -> None:
    listening(relay)
    conn, pseudonym = relay.rt.conn, relay.rt.identity.pseudonym(KNOWN)
    relay.send("/help", sender=KNOWN, channel="whatsapp", minutes=0)
    assert float(conn.get(keys.sender_first_seen(pseudonym))) == (T0 - timedelta(hours=30)).timestamp()
    assert float(conn.get(keys.LISTENING_SINCE)) == (T0 - timedelta(days=2)).timestamp()
    assert keys.FIRST_SEEN_TTL_S - 60 < conn.ttl(keys.sender_first_seen(pseudonym)) <= keys.FIRST_SEEN_TTL_S


def test_a_burst_of_first_time_senders_is_one_voice_until_someone_known_confirms(relay: Relay) -> None:
    listening(relay)
    for n, (sender, text) in enumerate(zip(NEW[:3], REPORTS)):
        relay.send(text, sender=sender, channel="whatsapp", minutes=n * 2)
    assert relay.kinds("alert") == []
    relay.send(REPORTS[3], sender=KNOWN, channel="whatsapp", minutes=7)
    alerts = relay.kinds("alert")
    assert alerts and {a["independent_reports"] for a in alerts} == {2}
    assert {a["in_reply_to"] for a in alerts} == {"t006"}


def test_a_verifier_confirms_a_burst(relay: Relay) -> None:
    listening(relay)
    relay.send(REPORTS[0], sender=NEW[0], channel="whatsapp", minutes=0)
    relay.send(REPORTS[1], sender=NEW[1], channel="whatsapp", minutes=1)
    assert relay.kinds("alert") == []
    relay.send("/confirm i1", sender=VERIFIER, minutes=3)
    assert relay.kinds("alert")


def test_first_time_senders_further_apart_than_the_burst_are_two_voices(relay: Relay) -> None:
    listening(relay)
    relay.send(REPORTS[0], sender=NEW[0], channel="whatsapp", minutes=0)
    relay.send(REPORTS[1], sender=NEW[1], channel="whatsapp", minutes=12)
    assert relay.kinds("alert")


def test_nobody_is_new_before_the_relay_has_listened_a_day(relay: Relay) -> None:
    """A drill (or a deployment's first day) has no history: everyone would be new, so the rule waits."""
    relay.send(REPORTS[0], sender=NEW[0], channel="whatsapp", minutes=0)
    relay.send(REPORTS[1], sender=NEW[1], channel="whatsapp", minutes=1)
    assert relay.kinds("alert")


def test_the_rule_is_a_policy_setting(relay: Relay) -> None:
    listening(relay)
    relay.send("/policy set burst=off", sender=ADMIN, channel="whatsapp", minutes=-5)
    assert "burst=off" in relay.answers()[-1]["text"]
    relay.send(REPORTS[0], sender=NEW[0], channel="whatsapp", minutes=0)
    relay.send(REPORTS[1], sender=NEW[1], channel="whatsapp", minutes=1)
    assert relay.kinds("alert")
    relay.send("/regla poner rafaga=si horasnuevo=48 rafagamin=5", sender=ADMIN, channel="whatsapp", minutes=2)
    policy = relay.rt.config().policy
    assert (policy.first_time_burst, policy.first_time_hours, policy.burst_minutes) == (True, 48, 5)
    relay.send("/policy set burst=maybe", sender=ADMIN, channel="whatsapp", minutes=3)
    assert "on or off" in relay.answers()[-1]["text"]


def test_a_sender_heard_hours_before_is_not_new(relay: Relay) -> None:
    listening(relay)
    relay.send("gracias", sender=NEW[0], channel="whatsapp", at=T0 - timedelta(hours=25))
    relay.send(REPORTS[0], sender=NEW[0], channel="whatsapp", minutes=0)
    relay.send(REPORTS[1], sender=NEW[1], channel="whatsapp", minutes=1)
    assert relay.kinds("alert")


def test_areas_toml_sets_the_rule_and_refuses_a_misspelt_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alertrelay.bot.errors import AreasFileError
    from alertrelay.config.areas import load_areas
    from tests.conftest import REPO

    example = load_areas(REPO / "config" / "example.areas.toml").policy
    assert (example.first_time_burst, example.first_time_hours, example.burst_minutes) == (True, 24, 10)
    off = tmp_path / "areas.toml"
    off.write_text("[policy]\nfirst_time_burst = false\nburst_minutes = 3\n")
    assert not load_areas(off).policy.first_time_burst and load_areas(off).policy.burst_minutes == 3
    off.write_text("[policy]\nfirst_time_brust = false\n")
    with pytest.raises(AreasFileError, match="first_time_brust"):
        load_areas(off)
