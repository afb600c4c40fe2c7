import re
from datetime import datetime, timedelta, timezone

import pytest

from alertrelay.bot.core.render import MAX_ALERT_CHARS, AlertFacts, render, reply_ack, reply_where

FACTS = AlertFacts(alert_id="a12", place="Lake St E & Bloomington Av S", area="East Phillips",
                   at=datetime(2026, 1, 13, 8, 33, tzinfo=timezone(timedelta(hours=-6))),
                   independent_reports=2, by_verifier=False, seen=("agents", "vehicles", "checkpoint", "arrest"))
PHONE = re.compile(r"\+?\d[\d\s-]{8,}\d")


@pytest.mark.parametrize("kind", ["alert", "all_clear", "update", "retraction"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_text_fits_two_sms_segments_and_names_the_alert(kind: str, lang: str) -> None:
    text = render(kind, FACTS, lang)
    assert len(text) <= MAX_ALERT_CHARS
    assert "a12" in text
    assert not PHONE.search(text)


def test_alert_says_what_where_when_how_many_and_rights() -> None:
    text = render("alert", FACTS, "en")
    assert "Lake St E & Bloomington Av S, East Phillips" in text
    assert "08:33" in text and "2 independent reports" in text
    assert "warrant" in text


def test_spanish_alert() -> None:
    text = render("alert", FACTS, "es")
    assert "Dónde" in text and "reportes independientes" in text and "juez" in text


def test_verifier_alert_says_so() -> None:
    facts = AlertFacts(**{**FACTS.__dict__, "by_verifier": True, "independent_reports": 1})
    assert "verifier" in render("alert", facts, "en")


def test_a_very_long_place_is_clipped() -> None:
    facts = AlertFacts(**{**FACTS.__dict__, "place": "X" * 500})
    assert len(render("alert", facts, "en")) == MAX_ALERT_CHARS


def test_replies() -> None:
    assert "1 of 2" in reply_ack("en", "Lake St E & 18 Av S", "East Phillips", 1, 2, "pending")
    assert "1 de 2" in reply_ack("es", "Lake St E & 18 Av S", None, 1, 2, "pending")
    assert "Verified" in reply_ack("en", "Lake St E & 18 Av S", None, 2, 2, "verified")
    assert "could not confirm" in reply_ack("en", "Lake St E & 18 Av S", None, 2, 2, "blocked")
    assert "cross streets" in reply_where("en") and "esquina" in reply_where("es")
