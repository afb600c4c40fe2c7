"""The pipeline end to end on a real Redis: ingest → drain job → incident → delivery jobs → recording sender.
Groups come from config/example.areas.toml."""

from __future__ import annotations

from datetime import timedelta

from alertrelay.bot import keys
from alertrelay.bot.core.models import Envelope
from alertrelay.workers.batch import Batch
from alertrelay.workers.delivery import flush
from alertrelay.workers.pipeline import process
from tests.conftest import T0, Relay

REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"
VERIFIER = "+16125559009"
ADMIN = "+16125559001"


def test_two_independent_reports_verify_one_alert(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    assert relay.kinds("alert") == []
    second = relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    alerts = relay.kinds("alert")
    assert [a["to"] for a in alerts] == [{"channel": "signal", "group": "franklin-en"}]
    alert = alerts[0]
    assert alert["in_reply_to"] == second and alert["independent_reports"] == 2
    assert alert["alert_id"] == "a1" and "Franklin" in alert["place"]
    assert "VERIFIED" in alert["text"]


def test_forwards_copies_and_repeats_never_count(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_A, sender="+16125550013", channel="whatsapp", forwarded=True)
    relay.send("pls share: " + REPORT_A, sender="+16125550014", channel="whatsapp")
    relay.send("still at franklin y chicago, 3 cars now, agents everywhere", sender="whatsapp:+16125550011",
               channel="whatsapp")
    assert relay.kinds("alert") == []
    # whoever forwarded it cannot come back as an independent reporter either
    relay.send("ICE at Franklin and Chicago, I see them", sender="+16125550013", channel="whatsapp")
    assert relay.kinds("alert") == []
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    assert len(relay.kinds("alert")) == 1


def test_direct_reports_get_an_acknowledgement_group_reports_do_not(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    assert relay.answers() == []
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    (reply,) = relay.answers()
    assert reply["to"] == {"channel": "whatsapp", "recipient": "+16125550012"}
    assert "Verificado" in reply["text"]


def test_first_direct_report_says_how_many_more_are_needed(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", channel="whatsapp")
    (reply,) = relay.answers()
    assert "1 of 2 independent reports" in reply["text"] and "Franklin" in reply["text"]


def test_a_report_without_a_place_gets_a_question_and_the_answer_completes_it(relay: Relay) -> None:
    relay.send("hay migra afuera de mi trabajo!!", sender="+16125550021", channel="whatsapp")
    (question,) = relay.answers()
    assert "Dónde" in question["text"]
    relay.send("", sender="+16125550021", channel="whatsapp", location=(44.9616, -93.2388))
    relay.send("ICE driving around Seward, 2 dark SUVs", sender="+16125550022", group="seward-en")
    (alert,) = relay.kinds("alert")
    assert alert["to"]["group"] == "seward-en"


def test_a_verifier_alone_verifies_and_clears(relay: Relay) -> None:
    relay.send("VERIFIED in person: ICE at Payne & Maryland, 3 unmarked SUVs", sender=VERIFIER)
    alerts = relay.kinds("alert")
    assert sorted(a["to"]["recipient"] for a in alerts) == ["+16515559201", "+16515559202", "+16515559203"]
    assert all(a["to"]["group"] == "eastside-es" and "verificador" in a["text"] for a in alerts)
    relay.send("All clear at Payne & Maryland, vehicles left", sender=VERIFIER)
    clears = relay.kinds("all_clear")
    assert len(clears) == 3 and {c["alert_id"] for c in clears} == {"a1"}


def test_a_verifier_dispute_blocks_verification(relay: Relay) -> None:
    relay.send("ICE en la 38 y chicago!!! 4 carros", sender="+16125550031", channel="whatsapp")
    relay.send("Checked 38th & Chicago in person: no agents, nothing unusual", sender=VERIFIER)
    relay.send("yo tambien vi a la migra en la 38 y chicago", sender="+16125550032", channel="whatsapp")
    assert relay.kinds("alert") == []


def test_all_clear_needs_two_people_and_goes_to_the_same_groups(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    relay.send("they left franklin & chicago", sender="+16125550013", group="franklin-en")
    assert relay.kinds("all_clear") == []
    relay.send("they left franklin & chicago", sender="+16125550013", group="franklin-en", message_id="again")
    assert relay.kinds("all_clear") == []  # the same person twice is one all-clear
    relay.send("ya se fueron", sender="+16125550012", channel="whatsapp")  # no place: their own incident
    (clear,) = relay.kinds("all_clear")
    assert clear["alert_id"] == "a1" and clear["to"]["group"] == "franklin-en"


def test_a_quiet_incident_expires_with_an_update(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", minutes=5)
    relay.sweep(T0 + timedelta(minutes=60))
    assert relay.kinds("update") == []
    relay.sweep(T0 + timedelta(minutes=96))
    (update,) = relay.kinds("update")
    assert update["alert_id"] == "a1" and update["at"] == (T0 + timedelta(minutes=95)).isoformat()


def test_reports_about_the_past_never_alert(relay: Relay) -> None:
    relay.send("ayer vi a la migra en la Franklin y Chicago", sender="+16125550041", channel="whatsapp")
    relay.send("this morning there were agents at franklin & chicago", sender="+16125550042", channel="whatsapp")
    assert relay.kinds("alert") == []
    assert len(relay.answers()) == 2


def test_a_redelivered_message_counts_once(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", message_id="same")
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", message_id="same")
    assert int(relay.rt.conn.get(keys.PROCESSED_COUNT)) == 1


def test_processing_an_envelope_twice_sends_nothing_twice(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", message_id="second")
    from alertrelay.bot.core.models import InboundMessage
    from alertrelay.bot.ingest import envelope_for

    again = envelope_for(InboundMessage(channel="whatsapp", message_id="second", sender="+16125550012",
                                        text=REPORT_B, at=T0 + timedelta(minutes=2)), relay.rt.identity)
    batch = Batch(keys.DEFAULT_REGION)
    process(relay.rt, batch, Envelope.model_validate_json(again.model_dump_json()))
    flush(relay.rt, batch)
    relay.work()
    assert len(relay.kinds("alert")) == 1


def test_a_huge_message_is_cut_and_the_next_one_still_works(relay: Relay) -> None:
    relay.send("ICE " + "x" * 1_000_000, sender="+16125550051", channel="whatsapp")
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    assert len(relay.kinds("alert")) == 1


def test_non_admin_commands_are_refused_and_audited(relay: Relay) -> None:
    relay.send("/subscribe Seward", sender="+16125550061", group="franklin-en")
    (reply,) = relay.answers()
    assert "Only admins" in reply["text"] and reply["to"]["group"] == "franklin-en"
    entries = relay.rt.conn.xrange(keys.AUDIT)
    assert entries[-1][1][b"ok"] == b"0" and entries[-1][1][b"action"] == b"subscribe"


def test_admin_subscribe_in_a_group_starts_alerts_for_that_area(relay: Relay) -> None:
    relay.send("/subscribe Powderhorn Park", sender=ADMIN, group="seward-en")
    relay.send("ICE en Powderhorn Park ahorita, 3 camionetas sin placas", sender="+16125550071", channel="whatsapp")
    relay.send("agents in Powderhorn Park right now, 2 vans", sender="+16125550072", channel="whatsapp")
    groups = sorted({a["to"]["group"] for a in relay.kinds("alert")})
    assert groups == ["seward-en", "sur-es"]


def test_retraction_goes_to_every_group_that_got_the_alert(relay: Relay) -> None:
    relay.send("VERIFIED: ICE at Payne & Maryland, 3 unmarked SUVs", sender=VERIFIER)
    relay.send("/retract a1", sender=ADMIN)
    retractions = relay.kinds("retraction")
    assert len(retractions) == 3 and all(r["alert_id"] == "a1" for r in retractions)
