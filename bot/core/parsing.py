"""Read a message the way a trained verifier would: what does its writer claim, first-hand, now?

English, Spanish, Spanglish, typos and emoji. Pure functions. `parse` reads each sentence's claims
(bot.core.claims: who knows, what, denied or over, when) and then decides the message's kind, in this
order, because a claim about the place outranks the talk around it:

1. a second-hand claim (a forward, "my cousin says", a post) is hearsay unless the writer adds what
   they see themselves;
2. a sighting dated hours or days back is past; a prediction or an "if they come" is not a sighting;
3. "it's a tow truck", "not ICE", "that post is fake" dispute an open sighting;
4. "they left", "se fueron", "street is quiet now" end one; "nobody there" disputes an unconfirmed
   sighting and clears an alerted one;
5. a first-hand sighting, or under an open sighting a bare "+1" / "still there" / "now 6 vans", is a
   report;
6. what asks is a question; a guess is hearsay; the rest is chatter.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from alertrelay.bot.core import lexicon as lx
from alertrelay.bot.core import lexicon_status as ls
from alertrelay.bot.core.claims import Clause, read_clause, sentences
from alertrelay.bot.core.models import Context, Kind, Parsed, Source, When
from alertrelay.bot.core.text import fold

_APOSTROPHE = re.compile(r"(?<=\w)['’`´](?=\w)|(?<=\ws)['’](?=\s)")


_SPELLINGS = {
    "aki": "aqui", "aca": "aca", "ai": "ahi", "stan": "estan", "sta": "esta", "stuvieron": "estuvieron",
    "stamos": "estamos", "stoy": "estoy", "yegaron": "llegaron", "yego": "llego", "yegan": "llegan",
    "yamo": "llamo", "kieren": "quieren", "ke": "que", "k": "que", "xq": "porque", "orita": "ahorita",
    "horita": "ahorita", "aya": "alla", "bienen": "vienen", "bino": "vino", "mygra": "migra", "mira": "mira",
    "nadien": "nadie", "ahy": "ahi", "alli": "alli", "aorita": "ahorita", "aora": "ahora", "tan": "estan",
    "trokas": "trocas", "troka": "troca", "imigracion": "inmigracion", "emigracion": "inmigracion",
    "polisia": "policia", "migrasion": "migracion", "agarando": "agarrando", "agararon": "agarraron",
    "yevaron": "llevaron", "yevan": "llevan", "bajo": "bajo", "ahi": "ahi", "sige": "sigue", "sigen": "siguen",
    "tmb": "tambien", "tb": "tambien", "pq": "porque", "q": "q",
}
"""How people spell by ear ("aki stan", "yegaron"): read as the words they are."""
_WORD = re.compile(r"[a-z]+")
_AY = re.compile(r"(?<![\w])ay (?=(?:la )?(?:migra|agentes|ice|policia|camionetas|trocas|retenes|reten|un reten)(?![\w]))")


_REPEATS = re.compile(r"([a-z])\1{2,}")


def fold_for_reading(text: str) -> str:
    """fold, and apostrophes inside words dropped: "they're", "theyre" and "they’re" read alike; words
    spelt by ear read as spelt ("aki stan" is "aqui estan", "ay migra" is "hay migra")."""
    folded = _REPEATS.sub(r"\1", _APOSTROPHE.sub("", fold(text)))  # "theyyyy are hereeee" is "they are here"
    folded = _WORD.sub(lambda m: _SPELLINGS.get(m.group(0), m.group(0)), folded)
    return _AY.sub("hay ", folded)


SPANISH = lx.words(
    r"la", r"el", r"los", r"las", r"en", r"de", r"del", r"y", r"que", r"q", r"estan", r"esta", r"hay",
    r"migra", r"se", r"ya", r"por", r"para", r"pa", r"con", r"una?", r"agentes", r"camionetas", r"siguen",
    r"alguien", r"sabe", r"gracias", r"aqui", r"ahi", r"esquina", r"no", r"mi", r"fueron", r"todavia",
    r"ahorita",
)
ENGLISH = lx.words(
    r"the", r"at", r"in", r"is", r"are", r"they", r"and", r"on", r"of", r"right", r"now", r"i", r"im", r"i'm",
    r"see", r"them", r"there", r"anyone", r"this", r"it", r"near", r"by", r"just", r"gone", r"still", r"what",
    r"with", r"w", r"my", r"rn", r"pls", r"thanks", r"thank", r"you",
)
SEEN_WORDS = {
    "agents": lx.words(r"agents?", r"agentes?", r"officers", r"guys in vests", r"in vests", r"chalecos?"),
    "vehicles": lx.VEHICLES,
    "checkpoint": lx.words(r"checking (?:ids?|papers)", r"asking .{0,12} for ids?",
                           r"stopping (?:cars|people|ppl)", r"parando", r"pidiendo papeles", r"checkpoint",
                           r"reten"),
    "arrest": lx.words(r"arrest(?:ed|ing)?", r"detain(?:ed|ing)?", r"took (?:a|one|two|\d+) (?:guy|man|men)",
                       r"se llevaron", r"detuvieron", r"put (?:a|one) man in", r"grabb?(?:ed|ing)",
                       r"cuff(?:ed|ing)", r"agarraron", r"deteniendo"),
}
CONFIRMATION = lx.words(
    r"confirmed", r"confirm(?:ing)?", r"confirmado", r"confirmo", r"i see them(?: too)?", r"i can see them",
    r"see them too", r"same here", r"im seeing them", r"los estoy viendo", r"yo tambien los vi",
    r"tambien los (?:vi|veo)", r"los veo", r"can confirm", r"i saw them too", r"see them",
    r"si,? (?:estan|ahi estan)", r"\+1",
)


def detect_language(folded: str) -> str:
    es = len(SPANISH.findall(folded))
    en = len(ENGLISH.findall(folded))
    return "es" if es > en else "en"


def _sighting(c: Clause, context: Context) -> bool:
    """States enforcement activity: agents or what they do, or (with agents named in the same sentence,
    or under an open sighting) their vehicles and their being there."""
    if c.asks or c.hypothetical or c.media or (c.benign and not c.agents):
        return False
    if c.instruction and not (c.first_hand or c.now or c.concrete):
        return False  # "please don't post faces, only agents' vehicles"
    if c.enforcement:
        # "ICE OUT rally", "a warrant signed by ICE", "ojo con screenshots viejos about raids": talk about ICE
        # is not a sighting of it; an arrest seen is
        return not c.chatter or c.first_hand or c.now or c.concrete or c.presence or c.vehicles
    if c.absence or c.chatter:
        return False
    if c.vehicles and (c.agents or context != "none"):
        return True
    if context == "none":
        # "they're outside rn, what do I do", "ya llegaron": in this chat, "they" are the agents
        return c.arrival or (c.presence and c.they and (c.now or c.first_hand or c.vehicles))
    return c.presence or c.arrival or c.still or c.relocated or c.ongoing


_THEY_ACTIVE = re.compile(r"(?<![\w])(?:van a estar|van a venir|van a llegar|estuvieron|anduvieron|andaban|vinieron|"
                          r"set up|setting up|theyve been|they were|theyll be|they will be|gonna be|following|siguiendo|"
                          r"buscando|vigilad[oa]s?|tenian vigilad[oa]|se escapo)(?![\w])")
"""What "they" did or will do, in a relayed claim: in this chat, the agents."""
_WITNESSED_ABSENCE = re.compile(r"(?<![\w])(?:all day|todo el dia|the whole (?:time|day|morning)|for (?:like )?\d+ (?:hrs?|hours|min)|"
                                r"been (?:home|here|there|outside)|i was (?:at|in|outside|there)|estuve|i work (?:at|in)|"
                                r"trabajo (?:en|ahi)|i live (?:across|next|on|at|by)|vivo (?:en|enfrente|al lado|ahi)|"
                                r"(?:just )?(?:passed|drove|walked) (?:by|through|past|thru|that)|acabo de (?:pasar|manejar)|"
                                r"im a \w+ at|i drive)(?![\w])")
"""A writer who was there the whole time: with nothing open, "nobody came" answers a rumour."""
_NOT_A_DRILL = re.compile(r"(?<![\w])(?:(?:not|isnt|no es|no es un|no es una) (?:a |un |una )?(?:drill|simulacro|prueba|test)|"
                          r"(?:thought|pense|crei) (?:it was|que era) (?:a |un |una )?(?:drill|simulacro|prueba|test))")
_RELAYED_PREFIX = re.compile(r"^[^:]{0,80}(?:got a (?:call|text|message) from|texted me|called me|told me|me (?:dijo|llamo|"
                             r"escribio|mando|aviso)|me acaba de (?:llamar|marcar|escribir)|says|dice|dicen|posted)[^:]{0,40}: ")
_STRONG_END = re.compile(r"(?<![\w])(?:se acaban? de ir|libre|se fueron|se fue|se retiraron|se largaron|gone|departed|pulled out|drove off|"
                         r"se marcharon|all clear)(?![\w])")
_AFFIRM_START = re.compile(r"^(?:y+e+s+|yep|yup|yeah|si+(?! (?:alguien|ves|ven|necesita|necesitan|quieren|puedes|pueden|tienen|tiene|"
                           r"llegan|vienen|te|les|me|nos|hay|no))|simon|\+\s?1|same|confirm\w*|me too|yo tambien)(?![\w])")


def _present(c: Clause) -> bool:
    """Says it is going on now: an explicit "now" outranks a time cue in the same sentence ("same van
    that was there this morning, now at the Cub")."""
    if c.hedged:
        return False
    return c.now_first or ((c.arrival or c.presence or c.recent) and not c.past)


def interpret(clauses: list[Clause], context: Context, has_location: bool, whole: str
              ) -> tuple[Kind, Source, list[str]]:
    """(kind, who knows, reasons) for a message's clauses, in the order the module docstring gives."""
    reasons: list[str] = []
    stated = [c for c in clauses if not c.asks]
    sightings = [c for c in stated if _sighting(c, context)]
    forwarded = any(c.forward for c in clauses) or bool(_RELAYED_PREFIX.match(whole))
    guessed = [c for c in clauses if c.guessing and (c.content or c.action or _sighting(c, context))]
    own = [c for c in sightings if (not c.second_hand or c.checked)
           and (not c.guessing or c.concrete or (c.seeing and c.agents))]  # a hedge does not undo an arrest seen
    eyewitness = [c for c in own if c.first_hand]
    if forwarded and not eyewitness:
        own = []
    attributed = [c for c in clauses if c.second_hand and not c.warning and not c.media and (
        c.enforcement or c.vehicles or (_THEY_ACTIVE.search(c.text) and not c.chatter) or c.quoted or c.arrival or (c.presence and c.they)
        or (not c.first_hand and (c.benign or c.denial or c.ended or c.absence)))]  # relayed corrections too
    quoted = [c for c in clauses if c.quoted and not c.chatter]
    # "school staff: has anyone seen…": a label that says who writes is not a correction
    benign = [c for c in stated if c.benign and not c.enforcement and not (
        len(clauses) > 1 and whole.startswith(c.text + ":"))]
    denials = [c for c in stated if (c.denial or c.falsity) and not c.hypothetical]
    disputes = [c for c in denials + [c for c in benign if c not in denials]
                if c.falsity or not (c.second_hand and not c.first_hand)]  # "dicen que eran de la luz": hearsay
    looked = any(c.first_hand for c in clauses)
    ended = [c for c in stated if c.ended and not c.hypothetical and not (c.second_hand and not looked)
             and not (context == "none" and c.names_benign and not c.enforcement)]  # "ya pasó el carrito de los helados"
    still_there = [c for c in own if (c.still and not c.hedged) or (c.relocated and (_present(c) or c.them or c.ongoing)) or (
        c.enforcement and _present(c) and not c.ended)]
    absent = [c for c in stated if c.absence and not c.enforcement and not c.hypothetical
              and not (c.second_hand and not looked)]
    # a rumour "going around" passed on is hearsay; the network's own notice about it is not
    notices = [c for c in clauses if c.notice and (c.warning or c.falsity or not c.enforcement
                                                   or ls.MODERATION.search(c.text))]
    asks = [c for c in clauses if c.asks]
    content = any(c.content or c.action for c in clauses)
    past = [c for c in clauses if c.past and not c.future]

    def say(kind: Kind, source: Source, label: str, group: list[Clause]) -> tuple[Kind, Source, list[str]]:
        reasons.append(label)
        for c in group[:2]:
            reasons.extend(c.cues)
        return kind, source, reasons

    if any(ls.DRILL_SELF.search(c.text) for c in clauses) and not eyewitness:
        return say(Kind.CHATTER, "none", "a rehearsal, and it says so", clauses)
    if any(ls.DRILL.search(_NOT_A_DRILL.sub(" ", c.text)) for c in clauses) and not eyewitness and not any(
            c.falsity for c in clauses):
        return say(Kind.CHATTER, "none", "a rehearsal, not a sighting", [c for c in clauses if ls.DRILL.search(c.text)])
    if ls.SARCASM.match(whole) and not eyewitness and not any(c.falsity for c in clauses):
        return say(Kind.CHATTER, "none", "sarcasm: it says this is not a sighting", clauses)
    # a correction of an open sighting, from whoever makes it ("that post is fake", "it's a tow truck")
    falsity = [c for c in stated if c.falsity]
    named_post = any(c.quoted for c in clauses)
    fyi = any(ls.FYI.search(c.text) for c in clauses)
    dismissed = any(ls.DISMISS.search(c.text) for c in clauses)
    echoed = any(c.asks and c.enforcement for c in clauses)  # "ICE trucks?? lol those are Public Works"
    correcting = falsity or named_post or any(c.identified for c in clauses) or (benign and echoed) or (
        (denials or (benign and (looked or dismissed))) and not fyi)
    named_agents = [c for c in own if c not in disputes and not c.past and (c.concrete or (c.agents and _present(c)))]
    if disputes and not still_there and not named_agents and (context != "none" or correcting) and not (
            context == "alerted" and (absent or ended) and not denials):
        return say(Kind.DISPUTE, "first_hand", "dispute: not enforcement, or the post is false", disputes)
    if notices and (quoted or forwarded) and not eyewitness and not (absent and context == "pending"):
        return say(Kind.CHATTER, "none", "a moderator's notice about a post going around", notices)
    if benign and not own and context == "none":
        return say(Kind.CHATTER, "none", "a correction with no open sighting to correct", benign)
    # 1. second-hand, unless the writer saw it too
    told = [c for c in clauses if c.second_hand and not c.first_hand and not c.checked]
    if told and not own and not attributed and (context != "none" or any(c.enforcement for c in clauses)):
        # "ICE at Powderhorn? that's what the Facebook group says"; under an open sighting, "my sister
        # says the same" passes on someone else's confirmation
        attributed = told
    if (attributed or (forwarded and content) or (quoted and not own)) and not eyewitness:
        if any(c.verify for c in asks) or (quoted and not attributed and not forwarded and asks) or (
                attributed and all(c.interrogative for c in attributed)):
            return say(Kind.QUESTION, "asking", "asks whether what others say is true", asks)
        return say(Kind.HEARSAY, "second_hand", "second-hand: someone else's claim",
                   attributed or quoted or [c for c in clauses if c.forward])
    # 2. when: over after an alert, a story, a prediction
    arrest_seen = any(c.concrete and c.ended for c in own) and not any(
        ls.OVER.search(c.text) or c.absence for c in clauses)
    if context == "alerted" and (ended or absent) and not still_there and not arrest_seen:
        return say(Kind.ALL_CLEAR, "first_hand", "over: the alerted place is clear", ended or absent)
    story = [c for c in stated if (_sighting(c, "pending") or c.narrative or c.them or (
        c.enforcement and c.past and not c.hypothetical)) and not c.winter and not c.media]
    if notices and context == "none" and not ended and not absent and not any(
            c.enforcement or c.vehicles or c.arrival or c.presence for c in clauses):
        return say(Kind.CHATTER, "none", "a notice that claims no sighting", notices)
    dated = any(ls.RETRO_DATE.search(c.text) for c in clauses)
    if context != "none" and past and not still_there and not ended and (dated or not absent) and any(
            c.first_hand for c in past) and not any(_present(c) or c.still for c in clauses):
        # under an open sighting, "that was this morning, I saw it then": an old sighting, not a confirmation
        return say(Kind.PAST, "first_hand", "past: the writer saw it hours back", past)
    if past and story and any(ls.RETRO_DATE.search(c.text) and c.past for c in clauses):
        return say(Kind.PAST, "first_hand", "past: the story is dated at its end", past)
    if past and story and not still_there and not any(
            c.now_first and not c.hedged and (c.enforcement or c.presence or c.arrival) for c in own):
        return say(Kind.PAST, "first_hand", "past: dated hours or days back", past)
    if any(c.narrative for c in clauses) and story and not any(_present(c) for c in clauses) and any(
            c.first_hand for c in clauses) and not own and not ended:
        return say(Kind.PAST, "first_hand", "past: told as a story", story)
    if sightings and all(c.future for c in sightings) and not eyewitness:
        return say(Kind.HEARSAY, "second_hand", "not a sighting: a prediction", sightings)
    if guessed and not own:
        return say(Kind.HEARSAY, "guessing", "a guess, nothing concrete seen", guessed)
    # 3./4. over, or nobody there
    over = any(ls.OVER.search(c.text) or c.absence for c in clauses)
    moving = [c for c in own if c.ended and c.enforcement and ls.MOTION.search(c.text) and not over]
    if context == "none" and moving:
        # nothing open here: "5 unmarked SUVs just pulled out of the federal building" is them, seen now
        return say(Kind.REPORT, "first_hand", "a sighting of them on the move", moving)
    if ended and not still_there and (content or context != "none" or any(
            c.they or ls.OVER.search(c.text) or _STRONG_END.search(c.text) for c in ended)):
        return say(Kind.ALL_CLEAR, "first_hand", "over: they left, the place is clear", ended)
    if absent and not own and context == "pending":
        return say(Kind.DISPUTE, "first_hand", "nobody there: evidence against the open sighting", absent)
    if absent and not own and context == "none" and _WITNESSED_ABSENCE.search(whole):
        return say(Kind.DISPUTE, "first_hand", "nobody came, says a witness who was there: against the rumour", absent)
    if absent and not own and any(c.first_hand and c.now for c in absent):
        return say(Kind.ALL_CLEAR, "first_hand", "nobody there now, seen first-hand", absent)
    # 5. a sighting
    if own:
        return say(Kind.REPORT, "first_hand", "first-hand sighting" if eyewitness else "a sighting, stated as fact",
                   own)
    affirm = ls.AFFIRM.match(whole.strip(" .!,"))
    if context != "none" and "?" not in whole and (((affirm or _AFFIRM_START.match(whole)) and not (clauses and clauses[0].chatter)) or any(
            (c.them or c.presence or c.still or c.ongoing or (c.first_hand and c.seeing and not c.negated))
            and not c.chatter and not c.hypothetical for c in stated)):
        reasons.append("confirms the open sighting")
        return Kind.REPORT, "first_hand", reasons
    # 6. the rest
    activity = [c for c in asks if not c.hypothetical and not c.chatter and not c.media and (c.enforcement or c.vehicles or c.presence or c.about_activity or c.ended
                or c.absence or c.request or c.relocated or c.still)]
    if activity or (asks and context != "none" and not any(c.chatter for c in clauses)):
        return say(Kind.QUESTION, "asking", "asks, claims nothing first-hand", activity or asks)
    if has_location:
        reasons.append("a location pin")
        return Kind.REPORT, "first_hand", reasons
    reasons.append("no claim about enforcement")
    return Kind.CHATTER, "none", reasons


def _when(clauses: list[Clause]) -> When:
    if any(c.past for c in clauses):
        return "hours"
    if any(c.recent for c in clauses):
        return "minutes"
    if any(c.now or c.presence for c in clauses):
        return "now"
    return "none"


@dataclass(frozen=True)
class Reading:
    """What the text alone says, before any context: its sentences' claims. Cached per text, so reading
    a message again in the context of the incident it answers costs only the decision."""

    folded: str
    lang: Literal["en", "es"]
    clauses: tuple[Clause, ...]
    seen: tuple[str, ...]
    time_cue: str | None
    confirmation: bool
    affirm: bool


MAX_READ_CHARS = 4000
"""A sighting fits in a few sentences; a 64 KB paste is read up to here, so hostile input costs little."""


@functools.lru_cache(maxsize=4096)
def read(text: str) -> Reading:
    folded = fold_for_reading(text[:MAX_READ_CHARS])
    lang: Literal["en", "es"] = "es" if detect_language(folded) == "es" else "en"
    clauses = tuple(read_clause(s, asks) for s, asks in sentences(folded)) if not folded.startswith("/") else ()
    cleaned = lx.NOT_AGENTS.sub(" ", folded)
    past = ls.PAST.search(folded)
    return Reading(folded=folded, lang=lang, clauses=clauses,
                   seen=tuple(name for name, rx in SEEN_WORDS.items() if rx.search(cleaned)),
                   time_cue=past.group(0) if past else None, confirmation=bool(CONFIRMATION.search(folded)),
                   affirm=bool(ls.AFFIRM.match(folded.strip(" .!,")) or _AFFIRM_START.match(folded)))


def parse(text: str, *, has_location: bool = False, context: Context = "none") -> Parsed:
    """Read one message. `has_location`: a pin came with it (a pin alone is a report). `context`: what it
    answers, as far as the pipeline knows (see Parsed.needs_context)."""
    reading = read(text)
    folded, lang, clauses = reading.folded, reading.lang, list(reading.clauses)
    if folded.startswith("/"):
        return Parsed(kind=Kind.COMMAND, lang=lang, reasons=("a command",))
    if not folded:
        kind = Kind.REPORT if has_location else Kind.CHATTER
        return Parsed(kind=kind, lang=lang, reasons=("a location pin",) if has_location else ())
    kind, source, reasons = interpret(clauses, context, has_location, folded)
    needs_context = context == "none" and (reading.affirm or any(
        c.denial or c.falsity or c.benign or c.absence or c.ended or c.presence or c.relocated or c.still
        or c.them or c.vehicles for c in clauses))
    return Parsed(
        kind=kind, lang=lang, seen=reading.seen, time_cue=reading.time_cue,
        confirmation=kind is Kind.REPORT and (reading.confirmation or context != "none"),
        hearsay=kind is Kind.HEARSAY, source=source, when=_when(clauses),
        denied=any(c.denial or c.benign for c in clauses), ended=any(c.ended for c in clauses),
        needs_context=needs_context, reasons=tuple(reasons))
