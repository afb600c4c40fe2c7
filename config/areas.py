"""Reading areas.toml (FORMAT.md). A bad file gets an error that names the problem."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from alertrelay.bot.core.areas import AreasFile
from alertrelay.bot.core.models import Policy
from alertrelay.bot.errors import AreasFileError


def load_areas(path: Path) -> AreasFile:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AreasFileError(f"{path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AreasFileError(f"{path}: not valid TOML: {exc}") from exc
    policy = data.get("policy")
    unknown = sorted(set(policy) - set(Policy.model_fields)) if isinstance(policy, dict) else []
    if unknown:  # a misspelt setting would otherwise be ignored and its default used
        raise AreasFileError(f"{path}: unknown [policy] setting {', '.join(unknown)}; known: "
                             f"{', '.join(Policy.model_fields)}")
    try:
        parsed = AreasFile.model_validate(data)
    except ValidationError as exc:
        raise AreasFileError(f"{path}: {exc}") from exc
    ids = [g.id for g in parsed.group]
    if len(ids) != len(set(ids)):
        raise AreasFileError(f"{path}: group ids must be unique")
    direct = parsed.regions.direct
    if direct and direct not in parsed.region_names():
        raise AreasFileError(f"{path}: [regions] direct = {direct!r} is no group's region; regions: "
                             f"{', '.join(repr(r) for r in parsed.region_names())}")
    return parsed
