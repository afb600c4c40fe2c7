import pytest

from alertrelay.bot.core.textsim import is_copy, similarity

ORIGINAL = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"


@pytest.mark.parametrize("copy", [
    ORIGINAL,
    ORIGINAL + " 🚨🚨",
    "pls share: " + ORIGINAL,
    ORIGINAL.upper() + "!!!",
    "URGENTE " + ORIGINAL + " SHARE WITH EVERYONE",
    ORIGINAL.replace(",", "").replace("&", "and"),
])
def test_copies_are_detected(copy: str) -> None:
    assert is_copy(copy, [ORIGINAL])


@pytest.mark.parametrize("independent", [
    "la migra en la franklin con chicago, estan parando a la gente en la parada",
    "confirmed, I see them too from across the street",
    "agents on franklin near chicago ave, two grey cars",
])
def test_independent_wording_is_not_a_copy(independent: str) -> None:
    assert not is_copy(independent, [ORIGINAL])


def test_short_texts_never_count_as_copies() -> None:
    assert not is_copy("ICE here", ["ICE here"])


def test_similarity_ignores_case_and_punctuation() -> None:
    assert similarity("ICE AT LAKE!!!", "ice at lake") == 1.0
