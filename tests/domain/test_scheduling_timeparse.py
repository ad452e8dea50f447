"""Typed dates and times in the organizer's zone, time-zone lookup and the DST wall-clock rule."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.scheduling import (
    SchedulingError,
    SchedulingErrorCode,
    WallClockAdjustment,
    canonical_zone_name,
    get_zone,
    local_times_for_zones,
    parse_date,
    parse_local_datetime,
    parse_time_of_day,
    resolve_wall_clock,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("19:00", time(19)), ("9:05", time(9, 5)), (" 00:00 ", time(0)), ("１９：３０", time(19, 30))],
)
def test_time_of_day_accepts_24_hour_clock(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "12:60", "99:99"])
def test_impossible_clock_reading_is_bad_time(text: str) -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_time_of_day(text)
    assert caught.value.code is SchedulingErrorCode.BAD_TIME
    assert caught.value.params["text"] == text


@pytest.mark.parametrize("text", ["7pm", "19", "19:0", "19h00", "", "noon"])
def test_unrecognised_time_is_bad_format(text: str) -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_time_of_day(text)
    assert caught.value.code is SchedulingErrorCode.BAD_FORMAT
    assert caught.value.params == {"text": text, "expected": "time"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-03", date(2026, 3, 3)),
        ("03.03.2026", date(2026, 3, 3)),
        ("3.4.2026", date(2026, 4, 3)),  # day first
        ("3.4", date(2026, 4, 3)),
        ("3.4.", date(2026, 4, 3)),
        ("1.3", date(2026, 3, 1)),  # today counts as "not before today"
        ("28.2", date(2027, 2, 28)),  # already passed this year
        ("29.2", date(2028, 2, 29)),  # next leap day
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, today=date(2026, 3, 1)) == expected


@pytest.mark.parametrize("text", ["31.02.2026", "2026-02-29", "2026-13-01", "00.01.2026", "30.2"])
def test_nonexistent_calendar_day_is_bad_date(text: str) -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_date(text, today=date(2026, 3, 1))
    assert caught.value.code is SchedulingErrorCode.BAD_DATE


@pytest.mark.parametrize("text", ["3/4/2026", "3/4", "March 3", "2026.03.03", "tomorrow"])
def test_ambiguous_or_unknown_date_shapes_are_refused(text: str) -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_date(text, today=date(2026, 3, 1))
    assert caught.value.code is SchedulingErrorCode.BAD_FORMAT


@pytest.mark.parametrize(
    ("text", "zone", "expected_utc"),
    [
        ("2026-03-03 19:00", "Asia/Yerevan", utc(2026, 3, 3, 15)),
        ("2026-03-03T19:00", "Asia/Yerevan", utc(2026, 3, 3, 15)),
        ("03.03.2026 19:00", "Asia/Kathmandu", utc(2026, 3, 3, 13, 15)),  # +05:45
        ("3.3 19:00", "Asia/Tehran", utc(2026, 3, 3, 15, 30)),  # +03:30
        ("٣.٣.٢٠٢٦  ١٩:٠٠", "Asia/Tehran", utc(2026, 3, 3, 15, 30)),  # Arabic-Indic digits
        ("2026-07-03 19:00", "America/New_York", utc(2026, 7, 3, 23)),  # EDT
        ("2026-07-03 19:00", "America/Santiago", utc(2026, 7, 3, 23)),  # southern winter, -04
        ("2026-03-03 19:00", "america/santiago", utc(2026, 3, 3, 22)),  # southern summer, -03
    ],
)
def test_local_datetime_becomes_utc(text: str, zone: str, expected_utc: datetime) -> None:
    resolved = parse_local_datetime(text, zone, NOW)
    assert resolved.utc == expected_utc
    assert resolved.utc.tzinfo is UTC
    assert resolved.local.hour == 19 and resolved.local.minute == 0
    assert resolved.adjustment is WallClockAdjustment.NONE


def test_start_in_the_past_is_refused() -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_local_datetime("2026-03-01 15:59", "Asia/Yerevan", NOW)  # 11:59 UTC
    assert caught.value.code is SchedulingErrorCode.IN_PAST
    assert caught.value.params["start_utc"] == utc(2026, 3, 1, 11, 59)


def test_start_exactly_now_counts_as_past() -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_local_datetime("2026-03-01 16:00", "Asia/Yerevan", NOW)
    assert caught.value.code is SchedulingErrorCode.IN_PAST


def test_year_less_date_is_read_in_the_organizers_zone() -> None:
    # 23:30 UTC on 1 March is already 2 March in Yerevan, so "1.3" means next year there.
    late = utc(2026, 3, 1, 23, 30)
    assert parse_local_datetime("1.3 23:50", "UTC", late).utc == utc(2026, 3, 1, 23, 50)
    assert parse_local_datetime("1.3 10:00", "Asia/Yerevan", late).utc == utc(2027, 3, 1, 6)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-03-03 25:00", SchedulingErrorCode.BAD_TIME),
        ("31.02.2026 19:00", SchedulingErrorCode.BAD_DATE),
        ("19:00", SchedulingErrorCode.BAD_FORMAT),
        ("3/3 19:00", SchedulingErrorCode.BAD_FORMAT),
        ("2026-03-03", SchedulingErrorCode.BAD_FORMAT),
    ],
)
def test_bad_datetime_text(text: str, code: SchedulingErrorCode) -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_local_datetime(text, "Europe/Berlin", NOW)
    assert caught.value.code is code
    if code is SchedulingErrorCode.BAD_FORMAT:
        assert caught.value.params == {"text": text, "expected": "datetime"}


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "America", "../etc/passwd", "/etc/localtime"])
def test_unknown_zone(zone: str) -> None:
    with pytest.raises(SchedulingError) as caught:
        parse_local_datetime("2026-03-03 19:00", zone, NOW)
    assert caught.value.code is SchedulingErrorCode.UNKNOWN_ZONE
    assert caught.value.params == {"zone": zone}


def test_zone_names_are_stored_in_iana_spelling() -> None:
    assert canonical_zone_name(" asia/yerevan ") == "Asia/Yerevan"
    assert get_zone("EUROPE/BERLIN").key == "Europe/Berlin"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_local_datetime("2026-03-03 19:00", "UTC", datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("zone", "wall", "expected_local", "expected_utc"),
    [
        # Spring forward: 02:00 -> 03:00, so 02:30 does not exist and moves forward by the gap.
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 2, 30),
            datetime(2026, 3, 29, 3, 30),
            utc(2026, 3, 29, 1, 30),
        ),
        (
            "America/New_York",
            datetime(2026, 3, 8, 2, 30),
            datetime(2026, 3, 8, 3, 30),
            utc(2026, 3, 8, 7, 30),
        ),
        # Santiago springs forward at 24:00 on the first Saturday of September.
        (
            "America/Santiago",
            datetime(2026, 9, 6, 0, 30),
            datetime(2026, 9, 6, 1, 30),
            utc(2026, 9, 6, 4, 30),
        ),
    ],
)
def test_wall_clock_in_a_dst_gap_moves_forward_and_is_flagged(
    zone: str, wall: datetime, expected_local: datetime, expected_utc: datetime
) -> None:
    resolved = resolve_wall_clock(wall, zone)
    assert resolved.adjustment is WallClockAdjustment.SHIFTED_FORWARD
    assert resolved.adjusted
    assert resolved.local.replace(tzinfo=None) == expected_local
    assert resolved.utc == expected_utc


def test_gap_is_flagged_through_parse_too() -> None:
    resolved = parse_local_datetime("29.03.2026 02:30", "Europe/Berlin", NOW)
    assert resolved.adjusted
    assert resolved.local.strftime("%H:%M") == "03:30"


@pytest.mark.parametrize(
    ("zone", "wall", "first_utc"),
    [
        ("Europe/Berlin", datetime(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30)),
        ("America/New_York", datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)),
        ("Asia/Jerusalem", datetime(2026, 10, 25, 1, 30), utc(2026, 10, 24, 22, 30)),
    ],
)
def test_ambiguous_wall_clock_means_the_first_occurrence(
    zone: str, wall: datetime, first_utc: datetime
) -> None:
    resolved = resolve_wall_clock(wall, zone)
    assert resolved.adjustment is WallClockAdjustment.AMBIGUOUS_FIRST
    assert not resolved.adjusted  # the clock reading is the one asked for
    assert resolved.local.replace(tzinfo=None) == wall
    assert resolved.utc == first_utc
    # the second occurrence is one hour later, so "first" really is the earlier one
    assert wall.replace(tzinfo=get_zone(zone), fold=1).astimezone(UTC) == first_utc + timedelta(
        hours=1
    )


def test_local_times_merge_zones_sharing_an_offset_and_sort_by_clock() -> None:
    moment = utc(2026, 3, 3, 16)
    shown = local_times_for_zones(
        moment, ["Asia/Yerevan", "Europe/Berlin", "Europe/Paris", "Asia/Kathmandu", "Europe/Berlin"]
    )
    assert [(z.zones, z.local.strftime("%H:%M")) for z in shown] == [
        (("Europe/Berlin", "Europe/Paris"), "17:00"),
        (("Asia/Yerevan",), "20:00"),
        (("Asia/Kathmandu",), "21:45"),
    ]
    assert all(z.local == moment for z in shown)
