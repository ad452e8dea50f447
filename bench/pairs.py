"""How long a week's cross-border pairing takes: `.venv/bin/python bench/pairs.py`.

2,000 opted-in members of a 3-side program (50/30/20) with realistic UTC offsets, in two language
settings: a lingua franca (everyone English plus some others) and none (each side's own language,
80% also Russian, 40% also English). Ten weeks are paired one after another, each with the history
of the weeks before (the repeat rule does real work from the second week on) and the members who
sat out given priority. Prints, per setting, the first week and the tenth, as the median and the
spread (min-max) of several runs, with the pairs, the repeats and who sat out; and the machine's
core count (pairing is one process, one core). The database part of the job (reading opt-ins and
history, writing pairs) is measured by `--with-db` against SQLite in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.pairing import Member, match

SIDES = ("Armenia", "Azerbaijan", "Georgia")
WEIGHTS = (50, 30, 20)
NATIVE = {"Armenia": "hy", "Azerbaijan": "az", "Georgia": "ka"}
OFFSETS = (-480, -300, 0, 60, 120, 180, 210, 240, 330, 345, 480, 720)


def program(size: int, lingua_franca: bool, seed: int = 1) -> list[Member]:
    rng = random.Random(seed)
    members = []
    for member_id in range(size):
        side = SIDES[member_id] if member_id < len(SIDES) else rng.choices(SIDES, WEIGHTS)[0]
        if lingua_franca:
            languages = {"en", *rng.sample(["ru", "de", NATIVE[side]], rng.randint(0, 2))}
        else:
            languages = {NATIVE[side]}
            if rng.random() < 0.8:
                languages.add("ru")
            if rng.random() < 0.4:
                languages.add("en")
        members.append(Member(member_id, side, frozenset(languages), rng.choice(OFFSETS)))
    return members


def weeks(members: list[Member], count: int) -> list[tuple[float, object]]:
    history: dict[tuple[int, int], int] = {}
    priority: set[int] = set()
    out = []
    for week in range(count):
        started = time.perf_counter()
        pairing = match(members, history=history, priority=priority, seed=week)
        out.append((time.perf_counter() - started, pairing))
        for pair in pairing.pairs:
            history[pair] = history.get(pair, 0) + 1
        priority = {u.id for u in pairing.unpaired}
    return out


def _ms(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:7.0f} ms "
        f"({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--weeks", type=int, default=10)
    parser.add_argument("--job", action="store_true", help="also time the weekly job with SQLite")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; members: {args.members}; runs: {args.runs}")
    print(
        f"{'languages':>14} {'week':>4} {'time (median, min-max)':>26} {'pairs':>6} {'repeats':>7} {'sat out':>7}"
    )
    for lingua_franca in (True, False):
        members = program(args.members, lingua_franca)
        runs = [weeks(members, args.weeks) for _ in range(args.runs)]
        for week in (0, args.weeks - 1):
            times = [run[week][0] for run in runs]
            pairing = runs[0][week][1]
            label = "lingua franca" if lingua_franca else "none"
            print(
                f"{label:>14} {week + 1:>4} {_ms(times):>26} {len(pairing.pairs):>6} "
                f"{pairing.repeats:>7} {len(pairing.unpaired):>7}"
            )

    if args.job:
        asyncio.run(_job(args.members, min(args.weeks, 3)))


class _Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


async def _job(size: int, weeks: int) -> None:
    from bench._sessions_common import make_app
    from bot.db.models import Enrolment, PairMember, Person
    from bot.domain.programs import ProgramDraft
    from bot.features.pairs import jobs
    from bot.features.programs import service as programs
    from tests.helpers.fake_telegram import FakeTelegram

    zones = ("Asia/Yerevan", "Asia/Baku", "Asia/Tbilisi", "Europe/Berlin", "America/New_York")
    clock = _Clock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    fake = FakeTelegram(clock=lambda: clock().timestamp())
    with tempfile.TemporaryDirectory() as folder:
        app, runtime = await make_app(Path(folder) / "pairs.db", fake, rate_limit=False)
        runtime.clock = clock
        await app.initialize()
        members = program(size, lingua_franca=True)
        async with runtime.db() as db:
            view = await programs.create(
                db,
                ProgramDraft(
                    name="Bench",
                    sides=SIDES,
                    languages=("en", "hy", "az", "ka", "ru", "de"),
                    timezone="Asia/Yerevan",
                ),
                creator_id=None,
                now=clock(),
            )
            side_ids = {side.name: side.id for side in view.sides}
            rng = random.Random(2)
            for member in members:
                user = fake.user(f"P{member.id}", language_code="en")
                fake.mark_started(user)
                db.add(
                    Person(
                        id=user.id,
                        first_name=user.first_name,
                        last_name=None,
                        username=None,
                        telegram_language="en",
                        locale="en",
                        timezone=rng.choice(zones),
                        created_at=clock(),
                        updated_at=clock(),
                    )
                )
                await db.flush()
                enrolment = Enrolment(
                    program_id=view.id,
                    person_id=user.id,
                    side_id=side_ids[str(member.side)],
                    role="student",
                    accepted_conduct_at=clock(),
                    enrolled_at=clock(),
                )
                db.add(enrolment)
                await db.flush()
                db.add(
                    PairMember(
                        enrolment_id=enrolment.id,
                        program_id=view.id,
                        person_id=user.id,
                        languages=sorted(member.languages),
                        opted_in_at=clock(),
                        sat_out=False,
                    )
                )
        print(f"\nweekly job, {size} members, SQLite, fake Bot API without rate limits:")
        for week in range(weeks):
            sent_before = len(fake.all_sent()) if hasattr(fake, "all_sent") else None
            started = time.perf_counter()
            counts = await jobs.run_due(app, clock())
            seconds = time.perf_counter() - started
            print(
                f"  week {week + 1}: {seconds:6.1f} s  rounds {counts['rounds']}, introductions "
                f"{counts['intros']}, sat out told {counts['sat_out']}, check-ins {counts['check_ins']}"
                + (
                    f" ({len(fake.all_sent()) - sent_before} sent)"
                    if sent_before is not None
                    else ""
                )
            )
            clock.now += timedelta(days=7)
        await app.shutdown()
        await runtime.engine.dispose()


if __name__ == "__main__":
    main()
