"""/why <alert_id> (/porque): which messages counted toward an alert and why, from the incident's decision
log (pseudonyms, times, reasons; never a text or a number)."""

from __future__ import annotations

import json
from datetime import timedelta

from alertrelay.bot import keys
from alertrelay.bot.core.models import Envelope
from alertrelay.workers.batch import Batch
from alertrelay.workers.commands.audit import MAX_WHY_LINES
from alertrelay.workers.decisions import apply_message
from tests.conftest import T0, Relay

ADMIN = "+16125559001"
VERIFIER = "+16125559009"
MEMBER = "+16125550061"
REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"


def alerted(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)  # t001
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=1)  # t002: repeat
    relay.send(REPORT_A, sender="+16125550013", channel="whatsapp", forwarded=True, minutes=2)  # t003
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", minutes=3)  # t004: the alert
    assert relay.kinds("alert")


def reply(relay: Relay) -> str:
    return relay.answers()[-1]["text"]


def short(relay: Relay, number: str) -> str:
    return relay.rt.identity.pseudonym(number)[:9]


def test_why_lists_who_counted_and_who_did_not(relay: Relay) -> None:
    alerted(relay)
    relay.send("/why a1", sender=ADMIN, channel="whatsapp", minutes=10)
    text = reply(relay)
    lines = text.splitlines()
    assert lines[0] == "a1 (i1): verified at 09:03 by 2 independent reports:"
    assert f"✓ 09:00 {short(relay, '+16125550011')} first-hand report" in lines
    assert f"✗ 09:01 {short(relay, '+16125550011')} repeat by the same person" in lines
    assert f"✗ 09:02 {short(relay, '+16125550013')} forwarded" in lines
    assert f"✓ 09:03 {short(relay, '+16125550012')} confirmation by another person" in lines
    assert "franklin" not in text.lower() and "migra" not in text  # no text
    assert not any(number[-10:] in text for number in ("+16125550011", "+16125550012", "+16125550013"))


def test_porque_answers_in_spanish_and_takes_an_incident_id(relay: Relay) -> None:
    alerted(relay)
    relay.send("/porqué i1", sender=VERIFIER, minutes=10)
    text = reply(relay)
    assert text.startswith("a1 (i1): verificada a las 09:03 por 2 reportes independientes:")
    assert "reporte de primera mano" in text and "reenviado" in text


def test_why_shows_the_verifier_and_the_all_clear(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)
    relay.send("/confirm i1", sender=VERIFIER, minutes=1)
    relay.send("they left franklin & chicago", sender="+16125550014", group="franklin-en", minutes=20)
    relay.send("/why a1", sender=ADMIN, channel="whatsapp", minutes=30)
    text = reply(relay)
    assert text.splitlines()[0] == "a1 (i1): verified at 09:01 by a verifier:"
    assert f"✓ 09:01 {short(relay, VERIFIER)} verifier" in text
    assert f"✓ 09:20 {short(relay, '+16125550014')} all-clear" in text


def test_only_verifiers_and_admins_may_ask(relay: Relay) -> None:
    alerted(relay)
    relay.send("/why a1", sender=MEMBER, channel="whatsapp", minutes=10)
    assert reply(relay).startswith("Only verifiers can do that")
    entries = [{k.decode(): v.decode() for k, v in f.items()} for _, f in relay.rt.conn.xrange(keys.AUDIT)]
    assert entries[-1]["action"] == "why" and entries[-1]["ok"] == "0"
    relay.send("/why a1", sender=ADMIN, channel="whatsapp", minutes=11)
    entries = [{k.decode(): v.decode() for k, v in f.items()} for _, f in relay.rt.conn.xrange(keys.AUDIT)]
    assert entries[-1]["action"] == "why" and entries[-1]["ok"] == "1"  # who looked is on record too


def test_an_unknown_alert_says_so(relay: Relay) -> None:
    relay.send("/why a9", sender=ADMIN, channel="whatsapp")
    assert reply(relay).startswith("Nothing recorded for a9")
    relay.send("/why", sender=ADMIN, channel="whatsapp")
    assert "alert id" in reply(relay)


def test_a_long_log_is_capped_counted_first(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)
    for n in range(MAX_WHY_LINES + 5):  # repeats
        relay.send(REPORT_A + f" {'!' * (n + 1)}", sender="+16125550011", group="franklin-en", minutes=1 + n / 10)
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", minutes=5)
    relay.send("/why a1", sender=ADMIN, channel="whatsapp", minutes=6)
    lines = reply(relay).splitlines()
    assert len(lines) == 1 + MAX_WHY_LINES + 1
    assert sum(line.startswith("✓") for line in lines) == 2  # both counted ones are shown
    assert lines[-1] == "+7 more: 7 repeat by the same person"


def test_the_decision_log_is_capped_expires_with_the_incident_and_holds_no_text(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)
    rt, conn = relay.rt, relay.rt.conn
    for n in range(keys.WHY_MAX + 10):
        env = Envelope(key=f"k{n}", message_id=f"m{n}", channel="signal", group=None, reporter=f"r{n % 3}",
                       reply_to=None, text="x", at=T0 + timedelta(seconds=n), ref=f"ref{n}")
        apply_message(rt, Batch(keys.DEFAULT_REGION), env, "dispute", None, "i1", counted=True, seen=())
    raw = conn.lrange(keys.incident_why("i1"), 0, -1)
    assert len(raw) == keys.WHY_MAX
    assert 0 < conn.ttl(keys.incident_why("i1")) <= rt.settings.report_ttl_s
    assert set(json.loads(raw[-1])) == {"r", "t", "k", "c", "w", "n"}
