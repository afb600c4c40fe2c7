"""The verification rules: /policy, /policy set (global or an area's own), /policy unset."""

from __future__ import annotations

from redis.client import Pipeline

from alertrelay.bot import keys
from alertrelay.bot.core.models import Policy
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import BadArgument
from alertrelay.workers.commands.arguments import check_name, parse_policy
from alertrelay.workers.commands.context import Ctx, canonical_area
from alertrelay.workers.commands.grammar import command
from alertrelay.workers.config_state import change_config


def _policy_line(policy: Policy) -> str:
    return (f"reports={policy.min_independent_reports} window={policy.window_minutes} "
            f"radius={policy.radius_m} clears={policy.all_clear_reports} "
            f"burst={'on' if policy.first_time_burst else 'off'} newhours={policy.first_time_hours} "
            f"burstmin={policy.burst_minutes}")


@command("policy", "regla", "admin", "", "", "show the verification rules", "ver las reglas", "politica")
def policy(ctx: Ctx) -> None:
    config = ctx.rt.config()
    areas = "; ".join(f"{name}: {_policy_line(p)}" for name, p in config.area_policies.items())
    ctx.say(f"Rules: {_policy_line(config.policy)}" + (f". Per area: {areas}" if areas else ""),
            f"Reglas: {_policy_line(config.policy)}" + (f". Por zona: {areas}" if areas else ""))


@command("policy set", "regla poner", "admin", "[<area>] reports=2 window=45 radius=500 clears=2 burst=on",
         "[<zona>] reportes=2 ventana=45 radio=500 despejes=2 rafaga=si", "set the rules (for an area)",
         "cambiar las reglas (de una zona)", "politica poner", "regla cambiar")
def policy_set(ctx: Ctx) -> None:
    rt = ctx.rt
    config = rt.config()
    name, policy = parse_policy(ctx.args, config.policy)
    if name is not None:
        name = canonical_area(rt, name)
        base = config.area_policies.get(name, config.policy)
        _, policy = parse_policy(ctx.args, base)

    def write(pipe: Pipeline) -> None:
        if name is None:
            pipe.set(keys.POLICY, policy.model_dump_json())
        else:
            pipe.hset(keys.AREA_POLICIES, name, policy.model_dump_json())

    change_config(rt.conn, write)
    where = name or "global"
    ctx.done(f"policy {where}: {_policy_line(policy)}", f"Rules ({where}): {_policy_line(policy)}",
             f"Reglas ({'general' if name is None else name}): {_policy_line(policy)}")


@command("policy unset", "regla quitar", "admin", "<area>", "<zona>", "area back to the global rules",
         "zona vuelve a las reglas generales", "politica quitar")
def policy_unset(ctx: Ctx) -> None:
    rt = ctx.rt
    name = next((k for k in rt.config().area_policies if fold(k) == fold(check_name(ctx.args))), None)
    if name is None:
        raise BadArgument(f"{ctx.args[:60]} has no rules of its own.", f"{ctx.args[:60]} no tiene reglas propias.")

    def write(pipe: Pipeline) -> None:
        pipe.hdel(keys.AREA_POLICIES, name)

    change_config(rt.conn, write)
    ctx.done(f"policy {name}: global", f"{name} follows the global rules again.",
             f"{name} vuelve a las reglas generales.")
