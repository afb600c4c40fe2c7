"""fold: the one folding the reader, the geocoder and the commands share (bot/core/text.py)."""

import pytest

from alertrelay.bot.core.text import fold, fold_char


@pytest.mark.parametrize("text, folded", [
    ("Straße", "strasse"),
    ("STRASSE", "strasse"),
    ("Ærø Ø", "aero o"),
    ("Œuvre Łódź", "oeuvre lodz"),
    ("Calle 38 Ñandú 🚨", "calle 38 nandu"),
    ("ÁGENTES\u200ben la 38", "agentes en la 38"),
    ("ICE  at\tLake\n\nSt", "ice at lake st"),
    ("they`re at O´Brien", "they're at o'brien"),
    ("a^b", "a b"),
    ("2ª calle, 3º piso", "2a calle, 3o piso"),
    ("¿están aquí?", "¿estan aqui?"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_keep_lines_keeps_one_line_break_per_run() -> None:
    assert fold("Lake St \n\r\n  Bloomington\u2028Ave\t 🚨 ", keep_lines=True) == "lake st\nbloomington\nave"
    assert fold("Lake St\nBloomington") == "lake st bloomington"


@pytest.mark.parametrize("text", ["ICE  at\tLake^St `now`", "Ya se fueron  😀 de la Lake", "ÁGENTES\u200ben la 38",
                                  "a^b`c"])
def test_the_ascii_fast_path_matches_the_general_path(text: str) -> None:
    """fold folds an ASCII message whole; any other one character by character: the same rules."""
    assert fold(text) == " ".join("".join(map(fold_char, text)).split())
    assert fold(text + "é") == fold(text) + "e"


def test_the_reader_and_the_geocoder_fold_alike() -> None:
    from alertrelay.bot.core.parsing import fold_for_reading
    from alertrelay.bot.geo.normalise import area_key, clean_text

    assert fold_for_reading("Straße") == "strasse"
    assert "strasse" in clean_text("Ärger an der Straße")
    assert area_key("Cedar–Riverside") == area_key("cedar riverside")
