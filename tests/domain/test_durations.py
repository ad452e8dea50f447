from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.durations import (
    MAX_DURATION,
    DurationError,
    DurationErrorCode,
    DurationUnit,
    format_duration,
    format_duration_parts,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1w2d3h4m", timedelta(weeks=1, days=2, hours=3, minutes=4)),
        ("2H", timedelta(hours=2)),
        ("1D12H", timedelta(days=1, hours=12)),
        (" 45m ", timedelta(minutes=45)),
        ("１０m", timedelta(minutes=10)),  # full-width digits, as phones sometimes type them
        ("١٠m", timedelta(minutes=10)),  # Arabic-Indic digits
        ("1m", timedelta(minutes=1)),
        ("366d", timedelta(days=366)),
        ("52w2d", timedelta(days=366)),
        ("90m", timedelta(minutes=90)),
    ],
)
def test_accepted_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("30x", DurationErrorCode.BAD_FORMAT),
        ("30", DurationErrorCode.BAD_FORMAT),
        ("", DurationErrorCode.BAD_FORMAT),
        ("h", DurationErrorCode.BAD_FORMAT),
        ("1h1h", DurationErrorCode.BAD_FORMAT),
        ("30m1h", DurationErrorCode.BAD_FORMAT),  # largest unit first
        ("1h 30m", DurationErrorCode.BAD_FORMAT),  # one token only
        ("1.5h", DurationErrorCode.BAD_FORMAT),
        ("30s", DurationErrorCode.BAD_FORMAT),  # Telegram ignores sub-30-second restrictions
        ("30м", DurationErrorCode.BAD_FORMAT),  # Cyrillic m: minutes or months?
        ("+1h", DurationErrorCode.BAD_FORMAT),
        ("-1h", DurationErrorCode.NOT_POSITIVE),
        ("−2d", DurationErrorCode.NOT_POSITIVE),  # typographic minus
        ("0m", DurationErrorCode.NOT_POSITIVE),
        ("0h0m", DurationErrorCode.NOT_POSITIVE),
        ("999d", DurationErrorCode.TOO_LONG),
        ("367d", DurationErrorCode.TOO_LONG),
        ("53w", DurationErrorCode.TOO_LONG),
        ("99999999999999999999999999w", DurationErrorCode.TOO_LONG),
    ],
)
def test_rejected_durations_carry_a_code_and_the_text(text: str, code: DurationErrorCode) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert caught.value.code is code
    assert caught.value.params["text"] == text
    if code is DurationErrorCode.TOO_LONG:
        assert caught.value.params["maximum"] == MAX_DURATION


def test_a_caller_may_set_a_lower_maximum() -> None:
    assert parse_duration("2h", maximum=timedelta(hours=2)) == timedelta(hours=2)
    with pytest.raises(DurationError) as caught:
        parse_duration("3h", maximum=timedelta(hours=2))
    assert caught.value.code is DurationErrorCode.TOO_LONG
    assert caught.value.params["maximum"] == timedelta(hours=2)


def test_parts_are_whole_units_largest_first() -> None:
    assert format_duration_parts(timedelta(minutes=90)) == [
        (DurationUnit.HOUR, 1),
        (DurationUnit.MINUTE, 30),
    ]
    assert format_duration_parts(timedelta(days=8)) == [
        (DurationUnit.WEEK, 1),
        (DurationUnit.DAY, 1),
    ]
    assert format_duration_parts(timedelta(hours=24)) == [(DurationUnit.DAY, 1)]
    assert format_duration_parts(timedelta(seconds=59)) == []
    assert format_duration_parts(timedelta(0)) == []
    with pytest.raises(ValueError):
        format_duration_parts(timedelta(minutes=-1))


def test_compact_form() -> None:
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    assert format_duration(timedelta(days=366)) == "52w2d"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=366 * 24 * 60))
def test_compact_form_reads_back(minutes: int) -> None:
    duration = timedelta(minutes=minutes)
    assert parse_duration(format_duration(duration)) == duration
    parts = format_duration_parts(duration)
    assert [unit for unit, _ in parts] == sorted(
        (unit for unit, _ in parts), key=list(DurationUnit).index
    )
    assert all(count > 0 for _, count in parts)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_any_text_parses_or_raises_a_duration_error(text: str) -> None:
    try:
        duration = parse_duration(text)
    except DurationError as error:
        assert error.code in set(DurationErrorCode)
    else:
        assert timedelta(minutes=1) <= duration <= MAX_DURATION
