"""Folding text before matching it: one definition for the reader, the geocoder and the commands.

Folded text is lowercase and plain: accents off ("Ñandú" → "nandu"), letters that carry no accent to take
off spelt in ASCII ("Straße" → "strasse", "Æ" → "ae", "Ø" → "o"), emoji, symbols and invisible
characters turned to spaces, a backtick or an acute accent typed for an apostrophe turned into one, and
runs of spaces collapsed. Punctuation stays: the reader splits sentences on it, the geocoder clauses.
"""

from __future__ import annotations

import functools
import unicodedata

from unidecode import unidecode

_APOSTROPHES = {"`": "'", "\u00b4": "'"}
"""Typed for an apostrophe ("they`re", "O´Brien"); NFKD would make the acute accent a space."""
_AS_SPACE = frozenset(("So", "Sk", "Cf", "Co", "Cs", "Cn"))
"""Emoji and other symbols, modifier symbols (^), format (zero-width) and unassigned characters; the
variation selector after an emoji is a mark (Mn) and goes with the accents."""
_ASCII_SYMBOLS = str.maketrans({"^": " ", "`": "'"})
"""What fold_char does to the ASCII characters among the above: nothing else in ASCII changes."""


@functools.lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character folded: what it contributes to fold's result (before spaces are collapsed)."""
    if ch.isascii():
        return ch.lower().translate(_ASCII_SYMBOLS)
    if ch in _APOSTROPHES:
        return _APOSTROPHES[ch]
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        category = unicodedata.category(part)
        if category == "Mn":  # the accent NFKD took off the letter
            continue
        if category in _AS_SPACE:
            out.append(" ")
            continue
        part = part.lower()
        if category.startswith("L") and not part.isascii():
            part = unidecode(part).lower() or part  # ß, æ, ø, ł: no accent to take off
        out.append(part)
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def fold(text: str, *, keep_lines: bool = False) -> str:
    """`text` folded (see the module docstring) and stripped. Every run of whitespace becomes one space;
    with keep_lines a run holding a line break becomes one newline instead (the geocoder reads a line
    break as the end of a clause; the reader reads a message as one line)."""
    if text.isascii():  # most messages: nothing to decompose, and the loop is the slow part
        folded = text.lower()
        if "^" in folded or "`" in folded:
            folded = folded.translate(_ASCII_SYMBOLS)
    else:
        folded = "".join(map(fold_char, text))
    if not keep_lines:
        return " ".join(folded.split())
    return "\n".join(" ".join(words) for words in map(str.split, folded.splitlines()) if words)
