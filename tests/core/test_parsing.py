import pytest

from bot.core.models import Kind
from bot.core.parsing import detect_language, fold, parse

REPORTS = [
    "ICE agents at Chicago and Franklin right now",
    "ice at franklin & chicago rn, 3 vans",
    "2 unmarked black SUVs parked outside the laundromat on Nicollet",
    "guys in vests checking IDs at the bus stop on Lake",
    "agentes de inmigración en la Lake y Nicollet ahorita",
    "la migra esta en la 38 y chicago!!! 🚨",
    "hay migra afuera de la tienda en la Central",
    "camionetas sin placas paradas en la Franklin",
    "ICE stopping cars on Cedar Ave by 24th",
    "Border Patrol truck at University & Snelling",
    "federales pidiendo papeles en la parada de la 5",
    "Agents detained a man at the corner of Lake & 4th Ave",
    "ICE RAID AT THE MARKET ON LAKE",
    "migra en el estacionamiento del super, 2 trocas negras",
    "confirmed, i see them too",
    "Confirmado, los estoy viendo desde la parada",
    "same here, 4 cars with tinted windows",
    "yo tambien los vi en la esquina",
    "ICE en Powderhorn ahorita, cuidado",
    "officers in vests going door to door on 15th ave",
    "ICE at 38th & Bloomington. anyone else see?",
    "estan ahi enfrente del super, 3 camionetas",
]
ALL_CLEARS = [
    "they left, all clear at franklin & chicago",
    "ya se fueron de la 38",
    "Ya no estan, se fueron por la Lake",
    "all clear on Lake St",
    "the SUVs are gone now",
    "they're gone from the station",
    "todo tranquilo ya en la Central",
    "agents just left westbound on Franklin",
]
DISPUTES = [
    "that's fake, I'm at Franklin & Chicago and there's nothing",
    "no es cierto, yo estoy ahi y no hay nada",
    "NOT ICE, just metro transit doing fare checks",
    "drove past 2 min ago, nothing unusual",
    "this is a hoax, do not forward",
    "mentira, no hay migra en la 38",
]
QUESTIONS = [
    "is ICE still at Lake & Chicago?",
    "siguen en la 38 y chicago?",
    "Alguien sabe si hay migra en la Lake?",
    "ICE at the Cub?? someone posted it on facebook",
    "is this happening now?",
    "que pasa en la Franklin??",
    "heard there's ICE on Nicollet, can anyone check",
    "me llegaron mensajes de que hay migra en la Central",
]
PAST = [
    "yesterday ICE took 2 people from the corner of Lake & 4th",
    "ayer vi a la migra en la 38 y chicago",
    "this morning there were agents at the market on Lake",
    "hace 3 horas habia migra en la Franklin",
    "last night agents were at Cedar & Riverside",
    "esta mañana estaban los agentes en la parada",
]
CHATTER = [
    "good morning everyone",
    "gracias 🙏",
    "❤️❤️",
    "reminder: film the vehicles, not people's faces",
    "know your rights cards are at the library on Franklin",
    "i'll take the 5 bus down Chicago today",
    "black ice on lake st this morning, be careful walking",
    "real estate agents showing houses on 38th all day lol",
    "quiet on Lake today",
    "la voy a llevar por la 38",
    "thanks for the alert, stayed home",
    "",
]


@pytest.mark.parametrize("text", REPORTS)
def test_reports(text: str) -> None:
    assert parse(text).kind is Kind.REPORT


@pytest.mark.parametrize("text", ALL_CLEARS)
def test_all_clears(text: str) -> None:
    assert parse(text).kind is Kind.ALL_CLEAR


@pytest.mark.parametrize("text", DISPUTES)
def test_disputes(text: str) -> None:
    assert parse(text).kind is Kind.DISPUTE


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_and_hearsay(text: str) -> None:
    assert parse(text).kind is Kind.QUESTION


@pytest.mark.parametrize("text", PAST)
def test_past(text: str) -> None:
    assert parse(text).kind is Kind.PAST


@pytest.mark.parametrize("text", CHATTER)
def test_chatter(text: str) -> None:
    assert parse(text).kind is Kind.CHATTER


@pytest.mark.parametrize("text", ["/subscribe Seward", "/AREAS", " /ayuda", "/place add la tiendita 44.9,-93.2"])
def test_commands(text: str) -> None:
    assert parse(text).kind is Kind.COMMAND


def test_a_pin_without_text_is_a_report() -> None:
    assert parse("", has_location=True).kind is Kind.REPORT


def test_confirmation_flag() -> None:
    assert parse("confirmed, I see them too").confirmation
    assert not parse("ICE at Lake & Chicago").confirmation


@pytest.mark.parametrize("text,lang", [
    ("hay migra en la esquina de la 38 y chicago", "es"),
    ("ICE at Lake and Chicago right now", "en"),
    ("be careful!! ICE parando gente q sale del super", "es"),
    ("they're still there, 3 cars", "en"),
])
def test_language(text: str, lang: str) -> None:
    assert detect_language(fold(text)) == lang


def test_what_was_seen() -> None:
    parsed = parse("2 unmarked SUVs and agents checking IDs at the bus stop")
    assert set(parsed.seen) >= {"vehicles", "agents", "checkpoint"}


def test_typos_emoji_and_caps_fold() -> None:
    assert fold("ÁGENTES  en la   Lake 🚨🚨") == "agentes en la lake"
    assert parse("AGENTES DE LA MIGRA EN LA LAKE 🚨🚨🚨").kind is Kind.REPORT


def test_time_cue_is_extracted() -> None:
    assert parse("ayer vi a la migra en la 38").time_cue == "ayer"
    assert parse("ICE leaving the building at 12:37").time_cue == "12:37"
