"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

import bot.db.models  # noqa: F401
from bot.db.base import Base
from bot.db.engine import create_engine
from bot.db.migrate import downgrade_engine, upgrade_engine
from tests.conftest import BACKENDS, TEST_DATABASE_URL


@pytest.fixture(params=BACKENDS)
async def empty_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    assert TEST_DATABASE_URL
    name = f"bridgebot_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres").render_as_string(hide_password=False)
    )
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def _diff(connection) -> list:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(context, Base.metadata)


async def test_upgrade_head_matches_models_and_downgrade_base_removes_everything(
    empty_url: str,
) -> None:
    engine = create_engine(empty_url)
    try:
        await upgrade_engine(engine)
        async with engine.connect() as conn:
            differences = await conn.run_sync(_diff)
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert differences == []
        assert {t.name for t in Base.metadata.sorted_tables} <= tables

        await downgrade_engine(engine, "base")
        async with engine.connect() as conn:
            remaining = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert remaining <= {"alembic_version"}

        # ...and back up again: a downgrade leaves a database that can be upgraded.
        await upgrade_engine(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_telegram_ids_are_64_bit(engine) -> None:
    """Telegram user ids exceed 2**31; they must round-trip through every backend."""
    from datetime import UTC, datetime

    from bot.db.engine import create_session_factory
    from bot.db.models import Person

    big = 2**52 + 7
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with create_session_factory(engine).begin() as db:
        db.add(Person(id=big, first_name="Ani", created_at=now, updated_at=now))
    async with create_session_factory(engine)() as db:
        person = await db.get(Person, big)
        assert person is not None and person.id == big
        assert person.created_at == now and person.created_at.tzinfo is not None
