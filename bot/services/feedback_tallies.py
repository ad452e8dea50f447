"""Per-instance tallies of the stored responses and answers, which reports read.

A report needs counts, never rows: per survey instance, how many responses per attribute
combination, and how many answers per item, combination and value. Grouping every answer of a
program for each report made a cold program report cost seconds at 100,000 responses; these
tables hold exactly those counts (a few rows per instance) and are rewritten whole, with fresh
random keys, in the transaction that rewrites the instance's responses. They carry nothing the
responses do not (no person, no time, no order), and they disappear with their instance.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, AnswerTally, RespondentTally, Response
from bot.domain.anonymity import new_response_id

# Vacuumed with the responses after each batch (bot/db/hygiene.py): an old version of a tally
# says no more than the old responses do, and goes with them.
TABLES = (RespondentTally.__tablename__, AnswerTally.__tablename__)


async def refresh(db: AsyncSession, instance_ids: Iterable[int]) -> None:
    """Recount the instances' tallies from their stored rows (call after writing them)."""
    ids = sorted(set(instance_ids))
    if not ids:
        return
    await db.execute(delete(RespondentTally).where(RespondentTally.instance_id.in_(ids)))
    await db.execute(delete(AnswerTally).where(AnswerTally.instance_id.in_(ids)))
    respondents = [
        {
            "id": new_response_id(),
            "instance_id": iid,
            "side_id": side_id,
            "role": role,
            "coarsened": coarsened,
            "n": int(n),
        }
        for iid, side_id, role, coarsened, n in await db.execute(
            select(
                Response.instance_id,
                Response.side_id,
                Response.role,
                Response.coarsened,
                func.count(),
            )
            .where(Response.instance_id.in_(ids))
            .group_by(Response.instance_id, Response.side_id, Response.role, Response.coarsened)
        )
    ]
    answers = [
        {
            "id": new_response_id(),
            "instance_id": iid,
            "item_id": item_id,
            "side_id": side_id,
            "role": role,
            "coarsened": coarsened,
            "value": value,
            "n": int(n),
        }
        for iid, item_id, side_id, role, coarsened, value, n in await db.execute(
            select(
                Response.instance_id,
                Answer.item_id,
                Response.side_id,
                Response.role,
                Response.coarsened,
                Answer.value,
                func.count(),
            )
            .select_from(Response)
            .join(Answer, Answer.response_id == Response.id)
            .where(
                Response.instance_id.in_(ids),
                or_(Answer.value.is_not(None), Answer.text.is_not(None)),
            )
            .group_by(
                Response.instance_id,
                Answer.item_id,
                Response.side_id,
                Response.role,
                Response.coarsened,
                Answer.value,
            )
        )
    ]
    if respondents:
        await db.execute(insert(RespondentTally), respondents)
    if answers:
        await db.execute(insert(AnswerTally), answers)
