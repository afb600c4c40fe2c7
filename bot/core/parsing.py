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
import unicodedata

from bot.core import lexicon as lx
from bot.core.claims import Clause, quoted_claim, read_clause, sentences
from bot.core.models import Context, Kind, Parsed


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


_APOSTROPHE = re.compile(r"(?<=\w)['’`´](?=\w)")


def fold_for_reading(text: str) -> str:
    """fold, and apostrophes inside words dropped: "they're", "theyre" and "they’re" read alike."""
    return _APOSTROPHE.sub("", fold(text))


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


def _sighting(c: Clause, context: Context, agents_named: bool) -> bool:
    """States enforcement activity: agents or what they do, or (with agents named elsewhere in the
    message, or under an open sighting) their vehicles and their being there."""
    if c.enforcement:
        return True
    if c.vehicles and (agents_named or context != "none"):
        return True
    return context != "none" and (c.presence or (c.relocated and not c.ended))


def _present(c: Clause) -> bool:
    """Says it is going on now (and does not date itself earlier)."""
    return (c.now or c.presence or c.recent) and not c.past and not c.hedged


def interpret(clauses: list[Clause], context: Context, has_location: bool, whole: str
              ) -> tuple[Kind, str, list[str]]:
    """(kind, who knows, reasons) for a message's clauses, in the order the module docstring gives."""
    reasons: list[str] = []
    agents_named = any(c.agents or c.action for c in clauses)
    stated = [c for c in clauses if not c.asks]
    sightings = [c for c in stated if _sighting(c, context, agents_named)]
    own = [c for c in sightings if not c.second_hand and not c.hypothetical]
    eyewitness = [c for c in own if c.first_hand]
    second_hand = [c for c in clauses if c.second_hand] or (
        [c for c in clauses if _sighting(c, context, agents_named)] if quoted_claim(whole) and not eyewitness
        and not all(c.asks for c in clauses if not _sighting(c, context, agents_named)) else [])
    any_content = any(_sighting(c, context, agents_named) or c.presence for c in clauses)
    disputes = [c for c in stated if (c.denial or c.falsity or (c.benign and not c.enforcement))
                and not c.second_hand]
    ended = [c for c in stated if c.ended and not (c.relocated and not c.ended)]
    absent = [c for c in stated if c.absence and not c.enforcement]

    def why(label: str, group: list[Clause]) -> None:
        reasons.append(label)
        for c in group[:2]:
            reasons.extend(c.cues)

    # 1. second-hand, unless the writer saw it too
    if second_hand and any_content and not eyewitness and not (disputes and context != "none"):
        asks_only = all(c.asks for c in clauses if _sighting(c, context, agents_named) or c.presence)
        if asks_only and not any(c.second_hand and (_sighting(c, context, agents_named) or c.presence)
                                 for c in clauses):
            why("a question about what others say", second_hand)
            return Kind.QUESTION, "asking", reasons
        why("second-hand: someone else's claim", second_hand)
        return Kind.HEARSAY, "second_hand", reasons
    # 2. when: a story, a prediction, a what-if
    if sightings and context == "alerted" and ended:
        why("over: the alerted incident ended", ended)
        return Kind.ALL_CLEAR, "first_hand", reasons
    if sightings and any(c.past for c in clauses) and not any(_present(c) and _sighting(c, context, agents_named)
                                                               for c in sightings):
        why("past: dated hours or days back", [c for c in clauses if c.past])
        return Kind.PAST, "first_hand", reasons
    if sightings and all(c.future or c.hypothetical for c in sightings) and not eyewitness:
        why("not a sighting: a prediction or a what-if", sightings)
        return (Kind.HEARSAY, "second_hand", reasons) if any(c.future for c in sightings) else (
            Kind.CHATTER, "none", reasons)
    # 3. a dispute of an open sighting
    if disputes and not any(c.enforcement and _present(c) and not c.negated for c in own if c not in disputes):
        if context != "none":
            why("dispute: says it is not enforcement, or the post is false", disputes)
            return Kind.DISPUTE, "first_hand", reasons
        why("a correction with no open sighting to correct", disputes)
        return Kind.CHATTER, "none", reasons
    # 4. over, or nobody there
    if ended and not any(c.relocated and _present(c) for c in own):
        why("over: they left, the place is clear", ended)
        return Kind.ALL_CLEAR, "first_hand", reasons
    if absent and not own:
        if context == "pending":
            why("nobody there: evidence against the open sighting", absent)
            return Kind.DISPUTE, "first_hand", reasons
        if context == "alerted":
            why("nobody there: the alerted place is clear", absent)
            return Kind.ALL_CLEAR, "first_hand", reasons
    # 5. a sighting
    if own:
        why("first-hand sighting" if eyewitness else "a sighting, stated as fact", own)
        return Kind.REPORT, "first_hand", reasons
    if context != "none" and lx.AFFIRM.match(whole.strip(" .!,")) and "?" not in whole:
        reasons.append(f"confirms the open sighting: {whole.strip()[:30]}")
        return Kind.REPORT, "first_hand", reasons
    # 6. the rest
    if sightings and any(c.guessing for c in clauses):
        why("a guess, nothing concrete seen", [c for c in clauses if c.guessing])
        return Kind.HEARSAY, "guessing", reasons
    if any(c.asks for c in clauses):
        why("asks, claims nothing first-hand", [c for c in clauses if c.asks])
        return Kind.QUESTION, "asking", reasons
    if sightings:
        why("a sighting attributed to no one", sightings)
        return Kind.REPORT, "first_hand", reasons
    if has_location:
        reasons.append("a location pin")
        return Kind.REPORT, "first_hand", reasons
    reasons.append("no claim about enforcement")
    return Kind.CHATTER, "none", reasons


def _when(clauses: list[Clause]) -> str:
    if any(c.past for c in clauses):
        return "hours"
    if any(c.recent for c in clauses):
        return "minutes"
    if any(c.now or c.presence for c in clauses):
        return "now"
    return "none"


def parse(text: str, *, has_location: bool = False, context: Context = "none") -> Parsed:
    """Read one message. `has_location`: a pin came with it (a pin alone is a report). `context`: what it
    answers, as far as the pipeline knows (see Parsed.needs_context)."""
    folded = fold_for_reading(text)
    lang = "es" if detect_language(folded) == "es" else "en"
    if folded.startswith("/"):
        return Parsed(kind=Kind.COMMAND, lang=lang, reasons=("a command",))
    if not folded:
        kind = Kind.REPORT if has_location else Kind.CHATTER
        return Parsed(kind=kind, lang=lang, reasons=("a location pin",) if has_location else ())
    clauses = [read_clause(s, asks) for s, asks in sentences(folded)]
    kind, source, reasons = interpret(clauses, context, has_location, folded)
    cleaned = lx.NOT_AGENTS.sub(" ", folded)
    seen = tuple(name for name, rx in SEEN_WORDS.items() if rx.search(cleaned))
    past = lx.PAST.search(folded)
    needs_context = context == "none" and (
        kind is Kind.CHATTER and any(c.denial or c.falsity or c.benign or c.absence for c in clauses)
        or bool(lx.AFFIRM.match(folded.strip(" .!,")))
        or any(c.presence or c.relocated or c.vehicles for c in clauses) and kind is not Kind.REPORT
        or kind is Kind.ALL_CLEAR)
    return Parsed(
        kind=kind, lang=lang, seen=seen, time_cue=past.group(0) if past else None,
        confirmation=kind is Kind.REPORT and bool(CONFIRMATION.search(folded) or context != "none"),
        hearsay=kind is Kind.HEARSAY, source=source, when=_when(clauses),  # type: ignore[arg-type]
        denied=any(c.denial or c.benign for c in clauses), ended=any(c.ended for c in clauses),
        needs_context=needs_context, reasons=tuple(reasons))
