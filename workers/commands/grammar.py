"""The chat command grammar: a command is its words (EN and ES, aliases), the role it needs, its help line
and its handler, declared together with `@command` above the handler in the module of its group.
`Grammar` reads a message's words against a table of them (workers/commands/table.py).

Pure: no Redis, no rq.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from alertrelay.bot.core.parsing import fold

if TYPE_CHECKING:
    from alertrelay.workers.commands.context import Ctx

Role = Literal["member", "verifier", "admin"]
Lang = Literal["en", "es"]
RANK = {"member": 0, "verifier": 1, "admin": 2}


@dataclass(frozen=True)
class CommandSpec:
    name: str
    """Canonical English words, e.g. "area add"."""
    es: str
    """Canonical Spanish words, e.g. "zona agregar"."""
    role: Role
    args_en: str
    args_es: str
    help_en: str
    help_es: str
    aliases: tuple[str, ...]
    """More accepted spellings (folded: lowercase, no accents)."""
    handler: Callable[[Ctx], None]

    def usage(self, lang: str) -> str:
        words, args = (self.es, self.args_es) if lang == "es" else (self.name, self.args_en)
        return f"/{words}" + (f" {args}" if args else "")

    def __call__(self, ctx: Ctx) -> None:
        self.handler(ctx)


def command(name: str, es: str, role: Role, args_en: str, args_es: str, help_en: str, help_es: str,
            *aliases: str) -> Callable[[Callable[[Ctx], None]], CommandSpec]:
    """Declare a command over its handler: the decorated name is the command (a CommandSpec, callable)."""

    def declare(handler: Callable[[Ctx], None]) -> CommandSpec:
        return CommandSpec(name, es, role, args_en, args_es, help_en, help_es, aliases, handler)

    return declare


# subcommand words in either language, so "/area agregar" and "/zona add" work too
_SUB = {"agregar": "add", "anadir": "add", "crear": "add", "renombrar": "rename", "quitar": "remove",
        "borrar": "remove", "delete": "remove", "poner": "set", "cambiar": "set"}
_HEAD = {"zona": "area", "lugar": "place", "verificador": "verifier", "regla": "policy", "politica": "policy",
         "derechos": "rights"}


@dataclass(frozen=True)
class Invocation:
    spec: CommandSpec
    args: str
    lang: Lang | None
    """The language of the words used, when they say (a shared word like /admin says nothing)."""


class UnknownCommand(ValueError):
    def __init__(self, word: str):
        super().__init__(word)
        self.word = word[:30]


class Grammar:
    """A table of commands, read in its order: the help lists them so, and the first spelling wins."""

    def __init__(self, commands: tuple[CommandSpec, ...]):
        self.commands = commands
        self._lookup: dict[tuple[str, ...], tuple[CommandSpec, Lang]] = {}
        for spec in commands:
            self._lookup[tuple(spec.name.split())] = (spec, "en")
            self._lookup[tuple(fold(spec.es).split())] = (spec, "es")
            for alias in spec.aliases:
                self._lookup.setdefault(tuple(alias.split()),
                                        (spec, "es" if alias in ("cancelar", "salir") else "en"))

    def parse(self, text: str) -> Invocation:
        """`/zona agregar Lago = Powderhorn Park` → (area add, "Lago = Powderhorn Park", es)."""
        lookup = self._lookup
        match = re.match(r"^\s*/\s*(\S+)(?:\s+(\S+))?(.*)$", text, flags=re.S)
        if not match:
            raise UnknownCommand("")
        first, second, rest = fold(match.group(1)), fold(match.group(2) or ""), match.group(3)
        if second:
            found = lookup.get((first, second))
            if found is None and (_HEAD.get(first, first), _SUB.get(second, second)) in lookup:
                found = lookup[(_HEAD.get(first, first), _SUB.get(second, second))]
                found = (found[0], "es" if first in _HEAD else found[1])
            if found is not None:
                spec, lang = found
                return Invocation(spec, rest.strip(), None if spec.name.startswith("admin") else lang)
        found = lookup.get((first,))
        if found is None:
            raise UnknownCommand(first)
        spec, lang = found
        return Invocation(spec, ((match.group(2) or "") + rest).strip(), lang)

    def help_text(self, role: Role, lang: str) -> str:
        """Short: one line per command the sender may use."""
        mine = [c for c in self.commands if RANK[c.role] <= RANK[role] and (role != "member" or c.role == "member")]
        head = "Comandos" if lang == "es" else "Commands"
        lines = [f"{c.usage(lang)}: {c.help_es if lang == 'es' else c.help_en}" for c in mine]
        tail = ("Para reportar: qué ve y dónde (esquina), solo lo que vio usted." if lang == "es"
                else "To report: what you see and where (cross streets), first-hand only.")
        return f"{head}:\n" + "\n".join(lines) + "\n" + tail
