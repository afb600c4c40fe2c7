"""Places: /place add teaches the gazetteer a name for a point."""

from __future__ import annotations

import re

from redis.client import Pipeline

from alertrelay.bot import keys
from alertrelay.bot.errors import BadArgument
from alertrelay.workers.commands.arguments import check_name, parse_point
from alertrelay.workers.commands.context import Ctx
from alertrelay.workers.commands.grammar import command
from alertrelay.workers.config_state import change_config

_TRAILING_POINT = re.compile(r"^(.*?)\s+([-+]?\d[\d.]*\s*,\s*[-+]?\d[\d.]*)\s*$", re.S)


@command("place add", "lugar agregar", "admin", "<name> <lat>,<lon> (or with a location pin)",
         "<nombre> <lat>,<lon> (o con ubicación)", "teach a place name", "enseñar un lugar", "lugar anadir")
def place_add(ctx: Ctx) -> None:
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

    def write(pipe: Pipeline) -> None:
        pipe.hset(keys.PLACES, name, f"{lat:.6f},{lon:.6f}")

    change_config(rt.conn, write)
    rt.refresh_config()  # loads it into this process's gazetteer; other workers on their next batch
    area = rt.gazetteer.areas.at(lat, lon) or ""
    ctx.done(f"place {name} = {lat:.5f},{lon:.5f}", f"Place learned: {name} ({area}).",
             f"Lugar aprendido: {name} ({area}).")
