"""What every handler and job needs besides the update: settings, database, clock and secret."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import REDACTED, Settings, redact_url
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.ops.metrics import Metrics
from bot.secret import load_or_create, resolve_secret_file
from bot.services import presses

log = logging.getLogger(__name__)


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
    metrics: Metrics = field(default_factory=Metrics)

    def __repr__(self) -> str:
        # The secret never appears; the settings redact their own (Settings.__repr__).
        return (
            f"Runtime(settings={self.settings!r}, engine={redact_url(str(self.engine.url))!r}, "
            f"secret={REDACTED!r}, bot_username={self.bot_username!r})"
        )

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back entirely if it raises."""
        async with self.sessions.begin() as session:
            yield session
            # A button press being handled is used up by the first unit of work that changes
            # something, in that same transaction (bot/services/presses.py).
            press = await presses.attach_pending(session)
        if press is not None:
            press.committed = True


def create_runtime(settings: Settings) -> Runtime:
    engine = create_engine(settings.database_url)
    secret = settings.secret
    if not (secret and secret.strip()):
        database_dir = None
        if settings.is_sqlite:
            database_dir = Path(settings.database_url.split(":///", 1)[-1]).resolve().parent
        secret_file = resolve_secret_file(settings.secret_file, database_dir)
    else:
        secret_file = Path("/nonexistent")  # unused: the explicit secret wins
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        secret=load_or_create(secret, secret_file),
    )
    if settings.clock_offset_seconds:
        shift = timedelta(seconds=settings.clock_offset_seconds)
        runtime.clock = lambda: utc_now() + shift
        log.warning("BRIDGEBOT_CLOCK_OFFSET_SECONDS is set: the clock runs %s ahead (tests only)", shift)
    return runtime
