"""Leaving no history behind a write: old row versions, journal frames and free space.

A deleted or rewritten row survives in places a plain query never looks: on SQLite in the
write-ahead log (every committed page image, in commit order) and in freed page space; on
PostgreSQL as dead tuples, whose bytes stay in the table's file even after a plain VACUUM. Whoever
copies the files then reads an erased name, or the order in which answers arrived. Called after
the commit of an erasure (/forgetme) or of a batch of answers (bot/services/feedback_store.py):

* SQLite: every connection runs with ``secure_delete`` on (bot/db/engine.py), so freed cells and
  pages are zeroed; ``wal_checkpoint(TRUNCATE)`` then copies the log into the main file and cuts
  the log to zero bytes, so no earlier page image remains. One gap is left: when SQLite rebalances
  a B-tree page it copies cells to their new place without clearing the old bytes in the page's
  unallocated middle, so a row once moved and later deleted can still sit there. ``compact``
  (erasure, and the daily sweep) runs ``VACUUM``, which rebuilds every page from scratch.
* PostgreSQL: ``VACUUM`` removes dead tuples; ``VACUUM FULL`` rewrites a table into a new file (the
  old one is unlinked), which is what it takes for the bytes of a deleted row to leave the table's
  files. It takes an exclusive lock, so it is kept for small tables (pending answers, people).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

CHECKPOINT_TRIES = 20


async def wipe_history(
    engine: AsyncEngine,
    *,
    vacuum: Iterable[str] = (),
    rewrite: Iterable[str] = (),
    compact: bool = False,
) -> bool:
    """Erase old row versions after a commit. ``vacuum``: PostgreSQL tables to VACUUM, ``rewrite``:
    small PostgreSQL tables to VACUUM FULL; ``compact``: rebuild the whole SQLite file (slow on a
    big database; for erasures and the daily sweep). Returns whether everything completed (a busy
    SQLite reader can delay the checkpoint; the next one then finishes the work)."""
    if engine.dialect.name == "sqlite":
        if compact:
            async with engine.connect() as conn:
                await conn.exec_driver_sql("VACUUM")
        return await _checkpoint(engine)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in dict.fromkeys(rewrite):
            await conn.exec_driver_sql(f'VACUUM FULL "{table}"')
        for table in dict.fromkeys(vacuum):
            await conn.exec_driver_sql(f'VACUUM "{table}"')
    return True


async def _checkpoint(engine: AsyncEngine) -> bool:
    for attempt in range(CHECKPOINT_TRIES):
        async with engine.connect() as conn:
            busy, *_ = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        if not busy:
            return True
        await asyncio.sleep(0.01 * (attempt + 1))
    log.warning("the write-ahead log could not be truncated now (a reader is busy); will retry")
    return False
