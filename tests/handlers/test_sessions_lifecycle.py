"""Reminders, opening, agenda, half time and closing, as the members and the moderator see them.

Time moves by hand (the ``clock`` fixture) and the due work runs through ``run_due`` exactly as the
job queue would call it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import events
from bot.db.models import Delivery, SessionSideStats
from bot.features.sessions import jobs as session_jobs
from bot.features.sessions import service as sessions_service
from bot.i18n import format_datetime, ngettext, translate_in, use_locale
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 19:00 in Yerevan


@pytest.fixture
def closed_events():
    seen: list[events.SessionClosed] = []

    async def handler(application, event):
        seen.append(event)

    events.on_session_closed(handler)
    yield seen
    events._session_closed.remove(handler)


def _in(locale, render):
    with use_locale(locale):
        return render()


def _dm_texts(tg, user) -> list[str]:
    return tg.texts(tg.private(user))


async def test_reminders_24h_and_1h_reach_every_member_once_in_their_language_and_zone(
    tg, world, clock, app, runtime
):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    report = await session_jobs.run_due(app)
    assert report.sent == 4
    olga = _dm_texts(tg, world.member("Olga"))[-1]
    assert olga == translate_in(
        "ru",
        "⏰ Reminder: {title} with {group} starts {relative}, on {when}.",
        title="Listening circle",
        group="Group A",
        relative=_in("ru", lambda: ngettext("in {n} hour", "in {n} hours", 24)),
        when=format_datetime(START, "Europe/Moscow", locale="ru"),
    )
    noa = _dm_texts(tg, world.member("Noa"))[-1]
    assert format_datetime(START, "Asia/Jerusalem", locale="he") in noa and "17:00" in noa
    # Running again, or a second wake at the same moment, sends nothing more.
    again = await session_jobs.run_due(app)
    assert again.sent == 0
    assert len(tg.calls("sendMessage")) == 4

    clock.now = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    report = await session_jobs.run_due(app)
    assert report.sent == 4
    assert "in 1 hour" in _dm_texts(tg, world.member("Ani"))[-1]
    async with runtime.db() as db:
        keys = set((await db.scalars(select(Delivery.key).where(Delivery.status == "sent"))).all())
    ani = world.member("Ani").id
    assert {f"session:1:person:{ani}:remind_24h", f"session:1:person:{ani}:remind_1h"} <= keys


async def test_after_downtime_a_useful_reminder_goes_late_and_a_stale_one_is_skipped_and_logged(
    tg, world, clock, app, runtime, caplog
):
    session = await world.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = datetime(
        2026, 3, 10, 14, 30, tzinfo=UTC
    )  # the bot was down since before the 24h reminder
    with caplog.at_level(logging.INFO, logger="bot.features.sessions.jobs"):
        report = await session_jobs.run_due(app)
    assert report.sent == 4
    assert report.skipped_waves == [f"{session.id}:remind_24h"]
    assert any("skipped stale remind_24h" in r.getMessage() for r in caplog.records)
    texts = _dm_texts(tg, world.member("Ani"))
    assert len(texts) == 1 and "in 30 minutes" in texts[0]
    async with runtime.db() as db:
        skipped = await db.scalar(
            select(Delivery.status).where(
                Delivery.key == f"session:{session.id}:group:remind_24h_wave"
            )
        )
    assert skipped == "skipped"


async def test_a_member_who_blocked_the_bot_is_recorded_not_retried_and_moderators_are_told(
    tg, world, clock, app, runtime
):
    session = await world.add_session(datetime(2026, 3, 10, 19, 0))
    olga = world.member("Olga")
    await tg.block(olga)
    clock.now = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    report = await session_jobs.run_due(app)
    assert (report.sent, report.failed) == (3, 1)
    async with runtime.db() as db:
        row = await db.scalar(select(Delivery).where(Delivery.person_id == olga.id))
    assert row.status == "failed" and "blocked" in row.error and row.reason == "blocked"
    clock.now = datetime(2026, 3, 9, 15, 2, tzinfo=UTC)
    await session_jobs.run_due(app)
    attempts = [c for c in tg.calls("sendMessage") if c.params.get("chat_id") == olga.id]
    assert len(attempts) == 1  # failed once, never retried
    clock.now = START
    await session_jobs.run_due(app)
    mira_dm = _dm_texts(tg, world.moderator)[-1]
    assert mira_dm == (
        f"{session.title}: my reminders did not reach these members. "
        "Please let them know another way.\n• Olga: blocked the bot"
    )


async def test_a_session_opens_runs_its_agenda_nudges_at_half_time_and_closes(
    tg, quiet_world, clock, app, runtime, closed_events
):
    w = quiet_world
    session = await w.add_session(
        datetime(2026, 3, 10, 19, 0),
        minutes=60,
        agenda=(("Welcome", 10), ("Stories", 30), ("Next steps", 20)),
    )
    ani, olga, noa, ravi, mira = (
        w.member("Ani"),
        w.member("Olga"),
        w.member("Noa"),
        w.member("Ravi"),
        w.moderator,
    )
    clock.now = START
    report = await session_jobs.run_due(app)
    assert report.opened == [session.id]
    opening = tg.last_text(w.chat)
    assert opening.startswith("🟢 Listening circle is open. Welcome, everyone!")
    assert "▶ 1. Welcome (10 minutes)" in opening and "/rules" in opening
    assert (
        translate_in("ru", "Type /hand to ask for the floor.") in opening
    )  # one block per group language
    lifted = tg.calls("setChatPermissions")[-1].params["permissions"]
    assert lifted["can_send_messages"] is True

    await tg.say(ani, w.chat, "I grew up near the border and I remember the first time")
    await tg.say(ravi, w.chat, "Thank you for sharing")
    message = await tg.say(olga, w.chat, "Same here")
    await tg.react(noa, message, "👍")
    clock.now = datetime(2026, 3, 10, 15, 10, tzinfo=UTC)
    await session_jobs.run_due(app)
    assert tg.last_text(w.chat).startswith("➡️ Next on the agenda (2 of 3): Stories (30 minutes)")
    await tg.say(mira, w.chat, "/agenda")
    assert "now: item 2 of 3" in tg.last_text(w.chat)

    clock.now = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)  # half time
    await session_jobs.run_due(app)
    nudge = "Hello! We are halfway through {title}. Your view matters to this group: whenever you are ready, even one sentence is welcome. You can also type /hand in the group to ask for the floor."
    assert _dm_texts(tg, noa)[-1] == translate_in("he", nudge, title="Listening circle")
    assert translate_in("en", nudge, title="Listening circle") not in _dm_texts(tg, ani)
    summary = _dm_texts(tg, mira)[-1]
    assert summary.startswith("Half time in Listening circle")
    # 16 of 18 words from Armenia; present so far: Ani, Ravi (Armenia), Olga, Noa who reacted (Azerbaijan).
    assert "• Armenia: 89% of the words, 50% of the members present (2 of 2)" in summary
    assert "• Azerbaijan: 11% of the words, 50% of the members present (2 of 2)" in summary
    assert "Quietest so far: Noa, Olga, Ravi" in summary
    assert "1 member has not written yet" in summary
    # A second run at half time nudges nobody twice.
    before = len(tg.calls("sendMessage"))
    await session_jobs.run_due(app)
    assert len(tg.calls("sendMessage")) == before

    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    report = await session_jobs.run_due(app)
    assert report.closed == [session.id]
    assert tg.last_text(w.chat).startswith("🔴 Listening circle is closed.")
    assert "4 people took part." in tg.last_text(w.chat)
    quiet = tg.calls("setChatPermissions")[-1].params["permissions"]
    assert quiet["can_send_messages"] is False
    assert [(e.session_id, sorted(e.attendee_ids)) for e in closed_events] == [
        (session.id, sorted([ani.id, olga.id, noa.id, ravi.id]))
    ]
    async with runtime.db() as db:
        stats = {
            s.side_id: (s.members, s.present, s.spoke, s.messages, s.words)
            for s in (await db.scalars(select(SessionSideStats))).all()
        }
    # Azerbaijan: Olga wrote, Noa only reacted: both present, one spoke.
    assert stats == {w.side_ids[0]: (2, 2, 2, 2, 16), w.side_ids[1]: (2, 2, 1, 1, 2)}
    await session_jobs.run_due(app)
    assert len(closed_events) == 1  # the event is emitted once


async def test_half_time_nudge_reaches_only_the_silent_in_their_language(tg, world, clock, app):
    await world.add_session(datetime(2026, 3, 10, 19, 0), minutes=60)
    clock.now = START
    await session_jobs.run_due(app)
    await tg.say(world.member("Ani"), world.chat, "Hello all")
    clock.now = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    await session_jobs.run_due(app)
    nudge_en = translate_in(
        "en",
        "Hello! We are halfway through {title}. Your view matters to this group: whenever you are ready, "
        "even one sentence is welcome. You can also type /hand in the group to ask for the floor.",
        title="Listening circle",
    )
    nudge_he = translate_in(
        "he",
        "Hello! We are halfway through {title}. Your view matters to this group: whenever you are ready, "
        "even one sentence is welcome. You can also type /hand in the group to ask for the floor.",
        title="Listening circle",
    )
    assert _dm_texts(tg, world.member("Noa"))[-1] == nudge_he
    assert _dm_texts(tg, world.member("Ravi"))[-1] == nudge_en
    assert nudge_en not in _dm_texts(tg, world.member("Ani"))


async def test_moderator_overrides_with_open_next_and_close(
    tg, world, clock, app, runtime, closed_events
):
    session = await world.add_session(
        datetime(2026, 3, 10, 19, 0), minutes=60, agenda=(("Welcome", 10), ("Talk", 40))
    )
    mira, ani = world.moderator, world.member("Ani")
    clock.now = datetime(2026, 3, 10, 14, 50, tzinfo=UTC)  # ten minutes early
    await tg.say(ani, world.chat, "/next")
    assert (
        tg.last_text(world.chat)
        == "Only this group's moderators and the program's organizers can do that."
    )
    await tg.say(mira, world.chat, "/next")
    assert tg.last_text(world.chat) == "No session is open in this group right now."
    await tg.say(mira, world.chat, "/open")
    assert tg.last_text(world.chat).startswith("🟢 Listening circle is open.")
    await tg.say(mira, world.chat, "/open")
    assert tg.last_text(world.chat) == "A session is already open in this group."
    await tg.say(mira, world.chat, "/next")
    assert tg.last_text(world.chat).startswith("➡️ Next on the agenda (2 of 2): Talk")
    await tg.say(mira, world.chat, "/next")
    assert tg.last_text(world.chat).startswith("That was the last agenda item.")
    # The start time comes: the session is already open and nothing is posted twice.
    clock.now = START
    before = len(tg.texts(world.chat))
    await session_jobs.run_due(app)
    assert len(tg.texts(world.chat)) == before
    async with runtime.db() as db:
        cancel = sessions_service.cancel(
            db, session_id=session.id, actor_id=mira.id, admin_ids=(), now=clock.now
        )
        with pytest.raises(Exception) as raised:
            await cancel
    assert raised.value.code == "session_running"
    await tg.say(mira, tg.private(mira), f"/cancelsession {session.id}")
    assert (
        tg.last_text(tg.private(mira))
        == "That session is running now. Close it with /close in the group instead."
    )
    await tg.say(ani, world.chat, "Bye")
    await tg.say(mira, world.chat, "/close")
    assert tg.last_text(world.chat).startswith("🔴 Listening circle is closed.")
    # The closing message carries the month's moderation, no one named (bot/features/fairness).
    closing = tg.last_text(world.chat)
    assert "⚖️ No moderation actions this month. How moderation works here: /transparency" in closing
    hebrew = translate_in("he", "No moderation actions this month.")
    hebrew += " " + translate_in("he", "How moderation works here: /transparency")
    assert hebrew.startswith("החודש לא ננקטו פעולות הנחיה. איך ההנחיה עובדת כאן:")
    assert "⚖️ " + hebrew in closing  # /transparency isolated left-to-right (bot/i18n.py)
    # Everyone in the chat was there, the silent members too (only Ani wrote).
    everyone = tuple(sorted(world.member(n).id for n in ("Ani", "Olga", "Noa", "Ravi")))
    assert [e.attendee_ids for e in closed_events] == [everyone]
    await tg.say(mira, world.chat, "/close")
    assert tg.last_text(world.chat) == "No session is open in this group right now."
    await tg.say(mira, tg.private(mira), f"/editsession {session.id} title Renamed")
    assert (
        tg.last_text(tg.private(mira))
        == "That session has already ended and can no longer be changed."
    )


async def test_raise_hand_queue_that_the_facilitator_advances(tg, world, clock, app):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    ani, olga, mira = world.member("Ani"), world.member("Olga"), world.moderator
    await tg.say(ani, world.chat, "/hand")
    assert tg.last_text(world.chat) == "No session is open in this group right now."
    clock.now = START
    await session_jobs.run_due(app)
    await tg.say(ani, world.chat, "/hand")
    assert tg.last_text(world.chat).startswith("✋ Ani raised a hand (place 1 in the queue).")
    await tg.say(olga, world.chat, "/hand")
    assert "place 2" in tg.last_text(world.chat)
    await tg.say(ani, world.chat, "/hand")
    assert tg.last_text(world.chat).startswith("✋ Ani, your hand is already up (place 1).")
    await tg.say(mira, world.chat, "/hand")
    queue = tg.last_message(world.chat)

    def in_every_language(*names: str) -> str:
        blocks = []
        for locale in ("en", "ru", "he"):
            lines = [translate_in(locale, "Raised hands:")]
            lines += [
                translate_in(locale, "{place}. {name}", place=i, name=n)
                for i, n in enumerate(names, start=1)
            ]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    # Like every group post, the queue is written in each group language, not the moderator's only.
    assert queue.text == in_every_language("Ani", "Olga")
    assert queue.text.startswith("Raised hands:\n1. Ani\n2. Olga\n\n")
    await tg.click(ani, queue, "Give the floor to the next")  # not a moderator
    assert tg.last_text(world.chat).startswith("Raised hands:")
    first = tg._find_button(queue, "Give the floor to the next")["callback_data"]
    await tg.click(mira, queue, "Give the floor to the next")
    assert tg.last_text(world.chat).startswith("🎤 Ani, you have the floor.")
    assert queue.text == in_every_language("Olga")
    # A double tap (the button as it was drawn for Ani) does not skip Olga.
    update = await tg.press_raw(mira, queue, first)
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert queue.text == in_every_language("Olga")
    assert not tg.last_text(world.chat).startswith("🎤 Olga")
    await tg.click(mira, queue, "Give the floor to the next")
    assert tg.last_text(world.chat).startswith("🎤 Olga, you have the floor.")


async def test_session_in_the_group_shows_every_zone_present(tg, world, clock):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    await tg.say(world.member("Ani"), world.chat, "/session")
    text = tg.last_text(world.chat)
    assert text.startswith("Next session: Listening circle (1 hour and 30 minutes)")
    for local in (
        "5:00\u202fPM — Israel Time",
        "6:00\u202fPM — Russia (Moscow) Time",
        "7:00\u202fPM — Armenia Time",
        "8:45\u202fPM — Nepal Time",
    ):
        assert local in text, local
    assert "18:00" in text  # the Russian block uses 24-hour clocks


async def test_quiet_members_in_the_chat_are_attendees_and_get_the_survey(
    tg, world, clock, app, runtime, closed_events
):
    """Only Ani writes; Olga and Noa listen; Ravi leaves the chat before the end. The survey goes
    to the three who were there, the two silent ones included, each in their language."""
    session = await world.add_session(datetime(2026, 3, 10, 19, 0), minutes=60)
    ani, olga, noa, ravi = (world.member(n) for n in ("Ani", "Olga", "Noa", "Ravi"))
    clock.now = START
    await session_jobs.run_due(app)
    await tg.say(ani, world.chat, "I would like to start")
    await tg.leave(ravi, world.chat)
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    await session_jobs.run_due(app)

    assert [e.attendee_ids for e in closed_events] == [tuple(sorted([ani.id, olga.id, noa.id]))]
    invitation = (
        "Thank you for taking part in {session}! Would you answer a few short questions about it?"
    )
    for user, locale in ((ani, "en"), (olga, "ru"), (noa, "he")):
        expected = translate_in(locale, invitation, session=session.title)
        assert any(t.startswith(expected) for t in _dm_texts(tg, user)), locale
    assert not any(t.startswith("Thank you for taking part") for t in _dm_texts(tg, ravi))
    async with runtime.db() as db:
        stats = [
            (s.members, s.present, s.spoke)
            for s in (await db.scalars(select(SessionSideStats))).all()
        ]
    # Ravi left: no longer a member; Armenia (Ani) 1 of 1 present, 1 spoke; Azerbaijan 2 present, 0.
    assert sorted(stats) == [(1, 1, 1), (2, 2, 0)]
