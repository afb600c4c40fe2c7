"""Reading areas.toml (FORMAT.md). A bad file gets an error that names the problem."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from bot.core.areas import AreasFile


class AreasFileError(ValueError):
    pass


def load_areas(path: Path) -> AreasFile:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AreasFileError(f"{path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AreasFileError(f"{path}: not valid TOML: {exc}") from exc
    try:
        parsed = AreasFile.model_validate(data)
    except ValidationError as exc:
        raise AreasFileError(f"{path}: {exc}") from exc
    ids = [g.id for g in parsed.group]
    if len(ids) != len(set(ids)):
        raise AreasFileError(f"{path}: group ids must be unique")
    return parsed
