"""Verifier dispatch: the first, still unverified report of an incident goes to the verifiers whose areas
cover it, so one can go and look. Their quote-reply ("confirmed" / "not there") settles it."""

from __future__ import annotations

import logging

from alertrelay.bot import keys
from alertrelay.bot.core.areas import AreaSpec, area_shape
from alertrelay.bot.core.geometry import covers
from alertrelay.bot.core.models import Envelope
from alertrelay.bot.core.render import SEEN
from alertrelay.bot.errors import UnknownArea
from alertrelay.bot.ingest import message_key
from alertrelay.workers.batch import Batch
from alertrelay.workers.incidents import Applied
from alertrelay.workers.runtime import Runtime

log = logging.getLogger(__name__)


def dispatch_text(lang: str, incident_id: str, where: str, at: str, seen: str) -> str:
    if lang == "es":
        return (f"🔎 ¿PUEDE IR A VER? [{incident_id}] Reporte sin verificar: {where}, {at}."
                + (f" Visto: {seen}." if seen else "")
                + f" Solo si es seguro. Responda a este mensaje \"confirmado\" o \"no están\""
                  f" (o /confirmar {incident_id}, /disputar {incident_id}).")
    return (f"🔎 CAN YOU CHECK? [{incident_id}] Unverified report: {where}, {at}."
            + (f" Seen: {seen}." if seen else "")
            + f" Only if safe. Reply to this message \"confirmed\" or \"not there\""
              f" (or /confirm {incident_id}, /dispute {incident_id}).")


def dispatch_ref(incident_id: str) -> str:
    """The message id a drill or test quotes to answer a dispatch (transports also map the provider's id)."""
    return f"dispatch-{incident_id}"


def dispatch_verifiers(rt: Runtime, batch: Batch, env: Envelope, result: Applied | None,
                       seen: tuple[str, ...]) -> int:
    """After a report was applied: on an incident's first counted, unverified report, message each
    verifier whose areas cover it, once per incident (SET NX); the messages go out with the batch's replies."""
    if result is None or not result.counted or result.state != "pending" or result.reporters != 1:
        return 0
    config = rt.config()
    if not config.verifier_info:
        return 0
    lat, lon = result.lat, result.lon
    where = f"{result.place}, {result.area}" if result.area and result.area.lower() not in result.place.lower() \
        else result.place
    sent = 0
    for pseudonym, info in sorted(config.verifier_info.items()):
        if not info.sealed or pseudonym == env.reporter or pseudonym not in config.verifiers:
            continue
        if info.areas and not _covers(rt, info.areas, lat, lon):
            continue
        if not rt.conn.set(keys.dispatch_claim(result.incident, pseudonym), "1", nx=True, ex=rt.settings.report_ttl_s):
            continue
        lang = "es" if info.language == "es" else "en"
        what = ", ".join(SEEN[lang][s] for s in seen if s in SEEN[lang])
        text = dispatch_text(lang, result.incident, where, env.at.strftime("%H:%M"), what)
        region = keys.region_of_id(result.incident)  # its drainer reads the quote-reply
        ref_key = region.message_ref(message_key(info.channel, dispatch_ref(result.incident)))
        rt.conn.set(ref_key, result.incident, ex=rt.settings.report_ttl_s)
        batch.sender_keys.wrote(ref_key, result.incident)
        batch.replies.append({"key": f"dispatch:{result.incident}:{pseudonym}", "sealed": info.sealed,
                              "group": "", "channel": info.channel, "text": text, "at": env.at.isoformat(),
                              "in_reply_to": None, "incident": result.incident})
        sent += 1
    if sent:
        log.info("incident %s: dispatched to %d verifiers", result.incident, sent)
    return sent


def _covers(rt: Runtime, areas: list[AreaSpec], lat: float, lon: float) -> bool:
    for area in areas:
        try:
            if covers(area_shape(area, rt.area_shape), lat, lon):
                return True
        except UnknownArea:
            continue
    return False
