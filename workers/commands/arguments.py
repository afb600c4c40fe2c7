"""Reading a command's arguments: names, points, areas, policies, people, alert ids. Pure; a bad one raises
BadArgument, which says what was wrong in both languages (nothing was changed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError

from alertrelay.bot.core.areas import AreaSpec, CircleArea, PolygonArea
from alertrelay.bot.core.models import Channel, Policy
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import BadArgument
from alertrelay.workers.commands.grammar import Lang

MAX_ARGUMENT_CHARS = 600
"""Longer arguments are refused whole: the longest real one is a rights text or a polygon."""
MAX_NAME_CHARS = 60


_NUM = r"[-+]?\d{1,3}(?:\.\d+)?"
_POINT = re.compile(rf"^\s*({_NUM})\s*[,\s]\s*({_NUM})\s*$")
_CIRCLE = re.compile(rf"^\s*({_NUM})\s*,\s*({_NUM})\s+(\d+(?:\.\d+)?)\s*(m|km)?\s*$", re.I)
_POLYGON_WORDS = ("polygon", "poligono")
_ID = re.compile(r"^[ai]\d{1,9}(?:-[a-z][a-z0-9]{0,15})?$")
"""An alert or incident id; in a named region it ends in -<region> (bot/keys.py)."""


def check_length(args: str) -> None:
    if len(args) > MAX_ARGUMENT_CHARS:
        raise BadArgument(f"That is too long ({len(args)} characters; at most {MAX_ARGUMENT_CHARS}). "
                          "Nothing changed.",
                          f"Es demasiado largo ({len(args)} caracteres; máximo {MAX_ARGUMENT_CHARS}). "
                          "No se cambió nada.")


def check_name(name: str) -> str:
    name = " ".join(name.split()).strip("\"'")
    if not name:
        raise BadArgument("Give a name.", "Falta el nombre.")
    if len(name) > MAX_NAME_CHARS or not re.search(r"\w", name) or re.search(r"[=;@/<>\[\]{}]", name):
        raise BadArgument(f"Not a usable name: {name[:MAX_NAME_CHARS]!r} (letters, numbers, spaces; "
                          f"at most {MAX_NAME_CHARS}).",
                          f"Nombre no válido: {name[:MAX_NAME_CHARS]!r} (letras, números, espacios; "
                          f"máximo {MAX_NAME_CHARS}).")
    return name


def split_name(args: str) -> tuple[str, str]:
    """`name = rest`, `"two words" rest`, or `word rest`."""
    args = args.strip()
    if "=" in args:
        name, rest = args.split("=", 1)
    elif args[:1] in "\"“":
        close = re.search(r"[\"”]", args[1:])
        if close is None:
            raise BadArgument("Missing closing quote after the name.", "Falta cerrar las comillas del nombre.")
        name, rest = args[1:close.start() + 1], args[close.start() + 2:]
    else:
        name, _, rest = args.partition(" ")
    return check_name(name), rest.strip()


def parse_point(text: str) -> tuple[float, float]:
    """`44.9486,-93.2655` → (lat, lon)."""
    match = _POINT.match(text)
    if not match:
        raise BadArgument(f"Not coordinates: {text[:40]!r}. Write lat,lon like 44.9486,-93.2655.",
                          f"No son coordenadas: {text[:40]!r}. Escriba lat,lon como 44.9486,-93.2655.")
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadArgument(f"Coordinates out of range: {lat},{lon} (lat −90…90, lon −180…180).",
                          f"Coordenadas fuera de rango: {lat},{lon} (lat −90…90, lon −180…180).")
    return lat, lon


def parse_area_definition(text: str) -> AreaSpec:
    """A neighbourhood name (returned as is; the caller checks it exists), `lat,lon radius_m`, or
    `polygon lon lat; lon lat; …` (the ring as areas.toml writes it)."""
    text = text.strip()
    if not text:
        raise BadArgument("Say what the area is: a neighbourhood, lat,lon radius_m, or polygon lon lat; …",
                          "Diga qué es la zona: un barrio, lat,lon radio_m, o polygon lon lat; …")
    head = fold(text.split()[0])
    if head in _POLYGON_WORDS:
        return _polygon(text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else "")
    circle = _CIRCLE.match(text)
    if circle:
        lat, lon = parse_point(f"{circle.group(1)},{circle.group(2)}")
        radius = float(circle.group(3)) * (1000 if (circle.group(4) or "").lower() == "km" else 1)
        try:
            return CircleArea(lat=lat, lon=lon, radius_m=radius)
        except ValidationError:
            raise BadArgument(f"Radius {radius:.0f} m is out of range (1 m to 50 km).",
                              f"Radio de {radius:.0f} m fuera de rango (1 m a 50 km).") from None
    if re.match(rf"^\s*{_NUM}\s*,", text):
        raise BadArgument(f"Malformed circle: {text[:40]!r}. Write lat,lon radius_m like 44.95,-93.26 600.",
                          f"Círculo mal escrito: {text[:40]!r}. Escriba lat,lon radio_m como 44.95,-93.26 600.")
    return check_name(text)


def _polygon(text: str) -> PolygonArea:
    points = []
    for number, raw in enumerate([p for p in re.split(r"[;|]", text) if p.strip()], start=1):
        match = _POINT.match(raw)
        if not match:
            raise BadArgument(f"Point {number} of the polygon is not 'lon lat': {raw.strip()[:30]!r}.",
                              f"El punto {number} del polígono no es 'lon lat': {raw.strip()[:30]!r}.")
        lon, lat = float(match.group(1)), float(match.group(2))
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise BadArgument(f"Point {number} is out of range; polygon points are lon lat (e.g. -93.26 44.95).",
                              f"El punto {number} está fuera de rango; los puntos son lon lat (ej. -93.26 44.95).")
        points.append((lon, lat))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    try:
        return PolygonArea(polygon=tuple(points))
    except ValidationError as exc:
        reason = str(exc.errors()[0].get("msg", "invalid")).removeprefix("Value error, ")
        raise BadArgument(f"Not a polygon: {reason}.", f"No es un polígono: {reason}.") from None


POLICY_WORDS = {
    "reports": "min_independent_reports", "reportes": "min_independent_reports", "need": "min_independent_reports",
    "window": "window_minutes", "ventana": "window_minutes",
    "radius": "radius_m", "radio": "radius_m",
    "clears": "all_clear_reports", "despejes": "all_clear_reports",
    "burst": "first_time_burst", "rafaga": "first_time_burst",
    "newhours": "first_time_hours", "horasnuevo": "first_time_hours",
    "burstmin": "burst_minutes", "rafagamin": "burst_minutes",
}
SWITCH_WORDS = {"on": True, "yes": True, "si": True, "true": True, "1": True,
                "off": False, "no": False, "false": False, "0": False}


def parse_policy(args: str, base: Policy) -> tuple[str | None, Policy]:
    """`[area] reports=3 window=30` → (area or None, the policy with those changes)."""
    changes: dict[str, int | bool] = {}
    name_words = []
    for token in args.split():
        if "=" not in token:
            if changes:
                raise BadArgument(f"Put the area name first, then key=value: {token[:20]!r}.",
                                  f"Ponga primero la zona y luego clave=valor: {token[:20]!r}.")
            name_words.append(token)
            continue
        key, _, value = token.partition("=")
        field = POLICY_WORDS.get(fold(key))
        if field is None:
            raise BadArgument(f"Unknown setting {key[:20]!r}: use reports, window (minutes), radius (m), clears, "
                              "burst (on/off), newhours, burstmin.",
                              f"Ajuste desconocido {key[:20]!r}: use reportes, ventana (minutos), radio (m), despejes, "
                              "rafaga (si/no), horasnuevo, rafagamin.")
        if field == "first_time_burst":
            if fold(value) not in SWITCH_WORDS:
                raise BadArgument(f"{key[:20]} is on or off.", f"{key[:20]} es si o no.")
            changes[field] = SWITCH_WORDS[fold(value)]
            continue
        if not value.isdigit():
            raise BadArgument(f"{key[:20]} needs a whole number.", f"{key[:20]} necesita un número entero.")
        changes[field] = int(value)
    if not changes:
        raise BadArgument("Nothing to set: e.g. reports=3 window=30 radius=400 clears=2.",
                          "Nada que cambiar: ej. reportes=3 ventana=30 radio=400 despejes=2.")
    try:
        policy = Policy.model_validate({**base.model_dump(), **changes})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise BadArgument(f"{err['loc'][0]}: {err['msg']}.", f"{err['loc'][0]}: {err['msg']}.") from None
    return (check_name(" ".join(name_words)) if name_words else None), policy


def parse_language(word: str) -> Lang:
    folded = fold(word)
    if folded in ("en", "english", "ingles"):
        return "en"
    if folded in ("es", "spanish", "espanol"):
        return "es"
    raise BadArgument(f"Language must be en or es, not {word[:10]!r}.", f"El idioma es en o es, no {word[:10]!r}.")


def parse_target_group(args: str) -> tuple[str, str | None]:
    """`Seward @seward-en` → ("Seward", "seward-en"): an admin naming the group or list to change."""
    match = re.search(r"\s*@(\S+)\s*$", args)
    if not match:
        return args.strip(), None
    return args[:match.start()].strip(), match.group(1)


def parse_incident_ref(args: str) -> str:
    ref = fold(args.split()[0]) if args.split() else ""
    if not _ID.match(ref):
        raise BadArgument(f"Give an alert id (a12) or incident id (i7), not {ref[:20]!r}.",
                          f"Indique una alerta (a12) o un incidente (i7), no {ref[:20]!r}.")
    return ref


CHANNELS: tuple[Channel, ...] = ("signal", "whatsapp", "sms")


@dataclass(frozen=True)
class PersonArgs:
    address: str
    channel: Channel
    language: Lang
    areas: tuple[str, ...]


def parse_person(args: str) -> PersonArgs:
    """`<address> [signal|whatsapp|sms] [en|es] [area, area]` (the address already unsealed by the caller)."""
    words = args.split()
    if not words:
        raise BadArgument("Give a phone number or Signal UUID.", "Indique un teléfono o UUID de Signal.")
    taken = 1  # a number may be written in pieces: "+1 612 555 0101"
    while taken < len(words) and re.fullmatch(r"[\d().-]+", words[0]) is None and \
            re.fullmatch(r"\+?[\d().-]+", words[0]) and re.fullmatch(r"[\d().-]+", words[taken]):
        taken += 1
    address, rest = "".join(words[:taken]), words[taken:]
    channel: Channel = "signal"
    language: Lang = "en"
    while rest and fold(rest[0]) in (*CHANNELS, "en", "es"):
        word = fold(rest.pop(0))
        if word in CHANNELS:
            channel = CHANNELS[CHANNELS.index(word)]  # the word, as a Channel
        else:
            language = "es" if word == "es" else "en"
    areas = tuple(check_name(a) for a in re.split(r"[,;]", " ".join(rest)) if a.strip())
    return PersonArgs(address, channel, language, areas)
