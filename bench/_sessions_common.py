"""Shared set-up for the session benchmarks: a migrated SQLite file and a bot over the fake Bot API."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.engine import create_engine, create_session_factory  # noqa: E402
from bot.db.migrate import upgrade_engine  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from tests.helpers.fake_request import FakeRequest  # noqa: E402
from tests.helpers.fake_telegram import FakeTelegram  # noqa: E402

SECRET = b"bench-secret"


async def make_app(
    path: Path, fake: FakeTelegram, now: datetime | None = None, *, rate_limit: bool = True
):
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade_engine(engine)
    settings = Settings(token=fake.token, database_url=url, secret=SECRET.decode())
    clock_now = now or datetime.now(UTC)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        secret=SECRET,
        clock=lambda: clock_now,
    )
    app = build_application(
        settings,
        runtime,
        request=FakeRequest(fake),
        get_updates_request=FakeRequest(fake),
        rate_limit=rate_limit,
    )
    return app, runtime
