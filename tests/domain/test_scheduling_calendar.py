"""/calendar .ics export: stable UIDs, SEQUENCE, cancellations, zones, and a clean round trip."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from bot.domain.scheduling import (
    EventStatus,
    IcsEvent,
    SchedulingError,
    SchedulingErrorCode,
    build_calendar,
    session_uid,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def event(
    session_id: int,
    start: datetime,
    zone: str,
    *,
    sequence: int = 0,
    status: EventStatus = EventStatus.CONFIRMED,
    title: str = "Dialogue session",
    description: str = "",
) -> IcsEvent:
    return IcsEvent(
        uid=session_uid(session_id),
        sequence=sequence,
        start_utc=start,
        end_utc=start + 90 * timedelta(minutes=1),
        title=title,
        description=description,
        status=status,
        zone_name=zone,
    )


EVENTS = [
    event(1, datetime(2026, 3, 24, 17, tzinfo=UTC), "Europe/Berlin"),  # CET
    event(2, datetime(2026, 3, 31, 16, tzinfo=UTC), "Europe/Berlin", sequence=2),  # CEST
    event(3, datetime(2026, 4, 7, 16, tzinfo=UTC), "Asia/Kathmandu", status=EventStatus.CANCELLED),
    event(4, datetime(2026, 4, 7, 22, tzinfo=UTC), "America/Santiago"),  # after summer time ends
    event(5, datetime(2026, 4, 14, 15, 30, tzinfo=UTC), "Asia/Tehran"),
    event(6, datetime(2026, 4, 21, 15, tzinfo=UTC), "UTC"),
]


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def test_session_uid_is_stable() -> None:
    assert session_uid(42) == "session-42@bridgebot"


def test_calendar_header() -> None:
    calendar = parse(build_calendar(EVENTS, "Bridgebot: spring exchange", NOW))
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["PRODID"]).startswith("-//Bridgebot//")
    assert calendar["X-WR-CALNAME"] == "Bridgebot: spring exchange"
    assert "UID" not in calendar  # nothing random, so repeated exports are identical


def test_events_round_trip_with_uid_sequence_status_and_stamp() -> None:
    calendar = parse(build_calendar(EVENTS, "cal", NOW))
    parsed = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(parsed) == {f"session-{i}@bridgebot" for i in range(1, 7)}
    for expected in EVENTS:
        vevent = parsed[expected.uid]
        assert vevent.start.astimezone(UTC) == expected.start_utc
        assert vevent.end.astimezone(UTC) == expected.end_utc
        assert int(vevent["SEQUENCE"]) == expected.sequence
        assert str(vevent["STATUS"]) == expected.status.value
        assert vevent.DTSTAMP == NOW
        assert str(vevent["SUMMARY"]) == expected.title


def test_times_carry_the_readers_zone_and_a_matching_vtimezone() -> None:
    data = build_calendar(EVENTS, "cal", NOW)
    calendar = parse(data)
    vtimezones = {str(tz["TZID"]): tz for tz in calendar.walk("VTIMEZONE")}
    assert set(vtimezones) == {
        "Europe/Berlin",
        "Asia/Kathmandu",
        "America/Santiago",
        "Asia/Tehran",
    }
    for expected, vevent in zip(EVENTS, calendar.walk("VEVENT"), strict=True):
        if expected.zone_name == "UTC":
            assert b"DTSTART:20260421T150000Z" in data
            continue
        assert vevent["DTSTART"].params["TZID"] == expected.zone_name
        # Read the VTIMEZONE's own rules (not the IANA name), as Outlook would, and check the offset.
        rules = vtimezones[expected.zone_name].to_tz(lookup_tzid=False)
        wall = vevent.start.replace(tzinfo=None)
        assert wall.replace(tzinfo=rules).astimezone(UTC) == expected.start_utc


def test_local_wall_clock_written_in_the_file() -> None:
    data = build_calendar(EVENTS, "cal", NOW)
    assert b"DTSTART;TZID=Europe/Berlin:20260324T180000" in data
    assert b"DTSTART;TZID=Europe/Berlin:20260331T180000" in data  # same 18:00 after DST
    assert b"DTSTART;TZID=Asia/Kathmandu:20260407T214500" in data
    assert b"DTSTART;TZID=America/Santiago:20260407T180000" in data
    assert b"DTSTART;TZID=Asia/Tehran:20260414T190000" in data


def test_cancelled_event_is_kept_and_marked() -> None:
    cancelled = event(
        9,
        datetime(2026, 3, 24, 17, tzinfo=UTC),
        "Asia/Yerevan",
        sequence=3,
        status=EventStatus.CANCELLED,
    )
    (vevent,) = parse(build_calendar([cancelled], "cal", NOW)).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 3
    assert str(vevent["UID"]) == "session-9@bridgebot"


def test_export_is_deterministic() -> None:
    assert build_calendar(EVENTS, "cal", NOW) == build_calendar(EVENTS, "cal", NOW)


def test_text_is_escaped_and_lines_are_folded() -> None:
    title = "Диалог; שיחה, حوار 🌍 " + "x" * 100
    description = "Agenda:\n1. Hello, everyone; welcome\n2. \\ backslash"
    data = build_calendar(
        [
            event(
                7,
                datetime(2026, 3, 24, 17, tzinfo=UTC),
                "Asia/Jerusalem",
                title=title,
                description=description,
            )
        ],
        "cal",
        NOW,
    )
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    (vevent,) = parse(data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]) == description


def test_empty_calendar_is_still_valid() -> None:
    calendar = parse(build_calendar([], "nothing yet", NOW))
    assert calendar.walk("VEVENT") == []
    assert calendar["METHOD"] == "PUBLISH"


def test_unknown_zone_is_a_domain_error() -> None:
    with pytest.raises(SchedulingError) as caught:
        build_calendar([event(1, datetime(2026, 3, 24, 17, tzinfo=UTC), "Moon/Base")], "cal", NOW)
    assert caught.value.code is SchedulingErrorCode.UNKNOWN_ZONE
