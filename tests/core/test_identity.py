import pytest

from alertrelay.bot.errors import InvalidAddress
from alertrelay.bot.identity import Identity, normalise_address, scrub_numbers


@pytest.mark.parametrize("raw", ["+16125550101", "whatsapp:+16125550101", "(612) 555-0101", "612-555-0101",
                                 "+1 612 555 0101", "sms:+16125550101"])
def test_one_person_one_canonical_address(raw: str) -> None:
    assert normalise_address(raw) == "+16125550101"


def test_uuid_is_lowercased() -> None:
    assert normalise_address("3F2504E0-4F89-11D3-9A0C-0305E82C3301") == "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def test_the_same_person_on_two_channels_is_one_reporter() -> None:
    ident = Identity(b"k")
    assert ident.pseudonym("whatsapp:+16125550101") == ident.pseudonym("+16125550101")
    assert ident.pseudonym("+16125550101") != ident.pseudonym("+16125550102")
    assert "6125550101" not in ident.pseudonym("+16125550101")


def test_pseudonyms_depend_on_the_key() -> None:
    assert Identity(b"a").pseudonym("+16125550101") != Identity(b"b").pseudonym("+16125550101")


def test_sealed_addresses_open_only_with_the_key() -> None:
    token = Identity(b"a").seal("+16125550101")
    assert "6125550101" not in token
    assert Identity(b"a").unseal(token) == "+16125550101"
    with pytest.raises(InvalidAddress):
        Identity(b"b").unseal(token)


@pytest.mark.parametrize("bad", ["", "hello", "123", "+1234567890123456789"])
def test_invalid_addresses(bad: str) -> None:
    with pytest.raises(InvalidAddress):
        normalise_address(bad)


def test_numbers_typed_in_messages_are_scrubbed() -> None:
    assert scrub_numbers("call me 612-555-0101 or +1 (651) 555 0102") == "call me [number] or [number]"
    assert scrub_numbers("ICE at Lake & 18th, 3 cars at 12:37") == "ICE at Lake & 18th, 3 cars at 12:37"


def test_coordinates_typed_in_messages_are_not_taken_for_numbers() -> None:
    for text in ("ICE at 44.9486 -93.2518 now", "polygon -93.27 44.94; -93.24 44.94; -93.24 44.96",
                 "/place add la tiendita 44.93,-93.26", "44.95,-93.26 600"):
        assert scrub_numbers(text) == text


def test_a_commands_number_is_sealed_not_dropped() -> None:
    ident = Identity(b"k")
    scrubbed = scrub_numbers("/verifier add +1 612 555 0101", seal=ident.seal)
    assert "6125550101" not in scrubbed and "[sealed:" in scrubbed


# --- issue 9: numbers are not phone numbers --------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "3 agents at 10:30 outside the Cub",
    "they left at 2:45pm, 2 vans",
    "hace 10 min en la 38",
    "gone, 10-15 min ago",
    "between 10:30 and 11:15",
    "10:30-11:45 at the corner",
    "2 SUVs at 3800 Bloomington Av S",
    "3800 Bloomington Av S, Minneapolis 55407",
    "seen 12/02/2026 at 7:40",
    "12/02/2026 10:30 Lake St & 35th",
    "Lake St & 35th, 4 cars",
    "44.95,-93.26",
    "ICE 44.9486, -93.2518 hace 5 min",
    "routes 5 14 18 21 and 22",
    "badge 0123456789",
    "call 555-0100",  # no area code: not a number we could reach anyone at
    # digits in a row that the old pattern took for one number
    "2026-02-12 10:30 55407",
    "Lake St & 35th 3800 3900 10:30",
    "unit 2026 0015 0030",
])
def test_times_addresses_zips_dates_and_coordinates_are_left_as_written(text: str) -> None:
    assert scrub_numbers(text) == text


@pytest.mark.parametrize("text, scrubbed", [
    ("call (612) 555-0101", "call [number]"),
    ("text 612.555.0101 now", "text [number] now"),
    ("612 555 0101", "[number]"),
    ("6125550101!", "[number]!"),
    ("+1 612 555 0101 or 1-651-555-0102", "[number] or [number]"),
    ("+16125550101", "[number]"),
    ("+1 555 555 0100 (not a real one)", "[number] (not a real one)"),
    ("mi cel +52 55 1234 5678", "mi cel [number]"),
    ("mi cel +52 1 55 1234 5678", "mi cel [number]"),
    ("uk +44 20 7946 0958 / 0044 20 7946 0958", "uk [number] / [number]"),
    ("llama al +34 612 34 56 78", "llama al [number]"),
])
def test_phone_numbers_in_their_usual_spellings_are_scrubbed(text: str, scrubbed: str) -> None:
    assert scrub_numbers(text) == scrubbed


@pytest.mark.parametrize("text, scrubbed", [
    ("612 555 0101 3 vans at 10:30", "[number] 3 vans at 10:30"),
    ("(612) 555-0101 2 agents", "[number] 2 agents"),
    ("3 cars, 612 555 0101 hace 10 min", "3 cars, [number] hace 10 min"),
    ("+52 55 1234 5678 10:30", "[number] 10:30"),
    ("12/02/2026 10:30 612 555 0101", "12/02/2026 10:30 [number]"),
    ("44.9486 -93.2518 612 555 0101", "44.9486 -93.2518 [number]"),
])
def test_a_number_next_to_other_numbers_is_found_and_only_it_is_scrubbed(text: str, scrubbed: str) -> None:
    assert scrub_numbers(text) == scrubbed


def test_a_sealed_number_opens_to_what_was_written_and_the_rest_stays() -> None:
    ident = Identity(b"k")
    text = "/derechos poner es a las 10:30 llame al 0044 20 7946 0958 o al (612) 555-0100"
    sealed = scrub_numbers(text, seal=ident.seal)
    assert "7946" not in sealed and "555" not in sealed and sealed.count("[sealed:") == 2
    assert "a las 10:30 llame al" in sealed
    assert ident.unseal_text(sealed) == text


@pytest.mark.parametrize("forms, canonical", [
    (["(612) 555-0100", "+1 612-555-0100", "whatsapp:+16125550100", "1.612.555.0100", "tel:6125550100"],
     "+16125550100"),
    # Mexican mobiles with and without the old "1" after +52
    (["+52 1 55 1234 5678", "+52 55 1234 5678", "whatsapp:+5215512345678", "0052 55 1234 5678"],
     "+525512345678"),
    (["0044 20 7946 0958", "+44 20 7946 0958", "011 44 20 7946 0958", "+44 (0)20 7946 0958"],
     "+442079460958"),
    (["+34 612 34 56 78", "0034 612345678", "sms:+34612345678"], "+34612345678"),
    (["+1 555 555 0100", "555-555-0100"], "+15555550100"),  # fictional, still one person
])
def test_one_person_is_one_e164_number_whichever_way_it_is_written(forms: list[str], canonical: str) -> None:
    assert {normalise_address(form) for form in forms} == {canonical}
    ident = Identity(b"k")
    assert len({ident.pseudonym(form) for form in forms}) == 1


# without a + a number is read as North American: "4917612345678" is not taken for a German one
@pytest.mark.parametrize("bad", ["555-0100", "0123456789", "call 612 555 0100", "1-800-FLOWERS",
                                 "+52 55 1234", "4917612345678"])
def test_what_is_not_a_whole_number_is_refused(bad: str) -> None:
    with pytest.raises(InvalidAddress):
        normalise_address(bad)
