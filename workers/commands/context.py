"""What every command handler gets (Ctx), the refusal it may raise, and the lookups several groups share.

Authorisation is by the sender's pseudonym, never a display name. Every change and every refusal is
written to the audit stream (pseudonyms only: numbers in an argument are sealed by ingest, opened here in
memory, and stored as pseudonyms or sealed addresses).
"""

from __future__ import annotations

from dataclasses import dataclass

from alertrelay.bot.core.models import Envelope
from alertrelay.bot.core.text import fold
from alertrelay.bot.errors import BadArgument
from alertrelay.workers.batch import Batch
from alertrelay.workers.commands.arguments import check_name
from alertrelay.workers.commands.grammar import CommandSpec, Lang, Role
from alertrelay.workers.config_state import audit
from alertrelay.workers.delivery import queue_reply
from alertrelay.workers.runtime import Runtime


@dataclass
class Ctx:
    rt: Runtime
    batch: Batch
    """The drained batch the command came in: its answer and what it announces go out with it."""
    env: Envelope
    spec: CommandSpec
    args: str
    lang: Lang
    role: Role

    def say(self, en: str, es: str | None = None) -> None:
        queue_reply(self.batch, self.env, es if self.lang == "es" and es is not None else en)

    def audit(self, detail: str, ok: bool = True, action: str | None = None) -> None:
        audit(self.rt.conn, at=self.env.at.isoformat(), actor=self.env.reporter, role=self.role,
              action=action or self.spec.name.replace(" ", "-"), detail=detail, ok=ok, settings=self.rt.settings)

    def done(self, detail: str, en: str, es: str) -> None:
        """A change was made: audit it, reload the config, tell the sender."""
        self.audit(detail)
        self.rt.refresh_config()
        self.say(en, es)


def canonical_area(rt: Runtime, name: str) -> str:
    """The stored spelling of an area name; BadArgument if nothing by that name exists."""
    name = check_name(name)
    for known in rt.config().areas:
        if fold(known) == fold(name):
            return known
    if rt.gazetteer.area_shape(name) is None:
        raise BadArgument(f"Unknown area: {name}. /areas lists the named ones; neighbourhood and district "
                          "names work too.",
                          f"Zona desconocida: {name}. /zonas muestra las zonas con nombre; también sirven "
                          "barrios y distritos.")
    for known in rt.gazetteer.area_names():
        if fold(known) == fold(name):
            return known
    return name
