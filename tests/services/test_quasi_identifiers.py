"""No stored attributes single anyone out: what a response row keeps, read against the invitees.

For every stored response, the people invited to its survey who could have written it (same
side and role where those were kept) number at least k. A lone professional of one side, a side
with too few people, and answers spread over days are the cases that used to name someone.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.db.models import Enrolment, Response, SurveyInvitation
from bot.features.feedback import service as feedback
from bot.features.feedback import store as feedback_store
from bot.features.feedback import surveys
from tests.services.feedback_fixtures import (
    add_people,
    add_session,
    close_and_answer,
    close_instance,
    make_program,
)

K = 5


async def _rows_and_invitees(runtime, instance_id):
    async with runtime.db() as db:
        rows = (
            await db.execute(
                select(Response.side_id, Response.role, Response.coarsened).where(
                    Response.instance_id == instance_id
                )
            )
        ).all()
        invitees = (
            await db.execute(
                select(Enrolment.side_id, Enrolment.role)
                .join(SurveyInvitation, SurveyInvitation.person_id == Enrolment.person_id)
                .where(SurveyInvitation.instance_id == instance_id)
            )
        ).all()
    return rows, invitees


def _assert_k_anonymous(rows, invitees) -> None:
    for side, role, coarsened in rows:
        matching = [
            1
            for s, r in invitees
            if ("side" in coarsened or s == side) and ("role" in coarsened or r == role)
        ]
        assert len(matching) >= K, (side, role, coarsened)


async def test_a_lone_professional_of_one_side_is_never_singled_out(runtime) -> None:
    program = await make_program(runtime)
    students_a = await add_people(runtime, program, 6, side=0)
    [lone] = await add_people(runtime, program, 1, side=0, role="professional")
    students_b = await add_people(runtime, program, 6, side=1)
    session = await add_session(runtime, program)
    everyone = [*students_a, lone, *students_b]
    instance = await close_and_answer(
        runtime, program, session, {p: (4, 4, 4, 4) for p in everyone}
    )
    rows, invitees = await _rows_and_invitees(runtime, instance)
    assert len(rows) == 13
    assert not any(role == "professional" for _side, role, _c in rows)
    _assert_k_anonymous(rows, invitees)
    side_a = program.view.sides[0].id
    # All of side A lost its role (so a missing role points at no one); side B kept it.
    assert {(s, r, c) for s, r, c in rows if s == side_a} == {(side_a, None, "role")}
    assert {r for s, r, _c in rows if s != side_a} == {"student"}


async def test_a_small_side_keeps_no_side_and_small_counts_stay_hidden(runtime) -> None:
    program = await make_program(runtime)
    few = await add_people(runtime, program, 3, side=0)
    many = await add_people(runtime, program, 9, side=1)
    session = await add_session(runtime, program)
    instance = await close_and_answer(
        runtime,
        program,
        session,
        {p: (3, 3, 3, 3) for p in [*few, *many[:1]]},
        attendees=[*few, *many],
    )
    rows, invitees = await _rows_and_invitees(runtime, instance)
    assert {(s, c) for s, _r, c in rows} == {(None, "side+day")}
    _assert_k_anonymous(rows, invitees)


async def test_answers_over_several_days_keep_only_the_week_or_no_day(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 10, side=0) + await add_people(
        runtime, program, 10, side=1
    )
    session = await add_session(runtime, program)
    async with runtime.db() as db:
        opened = await feedback.open_after_session(
            db,
            session_id=session,
            group_id=program.group_ids[0],
            program_id=program.view.id,
            attendee_ids=ids,
            now=runtime.clock(),
        )
        survey = await surveys.get_survey(db, program.view.id, surveys.POST_SESSION)
    values = {i.id: 4 for i in survey.items if i.kind != surveys.TEXT}
    monday = runtime.clock().date()
    assert monday.weekday() == 0
    # Seven on Monday, three on Tuesday (same week): the first batch of 5 may mix them.
    for index, pid in enumerate(ids[:10]):
        if index == 7:
            runtime.clock.advance(days=1)
        async with runtime.db() as db:
            await feedback.submit(
                db, runtime.secret, pid, opened.instance_id, values, None, runtime.clock()
            )
    runtime.clock.advance(days=5, hours=23)  # next Monday, 08:00: three more, then it closes
    for pid in ids[10:13]:
        async with runtime.db() as db:
            await feedback.submit(
                db, runtime.secret, pid, opened.instance_id, values, None, runtime.clock()
            )
    await close_instance(runtime, opened.instance_id)
    async with runtime.db() as db:
        stored = (
            await db.execute(
                select(Response.day, Response.coarsened).where(
                    Response.instance_id == opened.instance_id
                )
            )
        ).all()
        assert await feedback_store.waiting(db, runtime.secret, opened.instance_id) == 0
    assert len(stored) == 13
    by_day: dict[date, int] = {}
    for day, coarsened in stored:
        by_day[day] = by_day.get(day, 0) + 1
        if "day" in coarsened:
            assert day == monday  # the survey's first day: says nothing of when
        elif "week" in coarsened:
            assert day.weekday() == 0
    # No stored day is shared by fewer than k answers.
    assert all(n >= K for n in by_day.values()), by_day
    assert monday + timedelta(days=7) not in by_day  # the three of the next week are not dated

