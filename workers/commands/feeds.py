"""The coordinator map and open feeds (issue 12): /map (a personal signed link), /feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alertrelay.bot import keys
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import BadArgument, Refused
from alertrelay.workers.commands.context import Ctx
from alertrelay.workers.commands.grammar import command

if TYPE_CHECKING:
    from alertrelay.bot.map.access import FeedsMode

FEEDS_WORDS: dict[str, FeedsMode] = {"off": "off", "no": "off", "apagado": "off", "token": "token", "public": "public",
               "publico": "public", "on": "public"}


@command("map", "mapa", "verifier", "", "", "a personal link to the live map (direct message)",
         "un enlace personal al mapa en vivo (mensaje directo)")
def map_link(ctx: Ctx) -> None:
    """A signed link that opens the live map for this person until it expires (and only while they stay an
    admin or a verifier). Never in a group: anyone there could use it."""
    import time

    from alertrelay.bot.map.access import Signer

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


@command("feeds", "fuentes", "admin", "[off|token|public]", "[off|token|public]",
         "open feeds (CAP, GeoJSON) for partner maps", "fuentes abiertas (CAP, GeoJSON) para mapas aliados",
         "feed", "fuente")
def feeds(ctx: Ctx) -> None:
    from alertrelay.bot.map.access import feeds_mode

    conn = ctx.rt.conn
    word = fold(ctx.args.split()[0]) if ctx.args.split() else ""
    if not word:
        current = feeds_mode(conn, ctx.rt.settings.feeds)
        ctx.say(f"Feeds are {current}. /feeds off|token|public",
                f"Las fuentes están en {current}. /fuentes off|token|public")
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
