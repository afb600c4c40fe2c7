"""Areas: what a group or a member gets alerts for (/areas), and the named areas admins keep (/area add,
rename, remove)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from redis.client import Pipeline

from alertrelay.bot import keys, replies
from alertrelay.bot.core.areas import AreaSpec, CircleArea, GroupConfig
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import BadArgument
from alertrelay.bot.identity import normalise_address
from alertrelay.bot.transports import subscriptions
from alertrelay.workers.commands.arguments import check_name, parse_area_definition, split_name
from alertrelay.workers.commands.context import Ctx, canonical_area
from alertrelay.workers.commands.grammar import command
from alertrelay.workers.config_state import VerifierInfo, change_config
from alertrelay.workers.runtime import Runtime


def describe(area: AreaSpec) -> str:
    if isinstance(area, str):
        return area
    if isinstance(area, CircleArea):
        return f"{area.radius_m:.0f} m around {area.lat:.4f},{area.lon:.4f}"
    return f"a polygon of {len(area.polygon)} points"


@command("areas", "zonas", "member", "", "", "what you get alerts for", "de qué zonas recibe alertas", "area", "zona")
def areas(ctx: Ctx) -> None:
    config = ctx.rt.config()
    named = ", ".join(config.areas) or "-"
    group = config.groups.get(ctx.env.group or "")
    if group is not None:
        mine = "; ".join(describe(a) for a in group.areas) or "-"
        ctx.say(f"This group gets alerts for: {mine}. Named areas: {named}",
                f"Este grupo recibe alertas de: {mine}. Zonas con nombre: {named}")
        return
    if ctx.env.reply_to and ctx.env.channel in ("whatsapp", "sms"):
        address = normalise_address(ctx.rt.identity.unseal(ctx.env.reply_to))
        lists = [g for g in config.groups.values() if g.channel == ctx.env.channel
                 and subscriptions._member_index(ctx.rt.identity, g, address) is not None]
        mine = "; ".join(f"{g.id} ({', '.join(describe(a) for a in g.areas)})" for g in lists) or "-"
        ctx.say(f"You get alerts from: {mine}. /subscribe <area> to add one.",
                f"Usted recibe alertas de: {mine}. /suscribir <zona> para agregar.")
        return
    listing = "; ".join(f"{g.id}: {', '.join(describe(a) for a in g.areas) or '-'}" for g in config.groups.values())
    ctx.say(f"Groups and their areas: {listing}. Named areas: {named}",
            f"Grupos y sus zonas: {listing}. Zonas con nombre: {named}")

def _named(rt: Runtime, name: str) -> str | None:
    return next((known for known in rt.config().areas if fold(known) == fold(name)), None)


@command("area add", "zona agregar", "admin", "<name> <neighbourhood | lat,lon radius_m | polygon lon lat; …>",
         "<nombre> <barrio | lat,lon radio_m | polygon lon lat; …>", "name an area", "nombrar una zona",
         "zona anadir", "zona crear", "area crear")
def area_add(ctx: Ctx) -> None:
    rt = ctx.rt
    name, rest = split_name(ctx.args)
    if _named(rt, name) or rt.gazetteer.area_shape(name) is not None:
        raise BadArgument(f"{name} already exists. /area rename or /area remove it first.",
                          f"{name} ya existe. Use /zona renombrar o /zona quitar primero.")
    spec = parse_area_definition(rest)
    if isinstance(spec, str):
        if rt.gazetteer.area_shape(spec) is None:
            raise BadArgument(f"Unknown neighbourhood or district: {spec}.", f"Barrio o distrito desconocido: {spec}.")
        spec = canonical_area(rt, spec)
    value = json.dumps(spec if isinstance(spec, str) else spec.model_dump())

    def check(pipe: Pipeline) -> None:
        if any(fold(replies.text(k)) == fold(name) for k in pipe.hkeys(keys.NAMED_AREAS)):
            raise BadArgument(f"{name} already exists.", f"{name} ya existe.")

    def write(pipe: Pipeline, _checked: None) -> None:
        pipe.hset(keys.NAMED_AREAS, name, value)

    change_config(rt.conn, write, check)
    ctx.done(f"area {name} = {describe(spec)}", f"Area {name} added: {describe(spec)}. /subscribe {name} in a group.",
             f"Zona {name} agregada: {describe(spec)}. /suscribir {name} en un grupo.")


@dataclass(frozen=True)
class _Renaming:
    """What /area rename read, as stored: the area's definition, the groups, its own policy, the verifiers."""

    value: bytes | str
    groups: dict[bytes | str, GroupConfig]
    policy: bytes | str | None
    verifiers: dict[bytes | str, VerifierInfo]


def _rename_in(areas: list[AreaSpec], old: str, new: str) -> list[AreaSpec]:
    return [new if isinstance(a, str) and fold(a) == fold(old) else a for a in areas]


@command("area rename", "zona renombrar", "admin", "<old> = <new>", "<vieja> = <nueva>", "rename an area",
         "renombrar una zona")
def area_rename(ctx: Ctx) -> None:
    rt = ctx.rt
    old_arg, rest = split_name(ctx.args)
    new = check_name(rest)
    old = _named(rt, old_arg)
    if old is None:
        raise BadArgument(f"No named area {old_arg}.", f"No hay zona con nombre {old_arg}.")
    if fold(new) != fold(old) and (_named(rt, new) or rt.gazetteer.area_shape(new) is not None):
        raise BadArgument(f"{new} already exists.", f"{new} ya existe.")

    def read(pipe: Pipeline) -> _Renaming:
        value = pipe.hget(keys.NAMED_AREAS, old)
        if value is None:
            raise BadArgument(f"No named area {old}.", f"No hay zona con nombre {old}.")
        groups = {k: GroupConfig.model_validate_json(v) for k, v in pipe.hgetall(keys.GROUPS).items()}
        policy = pipe.hget(keys.AREA_POLICIES, old)
        verifiers = {k: VerifierInfo.model_validate_json(v) for k, v in pipe.hgetall(keys.VERIFIER_INFO).items()}
        return _Renaming(value, groups, policy, verifiers)

    def write(pipe: Pipeline, seen: _Renaming) -> None:
        pipe.hdel(keys.NAMED_AREAS, old)
        pipe.hset(keys.NAMED_AREAS, new, seen.value)
        for gid, group in seen.groups.items():
            renamed = _rename_in(group.areas, old, new)
            if renamed != group.areas:
                pipe.hset(keys.GROUPS, gid, group.model_copy(update={"areas": renamed}).model_dump_json())
        if seen.policy is not None:
            pipe.hdel(keys.AREA_POLICIES, old)
            pipe.hset(keys.AREA_POLICIES, new, seen.policy)
        for pseudonym, info in seen.verifiers.items():
            renamed = _rename_in(info.areas, old, new)
            if renamed != info.areas:
                pipe.hset(keys.VERIFIER_INFO, pseudonym, info.model_copy(update={"areas": renamed}).model_dump_json())

    change_config(rt.conn, write, read)
    ctx.done(f"area {old} -> {new}", f"Area {old} is now {new}.", f"La zona {old} ahora se llama {new}.")


@command("area remove", "zona quitar", "admin", "<name>", "<nombre>", "remove an area", "quitar una zona",
         "area delete", "zona borrar")
def area_remove(ctx: Ctx) -> None:
    rt = ctx.rt
    name = _named(rt, check_name(ctx.args))
    if name is None:
        raise BadArgument(f"No named area {ctx.args[:60]}.", f"No hay zona con nombre {ctx.args[:60]}.")

    def check(pipe: Pipeline) -> None:
        users = sorted(replies.text(k) for k, v in pipe.hgetall(keys.GROUPS).items()
                       if any(isinstance(a, str) and fold(a) == fold(name)
                              for a in GroupConfig.model_validate_json(v).areas))
        if users:
            raise BadArgument(f"{name} is still used by {', '.join(users)}: /unsubscribe {name} there first.",
                              f"{name} todavía la usa {', '.join(users)}: /desuscribir {name} ahí primero.")

    def write(pipe: Pipeline, _checked: None) -> None:
        pipe.hdel(keys.NAMED_AREAS, name)
        pipe.hdel(keys.AREA_POLICIES, name)

    change_config(rt.conn, write, check)
    ctx.done(f"area {name} removed", f"Area {name} removed.", f"Zona {name} quitada.")
