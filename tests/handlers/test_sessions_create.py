"""/newsession as a moderator types it, the members it announces to, and every bad answer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.models import AgendaItem, DialogueSession, SessionSeries
from bot.i18n import format_datetime, translate_in
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)
from tests.handlers.sessions_fixtures import build_world


async def _count(runtime) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(DialogueSession))


async def _answer(tg, user, *texts):
    for text in texts:
        await tg.say(user, tg.private(user), text)


async def test_moderator_creates_a_weekly_series_and_members_hear_in_their_language_and_zone(
    tg, world, runtime
):
    mira = world.moderator
    await _answer(tg, mira, "/newsession")
    assert "When does it start?" in tg.last_text(tg.private(mira))
    await _answer(tg, mira, "10.03.2026 19:00", "90m", "Listening circle")
    await _answer(tg, mira, "Welcome 10\nOur stories 60\nNext steps: 20")
    await tg.click(mira, tg.last_message(tg.private(mira)), "Every week")
    await _answer(tg, mira, "3")
    summary = tg.last_message(tg.private(mira))
    assert summary.text == (
        "Please check the new session for Group A:\n"
        "Title: Listening circle\n"
        "Starts: Tuesday, March 10, 2026, 7:00\u202fPM (Armenia Time)\n"
        "Length: 1 hour and 30 minutes\n"
        "Agenda:\n"
        "• 1. Welcome (10 minutes)\n"
        "• 2. Our stories (60 minutes)\n"
        "• 3. Next steps (20 minutes)\n"
        "Repeats every week: 3 sessions in all, the last on Tuesday, March 24, 2026, "
        "7:00\u202fPM (Armenia Time).\n"
        "\n"
        "Nothing is saved until you tap Confirm."
    )
    assert tg.buttons(summary) == ["Confirm", "Cancel"]
    assert await _count(runtime) == 0  # nothing is written before Confirm
    assert tg.texts(tg.private(world.member("Olga"))) == []  # nobody is told yet
    await tg.click(mira, summary, "Confirm")
    assert "Created 3 sessions for Group A: Listening circle" in tg.last_text(tg.private(mira))
    assert tg.buttons(summary) == []

    async with runtime.db() as db:
        rows = (await db.scalars(select(DialogueSession).order_by(DialogueSession.starts_at))).all()
        agenda = (
            await db.scalars(
                select(AgendaItem)
                .where(AgendaItem.session_id == rows[0].id)
                .order_by(AgendaItem.position)
            )
        ).all()
        series = (await db.scalars(select(SessionSeries))).all()
    assert [r.starts_at for r in rows] == [
        datetime(2026, 3, 10, 15, 0, tzinfo=UTC),  # 19:00 in Yerevan (UTC+4)
        datetime(2026, 3, 17, 15, 0, tzinfo=UTC),
        datetime(2026, 3, 24, 15, 0, tzinfo=UTC),
    ]
    assert [(a.title, a.minutes) for a in agenda] == [
        ("Welcome", 10),
        ("Our stories", 60),
        ("Next steps", 20),
    ]
    assert len(series) == 1 and series[0].count == 3 and series[0].zone == "Asia/Yerevan"

    first = rows[0].starts_at
    olga_dm = tg.last_text(tg.private(world.member("Olga")))
    assert format_datetime(first, "Europe/Moscow", locale="ru") in olga_dm
    assert "вторник" in olga_dm and "18:00" in olga_dm  # Moscow is UTC+3
    noa_dm = tg.last_text(tg.private(world.member("Noa")))
    assert format_datetime(first, "Asia/Jerusalem", locale="he") in noa_dm and "17:00" in noa_dm
    ravi_dm = tg.last_text(tg.private(world.member("Ravi")))
    assert "8:45\u202fPM (Nepal Time)" in ravi_dm  # Kathmandu is UTC+5:45
    assert (
        translate_in("en", "/schedule lists your sessions; /calendar gives you a calendar file.")
        in ravi_dm
    )
    assert "Listening circle" in tg.last_text(world.chat)


async def test_a_start_on_a_dst_gap_night_is_moved_and_the_moderator_is_told(
    tg, fake, app, runtime
):
    w = await build_world(runtime, fake, moderator_zone="Europe/Berlin")
    mira = w.moderator
    # 29 March 2026, 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00).
    await _answer(tg, mira, "/newsession", "29.03.2026 02:30", "1h", "Night owls")
    await tg.click(mira, tg.last_message(tg.private(mira)), "No agenda")
    await tg.click(mira, tg.last_message(tg.private(mira)), "Every week")
    await _answer(tg, mira, "2")
    summary = tg.last_text(tg.private(mira))
    assert (
        "Note: on March 29, 2026 the clocks change and 2:30\u202fAM does not exist there; that "
        "session starts at Sunday, March 29, 2026, 3:30\u202fAM (Central European Summer Time)."
    ) in summary
    assert "Repeats every week: 2 sessions in all" in summary
    assert await _count(runtime) == 0
    await tg.click(mira, tg.last_message(tg.private(mira)), "Confirm")
    text = tg.last_text(tg.private(mira))
    assert "the clocks change" in text and "3:30" in text
    async with runtime.db() as db:
        starts = (
            await db.scalars(select(DialogueSession.starts_at).order_by(DialogueSession.starts_at))
        ).all()
    # 03:30 CEST = 01:30 UTC; a week later 02:30 CEST = 00:30 UTC (wall clock kept).
    assert starts == [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 4, 5, 0, 30, tzinfo=UTC),
    ]


async def test_bad_dates_and_times_get_clear_answers_and_create_nothing(tg, world, runtime):
    mira = world.moderator
    await _answer(tg, mira, "/newsession")
    cases = [
        ("10.03.2026 25:00", "is not a time of day"),
        ("31.02.2026 19:00", "There is no such day: 31.02.2026."),
        ("01.03.2026 19:00", "That time has already passed"),
        ("10.03.2026 19:00 Mars/Olympus", "I don't know the time zone Mars/Olympus."),
        ("next tuesday evening", "I can't read next tuesday evening as a date and time."),
    ]
    for text, expected in cases:
        await _answer(tg, mira, text)
        assert expected in tg.last_text(tg.private(mira)), text
    await _answer(tg, mira, "10.03.2026 19:00", "20h")
    assert "A session lasts between 1 minute and 12 hours." in tg.last_text(tg.private(mira))
    await _answer(tg, mira, "1h", "Circle", "Welcome 50\nStories 30")
    assert "The agenda takes 80 minutes, but the session lasts only 60 minutes." in tg.last_text(
        tg.private(mira)
    )
    await _answer(tg, mira, "Welcome 20\nStories 30")
    await tg.click(mira, tg.last_message(tg.private(mira)), "Every 2 weeks")
    await _answer(tg, mira, "forever")
    assert "A repeating session needs an end" in tg.last_text(tg.private(mira))
    await _answer(tg, mira, "01.03.2026")
    assert "The end must come after the start." in tg.last_text(tg.private(mira))
    assert await _count(runtime) == 0
    await _answer(tg, mira, "/cancel")
    assert tg.last_text(tg.private(mira)) == "Cancelled; no session was created."
    assert await _count(runtime) == 0


async def test_errors_read_in_the_moderators_language(tg, fake, app, runtime):
    w = await build_world(runtime, fake, moderator_locale="ru", moderator_zone="Europe/Moscow")
    mira = w.moderator
    await _answer(tg, mira, "/newsession", "31.02.2026 19:00")
    assert tg.last_text(tg.private(mira)).startswith(
        translate_in("ru", "There is no such day: {text}.", text="31.02.2026")
    )


async def test_an_overlapping_session_is_refused(tg, world, runtime):
    await world.add_session(datetime(2026, 3, 10, 19, 0), minutes=90)
    mira = world.moderator
    await _answer(tg, mira, "/newsession", "10.03.2026 20:00", "1h", "Clash")
    await tg.click(mira, tg.last_message(tg.private(mira)), "No agenda")
    await tg.click(mira, tg.last_message(tg.private(mira)), "Only once")
    text = tg.last_text(tg.private(mira))
    assert "That would overlap with this group's session from" in text
    assert format_datetime(datetime(2026, 3, 10, 15, 0, tzinfo=UTC), "Asia/Yerevan") in text
    assert "Nothing was created." in text
    assert await _count(runtime) == 1


async def test_a_member_who_is_not_a_moderator_cannot_plan(tg, world, fake, runtime):
    ani = world.member("Ani")
    await _answer(tg, ani, "/newsession")
    assert tg.last_text(tg.private(ani)) == (
        "Only this group's moderators and the program's organizers can do that."
    )


async def test_a_moderator_of_another_group_cannot_change_this_groups_sessions(
    tg, world, fake, runtime
):
    other = await build_world(
        runtime,
        fake,
        name="Autumn Exchange",
        group_name="Group B",
        members=(("Zara", "en", "UTC", 0),),
    )
    session = await world.add_session(datetime(2026, 3, 10, 19, 0))
    outsider = other.moderator
    await tg.say(outsider, tg.private(outsider), f"/cancelsession {session.id}")
    assert tg.last_text(tg.private(outsider)) == (
        "Only this group's moderators and the program's organizers can do that."
    )
    await tg.say(
        outsider, world.chat if False else other.chat, "/open"
    )  # their own group has no session
    assert "no upcoming session" in tg.last_text(other.chat)


async def test_numbered_group_and_zone_read_the_same_in_summary_confirmation_and_dms(
    tg, fake, app, runtime
):
    """A group the bot formed is called "1": people read "Group 1" (or their language's word),
    never a bare number; an organizer without a zone of their own reads the summary and the
    confirmation in the same zone (the program's), not one of them in UTC."""
    w = await build_world(runtime, fake, group_name="1", moderator_zone=None)
    mira = w.moderator
    await _answer(tg, mira, "/newsession")
    assert tg.last_text(tg.private(mira)).startswith("New session for Group 1. When does it start?")
    await _answer(tg, mira, "10.03.2026 19:00", "90m", "Listening circle")
    await tg.click(mira, tg.last_message(tg.private(mira)), "No agenda")
    await tg.click(mira, tg.last_message(tg.private(mira)), "Only once")
    summary = tg.last_message(tg.private(mira))
    assert summary.text.startswith("Please check the new session for Group 1:\n")
    assert "Starts: Tuesday, March 10, 2026, 7:00\u202fPM (Armenia Time)" in summary.text
    await tg.click(mira, summary, "Confirm")
    assert tg.last_text(tg.private(mira)).startswith(
        "Created 1 session for Group 1: Listening circle, first on "
        "Tuesday, March 10, 2026, 7:00\u202fPM (Armenia Time)."
    )
    ani_dm = tg.last_text(tg.private(w.member("Ani")))
    assert ani_dm.startswith("📅 New session for Group 1: Listening circle")
    olga_dm = tg.last_text(tg.private(w.member("Olga")))
    assert olga_dm.startswith("📅 Новая встреча (Группа 1): Listening circle")
    assert "(Россия (Москва))" in olga_dm and "летнее" not in olga_dm
