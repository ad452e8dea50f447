"""One active `bridgebot run` per database (bot/db/instance.py), with real processes against the
fake Bot API over HTTP.

PostgreSQL (TEST_DATABASE_URL): a second process waits as the standby; the active one is killed
(SIGKILL) in the middle of a reminder wave, with sends in flight that the fake holds and never
delivers; the standby takes over within 30 seconds, polls, and every member ends with exactly
one reminder and no delivery is left claimed. An active process whose lock connection is cut
stops with exit status 11. SQLite: a second process refuses to start (exit status 12) with one
line naming the holder; after a kill -9 the lock is free again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.db.base import Base
from bot.db.engine import create_engine, create_session_factory
from bot.db.instance import LOCK_KEY
from bot.db.models import Delivery
from tests.conftest import TEST_DATABASE_URL, TEST_SECRET
from tests.e2e.test_sessions_restart import (
    LET_THROUGH,
    MEMBERS,
    GatedTelegram,
    _populate,
    _reminders,
)
from tests.helpers.fake_http import FakeBotApiServer
from tests.helpers.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
TAKEOVER_LIMIT = 30.0


def _env(server: FakeBotApiServer, fake: FakeTelegram, database_url: str, **extra: str):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BRIDGEBOT_", "DATABASE_URL"))
    }
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "DATABASE_URL": database_url,
            "BRIDGEBOT_SECRET": TEST_SECRET.decode(),
            "BRIDGEBOT_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def _spawn(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def _until(condition, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log is not None else ""  # noqa: ASYNC240
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        await asyncio.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _polls_since(fake: FakeTelegram, since: float) -> int:
    return sum(1 for c in fake.calls("getUpdates") if c.time >= since)


@pytest.fixture
def pg_url(postgres_database: str | None) -> str:
    if not TEST_DATABASE_URL or not postgres_database:
        pytest.skip("TEST_DATABASE_URL is not set: the standby needs PostgreSQL")
    return postgres_database


@pytest.fixture
async def pg_engine(pg_url: str):
    url = pg_url
    engine = create_engine(url)
    yield url, engine
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.mark.timeout(240)
async def test_the_standby_takes_over_a_wave_killed_midway_and_each_member_gets_one(
    pg_engine, tmp_path
):
    database_url, engine = pg_engine
    fake = GatedTelegram()
    starts_at = datetime.now(UTC) + timedelta(hours=24) - timedelta(minutes=1)
    member_ids, _chat = await _populate(engine, fake, starts_at)
    with FakeBotApiServer(fake) as server:
        env = _env(server, fake, database_url)
        active_log, standby_log = tmp_path / "active.log", tmp_path / "standby.log"
        active = _spawn(env, active_log)
        standby = None
        try:
            # The active one is mid-wave: the first members have their reminder, the rest are
            # held by the fake, claimed and in flight.
            await _until(lambda: fake.gate_closed.is_set(), 60, "the wave", active_log)
            standby = _spawn(env, standby_log)
            await _until(
                lambda: "standby: another bridgebot is active" in standby_log.read_text(),
                60,
                "the standby's line",
                standby_log,
            )
            await asyncio.sleep(1.5)  # the answered sends are recorded as sent
            killed_at = time.time()
            active.send_signal(signal.SIGKILL)
            active.wait(timeout=10)
            assert sum(_reminders(fake, member_ids).values()) == LET_THROUGH
            async with create_session_factory(engine)() as db:
                in_flight = await db.scalar(
                    select(func.count()).select_from(Delivery).where(Delivery.status == "claimed")
                )
            assert in_flight >= 1  # killed with claims out
            fake.gating = False
            fake.release.set()  # the held sends are answered 500, never delivered

            await _until(
                lambda: _polls_since(fake, killed_at) > 0, TAKEOVER_LIMIT, "polling", standby_log
            )
            polling_after = min(c.time for c in fake.calls("getUpdates") if c.time >= killed_at)
            await _until(
                lambda: min(_reminders(fake, member_ids).values()) >= 1,
                TAKEOVER_LIMIT,
                "every reminder",
                standby_log,
            )
            done_after = time.time() - killed_at
            await asyncio.sleep(1.5)  # anything extra would show up now
            assert standby.poll() is None
            assert "taking over now" in standby_log.read_text()
        finally:
            for process in (active, standby):
                if process is not None:
                    _stop(process)
    counts = _reminders(fake, member_ids)
    assert set(counts.values()) == {1}, standby_log.read_text()[-3000:]
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
    assert statuses == {"sent": MEMBERS}
    takeover = polling_after - killed_at
    assert takeover < TAKEOVER_LIMIT
    print(
        f"\nfailover: standby polling {takeover:.2f} s after kill -9, "
        f"all {MEMBERS} reminders out after {done_after:.2f} s, each exactly once"
    )


@pytest.mark.timeout(120)
async def test_an_active_instance_that_loses_its_lock_stops_with_status_11(pg_engine, tmp_path):
    database_url, engine = pg_engine
    fake = FakeTelegram()
    with FakeBotApiServer(fake) as server:
        env = _env(server, fake, database_url, BRIDGEBOT_LOCK_HEARTBEAT_SECONDS="1")
        log_path = tmp_path / "active.log"
        active = _spawn(env, log_path)
        try:
            await _until(lambda: _polls_since(fake, 0) > 0, 60, "polling", log_path)
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                # Only this test's database: pg_locks lists every database on the server, and
                # other test runs hold the same key in theirs.
                cut = await conn.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE "
                        "locktype = 'advisory' AND granted AND "
                        "((classid::bigint << 32) | objid::bigint) = :key AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())"
                    ),
                    {"key": LOCK_KEY},
                )
            assert cut == 1
            status = await asyncio.to_thread(active.wait, 30)
        finally:
            _stop(active)
    log = log_path.read_text()
    assert status == 11, log[-3000:]
    assert "lost the instance lock on the database" in log


@pytest.mark.timeout(120)
async def test_a_second_instance_on_one_sqlite_file_refuses_and_a_killed_one_leaves_no_lock(
    tmp_path, sqlite_template
):
    import shutil

    db = tmp_path / "bridgebot.db"
    shutil.copy(sqlite_template, db)
    fake = FakeTelegram()
    with FakeBotApiServer(fake) as server:
        env = _env(server, fake, f"sqlite+aiosqlite:///{db}")
        first = _spawn(env, tmp_path / "first.log")
        try:
            await _until(lambda: _polls_since(fake, 0) > 0, 60, "polling", tmp_path / "first.log")
            second = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert second.returncode == 12, second.stderr
            lines = [line for line in second.stderr.splitlines() if line.strip()]
            assert lines == [lines[-1]] and "Traceback" not in second.stderr, second.stderr
            assert f"pid {first.pid}" in lines[0] and "already running" in lines[0]
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            _stop(first)
        since = time.time()
        third = _spawn(env, tmp_path / "third.log")
        try:
            await _until(
                lambda: _polls_since(fake, since) > 0, 60, "polling again", tmp_path / "third.log"
            )
        finally:
            _stop(third)


@pytest.mark.timeout(180)
async def test_the_standby_takes_over_when_the_active_one_is_stopped(pg_engine, tmp_path):
    database_url, _engine = pg_engine
    fake = FakeTelegram()
    with FakeBotApiServer(fake) as server:
        env = _env(server, fake, database_url)
        active_log, standby_log = tmp_path / "active.log", tmp_path / "standby.log"
        active = _spawn(env, active_log)
        standby = None
        try:
            await _until(lambda: _polls_since(fake, 0) > 0, 60, "polling", active_log)
            standby = _spawn(env, standby_log)
            await _until(
                lambda: "standby: another bridgebot is active" in standby_log.read_text(),
                60,
                "the standby's line",
                standby_log,
            )
            stopped_at = time.time()
            active.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(active.wait, 30) == 0
            await _until(
                lambda: (
                    _polls_since(fake, time.time() - 0.5) > 0
                    and "taking over now" in standby_log.read_text()
                ),
                TAKEOVER_LIMIT,
                "the standby polling",
                standby_log,
            )
            took = time.time() - stopped_at
            # A standby told to stop before it takes over exits 0 and touches nothing.
            third = _spawn(env, tmp_path / "third.log")
            await _until(
                lambda: "standby: another" in (tmp_path / "third.log").read_text(),
                60,
                "a new standby",
                tmp_path / "third.log",
            )
            third.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(third.wait, 20) == 0
        finally:
            for process in (active, standby):
                if process is not None:
                    _stop(process)
    assert took < TAKEOVER_LIMIT
    print(f"\nstop: the standby polled {took:.2f} s after the active one was told to stop")
