"""Builds the coordinator map and feeds for the bot's HTTP server (bot/map/web.py): it needs the relay's
config and area shapes (a Runtime) and the /why wording (workers/commands/audit.py), which bot/ may not import."""

from __future__ import annotations

import time
from collections.abc import Callable

from aiohttp import web

from alertrelay.bot.map.areas import AreaBook
from alertrelay.bot.map.web import MapService, register
from alertrelay.bot.server import BotContext, Registrar
from alertrelay.workers.commands.audit import KIND_WORDS, WHY_WORDS
from alertrelay.workers.runtime import Runtime


def map_service(ctx: BotContext, clock: Callable[[], float] = time.time) -> MapService:
    rt = Runtime(ctx.settings, conn=ctx.conn)
    return MapService(ctx, AreaBook(rt), WHY_WORDS, KIND_WORDS, clock=clock)


def map_registrar(clock: Callable[[], float] = time.time) -> Registrar:
    def add(app: web.Application, ctx: BotContext) -> None:
        register(app, map_service(ctx, clock))

    return add
