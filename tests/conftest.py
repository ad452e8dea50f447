"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL is
set), a controllable clock, and a runtime wired to them."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db.base import Base
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.runtime import Runtime

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]
ADMIN_ID = 9_000_000_001
TEST_SECRET = b"test-secret-not-for-production"


class Clock:
    """A clock tests move by hand; every service receives ``now`` from it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


# ---- databases -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (copying beats migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite+aiosqlite:///{path}"

    async def migrate() -> None:
        engine = create_engine(url)
        await upgrade_engine(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return path


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test run (so parallel runs never meet), migrated once."""
    if not TEST_DATABASE_URL:
        yield None
        return
    name = f"bridgebot_test_{uuid.uuid4().hex[:10]}"
    base = make_url(TEST_DATABASE_URL)
    url = base.set(database=name).render_as_string(hide_password=False)

    async def admin(statement: str) -> None:
        engine = create_engine(
            _admin_url(TEST_DATABASE_URL),
        )
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
        await engine.dispose()

    async def migrate() -> None:
        engine = create_engine(url)
        await upgrade_engine(engine)
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    asyncio.run(migrate())
    try:
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "bridgebot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    if not database_url.startswith("sqlite"):
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        token="123456789:TEST_token_for_the_fake_bot_api_only_x",
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID}),
        default_locale="en",
        secret=TEST_SECRET.decode(),
    )


@pytest.fixture
def runtime(settings: Settings, engine: AsyncEngine, clock: Clock) -> Runtime:
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        secret=TEST_SECRET,
        clock=clock,
    )
