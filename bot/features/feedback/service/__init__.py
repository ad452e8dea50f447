"""Anonymous feedback: survey instances, invitations, answering once, reminders.

Privacy (DESIGN.md, "Privacy of feedback"):

* Partial answers are never written: the handler keeps them in memory until the final submit, and
  ``submit`` writes the sealed answer and the receipt in one transaction, so either both exist or
  neither does. Answers reach ``responses`` only in shuffled batches (bot/services/feedback_store.py).
* A response row has a random id, a day and coarse attributes (side, role, group, session), all
  coarsened so that no combination matches fewer than k invitees; never a person. The receipt is
  HMAC(secret, person, instance) with no reference to the response.
* Free text is scrubbed (contacts, links, @usernames, names of the program's people) before storage.
* Reminders consult receipts, and every invitation's reminder step is marked alike (answered or
  not); the reminder's delivery key is keyed by the secret too, so no row says who had not answered.

The use cases live in the modules of this package; this module holds the reminders and the
physical-order step and exposes every name of the part as before."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Receipt, SurveyInstance, SurveyInvitation
from bot.features.feedback import surveys
from bot.features.feedback.service.answering import (
    Accepted,
    check_free_text,
    form_for,
    known_names,
    pending_for,
    submit,
)
from bot.features.feedback.service.common import (
    PROGRAM_INSTANCE_DAYS,
    DueReminder,
    FeedbackError,
    Invitee,
    Opened,
    Pending,
    SurveyForm,
    _locale_of,
    instance_key,
    invitation_key,
    receipt_of,
    reminder_key,
)
from bot.features.feedback.service.opening import (
    open_after_session,
    open_program_survey,
    program_participants,
)

# ---- reminders --------------------------------------------------------------------------------------------


async def due_reminders(
    db: AsyncSession, secret: bytes, now: datetime, limit: int = 500
) -> list[DueReminder]:
    """Invitations whose reminder time has come, still unanswered and open. Every invitation looked
    at gets ``reminded_at`` set (answered or not), inside the caller's transaction."""
    rows = (
        await db.execute(
            select(SurveyInvitation, SurveyInstance)
            .join(SurveyInstance, SurveyInstance.id == SurveyInvitation.instance_id)
            .where(SurveyInvitation.reminded_at.is_(None))
            .order_by(SurveyInvitation.sent_at)
            .limit(limit * 4)
        )
    ).all()
    delays: dict[int, int] = {}
    due: list[DueReminder] = []
    looked: list[int] = []
    for invitation, instance in rows:
        if instance.program_id not in delays:
            delays[instance.program_id] = (
                await surveys.settings_of(db, instance.program_id)
            ).reminder_after_minutes
        if invitation.sent_at + timedelta(minutes=delays[instance.program_id]) > now:
            continue
        looked.append(invitation.id)
        expires_at = min(instance.closes_at, invitation.expires_at or instance.closes_at)
        if expires_at <= now:
            continue
        if await db.get(Receipt, receipt_of(secret, invitation.person_id, instance.id)) is not None:
            continue
        due.append(
            DueReminder(
                invitation_id=invitation.id,
                instance_id=instance.id,
                person_id=invitation.person_id,
                locale="en",
                delivery_key=reminder_key(secret, invitation.person_id, instance.id),
                expires_at=expires_at,
            )
        )
        if len(due) >= limit:
            break
    if looked:
        await db.execute(
            update(SurveyInvitation).where(SurveyInvitation.id.in_(looked)).values(reminded_at=now)
        )
    if due:
        by_program: dict[int, list[DueReminder]] = {}
        programs_of = dict(
            (
                await db.execute(
                    select(SurveyInstance.id, SurveyInstance.program_id).where(
                        SurveyInstance.id.in_({d.instance_id for d in due})
                    )
                )
            ).all()
        )
        for d in due:
            by_program.setdefault(programs_of[d.instance_id], []).append(d)
        result: list[Any] = []
        for program_id, items in by_program.items():
            locales = await _locale_of(db, [d.person_id for d in items], program_id)
            result.extend(
                DueReminder(
                    d.invitation_id,
                    d.instance_id,
                    d.person_id,
                    locales.get(d.person_id, "en"),
                    d.delivery_key,
                    d.expires_at,
                )
                for d in items
            )
        due = result
    return due


async def has_answered(db: AsyncSession, secret: bytes, person_id: int, instance_id: int) -> bool:
    return bool(
        await db.scalar(
            select(exists().where(Receipt.digest == receipt_of(secret, person_id, instance_id)))
        )
    )


# ---- keeping the stored order meaningless ---------------------------------------------------------------


async def erase_order(db: AsyncSession) -> bool:
    """PostgreSQL keeps rows in the order they were written, each stamped with its transaction id
    (xmin). Rewriting every answer row in one transaction gives them all the same xmin, and CLUSTER
    on the random primary keys puts them in random physical order. SQLite needs nothing: these
    tables are WITHOUT ROWID there and stored by their random keys. Returns whether it ran."""
    if db.get_bind().dialect.name != "postgresql":
        return False
    await db.execute(text("LOCK TABLE responses, answers, receipts IN SHARE ROW EXCLUSIVE MODE"))
    await db.execute(text("UPDATE responses SET day = day"))
    await db.execute(text("UPDATE answers SET value = value"))
    await db.execute(text("UPDATE receipts SET instance_id = instance_id"))
    for table in ("responses", "answers", "receipts"):
        await db.execute(text(f"CLUSTER {table} USING pk_{table}"))
    return True


# The part's names, as they were before it was split into modules.
__all__ = [
    "PROGRAM_INSTANCE_DAYS",
    "Accepted",
    "DueReminder",
    "FeedbackError",
    "Invitee",
    "Opened",
    "Pending",
    "SurveyForm",
    "check_free_text",
    "due_reminders",
    "erase_order",
    "form_for",
    "has_answered",
    "instance_key",
    "invitation_key",
    "known_names",
    "open_after_session",
    "open_program_survey",
    "pending_for",
    "program_participants",
    "receipt_of",
    "reminder_key",
    "submit",
]
