"""What every `bridgebot` subcommand that works on the database shares: the one-line operator error,
checking the database is reachable (and migrating SQLite), running one unit of work, the clock.

bot/cli.py and every bot/clitools module import these from here (not from bot/cli.py, which is the
composition root and imports the clitools). The bot's own modules are imported inside the functions
that need them, as everywhere in the command line: `bridgebot --help` does not load Alembic or the
engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings


class CliError(Exception):
    """Shown to the operator as one line on stderr; the process exits with status 2."""


async def check_database(settings: Settings) -> None:
    from bot.db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        raise CliError(
            f"cannot connect to the database ({safe_url(settings)}): {first_line(exc)}"
        ) from exc
    finally:
        await engine.dispose()


def safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(settings.database_url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def upgrade(settings: Settings) -> None:
    from bot.db.migrate import upgrade_url

    asyncio.run(check_database(settings))
    try:
        upgrade_url(settings.database_url)
    except (SQLAlchemyError, OSError) as exc:
        raise CliError(f"migration failed: {first_line(exc)}") from exc


def in_db(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    from bot.runtime import create_runtime

    async def go() -> Any:
        runtime = create_runtime(settings)
        try:
            async with runtime.db() as db:
                return await work(db)
        finally:
            await runtime.engine.dispose()

    if settings.is_sqlite:
        upgrade(settings)
    else:
        asyncio.run(check_database(settings))
    return asyncio.run(go())


def now() -> datetime:
    from bot.runtime import utc_now

    return utc_now()
