"""Alerts: /status (active ones), /retract (admins), and verifiers' /confirm and /dispute, typed or as a
quote-reply to a dispatch (verifier_verdict)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Literal

from alertrelay.bot import keys, metrics, replies
from alertrelay.bot.core.decide import Kind as ApplyKind
from alertrelay.bot.core.matching import ACTIVE_STATES
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import BadArgument
from alertrelay.bot.regions import all_regions
from alertrelay.workers import incidents
from alertrelay.workers.commands.arguments import parse_incident_ref
from alertrelay.workers.commands.context import Ctx
from alertrelay.workers.commands.grammar import command
from alertrelay.workers.decisions import apply_message
from alertrelay.workers.delivery import announce


@command("status", "estado", "member", "", "", "active verified alerts", "alertas verificadas activas")
def status(ctx: Ctx) -> None:
    conn = ctx.rt.conn
    active = []
    open_ids = [raw for region in all_regions(conn) for raw in conn.zrange(region.incidents_active, 0, -1)]
    for raw in open_ids:
        f = incidents.fields(conn, replies.text(raw))
        if f.get("state") != "verified" or not f.get("alert_id"):
            continue
        if ctx.env.group:  # near here: the alerts this group got
            groups = json.loads(conn.hget(keys.alert(f["alert_id"]), "groups") or b"[]")
            if ctx.env.group not in groups:
                continue
        when = datetime.fromtimestamp(float(f.get("last_report_at", 0)), ctx.env.at.tzinfo).strftime("%H:%M")
        active.append(f"[{f['alert_id']}] {f.get('place', '')} ({when})")
    if not active:
        ctx.say("No active verified alerts here.", "No hay alertas verificadas activas aquí.")
        return
    ctx.say("Active verified alerts: " + "; ".join(active[:10]),
            "Alertas verificadas activas: " + "; ".join(active[:10]))

@command("retract", "retirar", "admin", "<alert_id>", "<alerta>", "withdraw an alert", "retirar una alerta")
def retract(ctx: Ctx) -> None:
    rt, env = ctx.rt, ctx.env
    alert_id = parse_incident_ref(ctx.args)
    record = rt.conn.hgetall(keys.alert(alert_id)) if alert_id.startswith("a") else {}
    if not record:
        raise BadArgument(f"No alert {alert_id}.", f"No existe la alerta {alert_id}.")
    incident_id = replies.text(record[b"incident"])
    if not incidents.set_state(rt.conn, incident_id, "retracted", env.at.timestamp()):
        raise BadArgument(f"{alert_id} was already retracted.", f"{alert_id} ya fue retirada.")
    metrics.count_decision("retracted")
    announce(rt, ctx.batch.region, ctx.batch, incident_id, alert_id, "retraction", env.at, env.message_id)
    groups = json.loads(record.get(b"groups", b"[]"))
    ctx.audit(f"{alert_id} ({incident_id}) to {len(groups)} groups")
    ctx.say(f"Retraction of {alert_id} sent to {len(groups)} groups.",
            f"Retiro de {alert_id} enviado a {len(groups)} grupos.")

@command("confirm", "confirmar", "verifier", "<id>", "<id>", "you saw it: verify", "usted lo vio: verificar",
         "confirmo", "verify", "verificar")
def confirm(ctx: Ctx) -> None:
    _verdict(ctx, "report")


@command("dispute", "disputar", "verifier", "<id>", "<id>", "not there: block it", "no está: bloquear",
         "negar", "no")
def dispute(ctx: Ctx) -> None:
    _verdict(ctx, "dispute")


def _verdict(ctx: Ctx, kind: ApplyKind) -> None:
    rt = ctx.rt
    ref = parse_incident_ref(ctx.args)
    incident_id = ref
    if ref.startswith("a"):
        incident_id = replies.text(rt.conn.hget(keys.alert(ref), "incident") or b"")
    state = incidents.fields(rt.conn, incident_id).get("state") if incident_id else None
    if state not in ACTIVE_STATES:
        raise BadArgument(f"{ref} is not an open incident.", f"{ref} no es un incidente abierto.")
    result = apply_message(rt, ctx.batch, ctx.env, kind, None, incident_id, counted=True, seen=())
    state = result.state if result is not None else state
    ctx.audit(f"{kind} {incident_id}: {state}", action="confirm" if kind == "report" else "dispute")
    ctx.say(f"Thanks: {incident_id} is now {state}.", f"Gracias: {incident_id} ahora está {state}.")


_NOT_THERE = re.compile(r"(?<!\w)(?:not there|nobody|no one|nothing|not confirmed|can'?t confirm|cannot confirm|"
                        r"false|no (?:estan|hay)|nadie|nada|no los veo|no (?:se )?ve nada|falso|no confirmo|"
                        r"negativo|^no)(?!\w)")
_SEEN_IT = re.compile(r"(?<!\w)(?:confirmed|confirm|confirmado|confirmo|yes|si|verified|verificado|i see them|"
                      r"los veo|they(?:'re| are) (?:here|there)|ahi estan|estan ahi)(?!\w)")


def verifier_verdict(text: str) -> Literal["report", "dispute"] | None:
    """A verifier's quote-reply to a dispatch or an alert: "confirmed" verifies, "not there" blocks."""
    folded = fold(text)
    if _NOT_THERE.search(folded):
        return "dispute"
    if _SEEN_IT.search(folded):
        return "report"
    return None
