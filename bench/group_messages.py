"""End-to-end group messages per second through the whole bot, beside a bare PTB application.

Both applications run over the same transport (the in-memory fake Bot API via FakeRequest) and get
the same stream of participant messages in a bound dialogue group. The whole bot runs every
handler group (locale, conduct filters with the compiled automaton and flood counters, commands,
observers) on a migrated SQLite database; the bare one has one empty MessageHandler. The ratio says
what Bridgebot's processing costs per message on top of python-telegram-bot itself.

    .venv/bin/python bench/group_messages.py [--messages 2000] [--people 20] [--runs 3]

Each run measures the three kinds in a rotated order; the ratios are taken within a run, and
the median and spread over runs are printed, by wall clock and by CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.app import build_application
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.db.models import DialogueSession
from bot.runtime import Runtime
from tests.handlers.moderation_fixtures import make_dialogue
from tests.helpers.driver import TgDriver
from tests.helpers.fake_request import FakeRequest
from tests.helpers.fake_telegram import FakeTelegram

TEXTS = [
    "I think the border talks should start with the water question.",
    "Мне кажется, нужно начать с вопросов о воде и дорогах.",
    "Bence önce ekonomik işbirliğini konuşmalıyız, sonra tarihi.",
    "أعتقد أن الحوار يجب أن يبدأ من التجارة والتعليم.",
    "Let's agree on one topic per session; it helped last time. " * 4,
]


class Rate(NamedTuple):
    wall: float  # messages per second of wall-clock time
    cpu: float  # messages per second of this process's CPU time (steadier on a shared machine)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def whole_bot(
    messages: int, people: int, *, session_open: bool = False, profiler=None
) -> Rate:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    engine = create_engine(url)
    await upgrade_engine(engine)
    fake = FakeTelegram()
    clock = Clock()
    settings = Settings(token=fake.token, database_url=url, secret="bench-secret")
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        secret=b"bench",
        clock=clock,
    )
    app = build_application(
        settings,
        runtime,
        request=FakeRequest(fake),
        get_updates_request=FakeRequest(fake),
        rate_limit=False,
    )
    await app.initialize()
    await app.post_init(app)
    dialogue = await make_dialogue(fake, runtime)
    members = [await dialogue.participant(f"P{i}", "en") for i in range(people)]
    if session_open:
        # A session in progress: every message is also counted (messages and words per person).
        async with runtime.db() as db:
            db.add(
                DialogueSession(
                    group_id=dialogue.group_id,
                    title="Bench session",
                    starts_at=clock.now - timedelta(minutes=1),
                    ends_at=clock.now + timedelta(days=1),
                    zone="UTC",
                    status="open",
                    opened_at=clock.now,
                    created_at=clock.now,
                    updated_at=clock.now,
                )
            )
    tg = TgDriver(fake, app)
    await tg.say(members[0], dialogue.chat, "warm-up")  # loads and caches the group's rules
    if profiler is not None:
        profiler.start()
    start, start_cpu = time.perf_counter(), time.process_time()
    for n in range(messages):
        clock.now += timedelta(seconds=1)  # a lively group, below the flood and raid limits
        await tg.say(members[n % people], dialogue.chat, TEXTS[n % len(TEXTS)])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if profiler is not None:
        profiler.stop()
    deleted = sum(1 for m in fake.messages(dialogue.chat) if m.deleted)
    assert deleted == 0, f"{deleted} innocent messages were deleted"
    await app.shutdown()
    await engine.dispose()
    return Rate(messages / elapsed, messages / cpu)


async def bare_app(messages: int, people: int) -> Rate:
    fake = FakeTelegram()
    app = (
        ApplicationBuilder()
        .token(fake.token)
        .request(FakeRequest(fake))
        .get_updates_request(FakeRequest(fake))
        .build()
    )

    async def empty(update, context) -> None:
        return None

    app.add_handler(MessageHandler(filters.ALL, empty))
    await app.initialize()
    chat = fake.group("Bare")
    members = [fake.user(f"P{i}") for i in range(people)]
    for member in members:
        fake.set_member(chat, member)
    tg = TgDriver(fake, app)
    await tg.say(members[0], chat, "warm-up")
    start, start_cpu = time.perf_counter(), time.process_time()
    for n in range(messages):
        await tg.say(members[n % people], chat, TEXTS[n % len(TEXTS)])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    await app.shutdown()
    return Rate(messages / elapsed, messages / cpu)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    kinds = {
        "bare": lambda: bare_app(args.messages, args.people),
        "between": lambda: whole_bot(args.messages, args.people),
        "open": lambda: whole_bot(args.messages, args.people, session_open=True),
    }
    rates: dict[str, list[Rate]] = {kind: [] for kind in kinds}
    ratios: dict[str, list[Rate]] = {"between": [], "open": []}
    order = list(kinds)
    for run in range(args.runs):
        # Rotated order, so a load that comes and goes on the machine falls on every kind alike.
        this_run: dict[str, Rate] = {}
        for kind in order[run % 3 :] + order[: run % 3]:
            this_run[kind] = asyncio.run(kinds[kind]())
            rates[kind].append(this_run[kind])
        for kind in ratios:
            ratios[kind].append(
                Rate(
                    this_run[kind].wall / this_run["bare"].wall,
                    this_run[kind].cpu / this_run["bare"].cpu,
                )
            )

    def spread(values: list[float], digits: int) -> str:
        return f"{_median(values):8.{digits}f}  ({min(values):.{digits}f}-{max(values):.{digits}f})"

    print(
        f"messages: {args.messages}, senders: {args.people}, runs: {args.runs}, cores: {os.cpu_count()}"
    )
    print("messages per second, median (min-max); wall clock, then per second of CPU time")
    labels = {
        "bare": "bare PTB app, empty handler",
        "between": "whole Bridgebot, between sessions",
        "open": "whole Bridgebot, session open",
    }
    for kind, label in labels.items():
        walls = [r.wall for r in rates[kind]]
        cpus = [r.cpu for r in rates[kind]]
        print(f"{label:36} wall {spread(walls, 0)}   cpu {spread(cpus, 0)}")
    for kind in ratios:
        walls = [r.wall for r in ratios[kind]]
        cpus = [r.cpu for r in ratios[kind]]
        print(
            f"{'ratio (whole / bare), ' + kind:36} wall {spread(walls, 2)}   cpu {spread(cpus, 2)}"
        )


if __name__ == "__main__":
    main()
