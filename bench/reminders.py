"""A reminder wave to 1,000 members through the real send path (notifier + AIORateLimiter) against a
fake Bot API that allows 30 messages per second and answers 429 with retry_after beyond that.

    .venv/bin/python bench/reminders.py [members]

Prints the total time against the 33.3-second floor (1,000 / 30), the number of 429 answers, and
duplicates (members who got more than one reminder; must be 0).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _sessions_common import make_app

from bot.db.models import DialogueGroup, DialogueSession, Enrolment, GroupMember, Person
from bot.domain.programs import ProgramDraft
from bot.jobs import sessions as session_jobs
from bot.services import programs
from tests.helpers.fake_telegram import FakeTelegram


async def main(members: int) -> None:
    fake = FakeTelegram()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        app, runtime = await make_app(Path(tmp) / "bench.db", fake, now)
        async with runtime.db() as db:
            program = await programs.create(
                db,
                ProgramDraft(
                    name="Bench", sides=("A", "B"), languages=("en", "ru"), timezone="UTC"
                ),
                creator_id=None,
                now=now,
            )
            group = DialogueGroup(program_id=program.id, name="G", created_at=now)
            db.add(group)
            await db.flush()
            zones = ("Asia/Yerevan", "Europe/Moscow", "Asia/Jerusalem", "America/New_York")
            users = []
            for i in range(members):
                user = fake.user(f"M{i}", language_code="en")
                fake.mark_started(user)
                users.append(user)
                db.add(
                    Person(
                        id=user.id,
                        first_name=f"M{i}",
                        locale=("en", "ru", "he")[i % 3],
                        timezone=zones[i % 4],
                        created_at=now,
                        updated_at=now,
                    )
                )
            await db.flush()
            for i, user in enumerate(users):
                db.add(
                    Enrolment(
                        program_id=program.id,
                        person_id=user.id,
                        side_id=program.sides[i % 2].id,
                        role="student",
                        accepted_conduct_at=now,
                        enrolled_at=now,
                    )
                )
                db.add(
                    GroupMember(
                        program_id=program.id,
                        group_id=group.id,
                        person_id=user.id,
                        status="joined",
                        assigned_at=now,
                    )
                )
            start = now + timedelta(hours=24)
            db.add(
                DialogueSession(
                    group_id=group.id,
                    title="Bench circle",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    zone="UTC",
                    status="scheduled",
                    sequence=0,
                    created_at=now - timedelta(days=1),
                    updated_at=now - timedelta(days=1),
                    planned_at=now - timedelta(days=1),
                )
            )
        await app.initialize()
        fake.rate_limit(per_second=30)
        began = time.perf_counter()
        report = await session_jobs.run_due(app, now)
        elapsed = time.perf_counter() - began
        await app.shutdown()
        await runtime.engine.dispose()
    per_member: dict[int, int] = {}
    for call in fake.calls("sendMessage"):
        if call.ok:
            chat = int(call.params["chat_id"])
            per_member[chat] = per_member.get(chat, 0) + 1
    too_many = sum(1 for c in fake.calls("sendMessage") if c.error_code == 429)
    floor = members / 30
    print(f"members                      {members}")
    print(
        f"delivered                    {len(per_member)} (report: sent={report.sent} failed={report.failed})"
    )
    print(
        f"total time                   {elapsed:.1f} s (floor {floor:.1f} s at 30 msg/s, {elapsed / floor:.2f}x)"
    )
    print(f"429 answers                  {too_many}")
    print(f"duplicates                   {sum(1 for n in per_member.values() if n > 1)}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
