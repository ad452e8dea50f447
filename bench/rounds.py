"""A perspective round in a group of 12 (6 per side), from /round to the teller's answer (issue #15).

The real Application over the in-memory fake Bot API and a migrated SQLite file, driven as people
would: the moderator sends /round, the teller presses "I have finished", the listener writes the
restatement in the group, the teller answers in private. Three kinds of round are measured:

* ``plain``   - told, restated, rated 4;
* ``repeat``  - rated 2, "Once more", told and restated again, rated 4;
* ``timeouts``- nobody presses anything: the telling, the restatement and the answer time out
  (the clock is moved and the due work run, as the job queue would).

Prints, per kind, the Bot API calls the bot made (messages sent, edits, button answers) and the
wall-clock time of the bot's own work (median and spread over ``--runs``). Telegram's flood limits
are off (``rate_limit=False``): four group posts per round never meet the 20-a-minute group limit,
and the number measured is the bot's work, not Telegram's pacing.

    .venv/bin/python bench/rounds.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.features.rounds import jobs as round_jobs
from bot.features.sessions import jobs as session_jobs
from bot.runtime import Runtime
from tests.conftest import Clock
from tests.handlers.sessions_fixtures import build_world
from tests.helpers.driver import TgDriver
from tests.helpers.fake_request import FakeRequest
from tests.helpers.fake_telegram import FakeTelegram

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SIDE_A = ("Ani", "Aram", "Lilit", "Gor", "Mane", "Tigran")
SIDE_B = ("Elvin", "Leyla", "Nigar", "Rashad", "Aysel", "Murad")
LOCALES = ("en", "ru", "he")
MEMBERS = tuple(
    (name, LOCALES[i % 3], "Asia/Yerevan" if side == 0 else "Asia/Baku", side)
    for side, names in enumerate((SIDE_A, SIDE_B))
    for i, name in enumerate(names)
)


async def _app(path: Path, fake: FakeTelegram, clock: Clock):
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade_engine(engine)
    settings = Settings(token=fake.token, database_url=url, secret="bench-secret")
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        secret=b"bench-secret",
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
    return app, runtime


def _pair(text: str) -> tuple[str, str]:
    head = text.split("\n")[0]
    teller = head.split(": ", 1)[1].split(" (")[0]
    listener = head.split("tells, ", 1)[1].split(" (")[0]
    return teller, listener


async def one_round(kind: str) -> tuple[Counter, float]:
    with tempfile.TemporaryDirectory() as folder:
        clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        fake = FakeTelegram(clock=lambda: clock().timestamp())
        app, runtime = await _app(Path(folder) / "bench.db", fake, clock)
        try:
            tg = TgDriver(fake, app, allowed_updates=ALLOWED_UPDATES)
            world = await build_world(runtime, fake, members=MEMBERS)
            await world.add_session(datetime(2026, 3, 10, 19, 0))
            clock.now = START
            await session_jobs.run_due(app)
            before = len(tg.calls())
            started = time.perf_counter()
            await tg.say(world.moderator, world.chat, "/round")
            post = tg.last_message(world.chat)
            teller, listener = _pair(post.text)
            if kind == "timeouts":
                for minutes in (3, 3, 10):
                    clock.advance(minutes=minutes)
                    await round_jobs.run_due(app)
            else:
                tries = ("2", "4") if kind == "repeat" else ("4",)
                for attempt, value in enumerate(tries):
                    await tg.click(world.member(teller), post, "✅ " + teller)
                    await tg.say(world.member(listener), world.chat, "What I heard is this.")
                    question = tg.last_message(tg.private(world.member(teller)))
                    await tg.click(world.member(teller), question, value + " · ")
                    if attempt == 0 and kind == "repeat":
                        offer = tg.last_message(tg.private(world.member(teller)))
                        await tg.click(world.member(teller), offer, "🔁")
                        post = tg.last_message(world.chat)
            elapsed = time.perf_counter() - started
            calls = Counter(c.method for c in tg.calls()[before:])
            clock.now += timedelta(days=1)
        finally:
            await app.shutdown()
            await runtime.engine.dispose()
    return calls, elapsed


async def main(runs: int) -> None:
    print(f"A perspective round in a group of {len(MEMBERS)} (6 per side), {runs} runs each")
    for kind in ("plain", "repeat", "timeouts"):
        times = []
        calls: Counter = Counter()
        for _ in range(runs):
            calls, elapsed = await one_round(kind)
            times.append(elapsed)
        sent = calls.get("sendMessage", 0)
        edits = calls.get("editMessageText", 0) + calls.get("editMessageReplyMarkup", 0)
        answers = calls.get("answerCallbackQuery", 0)
        print(
            f"{kind:9} messages sent {sent} (group and private), edits {edits}, button answers "
            f"{answers}; time median {statistics.median(times) * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
