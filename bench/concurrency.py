"""Bursts in one gated group, and how long everybody else waits (issue #11 item 2).

The real Application polls the in-memory fake Bot API with Telegram's flood limits on (30 sends a
second, 20 a minute into one group). Each run: a group of 49 participants all ask to join at once
through their links; then 50 strangers are added to the group directly by a member; while that
burst is handled, someone else sends /help in private. Prints, per run, how long the 49 approvals
took, how long each outsider stayed unrestricted (median and max), the /help reply delay and the
429 answers; then the same with the configuration before the fix (AIORateLimiter, one update at a
time), cut off after ``--cutoff`` seconds per burst.

    .venv/bin/python bench/concurrency.py [--runs 3] [--cutoff 60] [--skip-before]

Goals (issue #11): an outsider restricted within 2 s, a burst of 50 joiners handled within 10 s,
no other person's reply delayed by more than 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _sessions_common import make_app
from telegram.ext import AIORateLimiter, SimpleUpdateProcessor

import bot.app
from bot.app import ALLOWED_UPDATES
from bot.jobs import notifier
from tests.handlers.groups_fixtures import (
    bound_group,
    build_world,
    enrol,
    form,
    members_of,
)
from tests.helpers.driver import TgDriver
from tests.helpers.fake_telegram import FakeTelegram

JOINERS = 49
OUTSIDERS = 50


@contextmanager
def configuration(before: bool):
    if not before:
        yield
        return
    saved = bot.app.SendRateLimiter, bot.app.ChatOrderedUpdateProcessor, notifier._background
    bot.app.SendRateLimiter = AIORateLimiter
    bot.app.ChatOrderedUpdateProcessor = lambda: SimpleUpdateProcessor(1)
    notifier._background = lambda _application: {}
    try:
        yield
    finally:
        bot.app.SendRateLimiter, bot.app.ChatOrderedUpdateProcessor, notifier._background = saved


async def wait_until(predicate, deadline: float) -> bool:
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def one_run(folder: Path, cutoff: float) -> dict[str, float | int | str]:
    fake = FakeTelegram(clock=time.time)
    app, runtime = await make_app(folder / "bench.db", fake)
    await app.initialize()
    await app.post_init(app)
    setup = TgDriver(fake, app, allowed_updates=ALLOWED_UPDATES)
    world = await build_world(fake, runtime)
    for i in range(JOINERS - len(world.participants)):
        user = fake.user(f"Extra{i}", language_code="en")
        fake.mark_started(user)
        await enrol(runtime, user, world.program, i % 2)
        world.participants.append(user)
    await form(world, min_size=JOINERS, max_size=JOINERS)
    group, chat = await bound_group(setup, world)
    inside = await members_of(world, group)
    links = {u.id: (await world.member(u)).invite_link for u in inside}

    fake.rate_limit(per_second=30, per_chat_per_minute=20)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    result: dict[str, float | int | str] = {}
    try:
        started = time.time()
        for user in inside:
            fake.user_join_request(user, chat, links[user.id])
        done = await wait_until(
            lambda: sum(c.ok for c in fake.calls("approveChatJoinRequest")) == len(inside),
            time.monotonic() + cutoff,
        )
        approved = [c.time - started for c in fake.calls("approveChatJoinRequest") if c.ok]
        result["approved"] = f"{len(approved)}/{len(inside)}"
        result["all approved s"] = max(approved) if done else float("nan")

        member = inside[0]
        guests = [fake.user(f"Guest{i}", language_code="en") for i in range(OUTSIDERS)]
        joined_at = {}
        for guest in guests:
            joined_at[guest.id] = time.time()
            fake.user_joins(guest, chat, by=member)
        stranger = fake.user("Sam", language_code="en")
        asked = time.time()
        fake.user_message(stranger, fake.private_chat(stranger), "/help")
        await wait_until(
            lambda: fake.last_text(fake.private_chat(stranger)) is not None,
            time.monotonic() + cutoff,
        )
        replies = [
            c.time for c in fake.calls("sendMessage") if c.ok and c.params["chat_id"] == stranger.id
        ]
        result["help s"] = replies[0] - asked if replies else float("nan")
        await wait_until(
            lambda: sum(c.ok for c in fake.calls("restrictChatMember")) >= OUTSIDERS,
            time.monotonic() + cutoff,
        )
        waited = [
            c.time - joined_at[c.params["user_id"]]
            for c in fake.calls("restrictChatMember")
            if c.ok and c.params["user_id"] in joined_at
        ]
        result["restricted"] = f"{len(waited)}/{OUTSIDERS}"
        result["median s"] = statistics.median(waited) if waited else float("nan")
        result["max s"] = max(waited) if len(waited) == OUTSIDERS else float("nan")
        result["429s"] = sum(1 for c in fake.calls() if c.error_code == 429)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    return result


def show(label: str, results: list[dict]) -> None:
    keys = list(results[0])
    print(f"\n{label}")
    print("  run " + " ".join(f"{k:>15}" for k in keys))
    for number, row in enumerate(results, 1):
        cells = (f"{v:15.2f}" if isinstance(v, float) else f"{v!s:>15}" for v in row.values())
        print(f"  {number:>3} " + " ".join(cells))
    for key in ("all approved s", "median s", "max s", "help s"):
        values = [r[key] for r in results if r[key] == r[key]]
        if len(values) > 1:
            print(
                f"  {key}: median {statistics.median(values):.2f}, "
                f"spread {min(values):.2f}-{max(values):.2f} over {len(values)} runs"
            )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cutoff", type=float, default=60.0)
    parser.add_argument("--skip-before", action="store_true")
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {JOINERS} join requests, "
        f"{OUTSIDERS} outsiders, flood limits 30/s and 20/min per group"
    )
    for label, before, runs in (
        ("now (SendRateLimiter + ChatOrderedUpdateProcessor)", False, args.runs),
        ("before (AIORateLimiter, one update at a time)", True, 0 if args.skip_before else 1),
    ):
        if not runs:
            continue
        results = []
        with configuration(before):
            for _ in range(runs):
                with tempfile.TemporaryDirectory() as folder:
                    results.append(await one_run(Path(folder), args.cutoff))
        show(label, results)


if __name__ == "__main__":
    asyncio.run(main())
