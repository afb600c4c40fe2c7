"""Keywords that are about the subscription, not a sighting: they run before the report parser.

Pure. Only a whole message counts ("STOP", "alto.", "SUBSCRIBE Powderhorn Park"): Twilio's own SMS opt-out
also matches single words only, and "stop them at Lake St" is a report, not an opt-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from alertrelay.bot.core.text import fold

Action = Literal["stop", "start", "help", "subscribe", "unsubscribe"]
Lang = Literal["en", "es"]

# Twilio's default SMS opt-out / opt-in / help words, plus Spanish ones. On SMS Twilio has already
# blocked or unblocked the number by the time we see these; we mirror that state for delivery.
STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
              "alto", "parar", "pare", "detener", "cancelar", "baja", "desuscribir"}
START_WORDS = {"start", "unstop", "comenzar", "iniciar", "reanudar", "alta"}
START_WORDS_SMS = {"yes"}           # Twilio treats YES as opt-in on SMS only
HELP_WORDS = {"help", "info", "ayuda", "informacion"}
SUBSCRIBE_WORDS: dict[str, Lang] = {"subscribe": "en", "join": "en", "suscribir": "es", "suscribirme": "es",
                                    "unirme": "es"}
UNSUBSCRIBE_WORDS: dict[str, Lang] = {"unsubscribe": "en", "leave": "en", "desuscribir": "es", "salir": "es"}
SPANISH = {"alto", "parar", "pare", "detener", "cancelar", "baja", "desuscribir", "comenzar", "iniciar",
           "reanudar", "alta", "ayuda", "informacion"}
MAX_ARGUMENT_CHARS = 80
_FORCED: dict[str, Action] = {"STOP": "stop", "START": "start", "HELP": "help"}
"""Twilio's OptOutType values → the action."""
_TRIM = " \t\r\n.!¡?¿,;:\"'()[]*_~"


@dataclass(frozen=True)
class Keyword:
    action: Action
    lang: Lang
    argument: str = ""
    """The area or list named after SUBSCRIBE / UNSUBSCRIBE (folded: lowercase, no accents)."""


def route_keyword(text: str, *, channel: str = "whatsapp", opt_out_type: str | None = None) -> Keyword | None:
    """The keyword `text` is, or None when it is something for the report parser.

    `opt_out_type` is Twilio's OptOutType field (Advanced Opt-Out): when Twilio says STOP/START/HELP, it is.
    """
    folded = fold(text[:400]).strip(_TRIM)
    words = folded.split()
    first = words[0].strip(_TRIM) if words else ""
    lang: Lang = "es" if first in SPANISH or first in ("suscribir", "suscribirme", "unirme",
                                                                       "salir") else "en"
    forced = (opt_out_type or "").strip().upper()
    action = _FORCED.get(forced)
    if action is not None:
        return Keyword(action, lang)
    if not words:
        return None
    if len(words) == 1:
        if first in STOP_WORDS:
            return Keyword("stop", lang)
        if first in START_WORDS or (channel == "sms" and first in START_WORDS_SMS):
            return Keyword("start", lang)
        if first in HELP_WORDS:
            return Keyword("help", lang)
        if first in SUBSCRIBE_WORDS:
            return Keyword("subscribe", SUBSCRIBE_WORDS[first])
        if first in UNSUBSCRIBE_WORDS:  # "leave"/"salir" alone: every list on this channel
            return Keyword("unsubscribe", UNSUBSCRIBE_WORDS[first])
        return None
    argument = " ".join(w.strip(_TRIM) for w in words[1:]).strip()
    if first in SUBSCRIBE_WORDS and 0 < len(argument) <= MAX_ARGUMENT_CHARS:
        return Keyword("subscribe", SUBSCRIBE_WORDS[first], argument)
    if first in UNSUBSCRIBE_WORDS and 0 < len(argument) <= MAX_ARGUMENT_CHARS:
        return Keyword("unsubscribe", UNSUBSCRIBE_WORDS[first], argument)
    return None
