"""Perspective rounds as the group, the teller, the listener and the moderator see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Answer, PendingAnswers, PerspectiveRound, Response
from bot.features.rounds import jobs as round_jobs
from bot.i18n import translate_in
from bot.jobs import sessions as session_jobs
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world)

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 19:00 in Yerevan


async def _open(world, clock, app):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = START
    await session_jobs.run_due(app)


def _group_posts(tg, world) -> list[str]:
    return tg.texts(world.chat)


async def test_a_round_from_round_to_rating_as_everyone_sees_it(tg, world, clock, app, runtime):
    await _open(world, clock, app)
    before = len(tg.calls("sendMessage"))
    await tg.say(world.moderator, world.chat, "/round")
    post = tg.last_message(world.chat)
    ani, olga = world.member("Ani"), world.member("Olga")
    # The first teller is Ani (Armenia), listening is Olga (Azerbaijan); each group language reads it.
    assert "🔁 Perspective round: Ani (Armenia) tells, Olga (Azerbaijan) listens" in post.text
    assert translate_in(
        "ru",
        "Prompt: {prompt}",
        prompt=translate_in(
            "ru",
            "Tell about a moment when the conflict touched your life or the life of your family.",
        ),
    ) in post.text
    assert any("Ani: I have finished" in b for b in tg.buttons(post))
    # Olga's own button is in Russian.
    assert translate_in("ru", "Pass ({name})", name="Olga") in tg.buttons(post)

    # Someone else pressing Ani's button is refused; Ani's press moves on to the restatement.
    pressed = await tg.click(olga, post, "Ani: I have finished")
    assert tg.callback_answer(pressed)["text"] == translate_in(
        "ru", "This button has expired. Please use the latest message."
    )
    assert len(_group_posts(tg, world)) == 2  # the opening and the round
    await tg.click(ani, post, "Ani: I have finished")
    restate = tg.last_text(world.chat)
    assert "Olga, please restate here in your own words what Ani told (up to 3 minutes)." in restate
    # Olga restates by writing in the group.
    await tg.say(olga, world.chat, "You said your grandmother had to leave her village.")
    assert "Ani, I have asked you in private how well you felt understood." in tg.last_text(world.chat)
    question = tg.last_message(tg.private(ani))
    assert question.text.startswith("How well did you feel understood by Olga?")
    assert tg.buttons(question) == [
        "1 · Not at all",
        "2 · A little",
        "3 · Partly",
        "4 · Mostly",
        "5 · Completely",
    ]
    mostly = question.inline_keyboard[3][0]["callback_data"]
    await tg.click(ani, question, "4 · Mostly")
    assert tg.last_text(tg.private(ani)) == "Thank you. Your answer is stored anonymously."
    assert tg.last_text(world.chat).startswith("✅ The round is over. Thank you, Ani and Olga.")
    # The answer waits sealed: no response row yet, no person anywhere near it.
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Response)) == 0
        assert await db.scalar(select(func.count()).select_from(PendingAnswers)) == 1
        row = await db.scalar(select(PerspectiveRound))
        assert row.step == "done" and row.deadline is None
    # A second press of the same answer changes nothing.
    again = await tg.press_raw(ani, question, mostly)
    assert tg.callback_answer(again)["text"] == "This was already done."
    sent = len(tg.calls("sendMessage")) - before
    assert sent == 5  # start, restate, "asked in private", the private question, the end
