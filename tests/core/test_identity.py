import pytest

from bot.identity import Identity, InvalidAddress, normalise_address, scrub_numbers


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
