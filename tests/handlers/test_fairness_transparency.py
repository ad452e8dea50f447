"""/transparency as a group reads it, and the organizers' private alert when sanctions per message
differ between sides (once a month, not on every sanction)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import DialogueSession, Enrolment, SessionSideStats, Side
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue


async def test_transparency_shows_rules_and_this_months_actions_naming_no_one(
    tg, dialogue: Dialogue
) -> None:
    alice = await dialogue.participant("Alice", "ru", username="alice")
    await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(alice, dialogue.chat, "/transparency")
    text = tg.last_text(dialogue.chat)
    assert "⚖️ How this group is moderated" in text
    assert "⚖️ Как модерируется эта группа" in text  # every group language, one block each
    assert "No moderation actions so far." in text
    assert "Appeals decided: 0, of which upheld: 0." in text

    await tg.say(mod, dialogue.chat, "/warn @alice rude")
    await tg.say(mod, dialogue.chat, "/mute @boris 2h spam")
    await tg.say(alice, dialogue.chat, "/transparency")
    text = tg.last_text(dialogue.chat)
    assert "Repeated breaches climb this ladder: warning → warning → mute (1 hour)" in text
    assert "This month (since March 1, 2026):" in text
    assert "Moderation actions: 2 (warnings: 1, mutes: 1)." in text
    assert "Модерационных действий: 2 (предупреждения: 1, ограничения: 1)." in text
    assert "Alice" not in text and "Boris" not in text and "Mona" not in text


async def test_transparency_outside_a_dialogue_group_is_explained(tg, fake, dialogue) -> None:
    other = fake.group("Some other chat")
    user = fake.user("Zed", language_code="en")
    fake.set_member(other, user, "member")
    await tg.say(user, other, "/transparency")
    assert tg.last_text(other) == "This chat is not a dialogue group of any program yet."


async def _enrol(dialogue: Dialogue, user, side_name: str) -> None:
    async with dialogue.runtime.db() as db:
        side = await db.scalar(
            select(Side).where(Side.program_id == dialogue.program_id, Side.name == side_name)
        )
        now = dialogue.runtime.clock()
        db.add(
            Enrolment(
                program_id=dialogue.program_id,
                person_id=user.id,
                side_id=side.id,
                role="student",
                accepted_conduct_at=now,
                enrolled_at=now,
            )
        )


async def test_organizers_are_told_once_a_month_when_sides_differ(
    tg, dialogue: Dialogue, clock
) -> None:
    await _sanctions_against_one_side(tg, dialogue, clock, ratio=None)


async def test_the_programs_own_threshold_decides(tg, dialogue: Dialogue, clock) -> None:
    from bot.db.models import Program

    async with dialogue.runtime.db() as db:
        (await db.get(Program, dialogue.program_id)).fairness = {"alert_ratio": 20.0}
    await _sanctions_against_one_side(tg, dialogue, clock, ratio=20.0)


async def _sanctions_against_one_side(tg, dialogue: Dialogue, clock, *, ratio) -> None:
    olga = await dialogue.organizer("Olga", "ru")
    alice = await dialogue.participant("Alice", "en", username="alice")
    bob = await dialogue.participant("Bob", "en", username="bob")
    await _enrol(dialogue, alice, "Armenia")
    await _enrol(dialogue, bob, "Azerbaijan")
    mod = await dialogue.moderator("Mona", "en")
    async with dialogue.runtime.db() as db:
        sides = (await db.scalars(select(Side).where(Side.program_id == dialogue.program_id))).all()
        session = DialogueSession(
            group_id=dialogue.group_id,
            title="Week 1",
            starts_at=clock() - timedelta(hours=3),
            ends_at=clock() - timedelta(hours=2),
            zone="UTC",
            status="closed",
            closed_at=clock() - timedelta(hours=2),
            created_at=clock(),
            updated_at=clock(),
        )
        db.add(session)
        await db.flush()
        for side in sides:
            db.add(
                SessionSideStats(
                    session_id=session.id,
                    side_id=side.id,
                    members=6,
                    present=6,
                    spoke=6,
                    messages=400,
                    words=3000,
                )
            )
    private = tg.private(olga)
    for _ in range(4):
        await tg.say(mod, dialogue.chat, "/warn @alice rude")
    assert tg.texts(private) == []  # four sanctions: too few to compare
    await tg.say(mod, dialogue.chat, "/warn @alice rude")
    if ratio is not None:  # 11 times as often, within the program's 20: nobody is told
        assert tg.texts(private) == []
        return
    [alert] = tg.texts(private)
    assert alert.startswith(
        "⚖️ Spring Exchange: в этом месяце участников со стороны Armenia наказывали в 11 раз "
        "чаще в расчёте на сообщение, чем участников со стороны Azerbaijan"
    )
    assert "Alice" not in alert
    await tg.say(mod, dialogue.chat, "/warn @alice rude")
    await tg.say(mod, dialogue.chat, "/mute @bob 1h spam")
    assert len(tg.texts(private)) == 1  # once per month, not on every sanction
