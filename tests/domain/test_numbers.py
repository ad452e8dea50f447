"""The one parser for numbers people type: sizes, signs, scripts."""

from __future__ import annotations

import pytest

from bot.domain.numbers import MAX_ID, NumberError, as_id, is_number, parse_id, parse_int


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), (" #7 ", 7), ("٣", 3), ("٤٢", 42), ("３", 3), ("１２", 12), ("۵", 5), ("007", 7)],
)
def test_digits_of_every_script_read_as_numbers(text, value):
    assert is_number(text)
    assert parse_id(text) == value


@pytest.mark.parametrize("text", ["", "-", "abc", "1.5", "1e3", "²", "①", "12a", "--1", "1 2"])
def test_what_is_not_a_whole_number(text):
    assert not is_number(text)
    with pytest.raises(NumberError) as raised:
        parse_id(text)
    assert raised.value.code == "not_a_number"
    assert as_id(text) is None


@pytest.mark.parametrize(
    "text",
    ["0", "-5", "\u22125", "+0", str(MAX_ID + 1), "99999999999999999999", "1180591620717411303424",
     "9" * 5000],
)
def test_ids_that_name_nothing(text):
    assert is_number(text)
    with pytest.raises(NumberError) as raised:
        parse_id(text)
    assert raised.value.code == "no_such_number"
    assert as_id(text) is None


def test_the_largest_id_is_the_largest_bigint():
    assert parse_id(str(MAX_ID)) == 2**63 - 1


def test_ranges_are_inclusive_and_named_in_the_error():
    assert parse_int("-3", minimum=-3, maximum=3) == -3
    assert parse_int("+3", minimum=-3, maximum=3) == 3
    with pytest.raises(NumberError) as raised:
        parse_int("4", minimum=-3, maximum=3)
    assert raised.value.code == "out_of_range"
    assert raised.value.params == {"text": "4", "minimum": -3, "maximum": 3}
