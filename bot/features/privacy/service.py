"""/forgetme: erase a person and everything that names them, leaving no trace in the files.

``forget`` deletes inside the caller's transaction; ``wipe_traces`` runs after its commit and
before the person is told it is done, so the erased name and username can no longer be read from
the SQLite log or free pages, nor from PostgreSQL's dead tuples (bot/db/hygiene.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.base import Base
from bot.db.hygiene import wipe_history
from bot.db.models import Enrolment, ErasureRecord, OrganizerGrant, Person


@dataclass(frozen=True)
class Erasure:
    enrolments_removed: int
    grants_removed: int
    partners: tuple[tuple[int, str | None], ...] = ()


async def forget(
    db: AsyncSession, person_id: int, now: datetime, *, secret: bytes | None = None
) -> Erasure:
    """Delete the person's profile, enrolments, grants and drafts (by cascade). Anonymous feedback
    has no link to the person and stays. The erasure is logged with counts only, never the id.

    Every pair row that names them goes too, and with ``secret`` their count in the sealed pairs
    tally; ``Erasure.partners`` are the people whose active pair this ended (to be told)."""
    from bot.services import pairs

    ended = await pairs.forget(db, secret, person_id, now)
    enrolments = await db.scalar(select(func.count()).where(Enrolment.person_id == person_id)) or 0
    grants = await db.scalar(select(func.count()).where(OrganizerGrant.person_id == person_id)) or 0
    await db.execute(delete(Person).where(Person.id == person_id))
    db.add(
        ErasureRecord(
            day=now.date(), reason="forgetme", enrolments_removed=enrolments, grants_removed=grants
        )
    )
    await db.flush()
    return Erasure(
        enrolments_removed=enrolments,
        grants_removed=grants,
        partners=tuple((e.notify, e.notify_locale) for e in ended if e.notify is not None),
    )


def _tables_naming_people() -> list[str]:
    """``people`` and every table that refers to it (their rows go by cascade or SET NULL)."""
    people = Person.__table__
    return [
        table.name
        for table in Base.metadata.sorted_tables
        if table is not people
        and any(fk.column.table is people for column in table.columns for fk in column.foreign_keys)
    ]


async def wipe_traces(engine: AsyncEngine) -> bool:
    """After ``forget`` committed: the person's bytes leave the files. On PostgreSQL the people
    table (names, usernames) is rewritten whole and the tables that referred to it are vacuumed;
    SQLite rebuilds the file (``VACUUM``: no stale copy survives in a page's free middle)."""
    return await wipe_history(
        engine, rewrite=[Person.__tablename__], vacuum=_tables_naming_people(), compact=True
    )
