"""Migration 0003d rebuilds the answer tables on SQLite (WITHOUT ROWID) and keeps their rows."""

from __future__ import annotations

from sqlalchemy import text

from bot.db.engine import create_engine
from bot.db.migrate import downgrade_engine, upgrade_engine

ROWS = [
    "INSERT INTO programs (id, name, default_locale, timezone, anonymity_k, created_at) VALUES (1, 'P', 'en', 'UTC', 5, '2026-01-01 00:00:00')",
    "INSERT INTO surveys (id, program_id, kind, created_at) VALUES (1, 1, 'post_session', '2026-01-01 00:00:00')",
    "INSERT INTO survey_items (id, survey_id, key, position, kind, optional) VALUES (1, 1, 'useful', 0, 'likert5', 0)",
    "INSERT INTO survey_item_texts (id, item_id, locale, text) VALUES (1, 1, 'en', 'Useful?')",
    "INSERT INTO survey_instances (id, survey_id, program_id, opened_at, closes_at, invited) VALUES (1, 1, 1, '2026-01-01 00:00:00', '2026-01-08 00:00:00', 2)",
    "INSERT INTO responses (id, instance_id, program_id, day) VALUES ('bbbb', 1, 1, '2026-01-02')",
    "INSERT INTO responses (id, instance_id, program_id, day) VALUES ('aaaa', 1, 1, '2026-01-02')",
    "INSERT INTO answers (response_id, item_id, value) VALUES ('bbbb', 1, 4)",
    "INSERT INTO answers (response_id, item_id, value) VALUES ('aaaa', 1, 5)",
    "INSERT INTO receipts (digest, instance_id) VALUES ('d1', 1)",
]


async def test_upgrade_keeps_rows_and_drops_the_rowid(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await upgrade_engine(engine, "0002")
        async with engine.begin() as conn:
            for statement in ROWS:
                await conn.execute(text(statement))
        await upgrade_engine(engine, "heads")
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT id FROM responses"))).scalars().all() == [
                "aaaa",
                "bbbb",
            ]
            assert (await conn.execute(text("SELECT count(*) FROM answers"))).scalar() == 2
            assert (await conn.execute(text("SELECT count(*) FROM receipts"))).scalar() == 1
            assert (
                await conn.execute(text("SELECT text FROM survey_item_texts"))
            ).scalar() == "Useful?"
            assert (await conn.execute(text("SELECT version FROM survey_items"))).scalar() == 1
            sql = (
                await conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'answers'"))
            ).scalar()
            assert "WITHOUT ROWID" in sql
        await downgrade_engine(engine, "0002")
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM answers"))).scalar() == 2
            assert (
                await conn.execute(text("SELECT text FROM survey_item_texts"))
            ).scalar() == "Useful?"
    finally:
        await engine.dispose()
