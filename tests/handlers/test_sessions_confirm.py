"""/newsession ends with a summary and Confirm / Cancel: nothing is stored before Confirm, a double
click creates one session, and a summary that went stale is refused politely."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select
from telegram import Update

from bot.db.models import DialogueSession
from bot.handlers.errors import UNEXPECTED_ERRORS_KEY
from bot.i18n import format_datetime, ngettext, translate_in, use_locale
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)
from tests.handlers.sessions_fixtures import build_world

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 19:00 in Yerevan, 18:00 in Moscow


async def _count(runtime) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(DialogueSession))


async def _answer(tg, user, *texts):
    for text in texts:
        await tg.say(user, tg.private(user), text)


async def _single_session_summary(tg, user, title="Circle"):
    """Walk /newsession to its summary: one 60-minute session on 10 March at 19:00, no agenda."""
    await _answer(tg, user, "/newsession", "10.03.2026 19:00", "1h", title)
    await tg.click(user, tg.last_message(tg.private(user)), "No agenda")
    await tg.click(user, tg.last_message(tg.private(user)), "Only once")
    return tg.last_message(tg.private(user))


def _data(tg, message, label: str) -> str:
    return tg._find_button(message, label)["callback_data"]


async def test_a_single_session_summary_and_confirm_creates_exactly_it(tg, world, runtime):
    mira = world.moderator
    summary = await _single_session_summary(tg, mira)
    assert summary.text == (
        "Please check the new session for Group A:\n"
        "Title: Circle\n"
        "Starts: Tuesday, March 10, 2026, 7:00\u202fPM (Armenia Time)\n"
        "Length: 1 hour\n"
        "Agenda: none\n"
        "Repeats: no, this is a single session.\n"
        "\n"
        "Nothing is saved until you tap Confirm."
    )
    assert await _count(runtime) == 0
    await tg.click(mira, summary, "Confirm")
    assert tg.last_text(tg.private(mira)).startswith(
        "Created 1 session for Group A: Circle, first on Tuesday, March 10, 2026, 7:00\u202fPM"
    )
    async with runtime.db() as db:
        rows = (await db.scalars(select(DialogueSession))).all()
    assert [(r.title, r.starts_at) for r in rows] == [("Circle", START)]


async def test_cancel_writes_nothing_and_a_later_confirm_on_the_old_summary_is_refused(
    tg, world, runtime
):
    mira = world.moderator
    summary = await _single_session_summary(tg, mira)
    confirm = _data(tg, summary, "Confirm")
    await tg.click(mira, summary, "Cancel")
    assert tg.last_text(tg.private(mira)) == "Cancelled; no session was created."
    assert tg.buttons(summary) == []
    press = await tg.press_raw(mira, summary, confirm)
    answer = tg.callback_answer(press)
    assert answer["show_alert"] is True
    assert answer["text"] == (
        "This draft was cancelled; nothing was created. Send /newsession to start again."
    )
    assert await _count(runtime) == 0
    assert tg.texts(tg.private(world.member("Ani"))) == []


async def test_typing_instead_of_tapping_and_slash_cancel_at_the_summary(tg, world, runtime):
    mira = world.moderator
    summary = await _single_session_summary(tg, mira)
    confirm = _data(tg, summary, "Confirm")
    await _answer(tg, mira, "yes please")
    assert tg.last_text(tg.private(mira)) == (
        "Please answer the question above, or send /cancel to stop."
    )
    await _answer(tg, mira, "/cancel")
    assert tg.last_text(tg.private(mira)) == "Cancelled; no session was created."
    press = await tg.press_raw(mira, summary, confirm)
    assert tg.callback_answer(press)["text"].startswith("This draft was cancelled")
    assert await _count(runtime) == 0


async def test_a_double_click_on_confirm_creates_one_session(tg, world, runtime):
    mira = world.moderator
    summary = await _single_session_summary(tg, mira)
    data = _data(tg, summary, "Confirm")
    # Both presses reach the bot before it answers the first (a fast double tap).
    first = tg.fake.user_callback(mira, summary, data)
    second = tg.fake.user_callback(mira, summary, data)
    await tg._dispatch()
    assert await _count(runtime) == 1
    created = [t for t in tg.texts(tg.private(mira)) if t.startswith("Created ")]
    assert len(created) == 1
    late = tg.callback_answer(second)
    assert late["text"] == "This session has already been created. /sessions lists it."
    assert late["show_alert"] is True
    assert not tg.callback_answer(first).get("show_alert")
    # Each member heard about it once.
    ani = tg.texts(tg.private(world.member("Ani")))
    assert len([t for t in ani if "New session for Group A: Circle" in t]) == 1


async def test_two_presses_handled_at_the_same_time_create_one_session(tg, app, world, runtime):
    mira = world.moderator
    summary = await _single_session_summary(tg, mira)
    data = _data(tg, summary, "Confirm")
    tg.fake.user_callback(mira, summary, data)
    tg.fake.user_callback(mira, summary, data)
    updates = [Update.de_json(u, app.bot) for u in tg.fake.take_updates()]
    before = asyncio.all_tasks()
    await asyncio.gather(*(app.process_update(u) for u in updates))
    await tg._settle(before)
    assert await _count(runtime) == 1
    assert len([t for t in tg.texts(tg.private(mira)) if t.startswith("Created ")]) == 1
    assert list(app.bot_data.get(UNEXPECTED_ERRORS_KEY, [])) == []


async def test_a_summary_that_went_stale_is_refused_at_confirm(tg, world, runtime, clock):
    mira = world.moderator
    summary = await _single_session_summary(tg, mira)
    # Meanwhile someone else planned a session at the same time.
    await world.add_session(datetime(2026, 3, 10, 19, 30), minutes=60, title="Other")
    await tg.click(mira, summary, "Confirm")
    text = tg.last_text(tg.private(mira))
    assert text.startswith("That would overlap with this group's session from")
    assert text.endswith("Nothing was created. Send /newsession to try again.")
    assert await _count(runtime) == 1

    summary = await _single_session_summary(tg, mira, title="Later")
    assert "Please check" not in summary.text  # the overlap is found before the summary too
    assert summary.text.startswith("That would overlap")


async def test_a_summary_confirmed_after_its_start_passed_creates_nothing(
    tg, world, runtime, clock
):
    mira = world.moderator
    summary = await _single_session_summary(tg, mira)
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    await tg.click(mira, summary, "Confirm")
    text = tg.last_text(tg.private(mira))
    assert text.startswith("That time has already passed")
    assert "Nothing was created." in text
    assert await _count(runtime) == 0


async def test_the_summary_reads_in_russian_with_the_creators_zone_and_series_end(
    tg, fake, app, runtime
):
    w = await build_world(runtime, fake, moderator_locale="ru", moderator_zone="Europe/Moscow")
    mira = w.moderator
    await _answer(tg, mira, "/newsession", "10.03.2026 18:00", "90m", "Круг")
    await _answer(tg, mira, "Знакомство 15\nИстории 60")
    await tg.click(mira, tg.last_message(tg.private(mira)), translate_in("ru", "Every 2 weeks"))
    await _answer(tg, mira, "2026-04-07")
    summary = tg.last_message(tg.private(mira))
    last = datetime(2026, 4, 7, 15, 0, tzinfo=UTC)  # Moscow stays UTC+3
    with use_locale("ru"):
        minutes = [ngettext("{n} minute", "{n} minutes", m) for m in (15, 60)]
        every = ngettext("every {n} week", "every {n} weeks", 2)
        repeats = ngettext(
            "Repeats {every}: {n} session in all, the last on {last}.",
            "Repeats {every}: {n} sessions in all, the last on {last}.",
            3,
            every=every,
            last=format_datetime(last, "Europe/Moscow", locale="ru"),
        )
        length = translate_in(
            "ru",
            "{hours} and {minutes}",
            hours=ngettext("{n} hour", "{n} hours", 1),
            minutes=ngettext("{n} minute", "{n} minutes", 30),
        )
    expected = "\n".join(
        [
            translate_in("ru", "Please check the new session for {group}:", group="Group A"),
            translate_in("ru", "Title: {title}", title="Круг"),
            translate_in(
                "ru", "Starts: {when}", when=format_datetime(START, "Europe/Moscow", locale="ru")
            ),
            translate_in("ru", "Length: {length}", length=length),
            translate_in("ru", "Agenda:"),
            translate_in(
                "ru",
                "• {position}. {title} ({minutes})",
                position=1,
                title="Знакомство",
                minutes=minutes[0],
            ),
            translate_in(
                "ru",
                "• {position}. {title} ({minutes})",
                position=2,
                title="Истории",
                minutes=minutes[1],
            ),
            repeats,
            "",
            translate_in("ru", "Nothing is saved until you tap Confirm."),
        ]
    )
    assert summary.text == expected
    assert "вторник" in summary.text and "18:00" in summary.text
    assert tg.buttons(summary) == [translate_in("ru", "Confirm"), translate_in("ru", "Cancel")]
    assert await _count(runtime) == 0
    await tg.click(mira, summary, translate_in("ru", "Confirm"))
    assert await _count(runtime) == 3


async def test_the_summary_in_hebrew_points_out_the_dst_gap(tg, fake, app, runtime):
    # Israel springs forward on Friday 27 March 2026 at 02:00 -> 03:00.
    w = await build_world(runtime, fake, moderator_locale="he", moderator_zone="Asia/Jerusalem")
    mira = w.moderator
    await _answer(tg, mira, "/newsession", "27.03.2026 02:30", "1h", "Night")
    await tg.click(mira, tg.last_message(tg.private(mira)), translate_in("he", "No agenda"))
    await tg.click(mira, tg.last_message(tg.private(mira)), translate_in("he", "Only once"))
    text = tg.last_text(tg.private(mira))
    moved = datetime(2026, 3, 27, 0, 30, tzinfo=UTC)  # 03:30 IDT
    from bot.i18n import format_date, format_time

    expected_note = translate_in(
        "he",
        "Note: on {day} the clocks change and {time} does not exist there; that session "
        "starts at {when}.",
        day=format_date(datetime(2026, 3, 27).date(), locale="he"),
        time=format_time(datetime(2026, 3, 27, 2, 30, tzinfo=UTC), "UTC", locale="he"),
        when=format_datetime(moved, "Asia/Jerusalem", locale="he"),
    )
    assert expected_note in text
    assert translate_in("he", "Repeats: no, this is a single session.") in text
    assert await _count(runtime) == 0
