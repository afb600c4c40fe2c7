"""Chat commands against Redis: the grammar, the roles and the help text are in bot/commands/registry.py.

Authorisation is by the sender's pseudonym, never a display name. Every change and every refusal is
written to the audit stream (pseudonyms only: numbers in an argument are sealed by ingest, opened here in
memory, and stored as pseudonyms or sealed addresses).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.commands.registry import (
    COMMANDS, RANK, BadArgument, CommandSpec, Role, UnknownCommand, check_length, check_name, help_text,
    parse_area_definition, parse_command, parse_incident_ref, parse_language, parse_person, parse_point,
    parse_policy, parse_target_group, split_name,
)
from bot.core.areas import AreaSpec, CircleArea, GroupConfig
from bot.core.matching import ACTIVE_STATES
from bot.core.models import Envelope, Parsed
from bot.core.parsing import fold
from bot.core.render import RIGHTS
from bot.identity import InvalidAddress, normalise_address
from bot.transports import subscriptions
from bot import keys, metrics
from workers import incidents
from workers.config_state import VerifierInfo, audit, edit_group, transact
from workers.delivery import announce, queue_reply
from workers.runtime import Runtime

MAX_AUDIT_LINES = 30
MAX_WHY_LINES = 12
"""/why lists at most this many messages (the counted ones first), then sums up the rest."""
MAX_REPLY_CHARS = 1500


class Refused(Exception):
    def __init__(self, en: str, es: str, detail: str):
        super().__init__(detail)
        self.en, self.es, self.detail = en, es, detail


@dataclass
class Ctx:
    rt: Runtime
    env: Envelope
    spec: CommandSpec
    args: str
    lang: str
    role: Role

    def say(self, en: str, es: str | None = None) -> None:
        queue_reply(self.rt, self.env, es if self.lang == "es" and es is not None else en)

    def audit(self, detail: str, ok: bool = True, action: str | None = None) -> None:
        audit(self.rt.conn, at=self.env.at.isoformat(), actor=self.env.reporter, role=self.role,
              action=action or self.spec.name.replace(" ", "-"), detail=detail, ok=ok)

    def done(self, detail: str, en: str, es: str) -> None:
        """A change was made: audit it, reload the config, tell the sender."""
        self.audit(detail)
        self.rt.refresh_config()
        self.say(en, es)


Handler = Callable[[Ctx], None]
HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    assert any(c.name == name for c in COMMANDS), name

    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def role_of(rt: Runtime, reporter: str) -> Role:
    config = rt.config()
    return "admin" if reporter in config.admins else "verifier" if reporter in config.verifiers else "member"


def handle_command(rt: Runtime, env: Envelope, parsed: Parsed) -> None:
    text = rt.identity.unseal_text(env.text)  # numbers typed in a command, opened in memory only
    role = role_of(rt, env.reporter)
    group = rt.config().groups.get(env.group or "")
    try:
        invocation = parse_command(text)
    except UnknownCommand as exc:
        lang = group.language if group else parsed.lang
        queue_reply(rt, env, f"Comando desconocido /{exc.word}. /ayuda" if lang == "es"
                    else f"Unknown command /{exc.word}. /help")
        return
    lang = invocation.lang or (group.language if group else parsed.lang)
    ctx = Ctx(rt, env, invocation.spec, invocation.args, lang, role)
    if RANK[role] < RANK[invocation.spec.role]:
        who = ("admins", "los administradores") if invocation.spec.role == "admin" else \
              ("verifiers", "los verificadores")
        ctx.say(f"Only {who[0]} can do that. Nothing changed.", f"Solo {who[1]} pueden hacer eso. No se cambió nada.")
        ctx.audit(f"refused: needs {invocation.spec.role}; args {len(invocation.args)} chars", ok=False)
        return
    try:
        check_length(invocation.args)
        HANDLERS[invocation.spec.name](ctx)
    except BadArgument as exc:
        ctx.say(exc.en, exc.es)
        ctx.audit(f"bad argument: {exc.en}", ok=False)
    except Refused as exc:
        ctx.say(exc.en, exc.es)
        ctx.audit(f"refused: {exc.detail}", ok=False)


# --- anyone ------------------------------------------------------------------------------------------------

@handles("help")
def _help(ctx: Ctx) -> None:
    ctx.say(help_text(ctx.role, ctx.lang))


def rights_text(ctx: Ctx, lang: str) -> str:
    return ctx.rt.config().rights.get(lang) or RIGHTS["es" if lang == "es" else "en"]


@handles("rights")
def _rights(ctx: Ctx) -> None:
    ctx.say(rights_text(ctx, ctx.lang))


def describe(area: AreaSpec) -> str:
    if isinstance(area, str):
        return area
    if isinstance(area, CircleArea):
        return f"{area.radius_m:.0f} m around {area.lat:.4f},{area.lon:.4f}"
    return f"a polygon of {len(area.polygon)} points"


@handles("areas")
def _areas(ctx: Ctx) -> None:
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


@handles("status")
def _status(ctx: Ctx) -> None:
    conn = ctx.rt.conn
    active = []
    for raw in conn.zrange(keys.INCIDENTS_ACTIVE, 0, -1):
        f = incidents.fields(conn, raw.decode())
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
    ctx.say("Active verified alerts: " + "; ".join(active[:10]), "Alertas verificadas activas: " + "; ".join(active[:10]))


# --- subscriptions -----------------------------------------------------------------------------------------

def canonical_area(rt: Runtime, name: str) -> str:
    """The stored spelling of an area name; BadArgument if nothing by that name exists."""
    name = check_name(name)
    for known in rt.config().areas:
        if fold(known) == fold(name):
            return known
    if rt.gazetteer.area_shape(name) is None:
        raise BadArgument(f"Unknown area: {name}. /areas lists the named ones; neighbourhood and district "
                          "names work too.",
                          f"Zona desconocida: {name}. /zonas muestra las zonas con nombre; también sirven "
                          "barrios y distritos.")
    for known in rt.gazetteer.area_names():
        if fold(known) == fold(name):
            return known
    return name


@handles("subscribe")
def _subscribe(ctx: Ctx) -> None:
    _membership(ctx, join=True)


@handles("unsubscribe")
def _unsubscribe(ctx: Ctx) -> None:
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
            group = GroupConfig(id=group_id, channel="signal", language=ctx.lang)  # type: ignore[arg-type]
        others = [a for a in group.areas if not (isinstance(a, str) and fold(a) == fold(name))]
        return group.model_copy(update={"areas": others + [name] if join else others})

    edit_group(rt.conn, group_id, change)
    ctx.done(f"{group_id}: {'+' if join else '-'}{name}",
             f"{group_id} {'now gets' if join else 'no longer gets'} alerts for {name}.",
             f"{group_id} {'ahora recibe' if join else 'ya no recibe'} alertas de {name}.")


@handles("language")
def _language(ctx: Ctx) -> None:
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


# --- named areas ---------------------------------------------------------------------------------------------

def _named(rt: Runtime, name: str) -> str | None:
    return next((known for known in rt.config().areas if fold(known) == fold(name)), None)


@handles("area add")
def _area_add(ctx: Ctx) -> None:
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

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        if any(fold(k.decode()) == fold(name) for k in pipe.hkeys(keys.NAMED_AREAS)):
            raise BadArgument(f"{name} already exists.", f"{name} ya existe.")
        pipe.multi()
        pipe.hset(keys.NAMED_AREAS, name, value)
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    ctx.done(f"area {name} = {describe(spec)}", f"Area {name} added: {describe(spec)}. /subscribe {name} in a group.",
             f"Zona {name} agregada: {describe(spec)}. /suscribir {name} en un grupo.")


def _rename_in(areas: list[AreaSpec], old: str, new: str) -> list[AreaSpec]:
    return [new if isinstance(a, str) and fold(a) == fold(old) else a for a in areas]


@handles("area rename")
def _area_rename(ctx: Ctx) -> None:
    rt = ctx.rt
    old_arg, rest = split_name(ctx.args)
    new = check_name(rest)
    old = _named(rt, old_arg)
    if old is None:
        raise BadArgument(f"No named area {old_arg}.", f"No hay zona con nombre {old_arg}.")
    if fold(new) != fold(old) and (_named(rt, new) or rt.gazetteer.area_shape(new) is not None):
        raise BadArgument(f"{new} already exists.", f"{new} ya existe.")

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        value = pipe.hget(keys.NAMED_AREAS, old)
        if value is None:
            raise BadArgument(f"No named area {old}.", f"No hay zona con nombre {old}.")
        groups = {k: GroupConfig.model_validate_json(v) for k, v in pipe.hgetall(keys.GROUPS).items()}
        policy = pipe.hget(keys.AREA_POLICIES, old)
        verifiers = {k: VerifierInfo.model_validate_json(v) for k, v in pipe.hgetall(keys.VERIFIER_INFO).items()}
        pipe.multi()
        pipe.hdel(keys.NAMED_AREAS, old)
        pipe.hset(keys.NAMED_AREAS, new, value)
        for gid, group in groups.items():
            renamed = _rename_in(group.areas, old, new)
            if renamed != group.areas:
                pipe.hset(keys.GROUPS, gid, group.model_copy(update={"areas": renamed}).model_dump_json())
        if policy is not None:
            pipe.hdel(keys.AREA_POLICIES, old)
            pipe.hset(keys.AREA_POLICIES, new, policy)
        for pseudonym, info in verifiers.items():
            renamed = _rename_in(info.areas, old, new)
            if renamed != info.areas:
                pipe.hset(keys.VERIFIER_INFO, pseudonym, info.model_copy(update={"areas": renamed}).model_dump_json())
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    ctx.done(f"area {old} -> {new}", f"Area {old} is now {new}.", f"La zona {old} ahora se llama {new}.")


@handles("area remove")
def _area_remove(ctx: Ctx) -> None:
    rt = ctx.rt
    name = _named(rt, check_name(ctx.args))
    if name is None:
        raise BadArgument(f"No named area {ctx.args[:60]}.", f"No hay zona con nombre {ctx.args[:60]}.")

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        users = sorted(k.decode() for k, v in pipe.hgetall(keys.GROUPS).items()
                       if any(isinstance(a, str) and fold(a) == fold(name)
                              for a in GroupConfig.model_validate_json(v).areas))
        if users:
            raise BadArgument(f"{name} is still used by {', '.join(users)}: /unsubscribe {name} there first.",
                              f"{name} todavía la usa {', '.join(users)}: /desuscribir {name} ahí primero.")
        pipe.multi()
        pipe.hdel(keys.NAMED_AREAS, name)
        pipe.hdel(keys.AREA_POLICIES, name)
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    ctx.done(f"area {name} removed", f"Area {name} removed.", f"Zona {name} quitada.")


# --- policy --------------------------------------------------------------------------------------------------

def _policy_line(policy) -> str:  # type: ignore[no-untyped-def]
    return (f"reports={policy.min_independent_reports} window={policy.window_minutes} "
            f"radius={policy.radius_m} clears={policy.all_clear_reports} "
            f"burst={'on' if policy.first_time_burst else 'off'} newhours={policy.first_time_hours} "
            f"burstmin={policy.burst_minutes}")


@handles("policy")
def _policy(ctx: Ctx) -> None:
    config = ctx.rt.config()
    areas = "; ".join(f"{name}: {_policy_line(p)}" for name, p in config.area_policies.items())
    ctx.say(f"Rules: {_policy_line(config.policy)}" + (f". Per area: {areas}" if areas else ""),
            f"Reglas: {_policy_line(config.policy)}" + (f". Por zona: {areas}" if areas else ""))


@handles("policy set")
def _policy_set(ctx: Ctx) -> None:
    rt = ctx.rt
    config = rt.config()
    name, policy = parse_policy(ctx.args, config.policy)
    if name is not None:
        name = canonical_area(rt, name)
        base = config.area_policies.get(name, config.policy)
        _, policy = parse_policy(ctx.args, base)

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        pipe.multi()
        if name is None:
            pipe.set(keys.POLICY, policy.model_dump_json())
        else:
            pipe.hset(keys.AREA_POLICIES, name, policy.model_dump_json())
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    where = name or "global"
    ctx.done(f"policy {where}: {_policy_line(policy)}", f"Rules ({where}): {_policy_line(policy)}",
             f"Reglas ({'general' if name is None else name}): {_policy_line(policy)}")


@handles("policy unset")
def _policy_unset(ctx: Ctx) -> None:
    rt = ctx.rt
    name = next((k for k in rt.config().area_policies if fold(k) == fold(check_name(ctx.args))), None)
    if name is None:
        raise BadArgument(f"{ctx.args[:60]} has no rules of its own.", f"{ctx.args[:60]} no tiene reglas propias.")

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        pipe.multi()
        pipe.hdel(keys.AREA_POLICIES, name)
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    ctx.done(f"policy {name}: global", f"{name} follows the global rules again.",
             f"{name} vuelve a las reglas generales.")


# --- people ---------------------------------------------------------------------------------------------------

def _address(word: str) -> str:
    try:
        return normalise_address(word)
    except InvalidAddress:
        raise BadArgument(f"Not a phone number or Signal UUID: {word[:40]}.",
                          f"No es un teléfono ni un UUID de Signal: {word[:40]}.") from None


@handles("verifier add")
def _verifier_add(ctx: Ctx) -> None:
    rt = ctx.rt
    person = parse_person(ctx.args)
    address = _address(person.address)
    if not address.startswith("+") and person.channel != "signal":
        raise BadArgument("A Signal UUID can only get dispatches on Signal.",
                          "Un UUID de Signal solo recibe avisos por Signal.")
    areas = [canonical_area(rt, a) for a in person.areas]
    pseudonym = rt.identity.pseudonym(address)
    info = VerifierInfo(sealed=rt.identity.seal(address), channel=person.channel, language=person.language,
                        areas=areas)

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        pipe.multi()
        pipe.sadd(keys.VERIFIERS, pseudonym)
        pipe.hset(keys.VERIFIER_INFO, pseudonym, info.model_dump_json())
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    beat = ", ".join(areas) or "everywhere"
    ctx.done(f"verifier {pseudonym} ({person.channel}, {person.language}, {beat})",
             f"Verifier {pseudonym[:9]} added ({person.channel}, {beat}).",
             f"Verificador {pseudonym[:9]} agregado ({person.channel}, {'todas partes' if not areas else beat}).")


@handles("verifier remove")
def _verifier_remove(ctx: Ctx) -> None:
    rt = ctx.rt
    pseudonym = rt.identity.pseudonym(_address(ctx.args.split()[0] if ctx.args.split() else ""))
    if pseudonym not in rt.config().verifiers:
        raise BadArgument("That person is not a verifier.", "Esa persona no es verificadora.")

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        pipe.multi()
        pipe.srem(keys.VERIFIERS, pseudonym)
        pipe.hdel(keys.VERIFIER_INFO, pseudonym)
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    ctx.done(f"verifier {pseudonym} removed", f"Verifier {pseudonym[:9]} removed.",
             f"Verificador {pseudonym[:9]} quitado.")


@handles("admin add")
def _admin_add(ctx: Ctx) -> None:
    rt = ctx.rt
    pseudonym = rt.identity.pseudonym(_address(ctx.args.split()[0] if ctx.args.split() else ""))

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        pipe.multi()
        pipe.sadd(keys.ADMINS, pseudonym)
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    ctx.done(f"admin {pseudonym} added", f"Admin {pseudonym[:9]} added.", f"Admin {pseudonym[:9]} agregado.")


@handles("admin remove")
def _admin_remove(ctx: Ctx) -> None:
    rt = ctx.rt
    pseudonym = rt.identity.pseudonym(_address(ctx.args.split()[0] if ctx.args.split() else ""))

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        admins = {a.decode() for a in pipe.smembers(keys.ADMINS)}
        if pseudonym not in admins:
            raise BadArgument("That person is not an admin.", "Esa persona no es admin.")
        if admins == {pseudonym}:
            raise BadArgument("That is the last admin: add another one first.",
                              "Es el último admin: agregue otro primero.")
        pipe.multi()
        pipe.srem(keys.ADMINS, pseudonym)
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    ctx.done(f"admin {pseudonym} removed", f"Admin {pseudonym[:9]} removed.", f"Admin {pseudonym[:9]} quitado.")


# --- places, rights ---------------------------------------------------------------------------------------------

_TRAILING_POINT = re.compile(r"^(.*?)\s+([-+]?\d[\d.]*\s*,\s*[-+]?\d[\d.]*)\s*$", re.S)


@handles("place add")
def _place_add(ctx: Ctx) -> None:
    rt, env = ctx.rt, ctx.env
    match = _TRAILING_POINT.match(ctx.args)
    if match:
        name, (lat, lon) = check_name(match.group(1)), parse_point(match.group(2))
    elif env.lat is not None and env.lon is not None:
        name, lat, lon = check_name(ctx.args), env.lat, env.lon
    else:
        raise BadArgument("Give the place's coordinates: /place add <name> <lat>,<lon>, or send it with a "
                          "location pin.",
                          "Indique las coordenadas: /lugar agregar <nombre> <lat>,<lon>, o mándelo con la ubicación.")
    if not rt.gazetteer.areas.at(lat, lon):
        raise BadArgument(f"{lat:.5f},{lon:.5f} is outside the map this network covers.",
                          f"{lat:.5f},{lon:.5f} está fuera del mapa de esta red.")

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        pipe.multi()
        pipe.hset(keys.PLACES, name, f"{lat:.6f},{lon:.6f}")
        pipe.incr(keys.CONFIG_REV)

    transact(rt.conn, run)
    rt.refresh_config()  # loads it into this process's gazetteer; other workers on their next batch
    area = rt.gazetteer.areas.at(lat, lon) or ""
    ctx.done(f"place {name} = {lat:.5f},{lon:.5f}", f"Place learned: {name} ({area}).",
             f"Lugar aprendido: {name} ({area}).")


@handles("rights set")
def _rights_set(ctx: Ctx) -> None:
    word, _, text = ctx.args.partition(" ")
    lang = parse_language(word)
    text = text.strip()
    if len(text) < 10:
        raise BadArgument("Give the whole text: /rights set es <text with the hotline>.",
                          "Escriba el texto completo: /derechos poner es <texto con la línea de ayuda>.")

    def run(pipe) -> None:  # type: ignore[no-untyped-def]
        pipe.multi()
        pipe.hset(keys.RIGHTS, lang, text)
        pipe.incr(keys.CONFIG_REV)

    transact(ctx.rt.conn, run)
    ctx.done(f"rights {lang}: {len(text)} chars", f"Rights text ({lang}) saved.", f"Texto de derechos ({lang}) guardado.")


# --- alerts ---------------------------------------------------------------------------------------------------------

@handles("retract")
def _retract(ctx: Ctx) -> None:
    rt, env = ctx.rt, ctx.env
    alert_id = parse_incident_ref(ctx.args)
    record = rt.conn.hgetall(keys.alert(alert_id)) if alert_id.startswith("a") else {}
    if not record:
        raise BadArgument(f"No alert {alert_id}.", f"No existe la alerta {alert_id}.")
    incident_id = record[b"incident"].decode()
    if not incidents.set_state(rt.conn, incident_id, "retracted", env.at.timestamp()):
        raise BadArgument(f"{alert_id} was already retracted.", f"{alert_id} ya fue retirada.")
    metrics.count_decision("retracted")
    announce(rt, incident_id, alert_id, "retraction", env.at, env.message_id)
    groups = json.loads(record.get(b"groups", b"[]"))
    ctx.audit(f"{alert_id} ({incident_id}) to {len(groups)} groups")
    ctx.say(f"Retraction of {alert_id} sent to {len(groups)} groups.",
            f"Retiro de {alert_id} enviado a {len(groups)} grupos.")


@handles("audit")
def _audit(ctx: Ctx) -> None:
    word = ctx.args.split()[0] if ctx.args.split() else "10"
    if not word.isdigit() or not 1 <= int(word) <= MAX_AUDIT_LINES:
        raise BadArgument(f"Give a number from 1 to {MAX_AUDIT_LINES}.", f"Indique un número de 1 a {MAX_AUDIT_LINES}.")
    lines = []
    for _, f in ctx.rt.conn.xrevrange(keys.AUDIT, count=int(word))[::-1]:
        r = {k.decode(): v.decode() for k, v in f.items()}
        lines.append(f"{r['at'][5:16]} {r['role']} {r['actor'][:9]} {r['action']}"
                     f"{'' if r['ok'] == '1' else ' ✗'} {r['detail'][:80]}")
    ctx.say("\n".join(lines) or "-")


# --- why an alert went out ------------------------------------------------------------------------------------

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


def why_lines(entries: list[dict], lang: str, tz) -> list[str]:  # type: ignore[type-arg, no-untyped-def]
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


@handles("why")
def _why(ctx: Ctx) -> None:
    rt, es = ctx.rt, ctx.lang == "es"
    ref = parse_incident_ref(ctx.args)
    incident_id = ref
    if ref.startswith("a"):
        incident_id = (rt.conn.hget(keys.alert(ref), "incident") or b"").decode()
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


# --- verifiers --------------------------------------------------------------------------------------------------

@handles("confirm")
def _confirm(ctx: Ctx) -> None:
    _verdict(ctx, "report")


@handles("dispute")
def _dispute(ctx: Ctx) -> None:
    _verdict(ctx, "dispute")


def _verdict(ctx: Ctx, kind: str) -> None:
    from workers.pipeline import apply_message

    rt = ctx.rt
    ref = parse_incident_ref(ctx.args)
    incident_id = ref
    if ref.startswith("a"):
        incident_id = (rt.conn.hget(keys.alert(ref), "incident") or b"").decode()
    state = incidents.fields(rt.conn, incident_id).get("state") if incident_id else None
    if state not in ACTIVE_STATES:
        raise BadArgument(f"{ref} is not an open incident.", f"{ref} no es un incidente abierto.")
    result = apply_message(rt, ctx.env, kind, None, incident_id, counted=True, seen=())
    state = result.state if result is not None else state
    ctx.audit(f"{kind} {incident_id}: {state}", action="confirm" if kind == "report" else "dispute")
    ctx.say(f"Thanks: {incident_id} is now {state}.", f"Gracias: {incident_id} ahora está {state}.")


# --- the coordinator map and open feeds (issue 12) -----------------------------------------------------------

FEEDS_WORDS = {"off": "off", "no": "off", "apagado": "off", "token": "token", "public": "public",
               "publico": "public", "on": "public"}


@handles("map")
def _map(ctx: Ctx) -> None:
    """A signed link that opens the live map for this person until it expires (and only while they stay an
    admin or a verifier). Never in a group: anyone there could use it."""
    import time

    from bot.map.access import Signer

    rt = ctx.rt
    if ctx.env.group or not ctx.env.reply_to:
        raise Refused("Ask me /map in a direct message: the link is personal.",
                      "Pídame /mapa en un mensaje directo: el enlace es personal.", "map link asked in a group")
    settings = rt.settings
    base = (settings.public_url or f"http://{settings.http_host}:{settings.http_port}").rstrip("/")
    expires_at = time.time() + settings.map_link_ttl_s
    link = f"{base}/map?k={Signer(settings.secret_bytes()).sign(ctx.env.reporter, expires_at, 'link')}"
    hours = max(1, round(settings.map_link_ttl_s / 3600))
    ctx.audit(f"map link, {hours} h")  # never the link itself
    ctx.say(f"Your map link (personal, for {hours} h; don't share it): {link}",
            f"Su enlace al mapa (personal, por {hours} h; no lo comparta): {link}")


@handles("feeds")
def _feeds(ctx: Ctx) -> None:
    from bot.map.access import feeds_mode

    conn = ctx.rt.conn
    word = fold(ctx.args.split()[0]) if ctx.args.split() else ""
    if not word:
        mode = feeds_mode(conn, ctx.rt.settings.feeds)
        ctx.say(f"Feeds are {mode}. /feeds off|token|public", f"Las fuentes están en {mode}. /fuentes off|token|public")
        return
    mode = FEEDS_WORDS.get(word)
    if mode is None:
        raise BadArgument(f"Feeds are off, token or public, not {word[:20]!r}.",
                          f"Las fuentes son off, token o public, no {word[:20]!r}.")
    if mode == "token" and ctx.rt.settings.map_token is None:
        raise BadArgument("token needs ALERTRELAY_MAP_TOKEN set on the server. Nothing changed.",
                          "token necesita ALERTRELAY_MAP_TOKEN en el servidor. No se cambió nada.")
    conn.set(keys.FEEDS_MODE, mode)
    ctx.audit(f"feeds {mode}")
    where = "/feeds/cap.atom, /feeds/alerts.geojson"
    ctx.say(f"Feeds are now {mode} ({where}).", f"Las fuentes ahora están en {mode} ({where}).")
