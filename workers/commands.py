"""Chat commands (leading "/"), the same on every transport, in English and Spanish.

Authorisation is by the sender's pseudonym, never a display name. Every change and every refusal is
written to the audit stream.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.core.areas import CircleArea, GroupConfig, UnknownArea
from bot.core.models import Envelope, Parsed
from bot.core.render import RIGHTS
from workers import incidents, keys
from workers.config_state import audit, save_group
from workers.delivery import announce, queue_reply
from workers.runtime import Runtime

MAX_ARGUMENT_CHARS = 300

ALIASES = {
    "help": "help", "ayuda": "help", "start": "help",
    "areas": "areas", "zonas": "areas",
    "status": "status", "estado": "status",
    "rights": "rights", "derechos": "rights",
    "subscribe": "subscribe", "suscribir": "subscribe",
    "unsubscribe": "unsubscribe", "desuscribir": "unsubscribe", "cancelar": "unsubscribe",
    "retract": "retract", "retirar": "retract",
}
ADMIN_ONLY = {"subscribe", "unsubscribe", "retract"}

HELP = {
    "en": "Commands: /areas, /status, /rights, /help. Admins: /subscribe <area>, /unsubscribe <area>, "
          "/retract <alert_id>. To report: say what you see and where (cross streets), only first-hand.",
    "es": "Comandos: /zonas, /estado, /derechos, /ayuda. Admins: /suscribir <zona>, /desuscribir <zona>, "
          "/retirar <alerta>. Para reportar: qué ve y dónde (esquina), solo lo que vio usted.",
}


@dataclass(frozen=True)
class Command:
    name: str
    argument: str
    raw_name: str


def parse_command(text: str) -> Command | None:
    match = re.match(r"^\s*/(\w+)\s*(.*)$", text, flags=re.S)
    if not match:
        return None
    raw = match.group(1).lower()
    return Command(name=ALIASES.get(raw, ""), argument=match.group(2).strip(), raw_name=raw)


def _say(rt: Runtime, env: Envelope, text: str) -> None:
    queue_reply(rt, env, text)


def handle_command(rt: Runtime, env: Envelope, parsed: Parsed) -> None:
    lang = parsed.lang
    command = parse_command(env.text)
    config = rt.config()
    role = "admin" if env.reporter in config.admins else "verifier" if env.reporter in config.verifiers else "member"
    at = env.at.isoformat()
    if command is None or not command.name:
        name = command.raw_name if command else "?"
        _say(rt, env, f"Unknown command /{name[:30]}. /help" if lang == "en" else f"Comando desconocido /{name[:30]}. /ayuda")
        return
    if len(command.argument) > MAX_ARGUMENT_CHARS:
        _say(rt, env, "That argument is too long." if lang == "en" else "El argumento es demasiado largo.")
        audit(rt.conn, at=at, actor=env.reporter, role=role, action=command.name, detail="argument too long", ok=False)
        return
    if command.name in ADMIN_ONLY and role != "admin":
        audit(rt.conn, at=at, actor=env.reporter, role=role, action=command.name,
              detail=f"refused: not an admin ({command.argument[:80]})", ok=False)
        _say(rt, env, "Only admins can do that." if lang == "en" else "Solo los administradores pueden hacer eso.")
        return
    if command.name == "help":
        _say(rt, env, HELP[lang])
    elif command.name == "rights":
        _say(rt, env, RIGHTS[lang])
    elif command.name == "areas":
        _say(rt, env, _areas_text(rt, env, lang))
    elif command.name == "status":
        _say(rt, env, _status_text(rt, env, lang))
    elif command.name in ("subscribe", "unsubscribe"):
        _subscribe(rt, env, lang, role, command)
    elif command.name == "retract":
        _retract(rt, env, lang, role, command)


def _describe(area: object) -> str:
    if isinstance(area, str):
        return area
    if isinstance(area, CircleArea):
        return f"{area.radius_m:.0f} m around {area.lat:.4f},{area.lon:.4f}"
    return "a drawn polygon"


def _areas_text(rt: Runtime, env: Envelope, lang: str) -> str:
    groups = rt.config().groups
    if env.group and env.group in groups:
        names = "; ".join(_describe(a) for a in groups[env.group].areas) or "-"
        return f"This group gets alerts for: {names}" if lang == "en" else f"Este grupo recibe alertas de: {names}"
    listing = "; ".join(f"{g.id}: {len(g.areas)}" for g in groups.values())
    return f"Groups and their areas: {listing}" if lang == "en" else f"Grupos y sus zonas: {listing}"


def _status_text(rt: Runtime, env: Envelope, lang: str) -> str:
    active = []
    for raw in rt.conn.zrange(keys.INCIDENTS_ACTIVE, 0, -1):
        f = incidents.fields(rt.conn, raw.decode())
        if f.get("state") == "verified":
            active.append(f"[{f['alert_id']}] {f['place']}")
    if not active:
        return "No active verified alerts." if lang == "en" else "No hay alertas verificadas activas."
    head = "Active verified alerts: " if lang == "en" else "Alertas verificadas activas: "
    return head + "; ".join(active[:10])


def _subscribe(rt: Runtime, env: Envelope, lang: str, role: str, command: Command) -> None:
    at = env.at.isoformat()
    group = rt.config().groups.get(env.group or "")
    if group is None and env.channel == "signal" and (env.group or "").startswith("group."):
        group = GroupConfig(id=env.group or "", channel="signal", language=lang)  # binds this Signal group
    if group is None:
        _say(rt, env, "Run this inside the group it is for." if lang == "en" else "Use esto dentro del grupo.")
        audit(rt.conn, at=at, actor=env.reporter, role=role, action=command.name, detail="not in a group", ok=False)
        return
    name = command.argument
    try:
        rt.router().shape(name)
    except UnknownArea:
        _say(rt, env, f"Unknown area: {name[:60]}" if lang == "en" else f"Zona desconocida: {name[:60]}")
        audit(rt.conn, at=at, actor=env.reporter, role=role, action=command.name, detail=f"unknown area {name[:60]}",
              ok=False)
        return
    canonical = name
    current = [a for a in group.areas if not (isinstance(a, str) and a.lower() == canonical.lower())]
    areas = current + [canonical] if command.name == "subscribe" else current
    save_group(rt.conn, group.model_copy(update={"areas": areas}))
    rt.refresh_config()
    audit(rt.conn, at=at, actor=env.reporter, role=role, action=command.name, detail=f"{group.id}: {canonical}", ok=True)
    verb = ("now gets alerts for" if command.name == "subscribe" else "no longer gets alerts for")
    verbo = ("ahora recibe alertas de" if command.name == "subscribe" else "ya no recibe alertas de")
    _say(rt, env, f"{group.id} {verb} {canonical}." if lang == "en" else f"{group.id} {verbo} {canonical}.")


def _retract(rt: Runtime, env: Envelope, lang: str, role: str, command: Command) -> None:
    alert_id = command.argument.split()[0] if command.argument else ""
    record = rt.conn.hgetall(keys.alert(alert_id)) if re.fullmatch(r"a\d{1,9}", alert_id) else {}
    if not record:
        _say(rt, env, f"No alert {alert_id[:20]}." if lang == "en" else f"No existe la alerta {alert_id[:20]}.")
        return
    incident_id = record[b"incident"].decode()
    pipe = rt.conn.pipeline(transaction=True)
    pipe.hset(keys.incident(incident_id), "state", "retracted")
    pipe.hincrby(keys.incident(incident_id), "rev", 1)
    pipe.zrem(keys.INCIDENTS_ACTIVE, incident_id)
    pipe.zrem(keys.INCIDENTS_GEO, incident_id)
    pipe.zrem(keys.INCIDENTS_GEO_AREA, incident_id)
    pipe.execute()
    announce(rt, incident_id, alert_id, "retraction", env.at, env.message_id)
    audit(rt.conn, at=env.at.isoformat(), actor=env.reporter, role=role, action="retract", detail=alert_id, ok=True)
    groups = json.loads(record.get(b"groups", b"[]"))
    _say(rt, env, f"Retraction of {alert_id} sent to {len(groups)} groups." if lang == "en"
         else f"Retiro de {alert_id} enviado a {len(groups)} grupos.")
