"""/schedule, /calendar, and changes (reschedule, edit, cancel) announced to every member."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from bot.i18n import format_datetime, format_zone, translate_in
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _events(tg, user):
    document = tg.last_message(tg.private(user)).document
    assert document is not None and document.filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(document.content)
    return calendar, list(calendar.walk("VEVENT"))


async def test_schedule_lists_sessions_in_the_readers_language_and_zone(tg, world):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    await world.add_session(datetime(2026, 3, 17, 19, 0), title="Second circle")
    olga = world.member("Olga")
    await tg.say(olga, tg.private(olga), "/schedule")
    text = tg.last_text(tg.private(olga))
    assert text.startswith(
        translate_in(
            "ru",
            "Your upcoming sessions (times in {zone}):",
            zone=format_zone("Europe/Moscow", locale="ru"),
        )
    )
    assert format_datetime(START, "Europe/Moscow", locale="ru") in text
    assert "вторник, 10 марта 2026\u202fг., 18:00" in text
    assert text.index("Listening circle") < text.index("Second circle")
    ani = world.member("Ani")
    await tg.say(ani, tg.private(ani), "/schedule")
    assert "Tuesday, March 10, 2026, 7:00\u202fPM (Armenia Time)" in tg.last_text(tg.private(ani))


async def test_schedule_with_nothing_planned(tg, world):
    ani = world.member("Ani")
    await tg.say(ani, tg.private(ani), "/schedule")
    assert tg.last_text(tg.private(ani)) == "You have no upcoming sessions."
    await tg.say(ani, tg.private(ani), "/calendar")
    assert tg.last_text(tg.private(ani)) == "You have no sessions to put in a calendar yet."


async def test_calendar_file_has_stable_uids_bumped_sequences_and_cancellations(tg, world):
    first = await world.add_session(datetime(2026, 3, 10, 19, 0))
    second = await world.add_session(datetime(2026, 3, 17, 19, 0), title="Second circle")
    olga, mira = world.member("Olga"), world.moderator
    await tg.say(olga, tg.private(olga), "/calendar")
    calendar, events = _events(tg, olga)
    assert [str(e["UID"]) for e in events] == [
        f"session-{first.id}@bridgebot",
        f"session-{second.id}@bridgebot",
    ]
    assert [int(e["SEQUENCE"]) for e in events] == [0, 0]
    assert events[0].decoded("DTSTART") == datetime(
        2026, 3, 10, 18, 0, tzinfo=events[0].decoded("DTSTART").tzinfo
    )
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]

    await tg.say(mira, tg.private(mira), f"/reschedule {first.id} 11.03.2026 18:30")
    assert tg.last_text(tg.private(mira)).startswith(
        "Moved Listening circle to Wednesday, March 11, 2026, 6:30"
    )
    await tg.say(mira, tg.private(mira), f"/cancelsession {second.id}")
    assert tg.last_text(tg.private(mira)) == "Cancelled Second circle. Members are being told."

    await tg.say(olga, tg.private(olga), "/calendar")
    _calendar, events = _events(tg, olga)
    by_uid = {str(e["UID"]): e for e in events}
    moved, cancelled = (
        by_uid[f"session-{first.id}@bridgebot"],
        by_uid[f"session-{second.id}@bridgebot"],
    )
    assert int(moved["SEQUENCE"]) == 1 and str(moved["STATUS"]) == "CONFIRMED"
    assert moved.decoded("DTSTART").astimezone(UTC) == datetime(2026, 3, 11, 14, 30, tzinfo=UTC)
    assert int(cancelled["SEQUENCE"]) == 1 and str(cancelled["STATUS"]) == "CANCELLED"


async def test_a_move_is_announced_to_each_member_in_their_language_and_local_time(tg, world):
    session = await world.add_session(datetime(2026, 3, 10, 19, 0))
    mira, olga, noa = world.moderator, world.member("Olga"), world.member("Noa")
    await tg.say(mira, tg.private(mira), f"/reschedule {session.id} 12.03.2026 20:00")
    new_start = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)
    template = "🔁 {title} ({group}) has moved: it was {old}, it is now {new}."
    assert tg.last_text(tg.private(olga)) == translate_in(
        "ru",
        template,
        title="Listening circle",
        group="Group A",
        old=format_datetime(START, "Europe/Moscow", locale="ru"),
        new=format_datetime(new_start, "Europe/Moscow", locale="ru"),
    )
    assert tg.last_text(tg.private(noa)) == translate_in(
        "he",
        template,
        title="Listening circle",
        group="Group A",
        old=format_datetime(START, "Asia/Jerusalem", locale="he"),
        new=format_datetime(new_start, "Asia/Jerusalem", locale="he"),
    )
    assert tg.last_text(world.chat).startswith(
        "🔁 Listening circle has moved to Thursday, March 12, 2026, 8:00"
    )


async def test_edits_are_announced_and_bad_changes_refused(tg, world, runtime):
    session = await world.add_session(datetime(2026, 3, 10, 19, 0))
    await world.add_session(datetime(2026, 3, 10, 21, 0), title="Later")
    mira, ani = world.moderator, world.member("Ani")
    await tg.say(mira, tg.private(mira), f"/editsession {session.id} title Story circle")
    assert tg.last_text(tg.private(mira)) == "Saved: Story circle, 1 hour and 30 minutes."
    assert tg.last_text(tg.private(ani)).startswith(
        "✏️ A session of Group A was changed: Story circle"
    )
    await tg.say(mira, tg.private(mira), f"/editsession {session.id} length 3h")
    assert tg.last_text(tg.private(mira)).startswith(
        "That would overlap with this group's session from"
    )
    await tg.say(mira, tg.private(mira), f"/reschedule {session.id} 01.03.2026 19:00")
    assert tg.last_text(tg.private(mira)).startswith("That time has already passed")
    await tg.say(mira, tg.private(mira), f"/reschedule {session.id} 10.03.2026 25:00")
    assert (
        tg.last_text(tg.private(mira))
        == "25:00 is not a time of day: hours go from 00 to 23 and minutes from 00 to 59."
    )
    await tg.say(mira, tg.private(mira), "/reschedule 999 10.03.2026 19:00")
    assert tg.last_text(tg.private(mira)).startswith("There is no session number 999.")
    await tg.say(mira, tg.private(mira), "/reschedule")
    assert tg.last_text(tg.private(mira)).startswith("Usage: /reschedule NUMBER DATE TIME")
    await tg.say(mira, tg.private(mira), "/sessions")
    listing = tg.last_text(tg.private(mira))
    assert (
        f"#{session.id} • Tuesday, March 10, 2026, 7:00\u202fPM (Armenia Time) — Story circle"
        in listing
    )
