"""Who-is-heard counts are tallied in memory and written in batches: during an open session they
reach the database on flush; between sessions they are dropped; nothing of the content is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import DialogueSession, SessionParticipation
from bot.features.sessions import counting
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixture: dialogue)
from tests.handlers.moderation_fixtures import Dialogue


async def open_session(dialogue: Dialogue) -> int:
    now = dialogue.runtime.clock()
    async with dialogue.runtime.db() as db:
        session = DialogueSession(
            group_id=dialogue.group_id,
            title="Open",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
            zone="UTC",
            status="open",
            opened_at=now,
            created_at=now,
            updated_at=now,
        )
        db.add(session)
        await db.flush()
        return session.id


async def rows(dialogue: Dialogue) -> dict[int, tuple[int, int, int]]:
    async with dialogue.runtime.db() as db:
        found = await db.scalars(select(SessionParticipation))
        return {r.person_id: (r.messages, r.words, r.reactions) for r in found}


async def test_counts_reach_the_open_session_on_flush(tg, app, dialogue: Dialogue) -> None:
    ani = await dialogue.participant("Ani", "en")
    elvin = await dialogue.participant("Elvin", "ru")
    await open_session(dialogue)
    first = await tg.say(ani, dialogue.chat, "I think we should start with trade")
    await tg.say(ani, dialogue.chat, "and education 👍")
    await tg.say(elvin, dialogue.chat, "Согласен")
    await tg.react(elvin, first, "👍")
    assert await rows(dialogue) == {}  # tallied in memory, not yet written
    await counting.flush(app)
    assert await rows(dialogue) == {ani.id: (2, 9, 0), elvin.id: (1, 1, 1)}
    await tg.say(elvin, dialogue.chat, "Да")
    await counting.flush(app)
    assert (await rows(dialogue))[elvin.id] == (2, 2, 1)


async def test_counts_between_sessions_are_dropped(tg, app, dialogue: Dialogue) -> None:
    ani = await dialogue.participant("Ani", "en")
    await tg.say(ani, dialogue.chat, "Hello before the session")
    await counting.flush(app)
    assert await rows(dialogue) == {}
    assert app.bot_data[counting.BUFFER_KEY] == {}


async def test_a_failed_flush_keeps_the_counts_for_the_next(
    tg, app, dialogue: Dialogue, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from bot.features.sessions import participation

    ani = await dialogue.participant("Ani", "en")
    await open_session(dialogue)
    await tg.say(ani, dialogue.chat, "one two three")

    async def broken(*args, **kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(participation, "add_tallies", broken)
    await counting.flush(app)
    monkeypatch.undo()
    await tg.say(ani, dialogue.chat, "four")
    await counting.flush(app)
    assert await rows(dialogue) == {ani.id: (2, 4, 0)}
