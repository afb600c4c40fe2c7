"""Regions (issue 13): a region's keys share one hash tag, messages are routed to their region at ingest,
and a drill over two regions with 4 workers decides exactly what two separate one-region drills decide."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from alertrelay.bot import keys
from alertrelay.bot.core.models import InboundMessage
from alertrelay.bot.regions import RegionRoutes, region_names
from alertrelay.config.areas import AreasFileError, load_areas
from alertrelay.workers.config_state import seed_config
from alertrelay.workers.drill import load_scenario, run_drill
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "drill.jsonl"
EXAMPLE_AREAS = REPO / "config" / "example.areas.toml"
WESTSIDE = REPO / "tests" / "data" / "regions" / "westside.jsonl"
WESTSIDE_GROUPS = """
[[group]]                     # a Signal group on Saint Paul's West Side
id = "westside-en"
channel = "signal"
language = "en"
areas = ["West Side"]

[[group]]                     # a WhatsApp list, Spanish, around Wabasha St & Cesar Chavez
id = "westside-es"
channel = "whatsapp"
language = "es"
members = ["+16515557201", "+16515557202"]
areas = [{ lat = 44.9338, lon = -93.0842, radius_m = 900 }]
"""


def _areas_parts() -> tuple[str, str, str]:
    """(policy header, the example groups, admins and verifiers) of config/example.areas.toml."""
    text = EXAMPLE_AREAS.read_text()
    first_group, people = text.index("[[group]]"), text.index("[[admin]]")
    return text[:first_group], text[first_group:people], text[people:]


def _with_region(groups: str, region: str) -> str:
    return groups.replace('channel = "', f'region = "{region}"\nchannel = "')


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- keys -----------------------------------------------------------------------------------------------

def test_no_region_keeps_todays_key_names() -> None:
    default = keys.DEFAULT_REGION
    assert (default.inbox, default.drainer, default.incidents_active, default.pending_place("p")) == (
        "relay:inbox", "relay:inbox:drainer", "relay:incidents:active", "relay:pending:p")
    assert (keys.INBOX, keys.INCIDENT_SEQ, keys.LISTENING_SINCE) == (
        "relay:inbox", "relay:incident:seq", "relay:senders:since")
    assert keys.incident("i7") == "relay:incident:i7" and keys.alert("a3") == "relay:alert:a3"
    assert default.drain_job_id(4) == "drain-4"


def test_every_key_of_a_region_shares_its_cluster_hash_tag() -> None:
    north = keys.region("north")
    names = [north.inbox, north.drain_pending, north.drain_seq, north.drainer, north.processed_count,
             north.latency, north.incident_seq, north.alert_seq, north.incidents_rev, north.incidents_changed,
             north.incidents_changed_floor, north.incidents_active, north.listening_since,
             north.seen_message("k"), north.sender_first_seen("p"), north.pending_place("p"),
             north.reporter_incident("p"), north.message_ref("r"),
             keys.incident("i7-north"), keys.incident_reporters("i7-north"), keys.incident_why("i7-north"),
             keys.alert("a3-north")]
    # the Lua scripts build the rest from the prefix: all of it is inside the braces' slot
    assert all(re.match(r"^relay:\{north\}:", name) for name in names), names
    assert keys.region_of_id("i7-north") == north and keys.region_of_id("a12") == keys.DEFAULT_REGION
    with pytest.raises(ValueError):
        keys.region("North Side")


# --- areas.toml -----------------------------------------------------------------------------------------

def test_areas_file_names_regions_on_groups(tmp_path: Path) -> None:
    header, groups, people = _areas_parts()
    areas = load_areas(_write(tmp_path / "a.toml", header + _with_region(groups, "mpls") + WESTSIDE_GROUPS
                              + '\n[regions]\ndirect = "mpls"\n\n' + people))
    assert areas.region_names() == ["mpls", ""]
    assert areas.regions.direct == "mpls"
    assert load_areas(EXAMPLE_AREAS).region_names() == [""]
    with pytest.raises(AreasFileError, match="no group's region"):
        load_areas(_write(tmp_path / "b.toml", header + groups + '\n[regions]\ndirect = "south"\n\n' + people))
    with pytest.raises(AreasFileError):
        load_areas(_write(tmp_path / "c.toml", header + _with_region(groups, "South Side") + people))


# --- routing at ingest ----------------------------------------------------------------------------------

def _message(text: str, *, group: str | None = None, location: tuple[float, float] | None = None,
             number: int = 0) -> InboundMessage:
    return InboundMessage(channel="signal" if group else "whatsapp", message_id=f"m{number}-{text[:8]}",
                          sender="+16125550100", group=group, text=text, location=location,
                          at=datetime(2026, 2, 3, 14, 0, tzinfo=UTC))


def test_ingest_routes_by_group_then_quote_place_sender_and_direct(tmp_path: Path, rt, conn: redis.Redis) -> None:
    header, groups, people = _areas_parts()
    areas = load_areas(_write(tmp_path / "a.toml", header + _with_region(groups, "mpls")
                              + _with_region(WESTSIDE_GROUPS, "westside") + '\n[regions]\ndirect = "mpls"\n\n'
                              + people))
    seed_config(conn, areas, rt.identity, force=True)
    assert region_names(conn) == ["", "mpls", "westside"]
    routes = RegionRoutes()
    west, mpls = keys.region("westside"), keys.region("mpls")

    def region(message: InboundMessage, quote_ref: str | None = None) -> keys.Region:
        return routes.region_for(conn, message, "reporter-1", quote_ref)

    assert region(_message("hi", group="westside-en")) == west
    assert region(_message("hi", group="franklin-en")) == mpls
    assert region(_message("hi")) == mpls  # no place, no history: [regions] direct
    assert region(_message("migra en la Cesar Chavez y Wabasha")) == west  # where it geocodes
    assert region(_message("ya se fueron")) == west  # its sender's last region
    assert region(_message("", location=(44.9627, -93.2626))) == mpls  # a pin
    conn.set(west.message_ref("quoted-key"), "i1-westside")
    assert region(_message("si, siguen ahi"), quote_ref="quoted-key") == west
    assert region(_message("/confirm i4-westside")) == west  # its incident's drainer
    assert region(_message("/confirm i4-nowhere")) == mpls


def test_one_region_needs_no_lookups(tmp_path: Path, rt, conn: redis.Redis) -> None:
    seed_config(conn, load_areas(EXAMPLE_AREAS), rt.identity, force=True)

    def no_geocoding(message: InboundMessage) -> tuple[float, float] | None:
        raise AssertionError("a single region routes without geocoding")

    routes = RegionRoutes(locate=no_geocoding)
    assert routes.region_for(conn, _message("ICE at Franklin & Chicago"), "r") == keys.DEFAULT_REGION


# --- the two-region drill -------------------------------------------------------------------------------

_REGION_SUFFIX = re.compile(r"\b([ai]\d+)-(?:mpls|westside)\b")


def _decisions(lines: list[dict]) -> list[str]:
    """What a drill sent, ids without their region suffix, in a canonical order (two drills interleave)."""
    return sorted(_REGION_SUFFIX.sub(r"\1", json.dumps(line, sort_keys=True)) for line in lines)


def test_two_regions_on_four_workers_decide_what_two_one_region_drills_decide(tmp_path: Path) -> None:
    header, groups, people = _areas_parts()
    mpls_areas = _write(tmp_path / "mpls.toml", header + groups + people)
    west_areas = _write(tmp_path / "west.toml", header + WESTSIDE_GROUPS + "\n" + people)
    both_areas = _write(tmp_path / "both.toml", header + _with_region(groups, "mpls")
                        + _with_region(WESTSIDE_GROUPS, "westside") + '\n[regions]\ndirect = "mpls"\n\n' + people)
    merged = sorted(load_scenario(EXAMPLE) + load_scenario(WESTSIDE),
                    key=lambda m: datetime.fromisoformat(m["at"]))
    both = _write(tmp_path / "both.jsonl", "".join(json.dumps(m) + "\n" for m in merged))

    one_mpls = run_drill(EXAMPLE, mpls_areas, workers=1)
    one_west = run_drill(WESTSIDE, west_areas, workers=1)
    two = run_drill(both, both_areas, workers=4)

    assert len(one_mpls.outbound) > 10 and len(one_west.outbound) > 10
    assert any(line["kind"] == "alert" for line in one_west.outbound)
    assert _decisions(two.outbound) == _decisions(one_mpls.outbound + one_west.outbound)
    ids = {summary["incident"] for summary in two.incidents}
    assert {i for i in ids if i.endswith("-mpls")} and {i for i in ids if i.endswith("-westside")}
    states = sorted((_REGION_SUFFIX.sub(r"\1", s["incident"]), s["state"], s["reports"]) for s in two.incidents)
    assert states == sorted((s["incident"], s["state"], s["reports"])
                            for s in one_mpls.incidents + one_west.incidents)
