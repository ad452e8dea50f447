"""Weekly recurrences expanded DST-correctly from the creator's wall clock; overlap detection."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.scheduling import (
    MAX_OCCURRENCES,
    Recurrence,
    SchedulingError,
    SchedulingErrorCode,
    WallClockAdjustment,
    expand,
    find_overlaps,
    get_zone,
)
from bot.domain.scheduling.recurrence import ensure_no_overlap

HOUR = timedelta(hours=1)
ZONES = [
    "Europe/Berlin",
    "Europe/Paris",
    "Asia/Jerusalem",
    "America/New_York",
    "America/Santiago",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "Asia/Yerevan",
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def utc_starts(zone: str, wall: datetime, weeks: int) -> list[datetime]:
    return [o.start_utc for o in expand(wall, zone, HOUR, Recurrence(count=weeks))]


@pytest.mark.parametrize(
    ("zone", "first_wall", "expected_utc"),
    [
        # Europe: last Sunday of March (29 Mar 2026) and of October (25 Oct 2026).
        (
            "Europe/Berlin",
            datetime(2026, 3, 24, 18),
            [utc(2026, 3, 24, 17), utc(2026, 3, 31, 16)],
        ),
        (
            "Europe/Paris",
            datetime(2026, 10, 20, 18),
            [utc(2026, 10, 20, 16), utc(2026, 10, 27, 17)],
        ),
        # Israel: Friday before the last Sunday of March (27 Mar 2026); back on 25 Oct 2026.
        ("Asia/Jerusalem", datetime(2026, 3, 24, 18), [utc(2026, 3, 24, 16), utc(2026, 3, 31, 15)]),
        (
            "Asia/Jerusalem",
            datetime(2026, 10, 20, 18),
            [utc(2026, 10, 20, 15), utc(2026, 10, 27, 16)],
        ),
        # United States: second Sunday of March (8 Mar 2026), first Sunday of November (1 Nov).
        ("America/New_York", datetime(2026, 3, 3, 18), [utc(2026, 3, 3, 23), utc(2026, 3, 10, 22)]),
        (
            "America/New_York",
            datetime(2026, 10, 27, 18),
            [utc(2026, 10, 27, 22), utc(2026, 11, 3, 23)],
        ),
        # Chile (southern hemisphere): summer time ends 5 Apr 2026, starts 6 Sep 2026.
        (
            "America/Santiago",
            datetime(2026, 3, 31, 18),
            [utc(2026, 3, 31, 21), utc(2026, 4, 7, 22)],
        ),
        ("America/Santiago", datetime(2026, 9, 1, 18), [utc(2026, 9, 1, 22), utc(2026, 9, 8, 21)]),
        # No DST: the UTC time never moves.
        ("Asia/Yerevan", datetime(2026, 3, 24, 18), [utc(2026, 3, 24, 14), utc(2026, 3, 31, 14)]),
        (
            "Asia/Kathmandu",
            datetime(2026, 3, 24, 18),
            [utc(2026, 3, 24, 12, 15), utc(2026, 3, 31, 12, 15)],
        ),
        (
            "Asia/Tehran",
            datetime(2026, 3, 17, 18),
            [utc(2026, 3, 17, 14, 30), utc(2026, 3, 24, 14, 30)],
        ),
    ],
)
def test_weekly_session_keeps_its_wall_clock_time_across_dst(
    zone: str, first_wall: datetime, expected_utc: list[datetime]
) -> None:
    occurrences = expand(first_wall, zone, HOUR, Recurrence(count=2))
    assert [o.start_utc for o in occurrences] == expected_utc
    assert [o.local_start.replace(tzinfo=None) for o in occurrences] == [
        first_wall,
        first_wall + timedelta(weeks=1),
    ]
    assert all(o.adjustment is WallClockAdjustment.NONE for o in occurrences)


def test_a_session_spanning_the_change_lasts_its_real_duration() -> None:
    # 01:30 Berlin on the spring-forward night, two hours long: ends 04:30 local, 2 real hours.
    (only,) = expand(datetime(2026, 3, 29, 1, 30), "Europe/Berlin", 2 * HOUR)
    assert only.end_utc - only.start_utc == 2 * HOUR
    assert only.end_utc.astimezone(get_zone("Europe/Berlin")).strftime("%H:%M") == "04:30"


@pytest.mark.parametrize(
    ("zone", "first_wall", "gap_index"),
    [
        ("Europe/Berlin", datetime(2026, 3, 15, 2, 30), 2),  # 29 Mar 2026
        ("America/New_York", datetime(2026, 2, 22, 2, 30), 2),  # 8 Mar 2026
    ],
)
def test_0230_on_the_spring_forward_night_moves_to_0330_only_that_week(
    zone: str, first_wall: datetime, gap_index: int
) -> None:
    occurrences = expand(first_wall, zone, HOUR, Recurrence(count=4))
    local_times = [o.local_start.strftime("%H:%M") for o in occurrences]
    assert local_times == ["02:30", "02:30", "03:30", "02:30"]
    assert [o.adjusted for o in occurrences] == [i == gap_index for i in range(4)]
    shifted = occurrences[gap_index]
    assert shifted.local_start.date() == (first_wall + timedelta(weeks=gap_index)).date()
    # and it is a real instant one hour (the gap) after the wall-clock reading under the old offset
    assert occurrences[gap_index].end_utc - occurrences[gap_index].start_utc == HOUR


def test_0230_on_the_fall_back_night_is_the_first_of_the_two() -> None:
    occurrences = expand(datetime(2026, 10, 18, 2, 30), "Europe/Berlin", HOUR, Recurrence(count=2))
    assert occurrences[1].adjustment is WallClockAdjustment.AMBIGUOUS_FIRST
    assert occurrences[1].start_utc == utc(2026, 10, 25, 0, 30)  # still CEST (+02:00)


def test_every_two_weeks_until_an_inclusive_local_date() -> None:
    occurrences = expand(
        datetime(2026, 3, 3, 19),
        "Asia/Yerevan",
        HOUR,
        Recurrence(freq_weeks=2, until_local_date=date(2026, 4, 14)),
    )
    assert [o.local_start.date() for o in occurrences] == [
        date(2026, 3, 3),
        date(2026, 3, 17),
        date(2026, 3, 31),
        date(2026, 4, 14),
    ]


def test_until_date_is_read_as_a_local_date() -> None:
    # 23:30 in Kathmandu is 17:45 UTC of the same day; the until date is the Kathmandu date.
    occurrences = expand(
        datetime(2026, 3, 3, 23, 30),
        "Asia/Kathmandu",
        HOUR,
        Recurrence(until_local_date=date(2026, 3, 10)),
    )
    assert [o.start_utc for o in occurrences] == [utc(2026, 3, 3, 17, 45), utc(2026, 3, 10, 17, 45)]


def test_one_off_session() -> None:
    (only,) = expand(datetime(2026, 3, 3, 19), "Asia/Tehran", 90 * timedelta(minutes=1))
    assert (only.start_utc, only.end_utc) == (utc(2026, 3, 3, 15, 30), utc(2026, 3, 3, 17))


def test_recurrence_without_an_end_is_refused() -> None:
    with pytest.raises(SchedulingError) as caught:
        Recurrence(freq_weeks=1)
    assert caught.value.code is SchedulingErrorCode.NO_RECURRENCE_END


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"freq_weeks": 0, "count": 3}, "freq_weeks"),
        ({"freq_weeks": 53, "count": 3}, "freq_weeks"),
        ({"count": 0}, "count"),
        ({"count": 3, "until_local_date": date(2026, 5, 1)}, "count_and_until"),
    ],
)
def test_bad_recurrence(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(SchedulingError) as caught:
        Recurrence(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code is SchedulingErrorCode.BAD_RECURRENCE
    assert caught.value.params["field"] == field


def test_until_before_the_first_session_is_end_before_start() -> None:
    with pytest.raises(SchedulingError) as caught:
        expand(datetime(2026, 3, 3, 19), "UTC", HOUR, Recurrence(until_local_date=date(2026, 3, 2)))
    assert caught.value.code is SchedulingErrorCode.END_BEFORE_START
    assert caught.value.params["until_local_date"] == date(2026, 3, 2)


def test_occurrences_are_capped() -> None:
    assert (
        len(expand(datetime(2026, 3, 3, 19), "UTC", HOUR, Recurrence(count=MAX_OCCURRENCES))) == 104
    )
    with pytest.raises(SchedulingError) as caught:
        expand(datetime(2026, 3, 3, 19), "UTC", HOUR, Recurrence(count=MAX_OCCURRENCES + 1))
    assert caught.value.code is SchedulingErrorCode.TOO_MANY_OCCURRENCES
    assert caught.value.params == {"limit": 104, "requested": 105}
    with pytest.raises(SchedulingError) as caught:
        expand(datetime(2026, 3, 3, 19), "UTC", HOUR, Recurrence(until_local_date=date(2030, 1, 1)))
    assert caught.value.code is SchedulingErrorCode.TOO_MANY_OCCURRENCES
    assert caught.value.params["requested"] == 201


@pytest.mark.parametrize("minutes", [0, -30])
def test_duration_must_be_positive(minutes: int) -> None:
    with pytest.raises(SchedulingError) as caught:
        expand(datetime(2026, 3, 3, 19), "UTC", timedelta(minutes=minutes))
    assert caught.value.code is SchedulingErrorCode.BAD_DURATION


def test_unknown_zone_in_expand() -> None:
    with pytest.raises(SchedulingError) as caught:
        expand(datetime(2026, 3, 3, 19), "Europe/Atlantis", HOUR)
    assert caught.value.code is SchedulingErrorCode.UNKNOWN_ZONE


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    first_day=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    freq_weeks=st.integers(1, 4),
    count=st.integers(1, 30),
)
def test_every_occurrence_keeps_the_requested_wall_clock_time_except_in_gaps(
    zone: str, first_day: date, hour: int, minute: int, freq_weeks: int, count: int
) -> None:
    wall = datetime(first_day.year, first_day.month, first_day.day, hour, minute)
    occurrences = expand(wall, zone, HOUR, Recurrence(freq_weeks=freq_weeks, count=count))
    tz = get_zone(zone)
    assert len(occurrences) == count
    for index, occurrence in enumerate(occurrences):
        requested = wall + timedelta(weeks=index * freq_weeks)
        local = occurrence.start_utc.astimezone(tz).replace(tzinfo=None)
        assert occurrence.local_start.replace(tzinfo=None) == local
        if occurrence.adjusted:
            # documented gap rule: the reading did not exist and moved forward by the gap
            assert (
                requested.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
                != requested
            )
            assert timedelta(0) < local - requested <= 2 * HOUR
        else:
            assert local == requested
        assert occurrence.end_utc - occurrence.start_utc == HOUR
    assert all(a.start_utc < b.start_utc for a, b in pairwise(occurrences))


def test_find_overlaps_uses_half_open_spans() -> None:
    existing = [
        (utc(2026, 3, 3, 18), utc(2026, 3, 3, 19)),
        (utc(2026, 3, 10, 18), utc(2026, 3, 10, 20)),
        (utc(2026, 3, 17, 0), utc(2026, 3, 18, 0)),
    ]
    new = [
        (utc(2026, 3, 3, 19), utc(2026, 3, 3, 20)),  # back to back: fine
        (utc(2026, 3, 10, 19), utc(2026, 3, 10, 21)),  # clashes with [1]
        (utc(2026, 3, 17, 10), utc(2026, 3, 17, 11)),  # inside [2]
        (utc(2026, 3, 2, 17), utc(2026, 3, 3, 18)),  # ends when [0] starts: fine
    ]
    assert find_overlaps(new, existing) == [(1, 1), (2, 2)]
    assert find_overlaps(new, []) == []


def test_find_overlaps_agrees_with_brute_force() -> None:
    base = utc(2026, 3, 1)
    existing = [
        (base + timedelta(hours=7 * i), base + timedelta(hours=7 * i + 3)) for i in range(50)
    ]
    new = [(base + timedelta(hours=5 * i), base + timedelta(hours=5 * i + 2)) for i in range(70)]
    brute = sorted(
        (i, j)
        for i, (ns, ne) in enumerate(new)
        for j, (es, ee) in enumerate(existing)
        if ns < ee and es < ne
    )
    assert brute  # the data really contains clashes
    assert find_overlaps(new, existing) == brute


def test_ensure_no_overlap_reports_the_earliest_clash() -> None:
    series = expand(datetime(2026, 3, 3, 19), "Asia/Yerevan", HOUR, Recurrence(count=5))
    existing = [(utc(2026, 3, 24, 15, 30), utc(2026, 3, 24, 16, 30))]
    with pytest.raises(SchedulingError) as caught:
        ensure_no_overlap([o.span for o in series], existing)
    assert caught.value.code is SchedulingErrorCode.OVERLAP
    assert caught.value.params["new_index"] == 3
    assert caught.value.params["new_start_utc"] == utc(2026, 3, 24, 15)
    assert caught.value.params["existing_start_utc"] == utc(2026, 3, 24, 15, 30)
    ensure_no_overlap([o.span for o in series], [])  # nothing to clash with: no error
