"""From the database alone, without the secret, no response can be tied to a person.

Each test would fail if a link leaked: a column naming a person or a precise time, an id or a
physical order that follows the order of answering, or a value shared by one person's answers to
two surveys.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
from sqlalchemy import Date, DateTime, func, select, text

from bot.db.models import Answer, Receipt, Response, SurveyInvitation
from bot.domain.errors import BridgeError
from bot.features.feedback import service as feedback
from bot.features.feedback import surveys
from tests.services.feedback_fixtures import (
    add_people,
    add_session,
    answer_program_survey,
    close_and_answer,
    make_program,
)

ANSWER_TABLES = (Response, Answer, Receipt)


def test_answer_tables_have_no_person_and_no_precise_time() -> None:
    for model in ANSWER_TABLES:
        table = model.__table__
        for column in table.columns:
            targets = {fk.column.table.name for fk in column.foreign_keys}
            assert "people" not in targets, f"{table.name}.{column.name} points at a person"
            assert not isinstance(column.type, DateTime), (
                f"{table.name}.{column.name} is a timestamp"
            )
            assert "person" not in column.name and "user" not in column.name
        # A serial id would record the order of answering.
        for column in table.primary_key.columns:
            assert column.autoincrement is not True
    assert isinstance(Response.__table__.c.day.type, Date)
    # The receipt refers to the survey instance only, never to the response.
    assert {fk.column.table.name for c in Receipt.__table__.columns for fk in c.foreign_keys} == {
        "survey_instances"
    }


async def _answered_program(runtime, people: int = 12):
    program = await make_program(runtime)
    ids = await add_people(runtime, program, people)
    session = await add_session(runtime, program)
    instance = await close_and_answer(runtime, program, session, {pid: (5, 4, 3, 2) for pid in ids})
    return program, ids, instance


async def test_ids_and_days_carry_no_order_of_answering(runtime, engine) -> None:
    await _answered_program(runtime, people=30)
    async with runtime.db() as db:
        stored = (await db.scalars(select(Response.id))).all()  # physical order, no ORDER BY
        days = set((await db.scalars(select(Response.day))).all())
    assert len(stored) == 30 and all(len(i) == 32 for i in stored)
    assert days == {date(2026, 3, 2)}  # the day only, the same for everyone that day
    # Rows come back in the order of their random ids, not in the order they were written.
    if engine.dialect.name == "sqlite":
        assert list(stored) == sorted(stored)
        async with engine.connect() as conn:
            for table in ("responses", "answers", "receipts"):
                sql = await conn.scalar(
                    text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
                )
                assert "WITHOUT ROWID" in sql
            with pytest.raises(Exception, match="rowid"):
                await conn.execute(text("SELECT rowid FROM responses"))


async def test_postgres_sweep_erases_write_order(runtime, engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip(
            "PostgreSQL keeps write order in xmin and physical order; SQLite has neither here"
        )
    await _answered_program(runtime, people=20)
    async with runtime.db() as db:
        before = (
            await db.execute(text("SELECT count(DISTINCT xmin::text) FROM responses"))
        ).scalar()
        receipts_before = (
            await db.execute(text("SELECT count(DISTINCT xmin::text) FROM receipts"))
        ).scalar()
    # Responses are written in batches (one transaction each; here the whole survey at once)...
    assert before == 1
    # ...receipts one per answer: their order of writing is visible (it names nobody without
    # the secret, and Telegram's record of presses tells the same)...
    async with runtime.db() as db:
        assert await feedback.erase_order(db)
    async with runtime.db() as db:
        xmins = (
            await db.execute(text("SELECT count(DISTINCT xmin::text) FROM responses"))
        ).scalar()
        receipt_xmins = (
            await db.execute(text("SELECT count(DISTINCT xmin::text) FROM receipts"))
        ).scalar()
        physical = (await db.scalars(text("SELECT id FROM responses ORDER BY ctid"))).all()
    assert receipts_before == 20
    assert xmins == 1 and receipt_xmins == 1  # ...and after the sweep it is gone
    assert list(physical) == sorted(physical)


async def test_receipts_cannot_be_linked_without_the_secret(runtime) -> None:
    _, ids, instance = await _answered_program(runtime, people=6)
    async with runtime.db() as db:
        digests = set((await db.scalars(select(Receipt.digest))).all())
    assert len(digests) == 6
    # Nothing an attacker can compute without the secret matches a receipt.
    for pid in ids:
        for guess in (
            f"{pid}",
            f"{pid}:{instance}",
            f"instance:{instance}:{pid}",
            f"{pid}\x00instance:{instance}",
        ):
            assert hashlib.sha256(guess.encode()).hexdigest() not in digests
    # With the secret, the right receipt is recognised (that is what "already answered" uses).
    assert feedback.receipt_of(runtime.secret, ids[0], instance) in digests
    assert feedback.receipt_of(b"another-secret-of-enough-length", ids[0], instance) not in digests


async def test_one_persons_answers_to_two_surveys_share_nothing(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 5)
    first = await add_session(runtime, program, title="Week 1")
    second = await add_session(runtime, program, title="Week 2")
    i1 = await close_and_answer(runtime, program, first, {pid: (5, 5, 5, 5) for pid in ids})
    i2 = await close_and_answer(runtime, program, second, {pid: (5, 5, 5, 5) for pid in ids})
    async with runtime.db() as db:
        receipts = (await db.execute(select(Receipt.digest, Receipt.instance_id))).all()
        responses = (await db.execute(select(Response.id, Response.instance_id))).all()
    by_instance = {i1: set(), i2: set()}
    for digest, instance in receipts:
        by_instance[instance].add(digest)
    assert not by_instance[i1] & by_instance[i2]
    # No receipt of one survey shares even a prefix with any of the other's (keyed HMAC, unrelated).
    assert not {d[:8] for d in by_instance[i1]} & {d[:8] for d in by_instance[i2]}
    assert len({rid for rid, _ in responses}) == 10


async def test_no_person_id_appears_in_any_answer_row(runtime) -> None:
    _, ids, _ = await _answered_program(runtime, people=5)
    async with runtime.db() as db:
        rows = (await db.execute(select(Response))).scalars().all()
        answers = (await db.execute(select(Answer))).scalars().all()
    values = {str(v) for r in rows for v in vars(r).values() if not str(v).startswith("<")}
    values |= {str(v) for a in answers for v in vars(a).values() if not str(v).startswith("<")}
    assert not {str(pid) for pid in ids} & values


async def test_a_failed_save_leaves_no_receipt_and_no_half_answer(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 1)
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
    ratings = {i.id: 4 for i in survey.items if i.kind != surveys.TEXT}

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with runtime.db() as db:
            await feedback.submit(
                db,
                runtime.secret,
                ids[0],
                opened.instance_id,
                ratings,
                "a comment",
                runtime.clock(),
            )
            raise Boom  # the database fails at commit time
    async with runtime.db() as db:
        for model in ANSWER_TABLES:
            assert await db.scalar(select(func.count()).select_from(model)) == 0
        # The invitation is still there and the person may answer again.
        await feedback.submit(
            db, runtime.secret, ids[0], opened.instance_id, ratings, None, runtime.clock()
        )
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Receipt)) == 1


async def test_incomplete_answers_are_refused(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 1)
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
    first = survey.items[0].id
    with pytest.raises(BridgeError) as caught:
        async with runtime.db() as db:
            await feedback.submit(
                db, runtime.secret, ids[0], opened.instance_id, {first: 4}, None, runtime.clock()
            )
    assert caught.value.code == "survey_incomplete"
    with pytest.raises(BridgeError) as caught:
        async with runtime.db() as db:
            values = {i.id: 9 for i in survey.items if i.kind != surveys.TEXT}
            await feedback.submit(
                db, runtime.secret, ids[0], opened.instance_id, values, None, runtime.clock()
            )
    assert caught.value.code == "survey_incomplete"


async def test_forgetting_a_person_keeps_anonymous_answers_and_drops_invitations(runtime) -> None:
    from bot.features.privacy import service as privacy

    _, ids, _ = await _answered_program(runtime, people=3)
    async with runtime.db() as db:
        await privacy.forget(db, ids[0], runtime.clock())
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Response)) == 3
        assert (
            await db.scalar(
                select(func.count())
                .select_from(SurveyInvitation)
                .where(SurveyInvitation.person_id == ids[0])
            )
            == 0
        )


async def test_pre_and_post_program_answers_are_separate_responses(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 3)
    pre = await answer_program_survey(
        runtime, program, surveys.PRE_PROGRAM, {pid: (2, 2, 2, 4, 30) for pid in ids}
    )
    post = await answer_program_survey(
        runtime, program, surveys.POST_PROGRAM, {pid: (4, 4, 4, 2, 70) for pid in ids}
    )
    async with runtime.db() as db:
        counts = dict(
            (
                await db.execute(
                    select(Response.instance_id, func.count()).group_by(Response.instance_id)
                )
            ).all()
        )
    assert counts == {pre: 3, post: 3}


def test_clock_is_never_read_by_the_services() -> None:
    import importlib
    import inspect
    import pkgutil

    from bot.features.feedback import evaluation

    modules = [feedback, surveys, evaluation]
    for package in (feedback, surveys):  # split into packages: every module of them
        modules += [
            importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)
        ]
    for module in modules:
        source = inspect.getsource(module)
        assert "datetime.now" not in source and "utcnow" not in source
    assert datetime  # imported for the annotation above
