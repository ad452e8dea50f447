"""One active `bridgebot run` per database.

Two processes working on one database would both poll (Telegram answers the second with 409),
both run the jobs, and each keep its own flood counters and conduct cache. So `bridgebot run`
takes a lock first:

* **PostgreSQL: active and standby.** The lock is a session-level advisory lock held on a
  dedicated connection by a thread with its own event loop. A second process finds it taken,
  says once that it is the standby, and asks again every ``poll`` seconds. When the active process
  dies (even by kill -9 or with its machine: the server drops its session, TCP keepalives bound
  the wait) or stops, the lock is free and the standby takes over. The active process checks its
  connection every ``heartbeat`` seconds; if the connection (and with it the lock) is lost, it
  stops at once with exit status ``EXIT_LOST_LOCK``, because a standby may already be working.
* **SQLite: one process only.** An exclusive ``flock`` on ``<database>.lock`` beside the file. The
  kernel releases it when the process ends however it ends, so a kill -9 leaves no stale lock; a
  second process refuses to start with one line naming the holder's pid.

Because the lock is exclusive, a delivery still ``claimed`` when a process takes the lock belongs
to a process that is gone: ``release_orphaned_claims`` makes it due for the start-up sweep at once
instead of after the lease (bot/jobs/notifier.py), so a failover resends nothing twice and
leaves nothing waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.config import OperatorError, Settings

log = logging.getLogger(__name__)

EXIT_LOST_LOCK = 11
EXIT_ALREADY_RUNNING = 12
# pg_advisory_lock key: "bridgebo" as a signed 64-bit integer (advisory locks are per database).
LOCK_KEY = int.from_bytes(b"bridgebo", "big") & ((1 << 63) - 1)
# How long a process that lost its lock may take to stop cleanly before it is ended outright.
STOP_GRACE_SECONDS = 15.0


# ---- SQLite ----------------------------------------------------------------------------------------


def sqlite_path(database_url: str) -> Path | None:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database).resolve()


def lock_file_for(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class SqliteLock:
    """An exclusive flock on the lock file beside the database, held while the process lives."""

    def __init__(self, database: Path) -> None:
        self.path = lock_file_for(database)
        self._handle: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # held for the life of the process
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise OperatorError(
                f"another bridgebot is already running on {self.path.with_suffix('')} "
                f"(pid {holder}, lock file {self.path}): SQLite allows one instance; stop it first "
                "or use PostgreSQL for a standby",
                EXIT_ALREADY_RUNNING,
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def sqlite_holder(database: Path) -> str | None:
    """The pid of the process holding the database's lock file, or None if nobody holds it."""
    path = lock_file_for(database)
    if not path.exists():
        return None
    with open(path) as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return handle.read().strip() or "unknown"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None


# ---- PostgreSQL ------------------------------------------------------------------------------------


def asyncpg_params(database_url: str) -> dict[str, Any]:
    url = make_url(database_url)
    params: dict[str, Any] = {
        "user": url.username,
        "password": url.password,
        "host": url.host,
        "port": url.port,
        "database": url.database,
    }
    ssl = url.query.get("ssl") or url.query.get("sslmode")
    if ssl:
        params["ssl"] = ssl if isinstance(ssl, str) else ssl[0]
    return {k: v for k, v in params.items() if v is not None}


# The server notices a vanished client machine within about 10 + 3 x 5 seconds.
KEEPALIVES = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}


async def pg_lock_free(conn: Any) -> bool:
    """Whether no process holds the instance lock (asks with a try-lock and gives it back)."""
    if await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
        await conn.fetchval("SELECT pg_advisory_unlock($1)", LOCK_KEY)
        return True
    return False


class StandbyStopped(Exception):
    """The standby was asked to stop before it took over."""


class PostgresLock:
    """The advisory lock, held by a thread with its own loop and connection."""

    def __init__(self, database_url: str, *, poll: float, heartbeat: float) -> None:
        self._params = asyncpg_params(database_url)
        self.poll = poll
        self.heartbeat = heartbeat
        self.acquired = threading.Event()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="instance-lock", daemon=True)
        self.waited = 0.0

    # -- called from the main thread

    def acquire(self) -> None:
        """Block until this process is the active one (as the standby meanwhile). SIGTERM or
        Ctrl-C while waiting raises StandbyStopped."""
        started = time.monotonic()
        stopping = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        try:
            self._thread.start()
            while not self.acquired.wait(0.2):
                if stopping.is_set():
                    break
                if not self._thread.is_alive():
                    raise OperatorError("the instance lock could not be taken", EXIT_LOST_LOCK)
        except KeyboardInterrupt:
            stopping.set()
        finally:
            signal.signal(signal.SIGTERM, previous)
        if stopping.is_set():
            self.release()
            raise StandbyStopped()
        self.waited = time.monotonic() - started

    def release(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    # -- the lock thread

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _connect(self) -> Any:
        import asyncpg

        return await asyncpg.connect(
            **self._params, timeout=10, command_timeout=10, server_settings=KEEPALIVES
        )

    async def _main(self) -> None:
        conn = await self._wait_for_lock()
        if conn is None:
            return
        try:
            await self._hold(conn)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)

    async def _wait_for_lock(self) -> Any:
        said_standby = said_unreachable = False
        conn = None
        while not self._stop.is_set():
            try:
                if conn is None or conn.is_closed():
                    conn = await self._connect()
                if await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
                    if said_standby:
                        log.warning("standby: the active instance is gone; taking over now")
                    self.acquired.set()
                    return conn
                if not said_standby:
                    log.warning(
                        "standby: another bridgebot is active on this database; waiting to take "
                        "over (checking every %g s)",
                        self.poll,
                    )
                    said_standby = True
            except Exception as exc:  # any failure: try again later
                conn = None
                if not said_unreachable:
                    log.warning("instance lock: the database is unreachable (%s); retrying", exc)
                    said_unreachable = True
            await self._pause(self.poll)
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
        return None

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds`` or until asked to stop, whichever comes first."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and time.monotonic() < deadline:  # noqa: ASYNC110 - a threading.Event set from another thread
            await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    async def _hold(self, conn: Any) -> None:
        while not self._stop.is_set():
            await self._pause(self.heartbeat)
            if self._stop.is_set():
                with contextlib.suppress(Exception):
                    await conn.fetchval("SELECT pg_advisory_unlock($1)", LOCK_KEY)
                return
            try:
                await asyncio.wait_for(conn.fetchval("SELECT 1"), self.heartbeat)
            except Exception as exc:  # the connection (and the lock) is gone
                self._lose(exc)
                return

    def _lose(self, exc: BaseException) -> None:
        log.error(
            "lost the instance lock on the database (%s): stopping now, a standby may already be "
            "active (exit status %d)",
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            EXIT_LOST_LOCK,
        )
        self.lost.set()
        os.kill(os.getpid(), signal.SIGTERM)
        timer = threading.Timer(STOP_GRACE_SECONDS, os._exit, args=(EXIT_LOST_LOCK,))
        timer.daemon = True
        timer.start()


# ---- for `bridgebot run` -------------------------------------------------------------------------


def take(settings: Settings, *, poll: float, heartbeat: float) -> SqliteLock | PostgresLock | None:
    """Become the one active instance: refuse (SQLite) or wait as the standby (PostgreSQL)."""
    if settings.is_sqlite:
        path = sqlite_path(settings.database_url)
        if path is None:
            return None
        sqlite_lock = SqliteLock(path)
        sqlite_lock.acquire()
        return sqlite_lock
    if not settings.database_url.startswith("postgresql"):
        return None
    pg_lock = PostgresLock(settings.database_url, poll=poll, heartbeat=heartbeat)
    pg_lock.acquire()
    return pg_lock


async def release_orphaned_claims(engine: Any, now: datetime, lease: timedelta) -> int:
    """Make every claimed delivery due for the sweep: with the lock held, their owners are gone."""
    from sqlalchemy import update

    from bot.db.models import Delivery
    from bot.domain import delivery as policy

    expired = now - lease - timedelta(seconds=1)
    async with engine.begin() as conn:
        result = await conn.execute(
            update(Delivery)
            .where(Delivery.status == policy.CLAIMED, Delivery.claimed_at >= expired)
            .values(claimed_at=expired)
        )
    return result.rowcount or 0


def utc_now() -> datetime:
    return datetime.now(UTC)
