"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

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

ROOT = Path(__file__).resolve().parent.parent


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


# ---- 0005r: the bot's own reasons become codes ---------------------------------------------------

REASON_ROWS = [
    # (id, action, reason): what the bot stored before 0005r, and moderators' own words.
    (1, "warn", "сообщение с жалобой"),  # a Russian moderator upheld a report with Warn
    (2, "kick", "şikayət edilən mesaj"),
    (3, "mute", "reported message"),
    (4, "warn", "spam links"),  # typed: stays as typed
    (5, "report", "сообщение с жалобой"),  # a participant's report reason: not a sanction
    (6, "warn", None),
]


async def test_reason_migration_turns_the_bots_texts_into_codes(empty_url: str) -> None:
    engine = create_engine(empty_url)
    try:
        await upgrade_engine(engine, "0005a")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO programs (id, name, default_locale, timezone, anonymity_k, "
                    "created_at) VALUES (1, 'P', 'en', 'UTC', 5, '2026-01-01 00:00:00')"
                )
            )
            for row_id, action, reason in REASON_ROWS:
                await conn.execute(
                    text(
                        "INSERT INTO moderation_actions (id, at, program_id, action, reason, "
                        "strike) VALUES (:id, '2026-01-02 00:00:00', 1, :action, :reason, :strike)"
                    ),
                    {"id": row_id, "action": action, "reason": reason, "strike": action == "warn"},
                )
        await upgrade_engine(engine, "0005r")
        query = text("SELECT id, reason_code, reason FROM moderation_actions ORDER BY id")
        async with engine.connect() as conn:
            rows = [tuple(r) for r in (await conn.execute(query)).all()]
        assert rows == [
            (1, "reported_message", None),
            (2, "reported_message", None),
            (3, "reported_message", None),
            (4, None, "spam links"),
            (5, None, "сообщение с жалобой"),
            (6, None, None),
        ]
        await downgrade_engine(engine, "0005a")
        query = text("SELECT id, reason FROM moderation_actions ORDER BY id")
        async with engine.connect() as conn:
            reasons = dict(tuple(r) for r in (await conn.execute(query)).all())
        # The language the text was stored in is gone: it comes back in English.
        assert reasons == {
            1: "reported message",
            2: "reported message",
            3: "reported message",
            4: "spam links",
            5: "сообщение с жалобой",
            6: None,
        }
    finally:
        await engine.dispose()


def test_reason_migration_knows_every_shipped_translation_of_its_codes() -> None:
    """The migration's frozen texts are what the catalogs give for each code, in every locale."""
    import importlib.util

    from bot.config import SUPPORTED_LOCALES
    from bot.domain.conduct.reasons import MSGIDS, ReasonCode
    from bot.i18n import translate_in

    path = ROOT / "migrations" / "versions" / "0005r_reason_codes.py"
    spec = importlib.util.spec_from_file_location("reason_codes_migration", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for code, texts in migration.FROZEN_TEXTS.items():
        msgid = MSGIDS[ReasonCode(code)]
        # Frozen for the locales shipped when it was written; later locales never stored texts.
        assert set(texts) <= set(SUPPORTED_LOCALES)
        assert texts == {loc: translate_in(loc, msgid) for loc in texts}
