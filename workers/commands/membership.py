"""Who gets what: /subscribe and /unsubscribe (a member's own list, or an admin binding a group to an
area), and a group's /language."""

from __future__ import annotations

from alertrelay.bot.core.areas import GroupConfig
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import BadArgument, Refused
from alertrelay.bot.transports import subscriptions
from alertrelay.workers.commands.arguments import parse_language, parse_target_group
from alertrelay.workers.commands.context import Ctx, canonical_area
from alertrelay.workers.commands.grammar import command
from alertrelay.workers.config_state import edit_group


@command("subscribe", "suscribir", "member", "<area>", "<zona>", "get alerts for an area",
         "recibir alertas de una zona", "suscribirme", "join")
def subscribe(ctx: Ctx) -> None:
    _membership(ctx, join=True)


@command("unsubscribe", "desuscribir", "member", "<area>", "<zona>", "stop alerts for an area",
         "dejar de recibir alertas de una zona", "cancelar", "leave", "salir")
def unsubscribe(ctx: Ctx) -> None:
    _membership(ctx, join=False)


def _membership(ctx: Ctx, join: bool) -> None:
    env, rt = ctx.env, ctx.rt
    area_arg, target = parse_target_group(ctx.args)
    if not area_arg:
        raise BadArgument("Say which area: /subscribe <area>.", "Diga qué zona: /suscribir <zona>.")
    if ctx.role == "admin" and (target or env.group):
        _bind_group(ctx, target or env.group or "", area_arg, join)
        return
    if env.group:
        raise Refused("Only admins can change what this group gets. Nothing changed.",
                      "Solo los administradores pueden cambiar lo que recibe este grupo. No se cambió nada.",
                      "not an admin (group subscription)")
    if target:
        raise Refused("Only admins can change a list. Nothing changed.",
                      "Solo los administradores pueden cambiar una lista. No se cambió nada.", "not an admin (@list)")
    if env.channel == "signal" or not env.reply_to:
        raise Refused("Signal alerts go to Signal groups: ask an organiser to add you to your area's group.",
                      "Las alertas de Signal van a grupos de Signal: pida a un organizador que lo agregue.",
                      "signal member self-subscription")
    address = rt.identity.unseal(env.reply_to)
    if join:
        result = subscriptions.subscribe(rt.conn, rt.identity, address, env.channel, area_arg, ctx.lang)
    else:
        result = subscriptions.unsubscribe(rt.conn, rt.identity, address, env.channel, area_arg)
    changed = result.joined or result.left
    if changed:
        ctx.done(f"{'joined' if join else 'left'} {', '.join(changed)} ({area_arg[:60]})",
                 f"Done: you {'now get' if join else 'no longer get'} alerts from {', '.join(changed)}.",
                 f"Listo: usted {'ahora recibe' if join else 'ya no recibe'} alertas de {', '.join(changed)}.")
    elif result.already:
        ctx.say(f"You are already on {', '.join(result.already)}.", f"Ya está en {', '.join(result.already)}.")
    elif join:
        lists = ", ".join(result.available) or "-"
        raise BadArgument(f"No list for {area_arg[:60]}. Lists: {lists}.",
                          f"No hay lista para {area_arg[:60]}. Listas: {lists}.")
    else:
        ctx.say(f"You were not on a list for {area_arg[:60]}.", f"No estaba en una lista de {area_arg[:60]}.")


def _bind_group(ctx: Ctx, group_id: str, area_arg: str, join: bool) -> None:
    rt, env = ctx.rt, ctx.env
    name = canonical_area(rt, area_arg)
    new_signal = env.channel == "signal" and group_id == env.group and group_id.startswith("group.")
    if group_id not in rt.config().groups and not new_signal:
        raise BadArgument(f"No group or list {group_id[:60]}.", f"No existe el grupo o la lista {group_id[:60]}.")

    def change(group: GroupConfig | None) -> GroupConfig:
        if group is None:  # an admin binds this Signal group: from now on it is one of ours
            group = GroupConfig(id=group_id, channel="signal", language=ctx.lang)
        others = [a for a in group.areas if not (isinstance(a, str) and fold(a) == fold(name))]
        return group.model_copy(update={"areas": others + [name] if join else others})

    edit_group(rt.conn, group_id, change)
    ctx.done(f"{group_id}: {'+' if join else '-'}{name}",
             f"{group_id} {'now gets' if join else 'no longer gets'} alerts for {name}.",
             f"{group_id} {'ahora recibe' if join else 'ya no recibe'} alertas de {name}.")


@command("language", "idioma", "admin", "<en|es> [@group]", "<en|es> [@grupo]", "set the group's language",
         "idioma del grupo", "lang", "lengua")
def language(ctx: Ctx) -> None:
    word, target = parse_target_group(ctx.args)
    lang = parse_language(word)
    group_id = target or ctx.env.group
    if not group_id or group_id not in ctx.rt.config().groups:
        raise BadArgument("Run this inside the group, or name it: /language es @group-id.",
                          "Use esto dentro del grupo, o nómbrelo: /idioma es @grupo.")
    edit_group(ctx.rt.conn, group_id, lambda g: g.model_copy(update={"language": lang}) if g else None)
    ctx.lang = lang
    ctx.done(f"{group_id}: language {lang}", f"{group_id} now gets alerts in English.",
             f"{group_id} ahora recibe alertas en español.")
