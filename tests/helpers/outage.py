"""Taking the bot's database away mid-run, the ways a real deployment loses it.

- ``refused``: every connection is refused, as when PostgreSQL is stopped (asyncpg raises
  ``ConnectionRefusedError`` straight through SQLAlchemy; the address is a closed loopback port).
- ``unopenable``: the SQLite file cannot be opened any more (``OperationalError``).
- ``writes_fail``: reads work, and every write statement fails with a reset connection, so a unit of
  work breaks half-way through (tests then check that nothing of it was kept).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_factory
from bot.runtime import Runtime

KINDS = ("refused", "unopenable", "writes_fail")
_WRITES = ("INSERT", "UPDATE", "DELETE")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nobody listens there


@contextmanager
def database_outage(runtime: Runtime, kind: str, tmp_path: Path) -> Iterator[None]:
    """Within the block the runtime's database fails as ``kind`` says; afterwards it is back."""
    if kind == "writes_fail":
        engine = runtime.engine.sync_engine

        def fail_writes(conn, cursor, statement, *_args) -> None:
            if statement.lstrip().upper().startswith(_WRITES):
                raise ConnectionResetError(104, "Connection reset by peer (injected)")

        event.listen(engine, "before_cursor_execute", fail_writes)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", fail_writes)
        return
    if kind == "refused":
        url = f"postgresql+asyncpg://bridgebot@127.0.0.1:{_closed_port()}/bridgebot"
    elif kind == "unopenable":
        url = f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'bridgebot.db'}"
    else:
        raise ValueError(f"unknown outage {kind!r}")
    dead: AsyncEngine = create_engine(url)
    healthy = runtime.sessions
    runtime.sessions = create_session_factory(dead)
    try:
        yield
    finally:
        runtime.sessions = healthy


__all__ = ["KINDS", "database_outage"]
