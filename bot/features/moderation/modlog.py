"""The moderation log as organizers export it (CSV), one row per logged action."""

from __future__ import annotations

import csv
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.moderation.service import log_rows
from bot.features.programs import service as programs

COLUMNS = (
    "time_utc",
    "group",
    "action",
    "target_id",
    "target_name",
    "actor",
    "reason_code",
    "reason",
    "rule",
    "duration_seconds",
    "until_utc",
    "revoked",
    "appeal_outcome",
    "failure",
    "message_excerpt",
)


async def export_csv(db: AsyncSession, program_ref: str, out: TextIO) -> int:
    """Write the program's whole log to ``out``; returns the number of rows written.

    The actor is a person's id or ``rule:<name>`` for the automatic filters; ``reason_code`` is a
    reason the bot gave (bot/domain/conduct/reasons.py, e.g. ``reported_message``) and ``reason``
    what a moderator typed, as typed. Excerpts appear only for sanctioned messages, and not at all
    once their author used /forgetme.
    """
    program = await programs.find(db, program_ref)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    rows = await log_rows(db, program_id=program.id)
    for row in rows:
        actor = (
            str(row.actor_id)
            if row.actor_id is not None
            else (f"rule:{row.actor_rule}" if row.actor_rule else "")
        )
        writer.writerow(
            (
                row.at.isoformat(),
                row.group_name or "",
                row.action,
                row.target_id if row.target_id is not None else "",
                row.target_name or "",
                actor,
                row.reason_code or "",
                row.reason or "",
                row.rule or "",
                row.duration_seconds or "",
                row.until.isoformat() if row.until else "",
                "yes" if row.revoked else "",
                row.appeal_outcome or "",
                row.failure or "",
                row.excerpt or "",
            )
        )
    return len(rows)
