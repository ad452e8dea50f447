"""/forgetme: erase a person and everything that names them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Enrolment, ErasureRecord, OrganizerGrant, Person


@dataclass(frozen=True)
class Erasure:
    enrolments_removed: int
    grants_removed: int


async def forget(db: AsyncSession, person_id: int, now: datetime) -> Erasure:
    """Delete the person's profile, enrolments, grants and drafts (by cascade). Anonymous feedback
    has no link to the person and stays. The erasure is logged with counts only, never the id."""
    enrolments = await db.scalar(select(func.count()).where(Enrolment.person_id == person_id)) or 0
    grants = await db.scalar(select(func.count()).where(OrganizerGrant.person_id == person_id)) or 0
    await db.execute(delete(Person).where(Person.id == person_id))
    db.add(
        ErasureRecord(
            day=now.date(), reason="forgetme", enrolments_removed=enrolments, grants_removed=grants
        )
    )
    await db.flush()
    return Erasure(enrolments_removed=enrolments, grants_removed=grants)
