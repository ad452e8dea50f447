"""The async engine and session factory."""

from __future__ import annotations

import os

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    # hide_parameters: a failing statement's error names no value (an answer, a comment, a name),
    # so no log line can carry one (bot/ops/logs.py).
    kwargs: dict[str, object] = {"echo": echo, "hide_parameters": True}
    if database_url.startswith("sqlite"):
        # One writer at a time is SQLite's rule; waiting a few seconds beats "database is locked".
        kwargs["connect_args"] = {"timeout": 15}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(database_url, **kwargs)
    if database_url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Freed cells and pages are zeroed, so a deleted name or a moved answer leaves no bytes behind
    # (bot/db/hygiene.py truncates the log after such writes).
    cursor.execute("PRAGMA secure_delete=ON")
    # Large sorts (a report's GROUP BY over every answer of a program) may use a helper thread.
    cursor.execute(f"PRAGMA threads={min(2, os.cpu_count() or 1)}")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)
