"""/forgetme leaves no trace in the files: read as a thief would, byte by byte.

SQLite: the main file, the write-ahead log and the shared-memory index. PostgreSQL: the table
files of ``people`` after a checkpoint (read from the server's data directory when this process
can see it; skipped otherwise).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db.models import Person
from bot.features.privacy import service as privacy
from tests.services.feedback_fixtures import add_people, make_program

NAME = "Zebulonova"
USERNAME = "quuxuser_erased"


def _sqlite_files(database_url: str) -> list[Path]:
    main = Path(database_url.split(":///", 1)[1])
    return [p for p in (main, Path(f"{main}-wal"), Path(f"{main}-shm")) if p.exists()]


def _wal_bytes(database_url: str) -> int:
    wal = Path(database_url.split(":///", 1)[1] + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _readable(paths: list[Path], needle: str) -> bool:
    return any(needle.encode() in path.read_bytes() for path in paths)


async def _postgres_files(engine) -> list[Path] | None:
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("CHECKPOINT")
        base = await conn.scalar(text("SELECT current_setting('data_directory')"))
        rel = await conn.scalar(text("SELECT pg_relation_filepath('people')"))
    path = Path(base) / rel
    try:
        path.read_bytes()
    except OSError:
        return None
    return [p for p in path.parent.glob(f"{path.name}*") if p.is_file()]


async def test_an_erased_name_is_gone_from_every_file(runtime, engine, database_url) -> None:
    program = await make_program(runtime)
    # Neighbours, so the erased row shares pages with rows that stay.
    await add_people(runtime, program, 30)
    [pid] = await add_people(runtime, program, 1, names=[NAME])
    async with runtime.db() as db:
        person = await db.get(Person, pid)
        person.username = USERNAME
    await add_people(runtime, program, 30)
    async with runtime.db() as db:
        await privacy.forget(db, pid, runtime.clock())
    if engine.dialect.name == "sqlite":
        # The attack works without the wipe: the log still holds the page as it was.
        assert _readable(_sqlite_files(database_url), NAME)
        assert await privacy.wipe_traces(engine)
        files = _sqlite_files(database_url)
        assert _wal_bytes(database_url) == 0
    else:
        files = await _postgres_files(engine)
        if files is None:
            pytest.skip("the PostgreSQL data directory is not readable from this process")
        assert _readable(files, NAME)  # a dead tuple, until the table is rewritten
        assert await privacy.wipe_traces(engine)
        files = await _postgres_files(engine)
        async with engine.connect() as conn:
            dead = await conn.scalar(
                text("SELECT count(*) FROM people WHERE first_name = :n"), {"n": NAME}
            )
        assert dead == 0
    assert files
    assert not _readable(files, NAME)
    assert not _readable(files, USERNAME)
    # The others are still there.
    async with runtime.db() as db:
        assert await db.scalar(text("SELECT count(*) FROM people")) == 60
