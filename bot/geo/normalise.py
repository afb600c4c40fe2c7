"""Text and street-name normalisation shared by the index builder and the matcher.

Everything here is pure string work: no data files, no I/O.
"""
from __future__ import annotations

import re
from functools import lru_cache

from alertrelay.bot.core.text import fold

# --------------------------------------------------------------------------- words

#: street type words (English and Spanish, data and chat spellings) -> canonical type
TYPES: dict[str, str] = {
    "st": "st", "street": "st", "str": "st", "streets": "st",
    "av": "av", "ave": "av", "avenue": "av", "aves": "av", "avs": "av", "avenues": "av",
    "blvd": "blvd", "boulevard": "blvd", "blv": "blvd",
    "pkwy": "pkwy", "parkway": "pkwy", "pky": "pkwy", "pkway": "pkwy", "pkw": "pkwy",
    "rd": "rd", "road": "rd",
    "dr": "dr", "drive": "dr",
    "ln": "ln", "lane": "ln",
    "pl": "pl", "place": "pl",
    "ct": "ct", "court": "ct",
    "cir": "cir", "circle": "cir",
    "ter": "ter", "terr": "ter", "terrace": "ter",
    "way": "way",
    "hwy": "hwy", "highway": "hwy",
    "trl": "trl", "trail": "trl",
    "mall": "mall",
    "plza": "plz", "plz": "plz",
    "cv": "cv", "row": "row", "aly": "aly",
}
#: type words as written in the data only (never treated as a type in chat text)
DATA_ONLY_TYPES = {"plz", "cv", "row", "aly", "plza"}
#: Spanish type words that come BEFORE the name ("calle 38", "avenida Bloomington")
PRE_TYPES: dict[str, str] = {"calle": "st", "avenida": "av", "avda": "av", "bulevar": "blvd"}

#: direction words -> canonical suffix
DIRS: dict[str, str] = {
    "e": "e", "east": "e", "w": "w", "west": "w", "n": "n", "north": "n", "s": "s", "south": "s",
    "ne": "ne", "northeast": "ne", "nw": "nw", "northwest": "nw",
    "se": "se", "southeast": "se", "sw": "sw", "southwest": "sw",
}
FULL_DIRS = {"east", "west", "north", "south", "northeast", "northwest", "southeast", "southwest",
             "norte", "sur", "northbound", "southbound", "eastbound", "westbound",
             "nb", "sb", "eb", "wb"}

WORD_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "primera": 1, "segunda": 2, "tercera": 3, "cuarta": 4, "quinta": 5, "sexta": 6,
    "septima": 7, "octava": 8, "novena": 9, "decima": 10,
}

#: "St Paul" is Saint Paul, not a street type
SAINT_NAMES = {"paul", "anthony", "louis", "clair", "peter", "croix", "thomas", "kate", "francis",
               "mary", "marys", "albans", "joseph", "catherine", "stephen", "stephens", "john",
               "johns", "olaf", "mark", "marks", "luke", "lukes", "agnes", "bernard", "bernards",
               "columba", "casimir", "matthew", "matthews", "adalbert", "vincent", "andrew", "cecilia"}

_ORD_RE = re.compile(r"^(\d{1,3})(st|nd|rd|th|ra|ro|va|vo|ta|to|ma|mo|na|no|er|a|o)?$")


@lru_cache(maxsize=100000)
def ordinal(tok: str) -> tuple[int, bool] | None:
    """'38th' -> (38, True); '38' -> (38, False); 'seventh' -> (7, True); else None."""
    m = _ORD_RE.match(tok)
    if m:
        return int(m.group(1)), bool(m.group(2))
    if tok in WORD_ORDINALS:
        return WORD_ORDINALS[tok], True
    return None


# --------------------------------------------------------------------------- text

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.I)
_TIME_RE = re.compile(
    r"\b(?:[01]?\d|2[0-3])[:h.][0-5]\d\s*(?:a\.?m\.?|p\.?m\.?|hrs?\b|h\b)?|\b(?:1[0-2]|0?\d)\s*(?:a\.?m\.?|p\.?m\.?)(?![a-z])",
    re.I)
_HWY_RE = re.compile(
    r"\b(?:i|hwy|highway|interstate|us|mn|th|route|rte|rt|carretera|autopista|freeway|fwy|ruta|bus|"
    r"linea|line|camion)[\s\-#]*\d{1,3}[a-z]?\b"
    r"|\b\d{2,3}[we]\b"
    r"|\b\d{1,3}\s+(?:north|south|east|west|norte|sur|northbound|southbound|eastbound|westbound|nb|sb|eb|wb)\b"
    r"|\b\d{1,3}\s+(?:bus|camion|line)\b",
    re.I)
_ABBR_DOT_RE = re.compile(r"\b(st|ave?|blvd|rd|dr|pkwy|ln|pl|ct|hwy|mt|ft|jr|dr|sr|[nsew]|ne|nw|se|sw|u|s|av)\.", re.I)
_APOS_RE = re.compile(r"(\w)['\u2019`´](\w)")
_BREAK_RE = re.compile(r"[.,;:!?¡¿()\[\]{}\"“”«»|\n\r\t…]+")
_SEP_RE = re.compile(r"[+*=_~^<>$%€#]+")
_DASH_RE = re.compile(r"\s*[-–—]+\s*")
_TOKEN_RE = re.compile(r"[a-z0-9]+|[&/,@]")
_DIGIT_RE = re.compile(r"\d")


def clean_text(text: str) -> str:
    """Fold a chat message and strip what must never become a place: URLs, times, highways.

    The returned string keeps clause breaks as ' , ' and '&', '/', '@' as separate tokens.
    """
    t = fold(text, keep_lines=True)
    if "http" in t or "www" in t:
        t = _URL_RE.sub(" , ", t)
    digits = _DIGIT_RE.search(t) is not None
    if digits:
        t = _TIME_RE.sub(" , ", t)
    t = _APOS_RE.sub(r"\1\2", t)
    if "." in t:
        t = _ABBR_DOT_RE.sub(r"\1 ", t)
    if digits:
        t = _HWY_RE.sub(" , ", t)
    if "&amp;" in t:
        t = t.replace("&amp;", "&")
    t = _BREAK_RE.sub(" , ", t)
    t = _SEP_RE.sub(" ", t)
    t = _DASH_RE.sub(" ", t)
    for ch in "&/@":
        t = t.replace(ch, f" {ch} ")
    return t


#: chat abbreviations of place words
ABBREV = {"univ": "university", "uni": "university", "ft": "fort", "mt": "mount", "mpls": "minneapolis",
          "stp": "saint paul", "mlk": "martin luther king", "hcmc": "hcmc", "hiway": "hwy",
          "lex": "lexington", "snell": "snelling", "bloom": "bloomington", "blmgtn": "bloomington",
          "chgo": "chicago", "nic": "nicollet", "cntrl": "central", "frnkln": "franklin", "av.": "av"}


def tokenize(text: str) -> list[str]:
    """Chat text -> tokens. Breaks become ',' tokens; 'st paul' -> 'saint paul'."""
    toks = []
    for t in _TOKEN_RE.findall(clean_text(text)):
        a = ABBREV.get(t)
        if a:
            toks.extend(a.split())
        else:
            toks.append(t)
    out: list[str] = []
    for i, tok in enumerate(toks):
        if tok in ("st", "saint", "sta", "santa", "san") and i + 1 < len(toks) and toks[i + 1] in SAINT_NAMES:
            tok = "saint"
        if tok == "," and (not out or out[-1] == ","):
            continue
        out.append(tok)
    return out


def phrase_key(text: str) -> str:
    """Normalise a place name for dictionary lookups:
    'Steven's Square - Loring Heights' -> 'stevens square loring heights'."""
    return " ".join(t for t in tokenize(text) if t not in (",", "&", "/", "@"))


def area_key(name: str) -> str:
    """Key for area names: ignore case, spaces, hyphens, accents, '/', apostrophes and dots."""
    return re.sub(r"[^a-z0-9]", "", fold(name).replace("&", "and"))


# --------------------------------------------------------------------------- street names

#: leading full-word directions that belong to the base name ("West River Pkwy") unless the base is numbered
_KEEP_DIR_IN_BASE = True


def _num_base(tok: str) -> str | None:
    o = ordinal(tok)
    if o is None:
        return None
    return str(o[0])


@lru_cache(maxsize=65536)
def parse_street(name: str) -> tuple[str, str, str] | None:
    """Parse a street name from the data or a chat phrase into (base, type, dir).

    'LAKE ST E' -> ('lake', 'st', 'e'); '7 St E' -> ('7', 'st', 'e'); '18TH AVE S' -> ('18', 'av', 's');
    'E 7th St' -> ('7', 'st', 'e'); 'W BROADWAY' -> ('broadway', '', 'w'); 'WEST RIVER PKWY S' ->
    ('west river', 'pkwy', 's'); 'Cesar Chavez' -> ('cesar chavez', '', ''). Ramps ('A TO B') -> None.
    """
    s = re.sub(r"\(.*?\)|#\s*\d+\w*", " ", name)
    toks = [t for t in tokenize(s) if t not in (",", "&", "/", "@")]
    if not toks or "to" in toks[1:-1]:
        return None
    # '36 1/2 AVE NE' comes out as ['36', '1', '2', 'av', 'ne']: keep '36h'
    if len(toks) >= 3 and toks[1] == "1" and toks[2] == "2" and toks[0].isdigit():
        toks = [toks[0] + "h"] + toks[3:]
    typ = ""
    d = ""
    # suffix direction
    if len(toks) > 1 and toks[-1] in DIRS and (len(toks[-1]) <= 2 or (len(toks) > 2 and toks[-2] in TYPES)):
        d = DIRS[toks[-1]]
        toks = toks[:-1]
    if len(toks) > 1 and toks[-1] in TYPES:
        typ = TYPES[toks[-1]]
        toks = toks[:-1]
    elif len(toks) > 1 and toks[0] in PRE_TYPES:
        typ = PRE_TYPES[toks[0]]
        toks = toks[1:]
    # prefix direction: single letters always; full words only before numbers and 'broadway'
    if len(toks) > 1 and toks[0] in DIRS:
        rest = toks[1:]
        if len(toks[0]) <= 2 or (len(rest) == 1 and (ordinal(rest[0]) is not None or rest[0] == "broadway")):
            if not d:
                d = DIRS[toks[0]]
            toks = rest
    if not toks:
        return None
    if len(toks) == 1:
        nb = _num_base(toks[0])
        if nb is not None:
            return nb, typ, d
    base = " ".join(toks)
    return base, typ, d


def display_street(base: str, typ: str, d: str) -> str:
    """('lake','st','e') -> 'Lake St E' (Metro Transit style: '7 St E', '18 Av S')."""
    if base == "broadway" and d == "w" and typ in ("", "av"):
        return "West Broadway"
    words = []
    for w in base.split():
        if w.endswith("h") and w[:-1].isdigit():
            words.append(w[:-1] + " 1/2")
        elif w.isdigit():
            words.append(w)
        elif w == "saint":
            words.append("St")
        else:
            words.append(w.capitalize())
    tname = {"st": "St", "av": "Av", "blvd": "Blvd", "pkwy": "Pkwy", "rd": "Rd", "dr": "Dr", "ln": "Ln",
             "pl": "Pl", "ct": "Ct", "cir": "Cir", "ter": "Ter", "way": "Way", "hwy": "Hwy", "trl": "Trl",
             "mall": "Mall", "plz": "Plaza", "cv": "Cv", "row": "Row", "aly": "Aly"}.get(typ, typ.capitalize())
    parts = [" ".join(words)]
    if tname:
        parts.append(tname)
    if d:
        parts.append(d.upper())
    return " ".join(parts)
