"""/reminders: an organizer sets when reminders go out for every session of a program without its
own; upcoming sessions are re-planned and a reminder already sent is never sent again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db.models import Delivery, Person, Program
from bot.features.programs import service as programs
from bot.features.sessions import jobs as session_jobs
from bot.i18n import ngettext, translate_in, use_locale
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)
from tests.handlers.sessions_fixtures import build_world

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 19:00 in Yerevan


async def _organizer(world, runtime, *, name="Omar", locale="en", zone="Asia/Yerevan"):
    user = world.fake.user(name, language_code=locale)
    world.fake.mark_started(user)
    now = runtime.clock()
    async with runtime.db() as db:
        db.add(
            Person(
                id=user.id,
                first_name=name,
                locale=locale,
                timezone=zone,
                created_at=now,
                updated_at=now,
            )
        )
        await db.flush()
        await programs.grant_organizer(db, world.program_id, user.id, granted_by=None, now=now)
    return user


async def _program_minutes(runtime, program_id):
    async with runtime.db() as db:
        return await db.scalar(select(Program.reminder_minutes).where(Program.id == program_id))


async def _reminder_texts(tg, world, name):
    return [t for t in tg.texts(tg.private(world.member(name))) if t.startswith("⏰")]


async def test_organizer_sets_program_reminders_and_sessions_follow_them(
    tg, world, runtime, app, clock
):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    omar = await _organizer(world, runtime)
    await tg.say(omar, tg.private(omar), "/reminders")
    prompt = tg.last_message(tg.private(omar))
    assert prompt.text == (
        "Reminders for Spring Exchange go out 24 hours and 1 hour before each session "
        "(the default).\n"
        "Send the new times before the start, separated by commas, for example 24h, 1h or "
        "2d, 3h, 15m (at most 5, each between 1 minute and 14 days)."
    )
    assert tg.buttons(prompt) == ["Keep them"]
    await tg.say(omar, tg.private(omar), "2d, 2h")
    assert tg.last_text(tg.private(omar)) == (
        "Saved: reminders for Spring Exchange now go out 48 hours and 2 hours before each "
        "session.\n"
        "1 upcoming session follows the new times; reminders already sent are not sent again."
    )
    assert await _program_minutes(runtime, world.program_id) == [2880, 120]

    # The old 24 h point passes silently; 48 h and 2 h reach every member once.
    for moment, expected in (
        (START - timedelta(hours=48), 1),
        (START - timedelta(hours=24), 1),
        (START - timedelta(hours=2), 2),
        (START - timedelta(hours=1), 2),
    ):
        clock.now = moment
        await session_jobs.run_due(app)
        assert len(await _reminder_texts(tg, world, "Ani")) == expected, moment
    ani = await _reminder_texts(tg, world, "Ani")
    assert "in 48 hours" in ani[0] and "in 2 hours" in ani[1]
    # Text typed later is not taken for reminder times any more.
    await tg.say(omar, tg.private(omar), "3h")
    assert (
        tg.last_text(tg.private(omar)) == "I didn't understand that. /help lists what you can do."
    )


async def test_changing_the_offsets_after_a_reminder_went_out_never_sends_it_again(
    tg, world, runtime, app, clock
):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    omar = await _organizer(world, runtime)
    clock.now = START - timedelta(hours=24)
    assert (await session_jobs.run_due(app)).sent == 4
    clock.now = START - timedelta(hours=20)
    await tg.say(omar, tg.private(omar), "/reminders")
    # 30 h is new and already in the past: not owed. 24 h was sent: kept, not re-sent. 3 h is new.
    await tg.say(omar, tg.private(omar), "30h,24h,3h")
    assert "1 upcoming session follows the new times" in tg.last_text(tg.private(omar))
    for hours in (20, 19, 3, 1):
        clock.now = START - timedelta(hours=hours)
        await session_jobs.run_due(app)
    texts = await _reminder_texts(tg, world, "Olga")
    assert len(texts) == 2  # the 24 h one, then the 3 h one; no 30 h, no 1 h any more
    with use_locale("ru"):
        assert ngettext("in {n} hour", "in {n} hours", 3) in texts[1]
    async with runtime.db() as db:
        sent = (
            await db.scalars(
                select(Delivery.kind).where(
                    Delivery.person_id == world.member("Olga").id, Delivery.status == "sent"
                )
            )
        ).all()
    assert sorted(k for k in sent if k.startswith("remind_")) == ["remind_24h", "remind_3h"]


async def test_bad_reminder_times_get_clear_answers_and_change_nothing(tg, world, runtime, app):
    omar = await _organizer(world, runtime)
    await tg.say(omar, tg.private(omar), "/reminders")
    cases = [
        ("soon", "I can't read the duration soon. Use for example 30m, 2h, 1d or 1w."),
        ("15d", "Reminders can be sent between 1 minute and 14 days before a session."),
        ("0m", "A duration must be longer than zero."),
        ("24h 1h 2h 3h 4h 5h", "A program can have at most 5 reminders before each session."),
        (",", "Send at least one time before the start, for example 24h, 1h."),
    ]
    for text, expected in cases:
        await tg.say(omar, tg.private(omar), text)
        assert tg.last_text(tg.private(omar)) == expected + "\nPlease send the times again.", text
        assert await _program_minutes(runtime, world.program_id) is None
    await tg.say(omar, tg.private(omar), "90m")
    assert tg.last_text(tg.private(omar)).startswith(
        "Saved: reminders for Spring Exchange now go out 1 hour and 30 minutes before"
    )
    assert await _program_minutes(runtime, world.program_id) == [90]


async def test_only_organizers_may_set_reminders(tg, world, runtime):
    mira = world.moderator  # moderates a group, organizes nothing
    await tg.say(mira, tg.private(mira), "/reminders")
    assert tg.last_text(tg.private(mira)) == "Only the program's organizers can do that."
    await tg.say(mira, tg.private(mira), "1h")
    assert (
        tg.last_text(tg.private(mira)) == "I didn't understand that. /help lists what you can do."
    )
    assert await _program_minutes(runtime, world.program_id) is None


async def test_an_admin_picks_the_program_keeps_or_resets_and_own_offsets_stay(
    tg, fake, app, runtime, admin, clock
):
    w = await build_world(runtime, fake)
    other = await build_world(
        runtime, fake, name="Autumn Exchange", group_name="Group B", members=()
    )
    await w.add_session(datetime(2026, 3, 10, 19, 0))
    await w.add_session(datetime(2026, 3, 12, 19, 0), reminder_offsets=[timedelta(hours=5)])
    await tg.say(admin, tg.private(admin), "/reminders")
    picker = tg.last_message(tg.private(admin))
    assert picker.text == "Set the reminders of which program?"
    assert tg.buttons(picker) == ["Spring Exchange", "Autumn Exchange"]
    await tg.click(admin, picker, "Autumn Exchange")
    assert tg.buttons(picker) == []
    keep = tg.last_message(tg.private(admin))
    data = keep.inline_keyboard[0][0]["callback_data"]
    await tg.click(admin, keep, "Keep them")
    assert tg.last_text(tg.private(admin)) == "Nothing changed."
    # Pressed again (an old copy of the button): answered, nothing else happens.
    sent = len(tg.texts(tg.private(admin)))
    update = await tg.press_raw(admin, keep, data)
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert len(tg.texts(tg.private(admin))) == sent
    await tg.say(admin, tg.private(admin), "3h")
    assert (
        tg.last_text(tg.private(admin)) == "I didn't understand that. /help lists what you can do."
    )
    assert await _program_minutes(runtime, other.program_id) is None

    await tg.say(admin, tg.private(admin), "/reminders")
    await tg.click(admin, tg.last_message(tg.private(admin)), "Spring Exchange")
    await tg.say(admin, tg.private(admin), "3h")
    assert tg.last_text(tg.private(admin)) == (
        "Saved: reminders for Spring Exchange now go out 3 hours before each session.\n"
        "1 upcoming session follows the new times; reminders already sent are not sent again.\n"
        "1 session has reminder times of its own and keeps them."
    )
    await tg.say(admin, tg.private(admin), "/reminders")
    await tg.click(admin, tg.last_message(tg.private(admin)), "Spring Exchange")
    prompt = tg.last_message(tg.private(admin))
    assert prompt.text.startswith(
        "Reminders for Spring Exchange go out 3 hours before each session.\n"
    )
    await tg.click(admin, prompt, "Back to the default (24 hours and 1 hour)")
    assert tg.last_text(tg.private(admin)).startswith(
        "Saved: reminders for Spring Exchange now go out 24 hours and 1 hour before each session."
    )
    assert await _program_minutes(runtime, w.program_id) is None
    # The session with its own offsets was never touched: its 5 h reminder still goes out.
    clock.now = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    await session_jobs.run_due(app)
    assert "in 5 hours" in tg.last_text(tg.private(w.member("Ani")))


async def test_the_reminders_dialogue_reads_in_the_organizers_language(tg, world, runtime, app):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    await world.add_session(datetime(2026, 3, 17, 19, 0))
    olu = await _organizer(world, runtime, name="Oleg", locale="ru", zone="Europe/Moscow")
    await tg.say(olu, tg.private(olu), "/reminders")
    with use_locale("ru"):
        default = (
            ngettext("{n} hour", "{n} hours", 24) + " и " + ngettext("{n} hour", "{n} hours", 1)
        )
        two_days = ngettext("{n} hour", "{n} hours", 48)
        replanned = ngettext(
            "{n} upcoming session follows the new times; reminders already sent are not sent again.",
            "{n} upcoming sessions follow the new times; reminders already sent are not sent again.",
            2,
        )
    assert tg.last_text(tg.private(olu)).startswith(
        translate_in(
            "ru",
            "Reminders for {program} go out {offsets} before each session (the default).",
            program="Spring Exchange",
            offsets=default,
        )
    )
    await tg.say(olu, tg.private(olu), "15d")
    assert tg.last_text(tg.private(olu)) == (
        translate_in("ru", "Reminders can be sent between 1 minute and 14 days before a session.")
        + "\n"
        + translate_in("ru", "Please send the times again.")
    )
    await tg.say(olu, tg.private(olu), "2d")
    assert tg.last_text(tg.private(olu)) == (
        translate_in(
            "ru",
            "Saved: reminders for {program} now go out {offsets} before each session.",
            program="Spring Exchange",
            offsets=two_days,
        )
        + "\n"
        + replanned
    )


async def test_reminders_is_listed_for_organizers(tg, world, runtime):
    omar = await _organizer(world, runtime)
    await tg.say(omar, tg.private(omar), "/help")
    assert "/reminders" in tg.last_text(tg.private(omar))
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Delivery)) == 0
