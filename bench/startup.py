"""Start-up with 10,000 future sessions and 20,000 participants in the database: how long until the
bot is ready (post_init done, jobs rebuilt from the database) and how many jobs it scheduled.

    .venv/bin/python bench/startup.py

Only wake-ups within the horizon (bot/jobs/sessions.py HORIZON) are scheduled; later sessions are
picked up by the hourly refresh, so neither start-up time nor memory grows with the whole schedule.
"""

from __future__ import annotations

import asyncio
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _sessions_common import make_app
from sqlalchemy import insert

from bot.db.models import (
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    Person,
    Program,
    Side,
)
from bot.features.sessions import jobs as session_jobs
from tests.helpers.fake_telegram import FakeTelegram

SESSIONS = 10_000
PEOPLE = 20_000
GROUPS = 1_000


async def populate(runtime, now: datetime) -> None:
    async with runtime.db() as db:
        program = Program(name="Big", default_locale="en", timezone="UTC", created_at=now)
        db.add(program)
        await db.flush()
        sides = [Side(program_id=program.id, name=n, position=i) for i, n in enumerate(("A", "B"))]
        db.add_all(sides)
        await db.flush()
        await db.execute(
            insert(DialogueGroup),
            [
                {
                    "program_id": program.id,
                    "name": f"G{g}",
                    "created_at": now,
                    "quiet_between_sessions": False,
                }
                for g in range(GROUPS)
            ],
        )
        base = 10**10
        await db.execute(
            insert(Person),
            [
                {
                    "id": base + i,
                    "first_name": f"P{i}",
                    "locale": "en",
                    "timezone": "Europe/Berlin",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(PEOPLE)
            ],
        )
        await db.execute(
            insert(Enrolment),
            [
                {
                    "program_id": program.id,
                    "person_id": base + i,
                    "side_id": sides[i % 2].id,
                    "role": "student",
                    "accepted_conduct_at": now,
                    "enrolled_at": now,
                }
                for i in range(PEOPLE)
            ],
        )
        await db.execute(
            insert(GroupMember),
            [
                {
                    "program_id": program.id,
                    "group_id": 1 + i % GROUPS,
                    "person_id": base + i,
                    "status": "joined",
                    "assigned_at": now,
                }
                for i in range(PEOPLE)
            ],
        )
        # Spread over the coming year, each group's sessions a week apart (never overlapping).
        rows = []
        for i in range(SESSIONS):
            group = 1 + i % GROUPS
            start = (
                now
                + timedelta(hours=2)
                + timedelta(days=7 * (i // GROUPS))
                + timedelta(minutes=(i % GROUPS) * 10)
            )
            rows.append(
                {
                    "group_id": group,
                    "title": f"S{i}",
                    "starts_at": start,
                    "ends_at": start + timedelta(minutes=90),
                    "zone": "UTC",
                    "status": "scheduled",
                    "sequence": 0,
                    "created_at": now,
                    "updated_at": now,
                    "planned_at": now,
                }
            )
        await db.execute(insert(DialogueSession), rows)


async def main() -> None:
    fake = FakeTelegram()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        app, runtime = await make_app(Path(tmp) / "startup.db", fake, now, rate_limit=False)
        began = time.perf_counter()
        await populate(runtime, now)
        print(
            f"populated                    {SESSIONS} sessions, {PEOPLE} participants in {time.perf_counter() - began:.1f} s"
        )
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        await app.initialize()
        await app.post_init(
            app
        )  # what run_polling does before the first update: rebuild jobs, menus
        ready = time.perf_counter() - began
        jobs = session_jobs.scheduled_jobs(app)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"time until ready             {ready:.2f} s")
        print(
            f"session jobs scheduled       {jobs} (wake-ups within {session_jobs.HORIZON}, + catch-up, + hourly refresh)"
        )
        print(f"peak RSS growth              {(rss_after - rss_before) / 1024:.1f} MB")
        began = time.perf_counter()
        report = await session_jobs.run_due(app, now)
        print(
            f"first run_due (catch-up)     {time.perf_counter() - began:.2f} s, sent {report.sent}"
        )
        await app.shutdown()
        await runtime.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
