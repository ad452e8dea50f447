"""What anonymous storage costs: `.venv/bin/python bench/feedback_store.py [--pg URL] [--no-pg]`.

On a program already holding 100,000 post-session responses (the seed of bench/reports.py), prints:

* answers accepted per second through ``feedback.submit`` (its own transaction per answer, then
  the clean-up that follows each commit), for ten session surveys of 24 people and for 200 new
  answers to the program-wide pre-program survey that already holds 5,000;
* the time to build the program and a group report.

Runs against whatever code is importable, so the same file measures before and after a change
(copy it into a checkout of the older commit and run it there).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reports as seeded  # bench/reports.py: its 100,000-response program

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.db.models import (
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    Person,
    Program,
)
from bot.features.feedback import service as feedback
from bot.features.feedback import surveys
from bot.features.feedback.evaluation import Scope

try:
    from bot.features.feedback import store as feedback_store
except ImportError:  # before sealed, batched storage
    feedback_store = None

NOW = seeded.NOW + timedelta(hours=1)
SESSIONS, PEOPLE, PROGRAM_ANSWERS = 10, 24, 200


async def _people(factory, program_id: int, count: int, first_id: int) -> tuple[int, list[int]]:
    async with factory.begin() as db:
        program = await db.get(Program, program_id)
        sides = await db.execute(text(f"SELECT id FROM sides WHERE program_id = {program.id}"))
        side_ids = [s for (s,) in sides]
        group = DialogueGroup(
            program_id=program_id, name=f"Bench answering {first_id}", created_at=NOW
        )
        db.add(group)
        await db.flush()
        ids = []
        for n in range(count):
            pid = first_id + n
            db.add(Person(id=pid, first_name=f"P{n}", locale="en", created_at=NOW, updated_at=NOW))
            await db.flush()
            db.add(
                Enrolment(
                    program_id=program_id,
                    person_id=pid,
                    side_id=side_ids[n % 2],
                    role="student",
                    accepted_conduct_at=NOW,
                    enrolled_at=NOW,
                )
            )
            db.add(
                GroupMember(
                    program_id=program_id,
                    group_id=group.id,
                    person_id=pid,
                    status="joined",
                    assigned_at=NOW,
                )
            )
            ids.append(pid)
    return group.id, ids


async def _answer_all(engine, factory, program_id: int, instance_id: int, ids, kind) -> None:
    async with factory.begin() as db:
        survey = await surveys.get_survey(db, program_id, kind)
    values = {i.id: 4 for i in survey.items if i.kind not in (surveys.TEXT, surveys.THERMOMETER)}
    values |= {i.id: 50 for i in survey.items if i.kind == surveys.THERMOMETER}
    for n, pid in enumerate(ids):
        async with factory.begin() as db:
            accepted = await feedback.submit(
                db, seeded_secret(), pid, instance_id, values, f"comment {n}", NOW
            )
        if feedback_store is not None:
            await feedback_store.settle(engine, written=bool(accepted.written))


def seeded_secret() -> bytes:
    return b"bench-secret-not-for-production"


async def run(url: str, name: str) -> None:
    engine = create_engine(url)
    await upgrade_engine(engine)
    factory = create_session_factory(engine)
    started = time.perf_counter()
    program_id, group_id, _session_id = await seeded.seed(factory)
    print(f"{name}: seeded 110,000 responses in {time.perf_counter() - started:.1f} s")
    if url.startswith("postgresql"):
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    await engine.dispose()
    for label, scope in (
        ("program report (cold)", Scope(program_id)),
        ("group report (5 sessions)", Scope(program_id, group_id)),
    ):
        elapsed, _peak, _report = await seeded.timed_report(url, scope, cold=True)
        print(f"  {label:<28} {elapsed * 1000:8.1f} ms")

    answering_group, ids = await _people(factory, program_id, PEOPLE, 3_000_000_000)
    elapsed = 0.0
    for s in range(SESSIONS):
        async with factory.begin() as db:
            session = DialogueSession(
                group_id=answering_group,
                title=f"Answering {s}",
                starts_at=NOW - timedelta(hours=2),
                ends_at=NOW - timedelta(hours=1),
                zone="UTC",
                status="closed",
                closed_at=NOW - timedelta(hours=1),
                created_at=NOW,
                updated_at=NOW,
            )
            db.add(session)
            await db.flush()
            opened = await feedback.open_after_session(
                db,
                session_id=session.id,
                group_id=answering_group,
                program_id=program_id,
                attendee_ids=ids,
                now=NOW,
            )
        started = time.perf_counter()
        await _answer_all(
            engine, factory, program_id, opened.instance_id, ids, surveys.POST_SESSION
        )
        elapsed += time.perf_counter() - started
    total = SESSIONS * PEOPLE
    print(
        f"  session surveys: {total} answers in {elapsed:.2f} s = {total / elapsed:8.1f} answers/s"
    )

    _g, program_people = await _people(factory, program_id, PROGRAM_ANSWERS, 3_100_000_000)
    async with factory.begin() as db:
        opened = await feedback.open_program_survey(
            db, program_id=program_id, kind=surveys.PRE_PROGRAM, person_ids=program_people, now=NOW
        )
    started = time.perf_counter()
    await _answer_all(
        engine, factory, program_id, opened.instance_id, program_people, surveys.PRE_PROGRAM
    )
    elapsed = time.perf_counter() - started
    print(
        f"  program survey (5,000 stored): {PROGRAM_ANSWERS} answers in {elapsed:.2f} s"
        f" = {PROGRAM_ANSWERS / elapsed:8.1f} answers/s"
    )
    await engine.dispose()
    elapsed, _peak, _report = await seeded.timed_report(url, Scope(program_id), cold=True)
    print(f"  {'program report (cold), after':<28} {elapsed * 1000:8.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        await run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", "SQLite")
    if args.no_pg:
        return
    base = make_url(args.pg)
    name = f"bridgebot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        await run(base.set(database=name).render_as_string(hide_password=False), "PostgreSQL")
    finally:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
