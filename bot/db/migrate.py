"""Apply Alembic migrations from code (the CLI, start-up on SQLite, and tests)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        # ConfigParser treats % as interpolation; URLs may contain percent-encoded passwords.
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade_url(database_url: str, revision: str = "heads") -> None:
    """Upgrade the database at ``database_url``; runs its own event loop (call outside one)."""
    if database_url.startswith("sqlite"):
        _ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), revision)


class MigrationError(Exception):
    """A migration left the database inconsistent (it was rolled back)."""


async def upgrade_engine(engine: AsyncEngine, revision: str = "heads") -> None:
    await _migrate(engine, "upgrade", revision)


async def downgrade_engine(engine: AsyncEngine, revision: str = "base") -> None:
    await _migrate(engine, "downgrade", revision)


async def _migrate(engine: AsyncEngine, action: str, revision: str) -> None:
    """Run ``action`` in one transaction. On SQLite, foreign keys are off meanwhile: altering a
    table there means rebuilding it, and dropping the old copy with foreign keys on deletes every
    row that refers to it (ON DELETE CASCADE), so adding a column to moderation_actions would
    have emptied appeals. The references are checked before the transaction commits instead."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if sqlite:
            # Only outside a transaction does SQLite take this pragma.
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
        try:
            async with conn.begin():
                await conn.run_sync(_run, action, revision)
                if sqlite:
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        tables = sorted({str(row[0]) for row in broken})
                        raise MigrationError(
                            f"{action} to {revision} left rows with broken references in "
                            f"{', '.join(tables)}; nothing was changed"
                        )
        finally:
            if sqlite:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()


def _run(connection: Connection, action: str, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, revision)


def _ensure_sqlite_dir(database_url: str) -> None:
    path = database_url.split(":///", 1)[-1]
    if path and path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
