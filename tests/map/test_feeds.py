"""The open feeds on the real server over a real Redis: CAP 1.2 messages valid against the OASIS schema,
the Atom index read by a real feed parser, GeoJSON checked by the geojson package; never an unverified
incident; off / token / public."""

from __future__ import annotations

from datetime import UTC, timedelta

import feedparser
import geojson
import httpx
import pytest
import xmlschema

from alertrelay.bot import keys
from alertrelay.config.settings import Settings
from tests.conftest import REPO, T0, Relay
from tests.map.map_harness import MAP_TOKEN, MapServer

CAP_SCHEMA = xmlschema.XMLSchema(REPO / "tests" / "data" / "cap" / "CAP-v1.2.xsd")
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"
LONE = "ICE agents at Lake St & Bloomington Ave right now, 3 SUVs"
BEARER = {"Authorization": f"Bearer {MAP_TOKEN}"}


def alerted(relay: Relay) -> None:
    relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)
    relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", minutes=3)
    assert [a["alert_id"] for a in relay.kinds("alert")][:1] == ["a1"]


def lone_report(relay: Relay) -> str:
    """One report, nobody else: an unverified incident (its id)."""
    relay.send(LONE, sender="+16125550021", channel="whatsapp", minutes=5)
    incident_id = f"i{int(relay.rt.conn.get(keys.INCIDENT_SEQ))}"
    assert relay.rt.conn.hget(keys.incident(incident_id), "state") == b"pending"
    return incident_id


def cap(http: httpx.Client, message: str) -> dict:  # type: ignore[type-arg]
    response = http.get(f"/feeds/cap/{message}.xml", headers=BEARER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/cap+xml")
    CAP_SCHEMA.validate(response.text)  # raises on anything the CAP 1.2 schema refuses
    return CAP_SCHEMA.to_dict(response.text)  # type: ignore[return-value]


def test_alert_update_cancel_are_valid_cap_and_reference_each_other(map_relay: Relay, http: httpx.Client) -> None:
    # a Spanish list covers the neighbourhood too: the alert goes to both, in both languages
    map_relay.send("/subscribe Ventura Village @sur-es", sender="+16125559001", channel="whatsapp", minutes=-5)
    alerted(map_relay)
    lone_report(map_relay)
    map_relay.send("still ICE at franklin and chicago, I see them too, 3 agents now", sender="+16125550014",
                   group="franklin-en", minutes=8)
    map_relay.send("they left franklin & chicago", sender="+16125550013", group="franklin-en", minutes=20)
    map_relay.send("ya se fueron de la franklin", sender="+16125550012", channel="whatsapp", minutes=21)
    assert map_relay.kinds("all_clear")

    feed = feedparser.parse(http.get("/feeds/cap.atom", headers=BEARER).text)
    assert not feed.bozo, feed.bozo_exception
    links = [next(link.href for link in entry.links if link.rel == "alternate") for entry in feed.entries]
    names = [link.rsplit("/", 1)[1].removesuffix(".xml") for link in links]
    assert sorted(names) == ["a1", "a1-cancel", "a1-u1"]  # nothing of the unverified i2

    alert, update, cancel = cap(http, "a1"), cap(http, "a1-u1"), cap(http, "a1-cancel")
    assert [m["msgType"] for m in (alert, update, cancel)] == ["Alert", "Update", "Cancel"]
    assert {m["status"] for m in (alert, update, cancel)} == {"Actual"}
    sender = alert["sender"]
    assert "references" not in alert
    assert update["references"] == f"{sender},a1,{alert['sent']}"
    assert cancel["references"] == f"{sender},a1,{alert['sent']} {sender},a1-u1,{update['sent']}"
    # the verifying report's time, in UTC written as CAP wants it
    assert alert["sent"] == (T0 + timedelta(minutes=3)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")
    # one info per language of the groups it went to (franklin-en: en; sur-es: es), certainty Observed
    infos = alert["info"]
    assert sorted(i["language"] for i in infos) == ["en-US", "es-US"]
    assert {i["certainty"] for i in infos} == {"Observed"}
    assert all(i["expires"] > alert["sent"] for i in infos)
    assert cancel["info"][0]["responseType"] == ["AllClear"]
    # the areas notified (the groups' circle and neighbourhood polygons), not the reporter's spot
    areas = [a for i in infos if i["language"] == "en-US" for a in i["area"]]
    assert any(a.get("circle") for a in areas) or any(a.get("polygon") for a in areas)
    assert all("geocode" not in a for a in areas)
    text = http.get("/feeds/cap/a1.xml", headers=BEARER).text
    assert "44.9486" not in text  # (the incident's own point is never in CAP)
    assert "6125550" not in text and "5550011" not in text


def test_a_retraction_is_a_cancel_and_a_drill_says_exercise(map_relay: Relay, http: httpx.Client) -> None:
    alerted(map_relay)
    map_relay.send("/retract a1", sender="+16125559001", channel="whatsapp", minutes=6)
    map_relay.rt.conn.set(keys.EXERCISE, "1")
    cancel = cap(http, "a1-cancel")
    assert cancel["msgType"] == "Cancel" and cancel["status"] == "Exercise"
    assert "Withdrawn" in cancel.get("note", "") or "Rehearsal" in cancel.get("note", "")
    assert cancel["sent"] == (T0 + timedelta(minutes=6)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")


def test_geojson_holds_only_verified_alerts_rounded(map_relay: Relay, http: httpx.Client) -> None:
    lone_report(map_relay)
    response = http.get("/feeds/alerts.geojson", headers=BEARER)
    data = geojson.loads(response.text)
    assert data.is_valid and data["features"] == []  # an unverified incident never appears
    alerted(map_relay)
    data = geojson.loads(http.get("/feeds/alerts.geojson", headers=BEARER).text)
    assert data.is_valid, data.errors()
    (feature,) = data["features"]
    props = feature["properties"]
    assert props["alert_id"] == "a1" and props["state"] == "verified" and props["independent_reports"] == 2
    assert set(props["texts"]) == {"en"} and props["neighbourhood"]  # franklin-en: English
    lon, lat = feature["geometry"]["coordinates"]
    assert round(lat, 3) == lat and round(lon, 3) == lon  # about 100 m, never a pin
    assert "6125550" not in response.text


def test_feeds_are_off_token_or_public(map_relay: Relay, map_server: MapServer, http: httpx.Client) -> None:
    alerted(map_relay)
    assert http.get("/feeds/alerts.geojson").status_code == 403  # token mode: no token
    assert http.get("/feeds/alerts.geojson", params={"token": "nope"}).status_code == 403
    assert http.get("/feeds/alerts.geojson", params={"token": MAP_TOKEN}).status_code == 200
    assert http.get("/feeds/cap.atom", headers=BEARER).status_code == 200
    map_relay.send("/feeds public", sender="+16125559001", channel="whatsapp", minutes=10)
    assert "public" in map_relay.answers()[-1]["text"]
    assert http.get("/feeds/alerts.geojson").status_code == 200
    map_relay.send("/feeds off", sender="+16125559001", channel="whatsapp", minutes=11)
    assert http.get("/feeds/alerts.geojson", headers=BEARER).status_code == 404
    map_relay.send("/feeds public", sender="+16125550011", channel="whatsapp", minutes=12)  # not an admin
    assert http.get("/feeds/alerts.geojson").status_code == 404
    map_relay.send("/feeds whatever", sender="+16125559001", channel="whatsapp", minutes=13)
    assert "off, token or public" in map_relay.answers()[-1]["text"]


@pytest.mark.parametrize("path", ["/feeds/cap.atom", "/feeds/alerts.geojson", "/feeds/cap/a1.xml"])
def test_feeds_are_off_by_default(path: str, map_relay: Relay, map_server: MapServer, http: httpx.Client) -> None:
    alerted(map_relay)
    map_server.ctx.settings = map_server.ctx.settings.model_copy(update={"feeds": Settings().feeds})
    assert http.get(path, headers=BEARER).status_code == 404
    assert http.get(path, params={"token": MAP_TOKEN}).status_code == 404
