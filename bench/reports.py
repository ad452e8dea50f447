"""Building evaluation reports over a large program: `.venv/bin/python bench/reports.py [--pg URL]`.

A program with 200 dialogue groups, 5 closed sessions each, and 100,000 post-session responses
(4 rated items and some comments each), plus 2 x 5,000 pre/post responses, and ``--moderation``
sanctions (default 5,000: half by filters, half by moderators of either side) with half as many
reports and a fifth as many appeals, spread over the weeks, for the report's fairness section
(``--moderation 0`` leaves it empty; "fairness figures alone" times that section). Prints the time and
the peak Python memory (tracemalloc) of building the program report, a group report and a session
report, on SQLite and, with --pg (default postgresql+asyncpg://postgres@127.0.0.1:5432/test), on
PostgreSQL in a scratch database that is dropped afterwards.

"cold" is what an organizer opening the report feels: every run uses a fresh engine (no open
connection, no page cache of its own) and no stored program-survey snapshot. Each figure is the
median of ``--runs`` runs with their spread (min-max), timed without tracemalloc (which slows
Python several times); peak memory comes from one extra, separately labelled run. The baseline
beside the report is the bare database work it cannot do without, timed the same way in the
same run: the GROUP BY over every answer of the scope. ``--responses`` scales the program
(e.g. 300000 or 1000000) to see how the report grows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, text
from sqlalchemy.engine import make_url

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.db.models import (
    Answer,
    Appeal,
    DialogueGroup,
    DialogueSession,
    ModerationAction,
    ReleasedFigures,
    Report,
    Response,
    SessionSideStats,
    SurveyInstance,
)
from bot.domain.anonymity import new_response_id
from bot.domain.programs import ProgramDraft
from bot.features.feedback import evaluation, surveys
from bot.features.feedback.evaluation import Scope
from bot.features.programs import service as programs
from bot.services import fairness, feedback_tallies

GROUPS, SESSIONS_PER_GROUP, RESPONSES, PROGRAM_RESPONSES = 200, 5, 100_000, 5_000
MODERATION = 5_000
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
# Read after every session's survey has closed (reports count closed surveys only).
READ_AT = NOW + timedelta(days=30)


async def seed(sessions_factory) -> tuple[int, int, int]:
    rng = random.Random(7)
    async with sessions_factory.begin() as db:
        program = await programs.create(
            db,
            ProgramDraft(
                name="Bench",
                sides=("Armenia", "Azerbaijan"),
                languages=("en", "ru"),
                timezone="UTC",
            ),
            creator_id=None,
            now=NOW,
        )
        ids = await surveys.ensure_surveys(db, program.id, NOW)
        views = {kind: await surveys.get_survey(db, program.id, kind) for kind in surveys.KINDS}
        side_ids = [s.id for s in program.sides]
        group_ids, session_rows = [], []
        for g in range(GROUPS):
            group = DialogueGroup(program_id=program.id, name=f"Group {g:03d}", created_at=NOW)
            db.add(group)
            await db.flush()
            group_ids.append(group.id)
            for s in range(SESSIONS_PER_GROUP):
                starts = NOW - timedelta(days=7 * (SESSIONS_PER_GROUP - s))
                session = DialogueSession(
                    group_id=group.id,
                    title=f"Week {s + 1}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                    zone="UTC",
                    status="closed",
                    closed_at=starts + timedelta(hours=1),
                    created_at=NOW,
                    updated_at=NOW,
                )
                db.add(session)
                await db.flush()
                instance = SurveyInstance(
                    survey_id=ids[surveys.POST_SESSION],
                    program_id=program.id,
                    group_id=group.id,
                    session_id=session.id,
                    opened_at=starts,
                    closes_at=starts + timedelta(days=7),
                    invited=120,
                )
                db.add(instance)
                await db.flush()
                session_rows.append((group.id, session.id, instance.id))
        program_instances = {}
        for kind in (surveys.PRE_PROGRAM, surveys.POST_PROGRAM):
            instance = SurveyInstance(
                survey_id=ids[kind],
                program_id=program.id,
                opened_at=NOW,
                closes_at=NOW + timedelta(days=300),
                invited=PROGRAM_RESPONSES,
            )
            db.add(instance)
            await db.flush()
            program_instances[kind] = instance.id

    async def bulk(instance_id, group_id, session_id, items, count, shift=0):
        responses, answers = [], []
        for _ in range(count):
            rid = new_response_id()
            responses.append(
                {
                    "id": rid,
                    "instance_id": instance_id,
                    "program_id": program.id,
                    "group_id": group_id,
                    "session_id": session_id,
                    "side_id": rng.choice(side_ids),
                    "role": rng.choice(("student", "professional")),
                    "day": NOW.date(),
                }
            )
            for item in items:
                if item.kind == surveys.TEXT:
                    if rng.random() < 0.2:
                        answers.append(
                            {
                                "response_id": rid,
                                "item_id": item.id,
                                "value": None,
                                "text": "It was good.",
                            }
                        )
                elif item.kind == surveys.THERMOMETER:
                    answers.append(
                        {
                            "response_id": rid,
                            "item_id": item.id,
                            "value": rng.randrange(0, 101, 10),
                            "text": None,
                        }
                    )
                else:
                    answers.append(
                        {
                            "response_id": rid,
                            "item_id": item.id,
                            "value": min(5, rng.randint(1, 5) + shift),
                            "text": None,
                        }
                    )
        async with sessions_factory.begin() as db:
            await db.execute(insert(Response), responses)
            for start in range(0, len(answers), 20_000):
                await db.execute(insert(Answer), answers[start : start + 20_000])
            await feedback_tallies.refresh(db, {r["instance_id"] for r in responses})

    per_session = RESPONSES // len(session_rows)
    for group_id, session_id, instance_id in session_rows:
        await bulk(
            instance_id, group_id, session_id, views[surveys.POST_SESSION].items, per_session
        )
    for kind, shift in ((surveys.PRE_PROGRAM, 0), (surveys.POST_PROGRAM, 1)):
        for _ in range(PROGRAM_RESPONSES // 1000):
            await bulk(program_instances[kind], None, None, views[kind].items, 1000, shift)
    await seed_moderation(sessions_factory, program.id, side_ids, session_rows, rng)
    return program.id, session_rows[0][0], session_rows[0][1]


async def seed_moderation(sessions_factory, program_id, side_ids, session_rows, rng) -> None:
    """Sanctions, reports and appeals over the sessions' weeks, and per-side session numbers."""
    actions, reports, appeals, stats = [], [], [], []
    for _group_id, session_id, _ in session_rows:
        for side_id in side_ids:
            stats.append(
                {
                    "session_id": session_id,
                    "side_id": side_id,
                    "members": 6,
                    "present": 5,
                    "spoke": 5,
                    "messages": rng.randint(80, 160),
                    "words": 1500,
                }
            )
    for index in range(MODERATION):
        group_id, session_id, _ = session_rows[index % len(session_rows)]
        week = index % SESSIONS_PER_GROUP
        at = NOW - timedelta(days=7 * (SESSIONS_PER_GROUP - week), hours=-rng.randint(0, 100))
        automatic = index % 2 == 0
        actions.append(
            {
                "id": index + 1,
                "at": at,
                "program_id": program_id,
                "group_id": group_id,
                "target_id": None,
                "actor_id": None,
                "actor_rule": "filter:blocked_term" if automatic else None,
                "action": "warn" if index % 3 else "mute",
                "strike": True,
                "target_side_id": side_ids[rng.random() < 0.6],
                "actor_side_id": None if automatic else rng.choice(side_ids),
            }
        )
        if index % 2 == 0:
            reports.append(
                {
                    "group_id": group_id,
                    "chat_id": -1000 - group_id,
                    "message_id": index,
                    "reported_id": None,
                    "reporters": 1,
                    "created_at": at,
                    "handled_at": at + timedelta(hours=rng.randint(1, 30)),
                    "outcome": "warn" if index % 4 else "dismiss",
                    "reported_side_id": rng.choice(side_ids),
                }
            )
        if index % 5 == 0:
            appeals.append(
                {
                    "action_id": index + 1,
                    "person_id": None,
                    "created_at": at + timedelta(hours=1),
                    "status": "accepted" if index % 10 else "rejected",
                    "decided_at": at + timedelta(hours=rng.randint(2, 80)),
                }
            )
    async with sessions_factory.begin() as db:
        for rows, model in (
            (stats, SessionSideStats),
            (actions, ModerationAction),
            (reports, Report),
            (appeals, Appeal),
        ):
            for start in range(0, len(rows), 5_000):
                if rows[start : start + 5_000]:
                    await db.execute(insert(model), rows[start : start + 5_000])


BARE = text(
    "SELECT r.instance_id, a.item_id, r.side_id, r.role, r.coarsened, a.value, count(*)"
    " FROM responses r JOIN answers a ON a.response_id = r.id"
    " WHERE r.program_id = :program GROUP BY 1, 2, 3, 4, 5, 6"
)


def spread(times: list[float]) -> str:
    return (
        f"{statistics.median(times) * 1000:8.1f} ms  "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {len(times)} runs)"
    )


async def timed_report(url: str, scope: Scope, *, cold: bool, memory: bool = False):
    engine = create_engine(url)
    factory = create_session_factory(engine)
    try:
        if cold:
            async with factory.begin() as db:
                await db.execute(delete(ReleasedFigures))
            await engine.dispose()  # the report opens a connection of its own
        if memory:
            tracemalloc.start()
        started = time.perf_counter()
        async with factory.begin() as db:
            report = await evaluation.build_report(db, scope, now=READ_AT)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if memory else 0
        if memory:
            tracemalloc.stop()
        return elapsed, peak, report
    finally:
        await engine.dispose()


async def timed_bare(url: str, program_id: int) -> float:
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        async with engine.connect() as conn:
            (await conn.execute(BARE, {"program": program_id})).all()
        return time.perf_counter() - started
    finally:
        await engine.dispose()


async def run(url: str, name: str, runs: int) -> None:
    engine = create_engine(url)
    await upgrade_engine(engine)
    factory = create_session_factory(engine)
    started = time.perf_counter()
    program_id, group_id, session_id = await seed(factory)
    print(
        f"{name}: seeded {RESPONSES:,} + {2 * PROGRAM_RESPONSES:,} responses in {time.perf_counter() - started:.1f} s"
    )
    if url.startswith("postgresql"):
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    await engine.dispose()
    goal = 0.5 if url.startswith("postgresql") else 1.0
    cold, bare = [], []
    for _ in range(runs):  # interleaved, so both see the same machine
        bare.append(await timed_bare(url, program_id))
        elapsed, _, report = await timed_report(url, Scope(program_id), cold=True)
        cold.append(elapsed)
    print(f"  {'program report (cold)':<28} {spread(cold)}   goal {goal:.1f} s")
    print(f"  {'  baseline: bare GROUP BY':<28} {spread(bare)}")
    print(
        f"  {'  report / baseline':<28} {statistics.median(cold) / statistics.median(bare):8.2f}x"
        f"   (answered {report.answered}, items {len(report.items)})"
    )
    for label, scope in (
        ("program report (warm)", Scope(program_id)),
        ("group report (5 sessions)", Scope(program_id, group_id)),
        ("session report", Scope(program_id, group_id, session_id)),
    ):
        times = [(await timed_report(url, scope, cold=False))[0] for _ in range(runs)]
        print(f"  {label:<28} {spread(times)}")
    times = []
    for _ in range(runs):
        engine = create_engine(url)
        factory = create_session_factory(engine)
        started = time.perf_counter()
        async with factory.begin() as db:
            figures = await fairness.figures(db, program_id, None, k=5, now=READ_AT)
        times.append(time.perf_counter() - started)
        await engine.dispose()
    counted = sum(figures.figures[fairness.fair.SANCTIONS].sides.values())
    print(f"  {'fairness figures alone':<28} {spread(times)}   ({counted:,} sanctions shown)")
    _, peak, _ = await timed_report(url, Scope(program_id), cold=True, memory=True)
    print(f"  {'program report, tracemalloc':<28} peak Python memory {peak / 1024 / 1024:.2f} MiB")


async def main() -> None:
    global RESPONSES, MODERATION
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--responses", type=int, default=RESPONSES)
    parser.add_argument("--moderation", type=int, default=MODERATION)
    args = parser.parse_args()
    RESPONSES = args.responses
    MODERATION = args.moderation
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores (load {os.getloadavg()[0]:.2f})"
    )
    with tempfile.TemporaryDirectory() as folder:
        await run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", "SQLite", args.runs)
    if not args.no_pg:
        name = f"bridgebot_bench_{uuid.uuid4().hex[:8]}"
        admin_url = make_url(args.pg).set(database="postgres").render_as_string(hide_password=False)
        admin = create_engine(admin_url)
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            await run(
                make_url(args.pg).set(database=name).render_as_string(hide_password=False),
                "PostgreSQL",
                args.runs,
            )
        finally:
            async with admin.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
    print(
        f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (includes seeding)"
    )


if __name__ == "__main__":
    asyncio.run(main())
