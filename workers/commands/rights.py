"""Anyone's commands about their rights: /rights, and the admins' /rights set."""

from __future__ import annotations

from redis.client import Pipeline

from alertrelay.bot import keys
from alertrelay.bot.core.render import RIGHTS
from alertrelay.bot.errors import BadArgument
from alertrelay.workers.commands.arguments import parse_language
from alertrelay.workers.commands.context import Ctx
from alertrelay.workers.commands.grammar import command
from alertrelay.workers.config_state import change_config


def rights_text(ctx: Ctx, lang: str) -> str:
    return ctx.rt.config().rights.get(lang) or RIGHTS["es" if lang == "es" else "en"]


@command("rights", "derechos", "member", "", "", "know your rights, hotline", "sus derechos, línea de ayuda")
def rights(ctx: Ctx) -> None:
    ctx.say(rights_text(ctx, ctx.lang))

@command("rights set", "derechos poner", "admin", "<en|es> <text>", "<en|es> <texto>", "edit the rights text",
         "cambiar el texto de derechos", "derechos cambiar")
def rights_set(ctx: Ctx) -> None:
    word, _, text = ctx.args.partition(" ")
    lang = parse_language(word)
    text = text.strip()
    if len(text) < 10:
        raise BadArgument("Give the whole text: /rights set es <text with the hotline>.",
                          "Escriba el texto completo: /derechos poner es <texto con la línea de ayuda>.")

    def write(pipe: Pipeline) -> None:
        pipe.hset(keys.RIGHTS, lang, text)

    change_config(ctx.rt.conn, write)
    ctx.done(f"rights {lang}: {len(text)} chars", f"Rights text ({lang}) saved.",
             f"Texto de derechos ({lang}) guardado.")
