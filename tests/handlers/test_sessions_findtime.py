"""/findtime: every member sees the proposed times in their own zone, answers with buttons; the
moderator sees the recommendation, confirms, and old buttons are refused politely."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.db.models import DialogueSession, FindTimeDecline, FindTimePoll
from bot.i18n import format_time, format_zone, translate_in
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)


async def _press(tg, user, message, row: int):
    return await tg.press_raw(user, message, message.inline_keyboard[row][0]["callback_data"])


async def test_find_a_time_poll_from_proposal_to_session(tg, world, runtime):
    mira = world.moderator
    ani, olga, noa, ravi = (world.member(n) for n in ("Ani", "Olga", "Noa", "Ravi"))
    await tg.say(ani, world.chat, "/findtime")
    assert (
        tg.last_text(world.chat)
        == "Only this group's moderators and the program's organizers can do that."
    )

    await tg.say(mira, world.chat, "/findtime 90m Spring circle")
    assert tg.last_text(world.chat).startswith("🗓 I asked 4 members which of")
    async with runtime.db() as db:
        poll = await db.scalar(select(FindTimePoll))
    slots = [datetime.fromisoformat(s) for s in poll.slots]
    assert 2 <= len(slots) <= 8

    olga_question = tg.last_message(tg.private(olga))
    assert (
        format_zone("Europe/Moscow", locale="ru") in olga_question.text
    )  # her zone, named in Russian
    assert olga_question.buttons[-1] == translate_in("ru", "None of these")
    assert format_time(slots[0], "Europe/Moscow", locale="ru") in olga_question.buttons[0]
    ravi_question = tg.last_message(tg.private(ravi))
    assert format_time(slots[0], "Asia/Kathmandu", locale="en") in ravi_question.buttons[0]
    assert ravi_question.buttons[-1] == "None of these"

    await _press(tg, ani, tg.last_message(tg.private(ani)), 0)
    await _press(tg, ani, tg.last_message(tg.private(ani)), 1)
    assert tg.last_message(tg.private(ani)).buttons[0].startswith("☑ ")
    stale = olga_question.inline_keyboard[1][0]["callback_data"]
    await _press(tg, olga, olga_question, 1)
    update = await tg.press_raw(olga, olga_question, stale)  # a double tap: still ticked
    assert tg.callback_answer(update)["text"] == translate_in("ru", "This was already done.")
    assert olga_question.buttons[1].startswith("☑ ")
    noa_question = tg.last_message(tg.private(noa))
    await _press(tg, noa, noa_question, 1)
    await _press(tg, noa, noa_question, 2)
    await _press(tg, noa, noa_question, 2)  # changed her mind: slot 3 is unticked again
    assert noa_question.buttons[2].startswith("☐ ")
    await _press(tg, ravi, ravi_question, 0)

    results = tg.last_message(tg.private(mira))
    await tg.click(mira, results, "Refresh")
    assert "4 of 4 members answered" in results.text
    assert "⭐ 2." in results.text and "3 available (Armenia 1, Azerbaijan 2)" in results.text
    await tg.click(mira, results, "Confirm 2")
    async with runtime.db() as db:
        sessions = (await db.scalars(select(DialogueSession))).all()
        poll = await db.scalar(select(FindTimePoll))
    assert [(s.title, s.starts_at) for s in sessions] == [("Spring circle", slots[1])]
    assert poll.chosen_slot == 1 and poll.closed_at is not None
    assert "This poll is closed." in results.text
    assert tg.texts(tg.private(mira))[-1].startswith("Created 1 session for Group A: Spring circle")
    assert "📅 New session for Group A: Spring circle" in tg.last_text(tg.private(ani))

    # An old button from the closed poll changes nothing and says why.
    update = await _press(tg, noa, noa_question, 0)
    assert tg.callback_answer(update)["text"] == translate_in(
        "he", "This poll is closed; the time has been chosen. /schedule shows your sessions."
    )
    assert tg.callback_answer(update)["show_alert"] is True
    assert results.inline_keyboard == []  # the moderator's confirm buttons are gone


async def test_a_forged_findtime_button_is_refused(tg, world):
    mira, ani = world.moderator, world.member("Ani")
    await tg.say(mira, world.chat, "/findtime")
    question = tg.last_message(tg.private(ani))
    update = await tg.press_raw(ani, question, "Sfc|1|0~AAAAAAAAAAAA")
    assert (
        tg.callback_answer(update)["text"]
        == "This button has expired. Please use the latest message."
    )


async def test_none_of_these_as_the_first_tap_is_answered_once_without_a_failure(
    tg, world, caplog
):
    mira, ani = world.moderator, world.member("Ani")
    await tg.say(mira, world.chat, "/findtime 60m Circle")
    question = tg.last_message(tg.private(ani))
    caplog.clear()
    update = await tg.click(ani, question, "None of these")
    query_id = update["callback_query"]["id"]
    answers = [
        c for c in tg.calls("answerCallbackQuery") if c.params["callback_query_id"] == query_id
    ]
    assert [(a.ok, a.params.get("text")) for a in answers] == [
        (True, "Noted: none of these times work for you.")
    ]
    assert [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []
    assert all("try again" not in text for text in tg.texts(tg.private(ani)))


async def test_none_of_these_is_an_answer_the_moderator_can_tell_from_silence(
    tg, world, runtime
):
    mira = world.moderator
    ani, olga, noa = (world.member(n) for n in ("Ani", "Olga", "Noa"))
    await tg.say(mira, world.chat, "/findtime 60m Circle")
    await tg.click(ani, tg.last_message(tg.private(ani)), "None of these")
    assert tg.buttons(tg.last_message(tg.private(ani)))[-1] == "☑ None of these"
    await _press(tg, olga, tg.last_message(tg.private(olga)), 0)
    noa_question = tg.last_message(tg.private(noa))
    await tg.click(noa, noa_question, translate_in("he", "None of these"))
    await _press(tg, noa, noa_question, 1)  # a time works after all: her "none" is replaced

    results = tg.last_message(tg.private(mira))
    await tg.click(mira, results, "Refresh")
    assert "3 of 4 members answered" in results.text  # Ravi alone has not answered
    assert "None of these times works for: Ani" in results.text
    assert "Not answered yet: Ravi" in results.text
    async with runtime.db() as db:
        declines = (await db.scalars(select(FindTimeDecline))).all()
    assert [d.person_id for d in declines] == [ani.id]
