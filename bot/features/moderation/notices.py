"""Notices: the private messages the bot sends moderators and reviewers about one case (a report of
a message, an appeal of a sanction), remembered so that each copy can be edited once the case is
decided. Reports and appeals keep their own tables (report_notices, appeal_notices); both read
them back as the one ``Notice`` below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import people


@dataclass(frozen=True)
class Notice:
    person_id: int  # the moderator, reviewer or organizer who received it
    message_id: int
    locale: str | None  # their language, None when unknown (the caller picks the group's)


async def read(db: AsyncSession, rows: Iterable[Any]) -> list[Notice]:
    """``rows`` of (person id, message id), as a notice table holds them."""
    return [
        Notice(person_id, message_id, await people.language_of(db, person_id))
        for person_id, message_id in rows
    ]
