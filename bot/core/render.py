"""Alert and reply texts, in the group's or reporter's language. What, where, when, how many; never who."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_ALERT_CHARS = 320
"""Two SMS segments' worth: the longest alert a WhatsApp/SMS member should get."""

RIGHTS = {
    "en": "Know your rights: stay silent, don't open the door without a judge-signed warrant.",
    "es": "Sus derechos: guarde silencio, no abra la puerta sin orden firmada por un juez.",
}
SEEN = {
    "en": {"agents": "agents", "vehicles": "vehicles", "checkpoint": "ID checks", "arrest": "arrests"},
    "es": {"agents": "agentes", "vehicles": "vehículos", "checkpoint": "revisión de papeles", "arrest": "detenciones"},
}


@dataclass(frozen=True)
class AlertFacts:
    alert_id: str
    place: str
    area: str | None
    at: datetime
    independent_reports: int
    by_verifier: bool
    seen: tuple[str, ...] = ()


def _where(facts: AlertFacts) -> str:
    if facts.area and facts.area.lower() not in facts.place.lower():
        return f"{facts.place}, {facts.area}"
    return facts.place


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ALERT_CHARS else text[: MAX_ALERT_CHARS - 1] + "…"


def render(kind: str, facts: AlertFacts, lang: str, at: datetime | None = None) -> str:
    lang = lang if lang in RIGHTS else "en"
    when = (at or facts.at).strftime("%H:%M")
    where = _where(facts)
    seen = ", ".join(SEEN[lang][s] for s in facts.seen if s in SEEN[lang])
    if kind == "alert":
        if lang == "es":
            how = "Confirmado por verificador." if facts.by_verifier \
                else f"{facts.independent_reports} reportes independientes."
            body = f"⚠️ MIGRA VERIFICADA [{facts.alert_id}]\nDónde: {where}\nHora: {when}\n"
            body += f"Visto: {seen}\n" if seen else ""
            return _clip(body + f"{how}\n{RIGHTS[lang]}")
        how = "Confirmed by a verifier." if facts.by_verifier else f"{facts.independent_reports} independent reports."
        body = f"⚠️ VERIFIED ICE ACTIVITY [{facts.alert_id}]\nWhere: {where}\nWhen: {when}\n"
        body += f"Seen: {seen}\n" if seen else ""
        return _clip(body + f"{how}\n{RIGHTS[lang]}")
    if kind == "all_clear":
        if lang == "es":
            return _clip(f"✅ DESPEJADO [{facts.alert_id}]: {where}. "
                         f"Se reporta que se fueron a las {when}. Sigan atentos.")
        return _clip(f"✅ ALL CLEAR [{facts.alert_id}]: {where}. Reported gone at {when}. Stay alert.")
    if kind == "update":
        if lang == "es":
            return _clip(f"ℹ️ ACTUALIZACIÓN [{facts.alert_id}]: sin reportes nuevos en {where} desde las {when}. "
                         "La alerta expiró; si ve algo, repórtelo.")
        return _clip(f"ℹ️ UPDATE [{facts.alert_id}]: no new reports at {where} since {when}. "
                     "This alert has expired; report anything you see.")
    if kind == "retraction":
        if lang == "es":
            return _clip(f"❌ RETIRADA [{facts.alert_id}]: la alerta de {where} ({facts.at:%H:%M}) fue retirada "
                         "por el equipo. No la compartan.")
        return _clip(f"❌ RETRACTED [{facts.alert_id}]: the alert for {where} ({facts.at:%H:%M}) was withdrawn "
                     "by the organisers. Please don't share it.")
    raise ValueError(f"unknown alert kind {kind!r}")


def reply_ack(lang: str, place: str, area: str | None, count: int, needed: int, state: str) -> str:
    where = f"{place}, {area}" if area and area.lower() not in place.lower() else place
    if lang == "es":
        status = {"verified": "Verificado: se envió la alerta.",
                  "blocked": "Un verificador no lo pudo confirmar; no se envía alerta por ahora."}.get(
            state, f"{min(count, needed)} de {needed} reportes independientes.")
        return f"Recibido: {where}. {status} Gracias. No se acerque; cuide su seguridad."
    status = {"verified": "Verified: the alert went out.",
              "blocked": "A verifier could not confirm it; no alert for now."}.get(
        state, f"{min(count, needed)} of {needed} independent reports.")
    return f"Got it: {where}. {status} Thank you. Keep your distance and stay safe."


def reply_not_counted(lang: str) -> str:
    if lang == "es":
        return ("Gracias. Los mensajes reenviados o copiados no cuentan como reporte propio. "
                "Si usted lo ve, díganos qué ve y en qué esquina.")
    return ("Thanks. Forwarded or copied messages can't count as your own report. "
            "If you see it yourself, tell us what you see and the cross streets.")


def reply_where(lang: str) -> str:
    if lang == "es":
        return ("¿Dónde exactamente? Mande las calles de la esquina (ej. \"Lake y Bloomington\") "
                "o comparta su ubicación.")
    return "Where exactly? Send the cross streets (e.g. \"Lake & Bloomington\") or share your location pin."


def reply_past(lang: str) -> str:
    if lang == "es":
        return "Gracias. Como ya pasó, no enviamos alerta. Si vuelven a estar ahí ahora, avísenos con la esquina."
    return "Thanks. Since this is over, no alert goes out. If they are there now, tell us the cross streets."
