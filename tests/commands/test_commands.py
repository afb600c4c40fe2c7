"""Chat commands through the inbound path the transports use (ingest → drain job → pipeline → replies).
Example config: config/example.areas.toml (admin +16125559001, verifier +16125559009)."""

from __future__ import annotations

import pytest

from alertrelay.bot import keys
from alertrelay.bot.core.areas import CircleArea, PolygonArea
from alertrelay.bot.errors import BadArgument
from alertrelay.workers.commands.alerts import verifier_verdict
from alertrelay.workers.commands.arguments import parse_area_definition
from alertrelay.workers.commands.table import help_text, parse_command
from tests.conftest import Relay

ADMIN = "+16125559001"
VERIFIER = "+16125559009"
MEMBER = "+16125550061"
REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"
UUID = "3f2a9c1e-bb4d-4e5f-a6b7-c8d9e0f1a2b3"


def audit(relay: Relay) -> list[dict[str, str]]:
    return [{k.decode(): v.decode() for k, v in f.items()} for _, f in relay.rt.conn.xrange(keys.AUDIT)]


def last_answer(relay: Relay) -> str:
    return relay.answers()[-1]["text"]


# --- the pure grammar ------------------------------------------------------------------------------------

def test_the_same_command_in_english_and_spanish() -> None:
    assert parse_command("/zonas").spec is parse_command("/areas").spec
    assert parse_command("/suscribir Powderhorn Park").spec.name == "subscribe"
    inv = parse_command("/zona agregar Lago = Powderhorn Park")
    assert (inv.spec.name, inv.args, inv.lang) == ("area add", "Lago = Powderhorn Park", "es")
    assert parse_command("/area agregar x 1,2 3").spec.name == "area add"
    assert parse_command("/retirar a3").spec.name == "retract"


def test_help_is_generated_per_role_and_short() -> None:
    member = help_text("member", "en")
    assert "/subscribe <area>" in member and "/area add" not in member and "/confirm" not in member
    admin = help_text("admin", "es")
    assert "/zona agregar" in admin and "/verificador agregar" in admin and "/confirmar" in admin
    assert len(member) < 500


def test_area_definitions_parse_or_say_what_is_wrong() -> None:
    assert parse_area_definition("44.95,-93.26 600") == CircleArea(lat=44.95, lon=-93.26, radius_m=600)
    ring = parse_area_definition("polygon -93.27 44.94; -93.25 44.94; -93.25 44.95; -93.27 44.95; -93.27 44.94")
    assert isinstance(ring, PolygonArea) and len(ring.polygon) == 4
    assert parse_area_definition("Powderhorn Park") == "Powderhorn Park"
    for bad, says in [("polygon -93.27 44.94; -93.25 44.94", "at least 3"),
                      ("polygon -93.27 44.94; -93.25 44.95; -93.25 44.94; -93.27 44.95", "crosses itself"),
                      ("polygon -93.27 44.94; x y; 1 2", "Point 2"), ("polygon 44.94 -93.27; 1 2; 3 4", "lon lat"),
                      ("44.95,-93.26 0", "out of range"), ("44.95,abc 500", "Malformed"),
                      ("95.1,-93.26 500", "out of range")]:
        with pytest.raises(BadArgument, match=says):
            parse_area_definition(bad)


def test_a_verifiers_answer_reads_as_confirm_or_dispute() -> None:
    assert verifier_verdict("confirmed, 3 agents") == "report"
    assert verifier_verdict("Confirmado") == "report"
    assert verifier_verdict("not there, nothing going on") == "dispute"
    assert verifier_verdict("no están, no hay nada") == "dispute"
    assert verifier_verdict("on my way") is None


# --- anyone -------------------------------------------------------------------------------------------------

def test_help_rights_areas_status_answer_in_the_senders_language(relay: Relay) -> None:
    relay.send("/ayuda", sender=MEMBER, channel="whatsapp")
    assert last_answer(relay).startswith("Comandos:") and "/suscribir" in last_answer(relay)
    relay.send("/help", sender=MEMBER, group="franklin-en")
    reply = relay.answers()[-1]
    assert reply["to"]["group"] == "franklin-en" and "/area add" not in reply["text"]
    relay.send("/zonas", sender="+16125559101", channel="whatsapp")
    assert "sur-es" in last_answer(relay) and "Powderhorn Park" in last_answer(relay)
    relay.send("/areas", sender=MEMBER, group="franklin-en")
    assert "East Phillips" in last_answer(relay)
    relay.send("/status", sender=MEMBER, group="franklin-en")
    assert "No active verified alerts" in last_answer(relay)
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    relay.send("/estado", sender=MEMBER, group="franklin-en")
    assert "[a1]" in last_answer(relay)
    relay.send("/status", sender=MEMBER, group="seward-en")
    assert "No active" in last_answer(relay)  # near here: not an alert Seward got


def test_admins_edit_the_rights_text_per_language(relay: Relay) -> None:
    relay.send("/derechos poner es Guarde silencio. Línea de ayuda: 612 555 0100", sender=ADMIN, channel="whatsapp")
    relay.send("/derechos", sender=MEMBER, channel="whatsapp")
    assert "Línea de ayuda" in last_answer(relay)
    relay.send("/rights", sender=MEMBER, group="franklin-en")
    assert "Know your rights" in last_answer(relay)


# --- subscriptions -------------------------------------------------------------------------------------------

def test_admin_subscribe_binds_a_new_signal_group_and_it_gets_alerts(relay: Relay) -> None:
    relay.send("/subscribe Franklin Chicago Corner", sender=ADMIN, group="group.NEWGROUP==")
    assert "Unknown area" in last_answer(relay)
    assert "group.NEWGROUP==" not in relay.rt.config().groups  # a bad argument changes nothing
    relay.send("/area add Franklin Chicago Corner = 44.9627,-93.2626 300m", sender=ADMIN, channel="whatsapp")
    relay.send("/subscribe Franklin Chicago Corner", sender=ADMIN, group="group.NEWGROUP==")
    assert "now gets alerts for Franklin Chicago Corner" in last_answer(relay)
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    groups = sorted({a["to"].get("group") for a in relay.kinds("alert")})
    assert "group.NEWGROUP==" in groups and "franklin-en" in groups
    relay.send("/unsubscribe Franklin Chicago Corner", sender=ADMIN, group="group.NEWGROUP==")
    assert relay.rt.config().groups["group.NEWGROUP=="].areas == []


def test_a_list_member_subscribes_themselves_and_gets_the_next_alert(relay: Relay) -> None:
    newcomer = "+16125550077"
    relay.send("/suscribir Powderhorn Park", sender=newcomer, channel="whatsapp")
    assert "sur-es" in last_answer(relay)
    relay.send("ICE at 38th St & Chicago Ave right now, agents detaining someone", sender="+16125550011",
               channel="whatsapp")
    relay.send("la migra en la 38 y chicago, 3 camionetas", sender="+16125550012", channel="whatsapp")
    assert newcomer in {a["to"].get("recipient") for a in relay.kinds("alert")}
    relay.send("/desuscribir Powderhorn Park", sender=newcomer, channel="whatsapp")
    assert "ya no recibe" in last_answer(relay)
    entries = [e for e in audit(relay) if e["action"] in ("subscribe", "unsubscribe")]
    assert [e["ok"] for e in entries] == ["1", "1"] and all(newcomer[2:] not in e["detail"] for e in entries)


def test_admin_sets_a_lists_language_by_name(relay: Relay) -> None:
    relay.send("/language en @sur-es", sender=ADMIN, channel="signal")
    assert relay.rt.config().groups["sur-es"].language == "en"


# --- refusals and bad arguments ---------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    "/area add Lago = Powderhorn Park", "/policy set reports=1", f"/verifier add {UUID}", "/retract a1",
    "/place add la tiendita 44.9342,-93.2626", "/audit", f"/admin add {UUID}", "/suscribir Seward @seward-en",
])
def test_a_non_admins_admin_command_changes_nothing_and_is_audited(relay: Relay, command: str) -> None:
    before = relay.rt.conn.hgetall(keys.GROUPS), relay.rt.conn.get(keys.CONFIG_REV)
    relay.send(command, sender=MEMBER, channel="whatsapp")
    assert "Only admins" in last_answer(relay) or "Solo los administradores" in last_answer(relay)
    assert (relay.rt.conn.hgetall(keys.GROUPS), relay.rt.conn.get(keys.CONFIG_REV)) == before
    (entry,) = audit(relay)
    assert entry["ok"] == "0" and entry["role"] == "member" and entry["actor"].startswith("r")


@pytest.mark.parametrize("command, says", [
    ("/area add Lago = polygon -93.27,44.94; -93.25,44.94", "Not a polygon"),
    ("/area add Lago = Atlantis", "Unknown neighbourhood"),
    ("/area add Lago = 44.95,-93.2x 500", "Malformed"),
    ("/place add la tiendita 144.93,-93.26", "out of range"),
    ("/place add la tiendita", "coordinates"),
    ("/subscribe Atlantis", "Unknown area"),
    ("/policy set Seward reports=0", "min_independent_reports"),
    ("/verifier add not-a-number", "Not a phone number"),
    ("/retract a99", "No alert a99"),
    ("/area add Lago = " + "x" * 10_000, "too long"),
])
def test_bad_arguments_say_what_was_wrong_and_change_nothing(relay: Relay, command: str, says: str) -> None:
    rev = relay.rt.conn.get(keys.CONFIG_REV)
    relay.send(command, sender=ADMIN, group="seward-en")
    assert says in last_answer(relay)
    assert relay.rt.conn.get(keys.CONFIG_REV) == rev and not relay.rt.conn.exists(keys.NAMED_AREAS, keys.PLACES)
    assert audit(relay)[-1]["ok"] == "0"


# --- areas, places, policy -----------------------------------------------------------------------------------------

def test_named_areas_rename_and_remove(relay: Relay) -> None:
    relay.send("/area add Lago = Powderhorn Park", sender=ADMIN, channel="whatsapp")
    relay.send("/subscribe lago", sender=ADMIN, group="seward-en")
    relay.send("/area rename Lago = El Lago", sender=ADMIN, channel="whatsapp")
    assert relay.rt.config().groups["seward-en"].areas == ["Seward", "El Lago"]
    relay.send("/area remove El Lago", sender=ADMIN, channel="whatsapp")
    assert "still used by seward-en" in last_answer(relay)
    relay.send("/unsubscribe El Lago", sender=ADMIN, group="seward-en")
    relay.send("/zona quitar El Lago", sender=ADMIN, channel="whatsapp")
    assert relay.rt.config().areas == {}


def test_a_taught_place_geocodes_and_a_report_naming_it_alerts(relay: Relay) -> None:
    relay.send("/lugar agregar la tiendita de la treinta y ocho 44.934211,-93.262659", sender=ADMIN, channel="whatsapp")
    assert "Lugar aprendido" in last_answer(relay)
    geo = relay.rt.gazetteer.geocode("migra en la tiendita de la treinta y ocho")
    assert geo is not None and abs(geo.lat - 44.934211) < 1e-4
    relay.send("migra en la tiendita de la treinta y ocho ahorita, 2 camionetas", sender="+16125550011",
               channel="whatsapp")
    relay.send("ICE at la tiendita de la treinta y ocho right now, agents", sender="+16125550012", channel="whatsapp")
    alerts = relay.kinds("alert")
    assert alerts and "tiendita" in alerts[0]["place"]


def test_a_place_taught_at_a_shared_pin(relay: Relay) -> None:
    relay.send("/place add the blue church", sender=ADMIN, channel="whatsapp", location=(44.9486, -93.2655))
    assert "Place learned" in last_answer(relay)
    assert relay.rt.conn.hget(keys.PLACES, "the blue church") == b"44.948600,-93.265500"


def test_a_place_taught_reaches_another_worker_process(relay: Relay) -> None:
    from alertrelay.workers.runtime import Runtime

    other = Runtime(relay.rt.settings, conn=relay.rt.conn)
    assert other.gazetteer.geocode("ICE at the old bakery") is None or True
    relay.send("/place add the old bakery 44.9486,-93.2655", sender=ADMIN, channel="whatsapp")
    other.refresh_config()
    geo = other.gazetteer.geocode("ICE at the old bakery")
    assert geo is not None and abs(geo.lat - 44.9486) < 1e-4


def test_a_policy_per_area_applies_to_incidents_inside_it(relay: Relay) -> None:
    relay.send("/policy set Central reports=3", sender=ADMIN, channel="whatsapp")
    relay.send("ICE at 38th St & Chicago Ave right now, agents detaining someone", sender="+16125550011",
               channel="whatsapp")
    relay.send("la migra en la 38 y chicago, 3 camionetas", sender="+16125550012", channel="whatsapp")
    assert relay.kinds("alert") == []
    relay.send("agents at 38th and chicago, vans, checking IDs", sender="+16125550013", channel="whatsapp")
    assert relay.kinds("alert")
    relay.send(REPORT_A, sender="+16125550021", group="franklin-en")  # elsewhere the global 2 still apply
    relay.send(REPORT_B, sender="+16125550022", channel="whatsapp")
    assert {a["alert_id"] for a in relay.kinds("alert")} == {"a1", "a2"}
    relay.send("/policy", sender=ADMIN, channel="whatsapp")
    assert "Central: reports=3" in last_answer(relay)


# --- people and the audit trail -------------------------------------------------------------------------------------

def test_verifier_add_by_uuid_is_stored_as_a_pseudonym_and_gets_dispatches_for_its_area(relay: Relay) -> None:
    relay.send(f"/verifier add {UUID} es Central", sender=ADMIN, channel="whatsapp")
    pseudonym = relay.rt.identity.pseudonym(UUID)
    assert pseudonym in relay.rt.config().verifiers
    assert UUID not in str(relay.rt.conn.hgetall(keys.VERIFIER_INFO)) + str(audit(relay))
    assert pseudonym in audit(relay)[-1]["detail"]
    relay.send("ICE at 38th St & Chicago Ave right now, agents detaining someone", sender="+16125550011",
               channel="whatsapp")
    to = sorted(d["to"]["recipient"] for d in relay.dispatches())
    assert to == sorted([UUID, VERIFIER])  # the new one (its area) and the example one (everywhere)
    relay.send(REPORT_A, sender="+16125550021", group="franklin-en")  # outside Central
    assert sorted(d["to"]["recipient"] for d in relay.dispatches()).count(UUID) == 1
    relay.send(f"/verifier remove {UUID}", sender=ADMIN, channel="whatsapp")
    assert pseudonym not in relay.rt.config().verifiers


def test_verifier_add_by_phone(relay: Relay) -> None:
    relay.send("/verifier add +1 612 555 0199", sender=ADMIN, channel="whatsapp")
    assert relay.rt.identity.pseudonym("+16125550199") in relay.rt.config().verifiers
    assert "6125550199" not in str(audit(relay)) + str(relay.rt.conn.hgetall(keys.VERIFIER_INFO))


def test_coordinates_written_with_spaces_survive_ingest(relay: Relay) -> None:
    relay.send("/area add Lago = polygon -93.27 44.94; -93.25 44.94; -93.25 44.95; -93.27 44.95", sender=ADMIN,
               channel="whatsapp")
    relay.send("/place add la tiendita de la 38 44.9342,-93.2626", sender=ADMIN, channel="whatsapp")
    assert "Lago" in relay.rt.config().areas and relay.rt.conn.hexists(keys.PLACES, "la tiendita de la 38")


def test_admins_add_and_remove_admins_but_never_the_last(relay: Relay) -> None:
    relay.send(f"/admin add {UUID}", sender=ADMIN, channel="whatsapp")
    relay.send("/area add Lago = Powderhorn Park", sender=UUID, channel="signal")
    assert "Lago" in relay.rt.config().areas
    relay.send(f"/admin remove {UUID}", sender=ADMIN, channel="whatsapp")
    relay.send("/admin remove " + "+16125559001", sender=ADMIN, channel="whatsapp")
    assert relay.rt.identity.pseudonym(ADMIN) in relay.rt.config().admins


def test_the_audit_trail_names_pseudonyms_and_admins_can_read_it(relay: Relay) -> None:
    relay.send("/area add Lago = Powderhorn Park", sender=ADMIN, channel="whatsapp")
    relay.send("/area add Lago = Seward", sender=MEMBER, channel="whatsapp")
    relay.send("/audit 5", sender=ADMIN, channel="whatsapp")
    text = last_answer(relay)
    assert "admin" in text and "area-add" in text and "✗" in text
    entries = audit(relay)
    assert {e["role"] for e in entries} == {"admin", "member"} and all(e["at"] for e in entries)
    assert "5559001" not in str(entries) and "5550061" not in str(entries)


# --- alerts, verifiers, dispatch ---------------------------------------------------------------------------------

def test_retract_sends_the_retraction_to_every_group_that_got_the_alert(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    got = sorted((a["to"].get("group"), a["to"].get("recipient")) for a in relay.kinds("alert"))
    relay.send("/retract a1", sender=MEMBER, group="franklin-en")
    assert relay.kinds("retraction") == []
    relay.send("/retirar a1", sender=ADMIN, channel="whatsapp")
    assert sorted((r["to"].get("group"), r["to"].get("recipient")) for r in relay.kinds("retraction")) == got
    relay.send("/retract a1", sender=ADMIN, channel="whatsapp")
    assert "already retracted" in last_answer(relay)


def test_the_first_report_is_dispatched_once_and_a_quote_reply_confirmed_verifies(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send("still there, 2 SUVs at franklin & chicago", sender="+16125550011", group="franklin-en")
    (dispatch,) = relay.dispatches()
    assert dispatch["to"] == {"channel": "signal", "recipient": VERIFIER}
    assert "[i1]" in dispatch["text"] and "Franklin" in dispatch["text"] and "agents" in dispatch["text"]
    assert relay.kinds("alert") == []
    relay.send("confirmed", sender=VERIFIER, quote="dispatch-i1")
    alerts = relay.kinds("alert")
    assert alerts and all("verifier" in a["text"] or "verificador" in a["text"] for a in alerts)


def test_a_quote_reply_not_there_blocks_it(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send("not there", sender=VERIFIER, quote="dispatch-i1")
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp")
    assert relay.kinds("alert") == []


def test_verifiers_confirm_or_dispute_by_id(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en")
    relay.send("/confirm i1", sender=MEMBER, channel="whatsapp")
    assert "Only verifiers" in last_answer(relay) and relay.kinds("alert") == []
    relay.send("/confirmar i1", sender=VERIFIER, channel="whatsapp")
    assert relay.kinds("alert") and "verified" in last_answer(relay)
    relay.send("/dispute i9", sender=VERIFIER, channel="whatsapp")
    assert "not an open incident" in last_answer(relay)


def test_every_command_is_declared_once_over_its_own_handler() -> None:
    from alertrelay.workers.commands.table import COMMANDS

    assert len({c.name for c in COMMANDS}) == len(COMMANDS) == 26
    assert all(callable(c.handler) and c.handler.__module__.startswith("alertrelay.workers.commands.")
               for c in COMMANDS)
    assert parse_command("/zona agregar x").spec.handler.__module__ == "alertrelay.workers.commands.areas"
