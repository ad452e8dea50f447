"""What every handler and job needs besides the update: settings, database, clock and secret."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from bot.db.engine import SessionFactory


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    secret: bytes
    clock: Callable[[], datetime] = utc_now
    bot_username: str = ""

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back entirely if it raises."""
        async with self.sessions.begin() as session:
            yield session
