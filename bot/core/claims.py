"""What one sentence of a message claims: who knows, what, whether it is denied or over, and when.

Pure. Works on folded text (bot.core.parsing.fold_for_reading). A message is read sentence by sentence
because people mix kinds ("ICE at the Cub rn. can someone come film?"), and a claim's scope is its
sentence: "no" negates what follows it there, a time cue dates what it stands with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alertrelay.bot.core import lexicon as lx
from alertrelay.bot.core import lexicon_status as ls

_SPLIT = re.compile(r"[.!?;\n]+|: |(?<![\w])(?:but|pero|though|aunque)(?![\w])")
_QUESTION_MARK = re.compile(r"\?|¿")
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{8,})[\"“”«»]|(?<![\w])'([^']{12,})'(?![\w])")


@dataclass
class Clause:
    """One sentence's claims. Mentions count only where no negator stands just before them."""

    text: str
    asks: bool = False
    agents: bool = False
    negated: bool = False
    vehicles: bool = False
    suspicious: bool = False
    action: bool = False
    first_hand: bool = False
    second_hand: bool = False
    guessing: bool = False
    denial: bool = False
    benign: bool = False
    falsity: bool = False
    ended: bool = False
    absence: bool = False
    relocated: bool = False
    presence: bool = False
    now: bool = False
    recent: bool = False
    past: bool = False
    future: bool = False
    hypothetical: bool = False
    chatter: bool = False
    hedged: bool = False
    forward: bool = False
    them: bool = False
    notice: bool = False
    verify: bool = False
    request: bool = False
    about_activity: bool = False
    narrative: bool = False
    quoted: bool = False
    still: bool = False
    arrival: bool = False
    now_first: bool = False
    checked: bool = False
    interrogative: bool = False
    identified: bool = False
    concrete: bool = False
    seeing: bool = False
    they: bool = False
    winter: bool = False
    warning: bool = False
    media: bool = False
    ongoing: bool = False
    instruction: bool = False
    names_benign: bool = False
    cues: list[str] = field(default_factory=list)

    @property
    def enforcement(self) -> bool:
        """Names enforcement itself (agents, what they do, a vehicle that alone says so)."""
        return self.agents or self.action or self.suspicious or self.them

    @property
    def content(self) -> bool:
        """Says anything about enforcement being there, however weakly (for hearsay and stories)."""
        return self.enforcement or self.vehicles or self.presence or self.relocated or self.quoted

    def note(self, name: str, match: re.Match[str] | None) -> bool:
        if match is None:
            return False
        self.cues.append(f"{name}:{match.group(0).strip()}")
        return True


def _affirmed(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str] | None, bool]:
    """(first mention not negated, whether any mention was negated)."""
    negated = False
    for match in pattern.finditer(text):
        before = _INTERJECTION.sub(" ~ ", lx.SUSPICIOUS.sub(" ~ ", text[max(0, match.start() - 40):match.start()]))
        if ls.NEGATED_MENTION.search(before):
            negated = True
            continue
        return match, negated
    return None, negated


def sentences(folded: str) -> list[tuple[str, bool]]:
    """(sentence, whether it asks) in order. A sentence asks if a question mark ends or starts it, or it
    opens the way questions do ("is there…", "alguien sabe…")."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in _SPLIT.finditer(folded + "\n"):
        chunk = folded[pos:match.start()].strip(" ,-")
        mark = "?" in match.group(0) or bool(_QUESTION_MARK.search(folded[pos:match.start()]))
        pos = match.end()
        if not chunk:
            continue
        if mark and "¿" in chunk.lstrip("¿"):
            head, _, tail = chunk.partition("¿")
            out.append((head.strip(" ,-"), False))
            chunk = tail
        elif mark and "," in chunk and not lx.QUESTION_START.search(chunk):
            # "los estoy viendo en la 7, alguien que traiga camara?": the question is the last part
            head, _, tail = chunk.rpartition(",")
            out.append((head.strip(" ,-"), False))
            chunk = tail.strip(" ,-") or head
        if not mark and out and out[-1][1] and re.match(r"(?:o|or) ", chunk):
            mark = True  # "…ayudando a ICE?? o nomás llegaron": the same question, its other half
        out.append((chunk, mark))
    return out


def read_clause(text: str, marked_question: bool) -> Clause:
    clause = Clause(text=text)
    cleaned = lx.NOT_AGENTS.sub(" ~ ", text)
    clause.media = bool(lx.MEDIA.search(text))
    if lx.WINTER.search(cleaned):
        cleaned = re.sub(r"(?<![\w])ice(?![\w])", " ~ ", cleaned)
    unblanked = cleaned  # "son de bienes raíces, no son agentes" still denies
    if ls.REAL_ESTATE.search(text):  # "my agent showed us a house, two agents actually"
        cleaned = re.sub(r"(?<![\w])agent(?:e)?s?(?![\w])", " ~ ", cleaned)
    spans = " ".join(m.group(0) for m in _MENTION_QUOTED.finditer(cleaned))
    if spans:
        clause.quoted = bool(lx.AGENTS.search(spans) or lx.ACTIONS.search(spans) or ls.ENDED.search(spans))
        cleaned = _MENTION_QUOTED.sub(" ~ ", cleaned)
    agents, neg_agents = _affirmed(lx.AGENTS, cleaned)
    action, neg_action = _affirmed(lx.ACTIONS, cleaned)
    vehicles, neg_vehicles = _affirmed(lx.VEHICLES, _VERB_VAN.sub(" ~ ", cleaned))
    suspicious, _ = _affirmed(lx.SUSPICIOUS, cleaned)
    if agents is None and action is not None and any(
            "agent" in m.group(0) for m in lx.NOT_AGENTS.finditer(text)):
        action = None  # "real estate agents knocking on doors": those agents did it
    clause.agents = clause.note("agents", agents)
    clause.concrete = action is not None and not _WEAK_ACTION.match(action.group(0))
    clause.action = clause.note("action", action)
    clause.vehicles = clause.note("vehicles", vehicles)
    clause.suspicious = clause.note("suspicious", suspicious)
    clause.negated = neg_agents or neg_action or neg_vehicles
    if clause.negated:
        clause.cues.append("negated")
    them, _ = _affirmed(lx.THEM_SEEN, cleaned)
    clause.them = clause.note("them", them)
    first_hand, _ = _affirmed(lx.FIRST_HAND, text)
    clause.first_hand = clause.note("first_hand", first_hand) or clause.them
    second_hand = lx.ATTRIBUTION.search(_WE.sub(" we ", _VEST_SAYS.sub(" ~ ", _OTHER_CLAIM.sub(" ~ ", _DONT_LISTEN.sub(" ~ ", text)))))
    if _OTHER_CLAIM.search(text):
        clause.quoted = True  # "the 'checkpoint' people are posting about", "whoever said they left": named, not relayed
    if second_hand and first_hand and second_hand.start() <= first_hand.start() < second_hand.end():
        clause.first_hand = clause.them  # "lo vi en facebook": seen on a screen, not in person
    clause.second_hand = clause.note("second_hand", second_hand)
    # "my cousin texted me ICE was at the Target so I went to look and yes they're there": checked in person
    checked = lx.CHECKED.search(text, second_hand.end()) if second_hand else None
    clause.checked = checked is not None
    forward, _ = _affirmed(lx.FORWARD, text)
    clause.forward = clause.note("forward", forward)
    clause.guessing = clause.note("guessing", lx.GUESSING.search(text))
    clause.denial = clause.note("denial", ls.DENIAL.search(unblanked))
    if clause.denial:
        clause.agents = clause.action = clause.them = False
    falsity, _ = _affirmed(ls.FALSITY, _DONT_LISTEN.sub(" ~ ", text))
    clause.falsity = clause.note("falsity", falsity)
    if clause.note("warning", ls.WARNING_ABOUT_POSTS.search(text)):
        # "ojo con los mensajes falsos sobre redadas": a warning about posts in general names no post as false
        clause.falsity = False
        clause.chatter = clause.notice = clause.warning = True
    clause.instruction = clause.note("instruction", ls.INSTRUCTION.search(text))
    for benign in ls.BENIGN.finditer(text):
        before = text[:benign.start()]
        if ls.BENIGN_NEGATED.search(before[-30:]):
            clause.cues.append(f"not benign:{benign.group(0)}")
            continue
        if re.match(r" (?:ice|hsi|ero|dhs)(?![\w])", text[benign.end():]):
            continue  # "POLICE ICE" printed on a vest: the agency, not the local police
        clause.names_benign = True
        if len(text) - benign.end() < 3 and re.search(r"(?<![\w])(?:im|i am|soy|as|como) (?:a |an |un |una |the )?$", before[-12:]):
            continue  # "I'm a landlord." alone: who writes, not what was seen
        if ls.IDENTIFY_NEAR.search(before[-40:]) or _IDENTIFY_LOOSE.search(before[-40:]) or clause.denial or before.strip() in ("", "guys", "lol", "lmao", "ja",
                                                                                      "jaja", "fyi", "no"):
            clause.benign = clause.note("benign", benign)
            named = agents is not None and agents.start() < benign.start() and ls.IDENTIFY.search(
                text[agents.end():benign.start()])
            if (named or neg_agents) and not marked_question:  # "¿son de ICE o de la ciudad?" names no one
                # "the guys in vests are park board staff", "eran repo guys, no migra"
                clause.denial = True
                clause.identified = bool(named)
                clause.agents = clause.them = False
            if not clause.agents:
                clause.action = False  # "cops pulled someone over": the benign ones did it
                clause.them = False  # "las camionetas son de Comcast, las estoy viendo"
            break
    ended, _ = _affirmed(ls.ENDED, cleaned)
    clause.ended = clause.note("ended", ended)
    clause.absence = clause.note("absence", ls.ABSENCE.search(_NOT_ABSENCE.sub(" ~ ", cleaned)))
    clause.relocated = clause.note("relocated", ls.RELOCATED.search(cleaned))
    clause.presence = clause.note("presence", ls.PRESENCE.search(cleaned))
    now, _ = _affirmed(ls.NOW, _NOT_NOW.sub(" ~ ", text))
    clause.now = clause.note("now", now)
    clause.recent = clause.note("recent", ls.RECENT.search(text))
    past = ls.PAST.search(_SAME_AS.sub(" ~ ", _without_since(text)))
    clause.past = clause.note("past", past)
    # "ICE at the mall now, same van that was there this morning": a "now" before the time cue is now;
    # "this morning there was ICE at the station, I'm at work now": after it, it is the writer's now
    clause.now_first = now is not None and (past is None or now.start() < past.start() or bool(
        _RETURN.search(text, past.end(), now.start())))  # "ayer estuvieron y hoy otra vez, ahorita están en…"
    clause.seeing = _affirmed(lx.SEEING, text)[0] is not None
    if lx.SEE_NOTHING.search(text):
        clause.first_hand = True
    if ls.POST_MENTION.search(text) and not clause.quoted:
        clause.quoted = True
    still, _ = _affirmed(ls.STILL, _SELF_STILL.sub(" ~ ", text))
    clause.still = clause.note("still", still)
    clause.winter = bool(lx.WINTER.search(text))
    clause.ongoing = clause.note("ongoing", lx.ONGOING.search(cleaned))
    clause.arrival = clause.note("arrival", ls.ARRIVAL.search(text))
    clause.they = bool(_THEY.search(text))
    clause.narrative = clause.note("narrative", ls.PAST_NARRATIVE.search(text))
    clause.future = clause.note("future", ls.FUTURE.search(ls.PAST.sub(" ", text)))
    clause.notice = clause.note("notice", ls.NOTICE.search(text))
    clause.verify = clause.note("verify", lx.VERIFY_QUESTION.search(text))
    clause.request = clause.note("request", lx.REQUEST.search(text))
    clause.about_activity = clause.note("about", lx.ACTIVITY_QUESTION.search(text))
    hypothetical, _ = _affirmed(ls.HYPOTHETICAL, _EMBEDDED_IF.sub(" whether ", text))
    if hypothetical is not None and _ADVICE_IF.match(hypothetical.group(0)) and (
            (agents and agents.start() < hypothetical.start()) or (action and action.start() < hypothetical.start())):
        hypothetical = None
    clause.hypothetical = clause.note("hypothetical", hypothetical)
    clause.chatter = clause.note("chatter", ls.CHATTER.search(text)) or clause.warning
    clause.hedged = clause.note("hedged", ls.HEDGED_NEGATION.search(text))
    asks = marked_question or bool(lx.QUESTION_START.search(text)) or bool(lx.QUESTION_ANYWHERE.search(text))
    # "I see them, anyone near?" is a sighting with a request; a question opening only counts when the
    # sentence does not also state something first-hand
    clause.asks = asks
    clause.interrogative = bool(lx.QUESTION_START.search(text) or lx.QUESTION_ANYWHERE.search(text))
    if asks:
        clause.cues.append("asks")
    return clause


_MENTION_QUOTED = re.compile(r"(?<![\w])'[^']{2,120}'(?![\w])|[\"“”«»][^\"“”«»]{2,120}[\"“”«»]")
_WE = re.compile(r"(?<![\w])(?:my|mi) \w+ (?:and i|and me|y yo)(?![\w])")
_VEST_SAYS = re.compile(r"(?<![\w])(?:(?<!to )(?<!who )(?<!que )(?<!q )(?:says?|dicen?) (?=(?:ice|police|policia|ero|hsi|federal|dhs|border patrol|homeland|"
                        r"security|seguridad)(?![\w]))|it says|lo dice|(?:vests?|jackets?|hats?|caps?|shirts?|chalecos?|gorras?|chamarras?|letters|"
                        r"letras|back|espalda|patch|badge|that|which|q|que) (?:says?|dicen?|decia|read|reads)|"
                        r"(?:says?|dicen?|reads?) (?:[a-z]+ ){0,3}(?:en|on|in) (?:el|la|los|las|the|su|its|their) (?:\w+ ){0,2}?(?:chalecos?|espalda|"
                        r"puerta|costado|lado|carro|van|camioneta|troca|door|side|back|vests?|jackets?|car|truck|windshield)|"
                        r"(?:squad|car|truck|van|door|side|carro|puerta|troca|camioneta)(?: (?!to )(?!a )\w+)? (?:says?|dice|reads)|"
                        r"(?:q|que|los que|las que) (?:dijeron|dijo|mencionaron|reportaron|pusieron))(?![\w])")
_NOT_NOW = re.compile(r"(?<![\w])(?:hasta (?:ahora|ahorita)|(?:ok|okay|fine|safe|bien) (?:now|ahora)|"
                      r"(?:ahora|now) (?:esta|is|estan|are) (?:bien|ok|fine|safe))(?![\w])")
_INTERJECTION = re.compile(r"(?<![\w])(?:no mames|no manches|no cap|no lie|no joke|no way|no pues|no mms)(?![\w])")
_NOT_ABSENCE = re.compile(r"(?<![\w])(?:(?:stay|keep|remain|mantengan la|mantener la|con) calma?|(?:contestar|decir|firmar|firmen|firmes|contesten|digan|"
                          r"sign|say|answer) (?:nada|anything|nothing)|(?:caminen|camina|maneja|manejen|walk|drive|act|actuen|actua) normal|que nadie|q nadie|nadie (?:abra|salga|vaya|se mueva)|nobody (?:open|go|leave)|"
                          r"se van|(?:no entiendo|no se|no sabemos|idk|dont know|no idea) (?:nada|anything))"
                          r"(?![\w])")
_SAME_AS = re.compile(r"(?<![\w])(?:same|el mismo|la misma|los mismos|las mismas)(?: \w+){0,3}? (?:from|de|que|that was|"
                      r"q)(?: \w+){0,4}? (?:this morning|esta manana|yesterday|ayer|earlier|la otra vez|last week)(?![\w])")
_WEAK_ACTION = re.compile(r"(?:sweeps?|operations?|operacion|operativos?|raid\w*|redadas?|staging|setting up|planning|"
                          r"planean|checkpoint|check point|retene?s?|hit |hitting|gonna|going to|will|van a)")
_VERB_VAN = re.compile(r"(?<![\w])(?:si|se|que|q|no|ya|nos|les|los|me|te|lo|ellos) van(?![\w])|(?<![\w])la van (?=a |hacia |pa |para |llevar|a llevar)|(?<![\w])van (?:a|hacia|pa|para)(?![\w])")
"""Spanish "van" (they go) is not a van."""
_SELF_STILL = re.compile(r"(?<![\w])(?:im still|i am still|we are still|were still|were all still|we are all still|yo sigo|aqui sigo|sigo aqui|sigo "
                         r"esperando)(?![\w])")
_OTHER_CLAIM = re.compile(r"(?<![\w])(?:(?:people|ppl|folks|everyone|they|la gente|gente)(?: are| r| estan)? (?:posting|talking|"
                          r"publicando|hablando) (?:about|sobre|de)|(?:whoever|quien|el que|la que|los que) (?:said|says|dijo|dice|"
                          r"posted|puso|saw|vio|wrote|escribio))(?![\w])")
"""Someone else's claim named in order to answer it, not passed on."""
_DONT_LISTEN = re.compile(r"(?<![\w])(?:dont|do not|no) (?:listen to|believe|le hagan caso a|crean)[^,.]{0,50}")
_IDENTIFY_LOOSE = re.compile(r"(?<![\w])(?:its|thats|those are|those r|es|son) (?:(?!ice |migra |agents? |agentes? |feds? |federal\w* |"
                             r"immigration |inmigracion |dhs |hsi |border |la |el |los |las )[a-z]+ ){1,2}$")
""""that's augsburg campus security": a name of one or two words before the benign one."""
_ADVICE_IF = re.compile(r"(?:por si|just in case|in case|en caso de)")
_RETURN = re.compile(r"(?<![\w])(?:otra vez|again|de nuevo|back|volvieron|regresaron|hoy|today)(?![\w])")
_EMBEDDED_IF = re.compile(r"(?<![\w])(?:if anyone asks|por si alguien pregunta|know|knows|see|check|wonder|ask|sure|tell (?:me|us)|find out|idk|dunno|"
                          r"confirm|sabe|saben|ver|checar|decir|dice|pregunto|confirmar|knows|kno|knw) (?:if|si)(?![\w])")
_THEY = re.compile(r"(?<![\w])(?:they|theyre|them|estan|andan|llegaron|los|las|ellos)(?![\w])")
_SINCE = re.compile(r"(?<![\w])(?:since|desde) (?:this morning|esta manana|la manana|ayer|yesterday|temprano|"
                    r"early|last night|anoche|\d+ ?(?:am|pm)?)(?![\w])")


def _without_since(text: str) -> str:
    """"since this morning" says it is still going on: not a past cue."""
    return _SINCE.sub(" ", text)


def quoted_claim(text: str) -> bool:
    """A claim in quotation marks is someone else's words."""
    return bool(_QUOTED.search(text))
