"""Evaluation reports: numbers, pre/post, trends, breakdowns, and small-cell suppression."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.db.models import SessionSideStats
from bot.domain.anonymity import AnonymityError
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.statistics import Agg, mean_ci, pre_post
from bot.features.feedback import evaluation, surveys
from bot.features.feedback.evaluation import Scope
from bot.i18n import use_locale
from bot.reports import render
from tests.services.feedback_fixtures import (
    AFTER_CLOSE,
    add_people,
    add_session,
    answer_program_survey,
    close_and_answer,
    make_program,
)


async def report(runtime, scope: Scope):
    """The report once every survey so far has closed (surveys count only then)."""
    async with runtime.db() as db:
        return await evaluation.build_report(db, scope, now=runtime.clock() + AFTER_CLOSE)


async def test_session_report_numbers(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 8)
    session = await add_session(runtime, program)
    values = [(5, 4, 5, 5), (4, 4, 4, 5), (3, 2, 5, 4), (5, 5, 5, 5), (4, 3, 4, 4), (2, 3, 5, 3)]
    await close_and_answer(
        runtime, program, session, dict(zip(ids, values, strict=False)), attendees=ids
    )
    result = await report(runtime, Scope(program.view.id, program.group_ids[0], session))
    assert (result.invited, result.answered) == (8, 6)
    assert result.rate == pytest.approx(0.75)
    felt_heard = result.items[0]
    assert felt_heard.item.key == "felt_heard" and felt_heard.n == 6
    expected = mean_ci(6, 23, 95)
    assert felt_heard.stats == expected
    assert [bar.value for bar in felt_heard.bars] == [1, 2, 3, 4, 5]
    # 1, 1, 2, 2 are below k=5: with the mean shown, any two hidden bars would give each other
    # away, so a distribution is shown whole or not at all.
    assert [bar.count for bar in felt_heard.bars] == [None, None, None, None, None]


async def test_fewer_than_k_answers_hide_everything(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 6)
    session = await add_session(runtime, program)
    await close_and_answer(
        runtime, program, session, {pid: (5, 5, 5, 5) for pid in ids[:4]}, attendees=ids
    )
    result = await report(runtime, Scope(program.view.id, program.group_ids[0], session))
    assert result.invited == 6
    assert result.answered is None and result.rate is None
    assert all(item.n is None and item.stats is None and item.bars == () for item in result.items)
    assert all(n is None for n in result.respondents.values())


async def test_side_breakdown_hides_the_complementary_cell(runtime) -> None:
    program = await make_program(runtime)
    armenia = await add_people(runtime, program, 7, side=0)
    # Five invited on each side (so sides are stored), two of Azerbaijan's answer.
    azerbaijan = await add_people(runtime, program, 5, side=1)
    session = await add_session(runtime, program)
    answers = {pid: (5, 5, 5, 5) for pid in armenia} | {
        pid: (1, 1, 1, 1) for pid in azerbaijan[:2]
    }
    await close_and_answer(
        runtime, program, session, answers, attendees=[*armenia, *azerbaijan]
    )
    result = await report(runtime, Scope(program.view.id))
    felt = result.items[0]
    assert felt.n == 9  # the total may be shown...
    cells = {cell.label: cell for cell in felt.by_side}
    # ...but then Armenia's 7 would reveal Azerbaijan's 2 by subtraction: both are hidden.
    assert cells["Azerbaijan"].n is None and cells["Azerbaijan"].mean is None
    assert cells["Armenia"].n is None and cells["Armenia"].mean is None
    # The same in the side x role table of respondents.
    assert result.respondents[("Azerbaijan", "student")] is None
    assert result.respondents[("Armenia", "student")] is None


async def test_breakdown_cells_reaching_k_are_shown(runtime) -> None:
    program = await make_program(runtime)
    armenia = await add_people(runtime, program, 5, side=0)
    azerbaijan = await add_people(runtime, program, 6, side=1, role="professional")
    session = await add_session(runtime, program)
    answers = {pid: (5, 4, 4, 4) for pid in armenia} | {pid: (3, 4, 4, 4) for pid in azerbaijan}
    await close_and_answer(runtime, program, session, answers)
    result = await report(runtime, Scope(program.view.id))
    cells = {cell.label: cell for cell in result.items[0].by_side}
    assert (cells["Armenia"].n, cells["Armenia"].mean) == (5, 5.0)
    assert (cells["Azerbaijan"].n, cells["Azerbaijan"].mean) == (6, 3.0)
    roles = {cell.label: cell for cell in result.items[0].by_role}
    assert roles["student"].n == 5 and roles["professional"].mean == 3.0


async def test_comments_need_their_own_k_and_come_in_random_order(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 12)
    session = await add_session(runtime, program)
    comments = {pid: f"comment number {n}" for n, pid in enumerate(ids[:9])}
    await close_and_answer(
        runtime, program, session, {pid: (4, 4, 4, 4) for pid in ids}, comments=comments
    )
    for scope in (
        Scope(program.view.id),
        Scope(program.view.id, program.group_ids[0]),
        Scope(program.view.id, program.group_ids[0], session),
    ):
        result = await report(runtime, scope)
        assert result.comments == () and result.comment_count is None  # 9 < 10, nowhere

    program2 = await make_program(runtime, name="Autumn")
    ids2 = await add_people(runtime, program2, 12)
    session2 = await add_session(runtime, program2)
    comments2 = {pid: f"comment number {n}" for n, pid in enumerate(ids2)}
    await close_and_answer(
        runtime, program2, session2, {pid: (4, 4, 4, 4) for pid in ids2}, comments=comments2
    )
    orders = set()
    for _ in range(6):
        result = await report(runtime, Scope(program2.view.id, program2.group_ids[0], session2))
        assert sorted(result.comments) == sorted(comments2.values())
        orders.add(result.comments)
    assert len(orders) > 1  # drawn in random order, not the order of answering
    # Shown in the session's report, so in no other: a comment has exactly one home.
    for scope in (Scope(program2.view.id), Scope(program2.view.id, program2.group_ids[0])):
        assert (await report(runtime, scope)).comments == ()


async def test_pre_post_comparison_per_construct(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 6)
    pre_values = [
        (2, 3, 3, 4, 30),
        (3, 3, 2, 4, 40),
        (2, 2, 3, 5, 20),
        (3, 3, 3, 4, 50),
        (2, 3, 2, 4, 40),
        (1, 2, 3, 3, 30),
    ]
    post_values = [
        (4, 4, 4, 2, 60),
        (4, 3, 5, 3, 70),
        (3, 4, 4, 2, 60),
        (5, 4, 4, 2, 80),
        (4, 4, 3, 3, 50),
    ]
    await answer_program_survey(
        runtime, program, surveys.PRE_PROGRAM, dict(zip(ids, pre_values, strict=True))
    )
    await answer_program_survey(
        runtime, program, surveys.POST_PROGRAM, dict(zip(ids, post_values, strict=False))
    )
    result = await report(runtime, Scope(program.view.id))
    rows = {row.construct: row for row in result.pre_post}
    assert set(rows) == {
        "trust",
        "perspective_taking",
        "future_contact",
        "intergroup_anxiety",
        "feeling_thermometer",
    }
    trust = rows["trust"]
    expected = pre_post(Agg.from_counts({2: 3, 3: 2, 1: 1}), Agg.from_counts({4: 3, 3: 1, 5: 1}))
    assert trust.result == expected
    assert (trust.n_pre, trust.n_post) == (6, 5)
    assert trust.result.diff == pytest.approx(4.0 - 13 / 6)
    assert rows["feeling_thermometer"].result.diff == pytest.approx(64 - 35)


async def test_pre_post_below_k_is_not_compared(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 6)
    await answer_program_survey(
        runtime, program, surveys.PRE_PROGRAM, {pid: (3, 3, 3, 3, 50) for pid in ids}
    )
    await answer_program_survey(
        runtime, program, surveys.POST_PROGRAM, {pid: (4, 4, 4, 4, 60) for pid in ids[:3]}
    )
    rows = {row.construct: row for row in (await report(runtime, Scope(program.view.id))).pre_post}
    assert (
        rows["trust"].result is None and rows["trust"].n_pre == 6 and rows["trust"].n_post is None
    )


async def test_trend_across_a_groups_sessions_hides_small_sessions(runtime) -> None:
    from datetime import timedelta

    program = await make_program(runtime)
    ids = await add_people(runtime, program, 10)
    now = runtime.clock()
    means = {}
    for week, (value, answering) in enumerate(((3, 6), (4, 7), (5, 2), (5, 6)), start=1):
        session = await add_session(
            runtime, program, title=f"Week {week}", starts_at=now - timedelta(days=30 - 7 * week)
        )
        await close_and_answer(
            runtime, program, session, {pid: (value, 4, 4, 4) for pid in ids[:answering]}
        )
        means[f"Week {week}"] = value
    result = await report(runtime, Scope(program.view.id, program.group_ids[0]))
    felt = next(t for t in result.trends if t.item.key == "felt_heard")
    points = {p.label: p for p in felt.points}
    assert [p.label for p in felt.points] == ["Week 1", "Week 2", "Week 3", "Week 4"]
    assert points["Week 3"].n is None and points["Week 3"].mean is None  # 2 < k
    # Week 3 waits for other small sessions to make a pool of k; until then it is counted
    # nowhere, so the group's total minus the sessions shown is zero, not Week 3.
    assert sum(p.n is None for p in felt.points) == 1
    group_felt = next(i for i in result.items if i.item.key == "felt_heard")
    assert group_felt.n == sum(p.n for p in felt.points if p.n is not None) == 19
    shown = [p for p in felt.points if p.mean is not None]
    assert all(p.mean == means[p.label] for p in shown)


async def test_participation_balance_is_shown_beside_the_feedback(runtime) -> None:
    program = await make_program(runtime)
    session = await add_session(runtime, program)
    async with runtime.db() as db:
        for side, members, present, spoke, messages, words in (
            (0, 6, 6, 5, 60, 900),
            (1, 6, 5, 2, 40, 500),
        ):
            db.add(
                SessionSideStats(
                    session_id=session,
                    side_id=program.view.sides[side].id,
                    members=members,
                    present=present,
                    spoke=spoke,
                    messages=messages,
                    words=words,
                )
            )
    result = await report(runtime, Scope(program.view.id, program.group_ids[0], session))
    balance = {row.side: row for row in result.balance}
    assert balance["Armenia"].message_share == pytest.approx(0.6)
    row = balance["Azerbaijan"]
    assert (row.present, row.spoke, row.members) == (5, 2, 6)
    with use_locale("en"):
        assert render.balance_line(row) == (
            "Azerbaijan: 40% of messages, 500 words; present 5 of 6, spoke 2"
        )


async def test_who_was_present_and_who_spoke_are_hidden_below_k_members(runtime) -> None:
    """Four members on a side: "present 4, spoke 3" would tell the group who stayed silent."""
    program = await make_program(runtime)
    session = await add_session(runtime, program)
    async with runtime.db() as db:
        db.add(
            SessionSideStats(
                session_id=session,
                side_id=program.view.sides[1].id,
                members=4,
                present=4,
                spoke=3,
                messages=40,
                words=500,
            )
        )
    result = await report(runtime, Scope(program.view.id, program.group_ids[0], session))
    [row] = result.balance
    assert (row.present, row.spoke, row.members) == (None, None, 4)
    with use_locale("en"):
        assert render.balance_line(row).endswith("present hidden of 4, spoke hidden")


async def test_only_the_programs_organizers_may_see_its_report(runtime) -> None:
    program = await make_program(runtime)
    other = await make_program(runtime, name="Other")
    async with runtime.db() as db:
        from bot.db.models import Person
        from bot.features.programs import service as programs

        now = runtime.clock()
        db.add(Person(id=77, first_name="Org", created_at=now, updated_at=now))
        await db.flush()
        await programs.grant_organizer(db, other.view.id, 77, granted_by=None, now=now)
    async with runtime.db() as db:
        with pytest.raises(NotAllowed):
            await evaluation.require_report_access(db, 77, (), Scope(program.view.id))
        await evaluation.require_report_access(db, 77, (), Scope(other.view.id))
        # A group of another program is refused even to that program's organizer.
        with pytest.raises(NotFound):
            await evaluation.require_report_access(
                db, 77, (), Scope(other.view.id, program.group_ids[0])
            )


@pytest.mark.parametrize("k", [2, 0, -1])
async def test_k_below_three_is_refused(runtime, k) -> None:
    program = await make_program(runtime)
    for field in ("k_ratings", "k_comments"):
        with pytest.raises(AnonymityError) as caught:
            async with runtime.db() as db:
                await surveys.update_settings(db, program.view.id, **{field: k})
        assert caught.value.code == "k_too_small"
    async with runtime.db() as db:
        settings = await surveys.settings_of(db, program.view.id)
    assert (settings.k_ratings, settings.k_comments) == (5, 10)


async def test_raising_k_hides_more(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 7)
    async with runtime.db() as db:
        await surveys.update_settings(db, program.view.id, k_ratings=8)
    session = await add_session(runtime, program)
    await close_and_answer(runtime, program, session, {pid: (4, 4, 4, 4) for pid in ids})
    assert (await report(runtime, Scope(program.view.id))).answered is None  # 7 < 8


async def test_thresholds_are_fixed_once_session_surveys_began(runtime) -> None:
    """Another k would regroup released units: the old report minus the new would be one
    small session. So k cannot change (up or down) once a session survey has opened."""
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 7)
    session = await add_session(runtime, program)
    await close_and_answer(runtime, program, session, {pid: (4, 4, 4, 4) for pid in ids})
    for change in ({"k_ratings": 8}, {"k_ratings": 3}, {"k_comments": 12}):
        with pytest.raises(surveys.SurveyError) as caught:
            async with runtime.db() as db:
                await surveys.update_settings(db, program.view.id, **change)
        assert caught.value.code == "survey_thresholds_fixed"
    async with runtime.db() as db:  # the same values, or other settings, are still fine
        await surveys.update_settings(db, program.view.id, k_ratings=5, expiry_days=3)
    assert (await report(runtime, Scope(program.view.id))).answered == 7


async def test_aggregation_happens_in_the_database(runtime, engine) -> None:
    """The report reads the per-instance tallies, and any query that reads answers groups or
    counts them (or draws a bounded sample of comments): it never loads the rows into Python."""
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 12)
    session = await add_session(runtime, program)
    await close_and_answer(
        runtime,
        program,
        session,
        {pid: (4, 4, 4, 4) for pid in ids},
        comments={pid: "fine" for pid in ids[:11]},
    )
    statements: list[str] = []

    def capture(conn, cursor, statement, params, context, executemany):
        statements.append(" ".join(statement.split()).lower())

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await report(runtime, Scope(program.view.id))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert any("from answer_tallies" in s for s in statements)
    assert any("from respondent_tallies" in s for s in statements)
    reading = [
        s
        for s in statements
        if s.startswith("select") and ("from answers" in s or " join answers" in s)
    ]
    for statement in reading:
        assert "group by" in statement or "count(" in statement or " limit " in statement, statement
