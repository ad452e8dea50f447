"""Kill the real `bridgebot run` process again and again during a reminder wave while the fake
Bot API answers 5xx, times out (before and after delivering) and floods with 429s, then check
what every member got: nobody missed, nobody doubled except by the documented unknown-outcome
rule (bot/domain/delivery.py), no delivery row left claimed or pending. SQLite and PostgreSQL.

Each process is killed (SIGKILL) once a few more members have their reminder; one kill lands
while the bot is waiting out a 429 burst. Claims the dead process left are younger than the
restarted one's start-up sweep can take (lease 3 s), so its recurring sweep must find them.

Allowed duplicates are counted, not guessed: a member may get one extra copy for each fault the
fake injected after delivering to them (a 502 or a timeout the bot saw although the message was
out), and one for each kill that left their delivery claimed after the message had gone out.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_session_factory
from bot.db.models import Delivery
from tests.conftest import TEST_SECRET
from tests.e2e.test_sessions_restart import MEMBERS, ROOT, _populate, _reminders
from tests.helpers.fake_http import FakeBotApiServer
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.faults import ACTED, KINDS

# Members reached (at least once) before each kill; the one marked True is killed mid-429 burst.
KILL_POINTS = ((8, False), (18, True), (28, False))
FAST_DELIVERY_ENV = {
    "BRIDGEBOT_DELIVERY_LEASE_SECONDS": "3",
    "BRIDGEBOT_DELIVERY_SWEEP_SECONDS": "0.5",
    "BRIDGEBOT_SEND_TIMEOUT_SECONDS": "1",
}


def _start(server: FakeBotApiServer, fake: FakeTelegram, database_url: str, log_path: Path):
    env = {
        **os.environ,
        **FAST_DELIVERY_ENV,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "DATABASE_URL": database_url,
        "BRIDGEBOT_SECRET": TEST_SECRET.decode(),
        "BRIDGEBOT_LOG_LEVEL": "INFO",
    }
    env.pop("BRIDGEBOT_CLOCK_OFFSET_SECONDS", None)
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def _reached(fake: FakeTelegram, member_ids: list[int]) -> int:
    return sum(1 for n in _reminders(fake, member_ids).values() if n)


async def _wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _open_rows(engine) -> dict[int, str]:
    async with create_session_factory(engine)() as db:
        rows = await db.execute(
            select(Delivery.person_id, Delivery.status).where(
                Delivery.person_id.is_not(None), Delivery.status.in_(("claimed", "pending"))
            )
        )
    return dict(rows.all())


@pytest.mark.timeout(180)
async def test_a_wave_killed_many_times_under_faults_reaches_everyone_once_or_by_the_rule(
    database_url, engine, tmp_path
):
    fake = FakeTelegram()
    starts_at = datetime.now(UTC) + timedelta(hours=24) - timedelta(minutes=1)
    member_ids, _chat = await _populate(engine, fake, starts_at)
    fake.inject_faults(
        seed=5,
        error_before=0.04,
        error_after=0.04,
        timeout_before=0.03,
        timeout_after=0.03,
        too_many=0.02,
        retry_after=1,
    )
    # And one of each kind for sure, whatever order the sends arrive in.
    for kind in KINDS:
        fake.fault_next("sendMessage", kind)
    crash_unknowns: Counter[int] = Counter()
    logs: list[Path] = []
    with FakeBotApiServer(fake) as server:
        server.timeout_delay = 1.5  # past the bot's 1-second send timeout
        for number, (reached, mid_burst) in enumerate(KILL_POINTS):
            logs.append(tmp_path / f"bot-{number}.log")
            bot, log = _start(server, fake, database_url, logs[-1])
            try:
                await _wait_until(
                    lambda r=reached: _reached(fake, member_ids) >= r, 60, f"{reached} reached"
                )
                if mid_burst:
                    seen = len(fake.calls("sendMessage"))
                    fake.flood_wait(3)
                    await _wait_until(
                        lambda s=seen: any(
                            c.error_code == 429 for c in fake.calls("sendMessage")[s:]
                        ),
                        10,
                        "a 429",
                    )
                    await asyncio.sleep(0.3)  # the bot is now waiting the burst out
                bot.send_signal(signal.SIGKILL)
                bot.wait(timeout=10)
            finally:
                if bot.poll() is None:
                    bot.kill()
                log.close()
            # A claim left behind whose message had already gone out: that send's outcome was
            # unknown to the bot when it died, so the rule allows one more copy.
            delivered = _reminders(fake, member_ids)
            for person_id, status in (await _open_rows(engine)).items():
                if status == "claimed" and delivered[person_id]:
                    crash_unknowns[person_id] += 1

        logs.append(tmp_path / f"bot-{len(KILL_POINTS)}.log")
        last, log = _start(server, fake, database_url, logs[-1])
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if _reached(fake, member_ids) == MEMBERS and not await _open_rows(engine):
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # anything extra would show up now
        finally:
            last.send_signal(signal.SIGTERM)
            try:
                last.wait(timeout=15)
            except subprocess.TimeoutExpired:
                last.kill()
            log.close()

    counts = _reminders(fake, member_ids)
    acted = Counter(f.chat_id for f in fake.injected_faults() if f.kind in ACTED)
    allowed = {m: acted[m] + crash_unknowns[m] for m in member_ids}
    tail = logs[-1].read_text()[-3000:]
    missing = [m for m in member_ids if counts[m] == 0]
    unexplained = {m: counts[m] for m in member_ids if counts[m] > 1 + allowed[m]}
    assert missing == [], tail
    assert unexplained == {}, (unexplained, allowed)
    duplicates = sum(counts[m] - 1 for m in member_ids)
    assert duplicates <= sum(allowed.values())
    assert await _open_rows(engine) == {}
    async with create_session_factory(engine)() as db:
        statuses = dict(
            (
                await db.execute(
                    select(Delivery.status, func.count())
                    .where(Delivery.person_id.is_not(None))
                    .group_by(Delivery.status)
                )
            ).all()
        )
        wave = await db.scalar(select(Delivery.status).where(Delivery.kind == "reminder_wave"))
    assert statuses == {"sent": MEMBERS}
    assert wave == "sent"
    faults = fake.fault_counts()
    assert set(faults) == set(KINDS)
    print(
        f"\nkilled {len(KILL_POINTS)} times; faults {dict(faults)}; duplicates {duplicates} "
        f"(allowed {sum(allowed.values())}: {sum(acted.values())} after-acting faults, "
        f"{sum(crash_unknowns.values())} claims left with the message out)"
    )
