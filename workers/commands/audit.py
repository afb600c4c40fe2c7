"""Looking back: /audit (the last changes) and /why (which reports counted for an alert, and why)."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from alertrelay.bot import keys, replies
from alertrelay.bot.errors import BadArgument
from alertrelay.workers import incidents
from alertrelay.workers.commands.arguments import parse_incident_ref
from alertrelay.workers.commands.context import Ctx
from alertrelay.workers.commands.grammar import command

MAX_AUDIT_LINES = 30
MAX_WHY_LINES = 12
"""/why lists at most this many messages (the counted ones first), then sums up the rest."""
MAX_REPLY_CHARS = 1500

@command("audit", "auditoria", "admin", "[n]", "[n]", "last changes", "últimos cambios")
def audit(ctx: Ctx) -> None:
    word = ctx.args.split()[0] if ctx.args.split() else "10"
    if not word.isdigit() or not 1 <= int(word) <= MAX_AUDIT_LINES:
        raise BadArgument(f"Give a number from 1 to {MAX_AUDIT_LINES}.", f"Indique un número de 1 a {MAX_AUDIT_LINES}.")
    lines = []
    for _, f in (ctx.rt.conn.xrevrange(keys.AUDIT, count=int(word)) or [])[::-1]:
        r = {replies.text(k): replies.text(v) for k, v in (f or {}).items()}
        lines.append(f"{r['at'][5:16]} {r['role']} {r['actor'][:9]} {r['action']}"
                     f"{'' if r['ok'] == '1' else ' ✗'} {r['detail'][:80]}")
    ctx.say("\n".join(lines) or "-")

WHY_WORDS = {
    "report": ("first-hand report", "reporte de primera mano"),
    "confirm": ("confirmation by another person", "confirmación de otra persona"),
    "verifier": ("verifier", "verificador"),
    "all_clear": ("all-clear", "despeje"),
    "dispute": ("dispute", "disputa"),
    "repeat": ("repeat by the same person", "repetido por la misma persona"),
    "forwarded": ("forwarded", "reenviado"),
    "copy": ("copy of an earlier report", "copia de un reporte anterior"),
    "hearsay": ("second-hand", "de segunda mano"),
    "tainted": ("forwarded a report of it before", "reenvió un reporte de esto antes"),
    "burst": ("first-time sender in a burst: one voice with the others",
              "número nuevo en una ráfaga: una sola voz con los demás"),
}
"""What the decision log's `w` codes (bot/core/decide.py) mean, in English and Spanish."""
KIND_WORDS = {"clear": ("all-clear", "despeje"), "dispute": ("dispute", "disputa")}


def why_lines(entries: list[dict[str, Any]], lang: str, tz: tzinfo | None) -> list[str]:
    """One line per decision-log entry (pseudonym, message time, counted or not and why), at most
    MAX_WHY_LINES: the counted ones first, the rest summed up by reason."""
    es = lang == "es"
    shown = [e for e in entries if e.get("c")][:MAX_WHY_LINES]
    shown += [e for e in entries if not e.get("c")][:MAX_WHY_LINES - len(shown)]
    kept = {id(e) for e in shown}
    lines = []
    for e in entries:
        if id(e) not in kept:
            continue
        words = WHY_WORDS.get(e.get("w", ""), (e.get("w", "?"), e.get("w", "?")))[es]
        kind = KIND_WORDS.get(e.get("k", ""))
        if kind and e.get("w") not in ("all_clear", "dispute"):
            words = f"{kind[es]}, {words}"
        new = (" · número nuevo" if es else " · new sender") if e.get("n") and e.get("w") != "burst" else ""
        when = datetime.fromtimestamp(float(e["t"]), tz).strftime("%H:%M")
        lines.append(f"{'✓' if e.get('c') else '✗'} {when} {str(e.get('r', ''))[:9]} {words}{new}")
    rest = [e for e in entries if id(e) not in kept]
    if rest:
        counts: dict[str, int] = {}
        for e in rest:
            counts[e.get("w", "?")] = counts.get(e.get("w", "?"), 0) + 1
        summary = ", ".join(f"{n} {WHY_WORDS.get(w, (w, w))[es]}" for w, n in sorted(counts.items()))
        lines.append(f"+{len(rest)} {'más' if es else 'more'}: {summary}")
    return lines


@command("why", "porque", "verifier", "<alert_id>", "<alerta>", "which reports counted, and why",
         "qué reportes contaron, y por qué", "explain")
def why(ctx: Ctx) -> None:
    rt, es = ctx.rt, ctx.lang == "es"
    ref = parse_incident_ref(ctx.args)
    incident_id = ref
    if ref.startswith("a"):
        incident_id = replies.text(rt.conn.hget(keys.alert(ref), "incident") or b"")
    raw = rt.conn.lrange(keys.incident_why(incident_id), 0, -1) if incident_id else []
    if not raw:
        raise BadArgument(f"Nothing recorded for {ref} (unknown, or its data has expired).",
                          f"No hay registro de {ref} (no existe, o sus datos ya expiraron).")
    entries = [json.loads(x) for x in raw]
    f = incidents.fields(rt.conn, incident_id)
    tz = ctx.env.at.tzinfo
    name = f"{f['alert_id']} ({incident_id})" if f.get("alert_id") else incident_id
    voices = int(f.get("voices") or 0)
    if f.get("verified_at"):
        at = datetime.fromtimestamp(float(f["verified_at"]), tz).strftime("%H:%M")
        how = ("un verificador" if es else "a verifier") if f.get("by_verifier") == "1" else \
              (f"{voices} reportes independientes" if es else f"{voices} independent reports")
        head = f"{name}: verificada a las {at} por {how}" if es else f"{name}: verified at {at} by {how}"
    else:
        head = (f"{name}: {f.get('state', '?')}, {voices} reportes independientes" if es
                else f"{name}: {f.get('state', '?')}, {voices} independent reports")
    text = "\n".join([head + ":", *why_lines(entries, ctx.lang, tz)])
    ctx.audit(f"why {ref} ({incident_id}): {len(entries)} entries")
    ctx.say(text[:MAX_REPLY_CHARS])
