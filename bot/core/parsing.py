"""Tell a first-hand report from a confirmation, an all-clear, a dispute, a question, chatter, a command
and a story about the past. English, Spanish, Spanglish, typos and emoji. Pure functions."""

from __future__ import annotations

import functools
import re
import unicodedata

from bot.core.models import Kind, Parsed


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lowercase, accents off, emoji and zero-width characters to spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Mn":
            continue
        if cat in ("So", "Sk", "Cf", "Co", "Cs", "Cn") or ch in "\u200b\u200c\u200d\ufe0f":
            out.append(" ")
            continue
        out.append(ch.lower())
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])")


ENFORCEMENT = _rx(
    r"ice", r"i\.c\.e\.?", r"la migra", r"migra", r"migracion", r"inmigracion", r"immigration",
    r"agents?", r"agentes?", r"feds", r"federales", r"border patrol", r"cbp", r"hsi", r"ero",
    r"la migra", r"officers in vests", r"raid", r"redada", r"operativo",
)
NOT_ENFORCEMENT = _rx(
    r"black ice", r"icy", r"ice on the (?:road|roads|sidewalk|sidewalks|street|streets|steps|lake)",
    r"ice (?:cream|skating|rink|fishing)", r"hielo", r"real estate agents?", r"travel agents?",
    r"(?:insurance|leasing|rental|customer service) agents?",
)
SUSPICIOUS_VEHICLE = _rx(
    r"unmarked", r"sin placas?", r"sin marcas", r"no (?:front |back |license )?plates?", r"no markings",
    r"tinted(?: windows)?", r"vidrios polarizados", r"polarizad[oa]s",
)
ACTION = _rx(
    r"checking (?:ids?|papers|documents)", r"asking (?:ppl|people|everyone|guys|men) for (?:ids?|papers)",
    r"asking for (?:ids?|papers)", r"stopping (?:people|ppl|cars|guys|men|everyone|drivers)",
    r"detain(?:ed|ing)?", r"arrest(?:ed|ing)?", r"took (?:a|one|two|\d+) (?:guy|man|men|person|people)",
    r"put (?:a|one) man in", r"questioning (?:a|people|ppl|someone)", r"pidiendo (?:papeles|documentos|id)",
    r"parando (?:a la )?(?:gente|carros|personas|a todos)", r"interrogando", r"se llevaron", r"detuvieron",
    r"arrestaron", r"in vests", r"con chalecos", r"w/ (?:ice )?vests", r"(?:ice|police) vests",
)
SEEN_WORDS = {
    "agents": _rx(r"agents?", r"agentes?", r"officers", r"guys in vests", r"in vests", r"chalecos"),
    "vehicles": _rx(r"suvs?", r"vans?", r"trucks?", r"trocas?", r"camionetas?", r"carros?", r"cars?",
                    r"sedans?", r"tahoes?", r"vehicles?", r"vehiculos?", r"convoy"),
    "checkpoint": _rx(r"checking (?:ids?|papers)", r"asking .{0,12} for ids?", r"stopping (?:cars|people|ppl)",
                      r"parando", r"pidiendo papeles", r"checkpoint", r"reten"),
    "arrest": _rx(r"arrest(?:ed|ing)?", r"detain(?:ed|ing)?", r"took (?:a|one|two|\d+) (?:guy|man|men)",
                  r"se llevaron", r"detuvieron", r"put (?:a|one) man in"),
}
CONFIRMATION = _rx(
    r"confirmed", r"confirm(?:ing)?", r"confirmado", r"confirmo", r"i see them(?: too)?", r"i can see them",
    r"see them too", r"same here", r"i'?m seeing them", r"los estoy viendo", r"yo tambien los vi",
    r"tambien los (?:vi|veo)", r"los veo", r"can confirm", r"i saw them too", r"see them", r"si,? (?:estan|ahi estan)",
)
ALL_CLEAR = _rx(
    r"(?:ya )?se fueron", r"ya no (?:estan|hay nadie|hay nada|hay migra)", r"se retiraron", r"se largaron",
    r"todo (?:esta )?(?:tranquilo|despejado|libre|bien)", r"ya esta (?:tranquilo|despejado|libre)",
    r"they(?:'re| are)? gone", r"are gone", r"is gone", r"(?:they|agents|ice|everyone) (?:just )?left",
    r"have left", r"all clear", r"is clear(?: now)?", r"area (?:is )?clear", r"drove off", r"pulled away",
    r"no longer there", r"not there anymore", r"left (?:eastbound|westbound|northbound|southbound)",
    r"they'?ve left", r"(?:they|all) cleared out",
)
DISPUTE = _rx(
    r"fake", r"falso", r"false", r"no es cierto", r"no es verdad", r"mentira", r"not ice", r"no ice",
    r"no agents?(?: anywhere)?", r"no raid", r"there is no raid", r"there'?s nothing", r"nothing unusual",
    r"nothing (?:there|going on|happening)", r"totally normal", r"todo normal", r"no hay (?:nada|nadie|migra)",
    r"(?:a )?(?:rumor|rumour|hoax)", r"not true", r"don'?t (?:spread|share|forward)", r"do not (?:spread|share|forward)",
    r"no compartan", r"no reenvien",
)
PAST = _rx(
    r"yesterday", r"ayer", r"last night", r"anoche", r"this morning", r"esta manana", r"en la manana",
    r"earlier today", r"hace (?:\d+|un|una|dos|tres) (?:horas?|dias?|semanas?)", r"(?:\d+|a few|two|three) hours ago",
    r"an hour ago", r"last week", r"la semana pasada", r"(?:el|last) (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    r"antier", r"anteayer",
)
PRESENT = _rx(
    r"right now", r"rn", r"now", r"ahora", r"ahorita", r"ahora mismo", r"still", r"todavia", r"siguen",
    r"currently", r"at the moment", r"en este momento", r"just now", r"happening",
)
HEARSAY = _rx(
    r"someone posted", r"posted (?:it )?on (?:facebook|fb|insta|instagram|tiktok|twitter|x)", r"on facebook",
    r"i heard", r"heard that", r"dicen que", r"me dijeron", r"escuche que", r"me llegaron", r"me llego",
    r"just sent me", r"sent me (?:that|this)", r"getting (?:a bunch of|lots of) (?:msgs|messages)",
    r"someone said", r"people are saying", r"supposedly", r"rumored", r"^heard", r"(?:i )?heard there",
    r"can (?:anyone|someone|somebody) (?:check|confirm|verify)", r"(?:alguien|algun) (?:puede|pueden) (?:confirmar|checar|ir a ver)",
)
SPANISH = _rx(
    r"la", r"el", r"los", r"las", r"en", r"de", r"del", r"y", r"que", r"q", r"estan", r"esta", r"hay", r"migra",
    r"se", r"ya", r"por", r"para", r"pa", r"con", r"una?", r"agentes", r"camionetas", r"siguen", r"alguien",
    r"sabe", r"gracias", r"aqui", r"ahi", r"esquina", r"no", r"mi", r"fueron", r"todavia", r"ahorita",
)
ENGLISH = _rx(
    r"the", r"at", r"in", r"is", r"are", r"they", r"and", r"on", r"of", r"right", r"now", r"i", r"im", r"i'm",
    r"see", r"them", r"there", r"anyone", r"this", r"it", r"near", r"by", r"just", r"gone", r"still", r"what",
    r"with", r"w", r"my", r"rn", r"pls", r"thanks", r"thank", r"you",
)
PRESENCE = _rx(
    r"(?:estan|they'?re|they are) (?:ahi|aqui|alli|here|there|right there|outside|afuera|enfrente)",
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_TIME = re.compile(r"(?<!\d)(?:[01]?\d|2[0-3]):[0-5]\d(?!\d)")


def detect_language(folded: str) -> str:
    es = len(SPANISH.findall(folded))
    en = len(ENGLISH.findall(folded))
    return "es" if es > en else "en"


def _sentences(folded: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(folded) if s.strip()]


def _mentions_enforcement(s: str, cleaned: str | None = None) -> bool:
    """`cleaned`: s with NOT_ENFORCEMENT blanked, when the caller has it already."""
    cleaned = NOT_ENFORCEMENT.sub(" ", s) if cleaned is None else cleaned
    return bool(ENFORCEMENT.search(cleaned) or SUSPICIOUS_VEHICLE.search(cleaned) or ACTION.search(cleaned))


def parse(text: str, *, has_location: bool = False) -> Parsed:
    """Classify one message. `has_location`: a pin came with it (a pin alone is a report)."""
    folded = fold(text)
    lang = detect_language(folded)
    if folded.startswith("/"):
        return Parsed(kind=Kind.COMMAND, lang=lang)
    if not folded:
        return Parsed(kind=Kind.REPORT if has_location else Kind.CHATTER, lang=lang)

    cleaned = NOT_ENFORCEMENT.sub(" ", folded)
    seen = tuple(name for name, rx in SEEN_WORDS.items() if rx.search(cleaned))
    time_match = _TIME.search(folded)
    past = PAST.search(folded)
    time_cue = past.group(0) if past else (time_match.group(0) if time_match else None)
    hearsay = bool(HEARSAY.search(folded))
    confirmation = bool(CONFIRMATION.search(folded))

    def parsed(kind: Kind) -> Parsed:
        return Parsed(kind=kind, lang=lang, confirmation=confirmation and kind is Kind.REPORT,
                      seen=seen, time_cue=time_cue, hearsay=hearsay)

    sentences = _sentences(folded)
    declarative = [s for s in sentences if not s.endswith("?")]
    asks = len(declarative) < len(sentences)
    statement = " . ".join(declarative)

    if past and not PRESENT.search(folded) and _mentions_enforcement(folded, cleaned):
        return parsed(Kind.PAST)
    if statement and DISPUTE.search(statement):
        return parsed(Kind.DISPUTE)
    if statement and ALL_CLEAR.search(statement):
        return parsed(Kind.ALL_CLEAR)
    reporting = bool(statement) and (
        _mentions_enforcement(statement, cleaned if statement == folded else None)
        or CONFIRMATION.search(statement)
        or (bool(seen) and PRESENCE.search(statement))
    )
    if reporting and not hearsay:
        return parsed(Kind.REPORT)
    if asks or hearsay:
        return parsed(Kind.QUESTION)
    if has_location:
        return parsed(Kind.REPORT)
    return parsed(Kind.CHATTER)
