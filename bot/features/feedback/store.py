"""Where a submitted answer goes: a sealed waiting bundle, then shuffled batches of responses.

Storage must not date answers (docs/PRIVACY.md, P2 and P3). A row written the moment someone
presses "send" is dated by its place in the files (SQLite log frames and cell offsets, PostgreSQL
``xmin`` and ``ctid``, dump order), and Telegram's record of the press names its author. So:

1. ``hold`` adds the answer to its instance's **sealed bundle** (``pending_answers``: one row per
   instance, AES-GCM under a key derived from the server secret, reshuffled and resealed whole on
   every answer, no time, no person), in the same transaction as the receipt. Once that commits
   the answer is durable: the person is told it was saved, and kill -9 loses nothing.
2. ``release`` writes answers out by the rule of bot/domain/anonymity/batching.py (at 2k waiting,
   all but a random k; everything when the instance closes). Each write **rewrites the
   instance's responses** (fresh random ids, one random order, one transaction; beyond
   ``REWRITE_CAP`` of them, a random ``REWRITE_CAP``) with the attributes coarsened by
   bot/domain/anonymity/coarsening.py, so no trace of batches or arrival order is left in the
   physical layout.
3. ``settle`` runs after each commit (bot/db/hygiene.py): SQLite's log is truncated (old page
   images gone; ``secure_delete`` zeroed freed space); PostgreSQL's small pending table is
   rewritten (its dead bundle versions gone) and the answer tables vacuumed.
4. ``flush_due`` (a job, and at start) writes out every instance that has closed.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.hygiene import wipe_history
from bot.db.models import (
    Answer,
    Enrolment,
    PendingAnswers,
    Receipt,
    Response,
    Survey,
    SurveyInstance,
    SurveyInvitation,
)
from bot.domain.anonymity import new_response_id
from bot.domain.anonymity.batching import split_batch
from bot.domain.anonymity.coarsening import (
    attribute_plan,
    day_plan,
    join_labels,
    split_labels,
)
from bot.domain.anonymity.sealing import SealBroken, seal, seal_key, unseal
from bot.features.feedback import surveys
from bot.services import feedback_tallies

log = logging.getLogger(__name__)
_rng = random.SystemRandom()
# An instance's responses rewritten with each batch, at most (all of them, in a session survey).
REWRITE_CAP = 500


@dataclass(frozen=True)
class Entry:
    """One complete answer while it waits: values by item, the scrubbed comment, the author's
    side and role and the day (all sealed; the stored row gets them coarsened)."""

    values: Mapping[int, int]
    comment: tuple[int, str] | None
    side_id: int | None
    role: str | None
    day: date

    def to_json(self) -> dict:
        return {
            "v": [[item, value] for item, value in self.values.items()],
            "c": list(self.comment) if self.comment else None,
            "s": self.side_id,
            "r": self.role,
            "d": self.day.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict) -> Entry:
        comment = data.get("c")
        return cls(
            values={int(i): int(v) for i, v in data["v"]},
            comment=(int(comment[0]), str(comment[1])) if comment else None,
            side_id=data.get("s"),
            role=data.get("r"),
            day=date.fromisoformat(data["d"]),
        )


def _insert(db: AsyncSession):
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


async def _bundle(db: AsyncSession, key: bytes, instance_id: int) -> tuple[PendingAnswers, list]:
    """The instance's bundle row, locked for this transaction (created empty if missing)."""
    await db.execute(
        _insert(db)(PendingAnswers)
        .values(instance_id=instance_id, sealed=b"")
        .on_conflict_do_nothing(index_elements=["instance_id"])
    )
    row = await db.get(PendingAnswers, instance_id, with_for_update=True, populate_existing=True)
    assert row is not None
    return row, [Entry.from_json(e) for e in unseal(key, instance_id, row.sealed)]


async def _store_bundle(
    db: AsyncSession, key: bytes, row: PendingAnswers, entries: list[Entry]
) -> None:
    if entries:
        _rng.shuffle(entries)
        row.sealed = seal(key, row.instance_id, [e.to_json() for e in entries])
    else:
        await db.delete(row)
    await db.flush()


async def waiting(db: AsyncSession, secret: bytes, instance_id: int) -> int:
    """How many answers of this instance wait, sealed, to be written."""
    row = await db.get(PendingAnswers, instance_id)
    return len(unseal(seal_key(secret), instance_id, row.sealed)) if row else 0


async def _everyone_answered(db: AsyncSession, instance: SurveyInstance) -> bool:
    answered = await db.scalar(
        select(func.count()).select_from(Receipt).where(Receipt.instance_id == instance.id)
    )
    return instance.invited > 0 and int(answered or 0) >= instance.invited


async def hold(
    db: AsyncSession, secret: bytes, instance: SurveyInstance, entry: Entry, now: datetime
) -> int:
    """Add ``entry`` to the instance's sealed bundle, then write out what is due; in the caller's
    transaction (with the receipt). Returns how many answers were written as responses."""
    key = seal_key(secret)
    row, entries = await _bundle(db, key, instance.id)
    entries.append(entry)
    closing = await _everyone_answered(db, instance) or _closed(instance, now, None)
    return await _release(db, key, instance, row, entries, closing=closing)


async def release(
    db: AsyncSession, secret: bytes, instance: SurveyInstance, *, closing: bool
) -> int:
    """Write out what is due of the instance's waiting answers (everything when ``closing``)."""
    key = seal_key(secret)
    row, entries = await _bundle(db, key, instance.id)
    return await _release(db, key, instance, row, entries, closing=closing)


async def _release(
    db: AsyncSession,
    key: bytes,
    instance: SurveyInstance,
    row: PendingAnswers,
    entries: list[Entry],
    *,
    closing: bool,
) -> int:
    k = (await surveys.settings_of(db, instance.program_id)).k_ratings
    write, keep = split_batch(entries, k, closing=closing, rng=_rng)
    if write:
        await _rewrite_instance(db, instance, write, k)
    await _store_bundle(db, key, row, keep)
    return len(write)


# Survey kinds whose possible authors are not its invitations (perspective rounds: the tellers of
# the session), by kind: async (db, instance) -> [(side, role), ...].
INVITEES: dict[str, Callable[[AsyncSession, SurveyInstance], Awaitable[list[tuple]]]] = {}


async def _invitee_attributes(db: AsyncSession, instance: SurveyInstance) -> list[tuple]:
    if INVITEES:
        kind = await db.scalar(select(Survey.kind).where(Survey.id == instance.survey_id))
        source = INVITEES.get(kind or "")
        if source is not None:
            return await source(db, instance)
    rows = await db.execute(
        select(Enrolment.side_id, Enrolment.role)
        .select_from(SurveyInvitation)
        .outerjoin(
            Enrolment,
            (Enrolment.person_id == SurveyInvitation.person_id)
            & (Enrolment.program_id == instance.program_id),
        )
        .where(SurveyInvitation.instance_id == instance.id)
    )
    return [(side, role) for side, role in rows]


async def _rewrite_instance(
    db: AsyncSession, instance: SurveyInstance, batch: list[Entry], k: int
) -> None:
    """All of the instance's responses, old and new, deleted and written again in one random
    order with fresh ids: the files keep no trace of which arrived when."""
    plan = attribute_plan(await _invitee_attributes(db, instance), k)
    days, day_label = day_plan([e.day for e in batch], k, instance.opened_at.date())
    rows: list[tuple[dict, list[dict]]] = []
    query = select(Response).where(Response.instance_id == instance.id)
    stored = await db.scalar(
        select(func.count()).select_from(Response).where(Response.instance_id == instance.id)
    )
    if int(stored or 0) > REWRITE_CAP:
        # A program-wide survey with thousands of answers: a random REWRITE_CAP of them are mixed
        # with the batch, so each write stays cheap and the batch still hides among many.
        query = query.order_by(func.random()).limit(REWRITE_CAP)
    old = (await db.execute(query)).scalars().all()
    old_answers: dict[str, list[Answer]] = {}
    if old:
        for answer in (
            await db.scalars(select(Answer).where(Answer.response_id.in_([r.id for r in old])))
        ).all():
            old_answers.setdefault(answer.response_id, []).append(answer)
    for response in old:
        # The plan is applied again: a survey whose invitees shrank (erasures) may need more.
        side, role, labels = plan.apply(response.side_id, response.role)
        rows.append(
            (
                {
                    "side_id": side,
                    "role": role,
                    "day": response.day,
                    "coarsened": join_labels((*split_labels(response.coarsened), *labels)),
                },
                [
                    {"item_id": a.item_id, "value": a.value, "text": a.text}
                    for a in old_answers.get(response.id, [])
                ],
            )
        )
    for entry in batch:
        side, role, labels = plan.apply(entry.side_id, entry.role)
        answers: list[dict[str, object]] = [
            {"item_id": i, "value": v, "text": None} for i, v in entry.values.items()
        ]
        if entry.comment:
            answers.append({"item_id": entry.comment[0], "value": None, "text": entry.comment[1]})
        rows.append(
            (
                {
                    "side_id": side,
                    "role": role,
                    "day": days[entry.day],
                    "coarsened": join_labels((*labels, *([day_label] if day_label else []))),
                },
                answers,
            )
        )
    if old:
        old_ids = [r.id for r in old]
        await db.execute(delete(Answer).where(Answer.response_id.in_(old_ids)))
        await db.execute(delete(Response).where(Response.id.in_(old_ids)))
    _rng.shuffle(rows)
    response_rows: list[dict[str, object]] = []
    answer_rows: list[dict[str, object]] = []
    for fields, answers in rows:
        rid = new_response_id()
        response_rows.append(
            {
                "id": rid,
                "instance_id": instance.id,
                "program_id": instance.program_id,
                "group_id": instance.group_id,
                "session_id": instance.session_id,
                **fields,
            }
        )
        answer_rows.extend({"response_id": rid, **a} for a in answers)
    await db.execute(insert(Response), response_rows)
    if answer_rows:
        await db.execute(insert(Answer), answer_rows)
    await feedback_tallies.refresh(db, [instance.id])


def _closed(instance: SurveyInstance, now: datetime, last_expiry: datetime | None) -> bool:
    if instance.closes_at <= now:
        return True
    return last_expiry is not None and last_expiry <= now


async def flush_due(db: AsyncSession, secret: bytes, now: datetime) -> int:
    """Write out everything waiting for instances that closed (their end, every invitation
    expired, or everyone invited answered). Returns how many answers were written."""
    instances = (
        (
            await db.execute(
                select(SurveyInstance).join(
                    PendingAnswers, PendingAnswers.instance_id == SurveyInstance.id
                )
            )
        )
        .scalars()
        .all()
    )
    written = 0
    for instance in instances:
        last_expiry = await db.scalar(
            select(func.max(func.coalesce(SurveyInvitation.expires_at, instance.closes_at))).where(
                SurveyInvitation.instance_id == instance.id
            )
        )
        if _closed(instance, now, last_expiry) or await _everyone_answered(db, instance):
            try:
                written += await release(db, secret, instance, closing=True)
            except SealBroken:
                # Sealed under another secret: kept as it is (restoring that secret opens it).
                log.error(
                    "the waiting answers of survey %s do not open with this secret", instance.id
                )
    return written


async def settle(engine: AsyncEngine, *, written: bool) -> bool:
    """After a commit that touched the waiting bundle (and, if ``written``, the responses):
    leave no older version of either in the files."""
    try:
        return await wipe_history(
            engine,
            rewrite=[PendingAnswers.__tablename__],
            vacuum=[Response.__tablename__, Answer.__tablename__, *feedback_tallies.TABLES]
            if written
            else [],
        )
    except Exception:
        # The answer is stored; the next settle finishes the clean-up.
        log.exception("could not clear old row versions after storing answers")
        return False
