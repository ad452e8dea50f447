"""The tallies reports read always equal the counts of the stored responses and answers."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.db.models import Answer, AnswerTally, RespondentTally, Response
from tests.services.feedback_fixtures import (
    add_people,
    add_session,
    close_and_answer,
    make_program,
)


async def _stored(runtime) -> tuple[Counter, Counter]:
    async with runtime.db() as db:
        respondents = Counter(
            (r.instance_id, r.side_id, r.role, r.coarsened)
            for r in (await db.scalars(select(Response))).all()
        )
        answers = Counter()
        for answer, response in (await db.execute(select(Answer, Response).join(Response))).all():
            if answer.value is None and answer.text is None:
                continue
            key = (
                response.instance_id,
                answer.item_id,
                response.side_id,
                response.role,
                response.coarsened,
                answer.value,
            )
            answers[key] += 1
    return respondents, answers


async def _tallied(runtime) -> tuple[Counter, Counter]:
    async with runtime.db() as db:
        respondents = Counter()
        for t in (await db.scalars(select(RespondentTally))).all():
            respondents[(t.instance_id, t.side_id, t.role, t.coarsened)] += t.n
        answers = Counter()
        for t in (await db.scalars(select(AnswerTally))).all():
            answers[(t.instance_id, t.item_id, t.side_id, t.role, t.coarsened, t.value)] += t.n
    return respondents, answers


async def test_tallies_follow_every_write_of_the_store(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 14)
    # Two sessions: one answered by all but a few (batches, coarsening), one by a handful.
    first = await add_session(runtime, program)
    await close_and_answer(
        runtime,
        program,
        first,
        {pid: (1 + i % 5, 2, 3 + i % 2, 5) for i, pid in enumerate(ids[:12])},
        comments={pid: "useful" for pid in ids[:7]},
    )
    assert await _tallied(runtime) == await _stored(runtime)
    second = await add_session(runtime, program)
    await close_and_answer(
        runtime, program, second, {pid: (4, 4, 4, 4) for pid in ids[:6]}, attendees=ids
    )
    stored = await _stored(runtime)
    assert sum(stored[0].values()) == 18
    assert await _tallied(runtime) == stored
