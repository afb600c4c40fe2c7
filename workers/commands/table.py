"""Every chat command in one table, in the order /help lists them, and running one: role check, argument
length, the handler, and a bad argument or a refusal answered and audited. Each group's module declares its
commands (words, role, help and handler together); this table only orders them."""

from __future__ import annotations

from alertrelay.bot.core.models import Envelope, Parsed
from alertrelay.bot.errors import BadArgument, Refused, UnknownCommand
from alertrelay.workers.batch import Batch
from alertrelay.workers.commands import alerts, areas, audit, feeds, membership, places, policy, rights, roles
from alertrelay.workers.commands.arguments import check_length
from alertrelay.workers.commands.context import Ctx
from alertrelay.workers.commands.grammar import RANK, Grammar, Invocation, Role, command
from alertrelay.workers.delivery import queue_reply
from alertrelay.workers.runtime import Runtime


@command("help", "ayuda", "member", "", "", "these commands", "estos comandos", "start", "comandos")
def help_command(ctx: Ctx) -> None:
    ctx.say(help_text(ctx.role, ctx.lang))


COMMANDS = (
    help_command, rights.rights, areas.areas, alerts.status, membership.subscribe, membership.unsubscribe,
    alerts.confirm, alerts.dispute, areas.area_add, areas.area_rename, areas.area_remove, membership.language,
    policy.policy, policy.policy_set, policy.policy_unset, roles.verifier_add, roles.verifier_remove,
    roles.admin_add, roles.admin_remove, places.place_add, rights.rights_set, alerts.retract, audit.audit,
    feeds.map_link, feeds.feeds, audit.why,
)
GRAMMAR = Grammar(COMMANDS)


def parse_command(text: str) -> Invocation:
    """`/zona agregar Lago = Powderhorn Park` → (area add, "Lago = Powderhorn Park", es)."""
    return GRAMMAR.parse(text)


def help_text(role: Role, lang: str) -> str:
    return GRAMMAR.help_text(role, lang)


def role_of(rt: Runtime, reporter: str) -> Role:
    config = rt.config()
    return "admin" if reporter in config.admins else "verifier" if reporter in config.verifiers else "member"


def handle_command(rt: Runtime, batch: Batch, env: Envelope, parsed: Parsed) -> None:
    text = rt.identity.unseal_text(env.text)  # numbers typed in a command, opened in memory only
    role = role_of(rt, env.reporter)
    group = rt.config().groups.get(env.group or "")
    try:
        invocation = parse_command(text)
    except UnknownCommand as exc:
        lang = group.language if group else parsed.lang
        queue_reply(batch, env, f"Comando desconocido /{exc.word}. /ayuda" if lang == "es"
                    else f"Unknown command /{exc.word}. /help")
        return
    lang = invocation.lang or (group.language if group else parsed.lang)
    ctx = Ctx(rt, batch, env, invocation.spec, invocation.args, lang, role)
    if RANK[role] < RANK[invocation.spec.role]:
        who = ("admins", "los administradores") if invocation.spec.role == "admin" else \
              ("verifiers", "los verificadores")
        ctx.say(f"Only {who[0]} can do that. Nothing changed.", f"Solo {who[1]} pueden hacer eso. No se cambió nada.")
        ctx.audit(f"refused: needs {invocation.spec.role}; args {len(invocation.args)} chars", ok=False)
        return
    try:
        check_length(invocation.args)
        invocation.spec(ctx)
    except BadArgument as exc:
        ctx.say(exc.en, exc.es)
        ctx.audit(f"bad argument: {exc.en}", ok=False)
    except Refused as exc:
        ctx.say(exc.en, exc.es)
        ctx.audit(f"refused: {exc.detail}", ok=False)
