"""Open feeds: CAP 1.2 messages per alert state, an Atom index of them, the active alerts as GeoJSON.

Only verified alerts ever appear here (an incident without an alert id has no lifecycle). A CAP message
carries the areas the alert was sent to, never the reporter's spot; the GeoJSON point is the geocoded
place rounded to about 100 m.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alertrelay.bot.core.areas import CircleArea
from alertrelay.bot.map.areas import AreaBook, GroupArea, cap_circle, cap_polygons
from alertrelay.bot.map.reader import IncidentRecord, Step

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_WINDOW_S = 24 * 3600
MSG_TYPE = {"alert": "Alert", "update": "Update", "expiry": "Update", "all_clear": "Cancel", "retraction": "Cancel"}
EVENT = {"en": "Immigration enforcement activity", "es": "Actividad de control migratorio"}


def cap_time(at: float) -> str:
    """CAP's dateTime: seconds, an explicit offset, UTC written -00:00 (CAP 1.2 §3.3.2)."""
    return datetime.fromtimestamp(int(at), UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00")


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def message_id(record: IncidentRecord, step: Step, index: int) -> str:
    """`a7` for the alert, `a7-u2` for its second update, `a7-expired`, `a7-cancel`."""
    if step.kind == "alert":
        return record.alert_id
    if step.kind == "update":
        return f"{record.alert_id}-u{index}"
    return f"{record.alert_id}-{'expired' if step.kind == 'expiry' else 'cancel'}"


@dataclass(frozen=True)
class CapMessage:
    identifier: str
    record: IncidentRecord
    step: Step
    earlier: tuple[tuple[str, float], ...]
    """(identifier, sent) of every earlier message of the same alert: its `references`."""

    @property
    def msg_type(self) -> str:
        return MSG_TYPE[self.step.kind]


def messages(record: IncidentRecord) -> list[CapMessage]:
    out: list[CapMessage] = []
    earlier: list[tuple[str, float]] = []
    updates = 0
    for step in record.lifecycle():
        if step.kind == "update":
            updates += 1
        identifier = message_id(record, step, updates)
        out.append(CapMessage(identifier, record, step, tuple(earlier)))
        earlier.append((identifier, step.at))
    return out


def _texts(message: CapMessage, lang: str, quiet_minutes: int) -> tuple[str, str, str]:
    """(headline, description, instruction) in `lang`."""
    r, step, es = message.record, message.step, lang == "es"
    where = ", ".join(x for x in (r.place, r.neighbourhood or r.area_name) if x) or r.area_name or "?"
    reports = step.reports or r.reports
    how = ("confirmado por un verificador" if es else "confirmed by a verifier") if r.by_verifier else \
          (f"{reports} reportes independientes" if es else f"{reports} independent reports")
    if step.kind == "alert":
        return ((f"Actividad de ICE verificada: {where}" if es else f"Verified ICE activity: {where}"),
                (f"Reportada en {where}; {how}." if es else f"Reported at {where}; {how}."),
                ("Conozca sus derechos. No comparta fotos de personas." if es
                 else "Know your rights. Do not share photos of people."))
    if step.kind == "update":
        return ((f"Actualización: {where}" if es else f"Update: {where}"),
                (f"Otro reporte independiente en {where}: {how}." if es
                 else f"Another independent report at {where}: {how}."), "")
    if step.kind == "expiry":
        return ((f"Expirada: {where}" if es else f"Expired: {where}"),
                (f"Sin reportes nuevos en {where} por {quiet_minutes} minutos; la alerta expiró." if es
                 else f"No new reports at {where} for {quiet_minutes} minutes; the alert has expired."), "")
    if step.kind == "all_clear":
        return ((f"Despejado: {where}" if es else f"All clear: {where}"),
                (f"Reportes independientes dicen que se fueron de {where}." if es
                 else f"Independent reports say they left {where}."), "")
    return ((f"Retirada: {where}" if es else f"Retracted: {where}"),
            ("El equipo retiró esta alerta. No la comparta." if es
             else "The organisers withdrew this alert. Please don't share it."), "")


def _sub(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{name}")
    element.text = text
    return element


def cap_xml(message: CapMessage, book: AreaBook, *, sender: str, exercise: bool, quiet_period_s: float) -> bytes:
    """One CAP 1.2 `<alert>` (element order as the schema requires)."""
    r, step = message.record, message.step
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", message.identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(step.at))
    _sub(root, "status", "Exercise" if exercise else "Actual")
    _sub(root, "msgType", message.msg_type)
    _sub(root, "scope", "Public")
    if exercise:
        _sub(root, "note", "Rehearsal (alertrelay drill): not a real sighting.")
    elif step.kind == "retraction":
        _sub(root, "note", "Withdrawn by the organisers.")
    if message.earlier:
        _sub(root, "references", " ".join(f"{sender},{i},{cap_time(at)}" for i, at in message.earlier))
    closing = step.kind in ("all_clear", "retraction", "expiry")
    expires = step.at if closing else r.last_report_at + quiet_period_s
    areas = book.notified(r)
    for lang in book.languages_of(r):
        headline, description, instruction = _texts(message, lang, int(quiet_period_s // 60))
        info = ET.SubElement(root, f"{{{CAP_NS}}}info")
        _sub(info, "language", "es-US" if lang == "es" else "en-US")
        _sub(info, "category", "Safety")
        _sub(info, "event", EVENT[lang])
        _sub(info, "responseType", "AllClear" if step.kind == "all_clear" else "None" if closing else "Monitor")
        _sub(info, "urgency", "Past" if closing else "Immediate")
        _sub(info, "severity", "Moderate")
        _sub(info, "certainty", "Observed")  # a verified alert: independent reports or a verifier saw it
        _sub(info, "effective", cap_time(step.at))
        _sub(info, "onset", cap_time(r.first_at))
        _sub(info, "expires", cap_time(max(expires, step.at)))
        _sub(info, "senderName", "alertrelay")
        _sub(info, "headline", headline)
        _sub(info, "description", description)
        if instruction:
            _sub(info, "instruction", instruction)
        parameter = ET.SubElement(info, f"{{{CAP_NS}}}parameter")
        _sub(parameter, "valueName", "independentReports")
        _sub(parameter, "value", str(step.reports or r.reports))
        blocks: list[GroupArea | None] = [*areas] if areas else [None]
        for area in blocks:
            block = ET.SubElement(info, f"{{{CAP_NS}}}area")
            if area is None:  # the groups' config changed since: say where, without a shape
                _sub(block, "areaDesc", r.neighbourhood or r.area_name or r.place or "unknown")
                continue
            _sub(block, "areaDesc", f"{area.label} ({area.group})")
            if isinstance(area.spec, CircleArea):
                _sub(block, "circle", cap_circle(area.spec))
            else:
                for polygon in cap_polygons(area.shape):
                    _sub(block, "polygon", polygon)
    ET.register_namespace("", CAP_NS)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)  # bytes for any encoding but "unicode"
    return document


def atom_xml(all_messages: list[CapMessage], *, now: float, base_url: str, sender: str) -> bytes:
    """An Atom feed of the CAP messages of the alerts verified in the last 24 h, newest first."""
    recent = [m for m in all_messages
              if m.record.verified_at is not None and m.record.verified_at >= now - FEED_WINDOW_S]
    recent.sort(key=lambda m: (-m.step.at, m.identifier))
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
        if text is not None:
            element.text = text
        return element

    add(feed, "id", f"urn:alertrelay:{sender}:cap")
    add(feed, "title", "alertrelay: verified alerts (CAP 1.2)")
    add(feed, "updated", iso(max([m.step.at for m in recent], default=now)))
    add(feed, "link", rel="self", href=f"{base_url}/feeds/cap.atom", type="application/atom+xml")
    author = add(feed, "author")
    add(author, "name", "alertrelay")
    for m in recent:
        entry = add(feed, "entry")
        add(entry, "id", f"urn:alertrelay:{sender}:{m.identifier}")
        headline, description, _ = _texts(m, "en", 0)
        add(entry, "title", f"{m.msg_type} {m.record.alert_id}: {headline}")
        add(entry, "updated", iso(m.step.at))
        add(entry, "link", rel="alternate", href=f"{base_url}/feeds/cap/{m.identifier}.xml",
            type="application/cap+xml")
        add(entry, "summary", description)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)  # bytes, as above
    return document


def alerts_geojson(records: list[IncidentRecord], book: AreaBook) -> dict[str, Any]:
    """The active verified alerts as a FeatureCollection of rounded points."""
    features = []
    for r in sorted(records, key=lambda r: r.id):
        if r.raw_state != "verified" or not r.alert_id:
            continue
        steps = r.lifecycle()
        message = CapMessage(r.alert_id, r, steps[0], ())
        texts = {}
        for lang in book.languages_of(r):
            headline, description, _ = _texts(message, lang, 0)
            texts[lang] = f"{headline}. {description}"
        features.append({
            "type": "Feature", "id": r.alert_id,
            "geometry": {"type": "Point", "coordinates": [r.shown_lon, r.shown_lat]},
            "properties": {
                "alert_id": r.alert_id, "state": r.state, "place": r.place,
                "neighbourhood": r.neighbourhood or r.area_name, "first_report_at": iso(r.first_at),
                "last_report_at": iso(r.last_report_at), "independent_reports": r.reports,
                "verified_by": "verifier" if r.by_verifier else "reports", "texts": texts,
            },
        })
    return {"type": "FeatureCollection", "features": features}
