"""Answers wait sealed: a person is told "saved" only once theirs is, and a bundle that does not
open (the server secret was changed) loses nobody's answer and gets the usual translated reply."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.db.models import PendingAnswers, Receipt, Response, SurveyInstance
from bot.domain.anonymity.sealing import seal, seal_key
from bot.features.feedback import store as feedback_store
from bot.i18n import translate_in
from tests.handlers.feedback_fixtures import make_place
from tests.handlers.test_feedback_answering import THANKS, answer_all


async def _count(runtime, model) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model)) or 0


async def test_saved_means_sealed_and_a_bundle_under_another_secret_loses_nothing(
    tg, fake, app, runtime
) -> None:
    place = await make_place(runtime, fake)
    ani = await place.add_person("Ani")
    olga = await place.add_person("Olga", locale="ru", side=1)
    third = await place.add_person("Third")
    session = await place.closed_session("Week 1")
    await place.close(app, session, [ani, olga, third])
    async with runtime.db() as db:
        instance_id = await db.scalar(
            select(SurveyInstance.id).where(SurveyInstance.session_id == session)
        )

    await answer_all(tg, fake, ani)
    assert tg.last_text(fake.private(ani)) == THANKS
    # Saved: waiting sealed with its receipt, not yet a response (one of three answered).
    assert await _count(runtime, Response) == 0 and await _count(runtime, Receipt) == 1
    async with runtime.db() as db:
        assert await feedback_store.waiting(db, runtime.secret, instance_id) == 1
        original = await db.scalar(select(PendingAnswers.sealed))
        # The bot restarted with another secret: the bundle no longer opens.
        foreign = seal(seal_key(b"some-other-secret-of-enough-length"), instance_id, [])
        await db.execute(update(PendingAnswers).values(sealed=foreign))

    await answer_all(tg, fake, olga, values=(4, 4, 4, 4))
    chat = fake.private(olga)
    assert tg.last_text(chat).startswith(
        translate_in(
            "ru",
            "Your answers could not be saved because of a problem on our side, and nothing was "
            "stored. Please try again.",
        )[:40]
    )
    assert await _count(runtime, Receipt) == 1  # nothing of hers was stored

    async with runtime.db() as db:  # the right secret is back
        await db.execute(update(PendingAnswers).values(sealed=original))
    await tg.click(olga, tg.last_message(chat), translate_in("ru", "Try saving again"))
    assert tg.last_text(chat) == translate_in("ru", THANKS)
    async with runtime.db() as db:
        assert await feedback_store.waiting(db, runtime.secret, instance_id) == 2
