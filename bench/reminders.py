"""A reminder wave to 1,000 members through the real send path (notifier + SendRateLimiter) against a
fake Bot API that allows 30 messages per second and answers 429 with retry_after beyond that.

    .venv/bin/python bench/reminders.py [members] [--faults 0.1] [--seed 1] [--runs 3]

``--faults`` makes that share of sends fail, split evenly between 502 before Telegram acted, 502
after it acted (the message is out), timeout before and timeout after (bot/playground/fake_api/faults.py).
Prints the wave time against the 33.3-second floor (1,000 / 30), the 429 answers, members never
reached (missing), extra copies (duplicates) against the faults that can explain them, and
delivery rows left claimed or pending once the wave and the sweeps that follow it are done;
each of ``--runs`` runs on a fresh database (seeds seed, seed+1, ...), then the median and spread.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from _sessions_common import make_app
from sqlalchemy import func, select

from bot.db.models import (
    Delivery,
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    Person,
)
from bot.domain.programs import ProgramDraft
from bot.features.programs import service as programs
from bot.features.sessions import jobs as session_jobs
from bot.jobs import notifier
from tests.helpers.fake_telegram import FakeTelegram

SETTLE_SECONDS = 120  # how long sweeps may take to finish what the wave left pending


async def _populate(runtime, fake: FakeTelegram, members: int, now: datetime) -> set[int]:
    async with runtime.db() as db:
        program = await programs.create(
            db,
            ProgramDraft(name="Bench", sides=("A", "B"), languages=("en", "ru"), timezone="UTC"),
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
    return {u.id for u in users}


async def _open_rows(runtime) -> int:
    async with runtime.db() as db:
        return await db.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.person_id.is_not(None), Delivery.status.in_(("claimed", "pending")))
        )


class Wave(NamedTuple):
    seconds: float  # until run_due returned: the wave
    settled: float  # until no row was claimed or pending
    delivered: int
    too_many: int  # 429 answers
    missing: int
    duplicates: int
    explained: int  # after-acting faults that may explain duplicates
    left_open: int
    injected: dict[str, int]


async def wave(members: int, faults: float, seed: int) -> Wave:
    fake = FakeTelegram()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        app, runtime = await make_app(Path(tmp) / "bench.db", fake, now)
        runtime.clock = lambda: datetime.now(UTC)  # retries wait in real time
        member_ids = await _populate(runtime, fake, members, now)
        await app.initialize()
        fake.rate_limit(per_second=30)
        if faults:
            share = faults / 4
            fake.inject_faults(
                seed=seed,
                error_before=share,
                error_after=share,
                timeout_before=share,
                timeout_after=share,
            )
        began = time.perf_counter()
        await session_jobs.run_due(app, now)
        elapsed = time.perf_counter() - began
        sweep = getattr(notifier, "sweep", None)
        settle_began = time.perf_counter()
        while sweep is not None and await _open_rows(runtime):
            if time.perf_counter() - settle_began > SETTLE_SECONDS:
                break
            await asyncio.sleep(1)
            await sweep(app)
        settled = time.perf_counter() - began
        left_open = await _open_rows(runtime)
        await app.shutdown()
        await runtime.engine.dispose()
    per_member = Counter(
        int(c.params["chat_id"])
        for c in fake.calls("sendMessage")
        if c.ok and int(c.params["chat_id"]) in member_ids
    )
    injected = Counter(f.kind for f in fake.injected_faults())
    return Wave(
        seconds=elapsed,
        settled=settled,
        delivered=len(per_member),
        too_many=sum(1 for c in fake.calls("sendMessage") if c.error_code == 429),
        missing=members - len(per_member),
        duplicates=sum(n - 1 for n in per_member.values()),
        explained=injected["error_after"] + injected["timeout_after"],
        left_open=left_open,
        injected=dict(injected),
    )


def _spread(values: list[float], unit: str = "", digits: int = 1) -> str:
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


async def main(members: int, faults: float, seed: int, runs: int) -> None:
    floor = members / 30
    print(
        f"members {members}, faults {faults:.0%} of sends, runs {runs}, cores {os.cpu_count()},"
        f" load {os.getloadavg()[0]:.2f}; baseline: Telegram's floor {floor:.1f} s at 30 msg/s"
    )
    waves = []
    for run in range(runs):
        result = await wave(members, faults, seed + run)
        waves.append(result)
        print(
            f"  run {run + 1}: wave {result.seconds:.1f} s ({result.seconds / floor:.2f}x floor),"
            f" settled {result.settled:.1f} s, 429s {result.too_many}, missing {result.missing},"
            f" duplicates {result.duplicates} (explainable {result.explained}),"
            f" left open {result.left_open}, faults {result.injected or 'none'}"
        )
    print(f"wave time, median (min-max)  {_spread([w.seconds for w in waves], ' s')}")
    print(f"against the floor            {_spread([w.seconds / floor for w in waves], 'x', 2)}")
    print(f"until nothing open           {_spread([w.settled for w in waves], ' s')}")
    print(f"429 answers, all runs        {sum(w.too_many for w in waves)}")
    print(f"missing, all runs            {sum(w.missing for w in waves)}")
    print(
        f"duplicates, all runs         {sum(w.duplicates for w in waves)}"
        f" (after-acting faults that may explain them: {sum(w.explained for w in waves)})"
    )
    print(f"rows left claimed/pending    {sum(w.left_open for w in waves)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("members", nargs="?", type=int, default=1000)
    parser.add_argument("--faults", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.faults, args.seed, args.runs))
