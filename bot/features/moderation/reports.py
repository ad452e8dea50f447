"""Participants' reports of a message: merged per message, rate-limited per person, first moderator wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Excerpt, Person, Report, ReportNotice, ReportReporter
from bot.db.rows import affected
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation import notices as notices_service
from bot.features.moderation.notices import Notice
from bot.features.moderation.service import ModerationError, Target, log_event, side_of, staff_ids
from bot.services import people
from bot.services.people import Recipient, TelegramIdentity

RATE_LIMIT = 5  # reports per person...
RATE_WINDOW = timedelta(hours=1)  # ...within this window
OUTCOMES = ("dismiss", "warn", "mute", "remove")


@dataclass(frozen=True)
class Filed:
    report_id: int
    merged: bool  # an earlier report of the same message exists
    already_reported_by_you: bool
    reporters: int
    reported: Target
    excerpt: str | None
    recipients: tuple[Recipient, ...]  # whom to tell (only for a new report)
    handled: bool


@dataclass(frozen=True)
class Claim:
    won: bool
    report_id: int
    group: GroupView
    reported: Target | None
    message_id: int
    excerpt: str | None
    outcome: str
    handler_name: str
    reporters: int


async def _recipient(db: AsyncSession, person_id: int, group: GroupView) -> Recipient:
    """A moderator or organizer to tell about the group, in their language, else the group's first."""
    return Recipient(person_id, await people.language_of(db, person_id) or group.languages[0])


async def recipients_for(
    db: AsyncSession, group: GroupView, *, exclude: set[int]
) -> tuple[Recipient, ...]:
    """The group's moderators; its program's organizers when it has no (other) moderator."""
    chosen = [m for m in await group_lookup.moderator_ids(db, group.id) if m not in exclude]
    if not chosen:
        chosen = sorted(pid for pid in await staff_ids(db, group) if pid not in exclude)
    return tuple([await _recipient(db, pid, group) for pid in chosen])


async def file(
    db: AsyncSession,
    group: GroupView,
    *,
    reporter: TelegramIdentity,
    reported: TelegramIdentity,
    chat_id: int,
    message_id: int,
    excerpt: str | None,
    reason: str | None,
    now: datetime,
) -> Filed:
    await people.upsert(db, reporter, now)
    author = Target.of(people.view(await people.upsert(db, reported, now)))
    recent = await db.scalar(
        select(func.count())
        .select_from(ReportReporter)
        .where(
            ReportReporter.person_id == reporter.id, ReportReporter.reported_at > now - RATE_WINDOW
        )
    )
    existing = await db.scalar(
        select(Report).where(Report.chat_id == chat_id, Report.message_id == message_id)
    )
    if existing is not None:
        mine = await db.scalar(
            select(ReportReporter.id).where(
                ReportReporter.report_id == existing.id, ReportReporter.person_id == reporter.id
            )
        )
        if mine is None:
            if (recent or 0) >= RATE_LIMIT:
                raise ModerationError("report_rate_limited", count=RATE_LIMIT)
            db.add(ReportReporter(report_id=existing.id, person_id=reporter.id, reported_at=now))
            existing.reporters += 1
            await db.flush()
        return Filed(
            report_id=existing.id,
            merged=True,
            already_reported_by_you=mine is not None,
            reporters=existing.reporters,
            reported=author,
            excerpt=await db.scalar(
                select(Excerpt.text).where(Excerpt.report_id == existing.id).limit(1)
            ),
            recipients=(),
            handled=existing.handled_at is not None,
        )
    if (recent or 0) >= RATE_LIMIT:
        raise ModerationError("report_rate_limited", count=RATE_LIMIT)
    report = Report(
        group_id=group.id,
        chat_id=chat_id,
        message_id=message_id,
        reported_id=author.id,
        reported_side_id=await side_of(db, group.program_id, author.id),
        reason=(reason or None) and reason[:500],
        reporters=1,
        created_at=now,
    )
    db.add(report)
    await db.flush()
    db.add(ReportReporter(report_id=report.id, person_id=reporter.id, reported_at=now))
    clipped = (excerpt or "")[:500] or None
    if clipped:
        db.add(Excerpt(person_id=author.id, report_id=report.id, text=clipped))
    await log_event(
        db,
        program_id=group.program_id,
        group_id=group.id,
        action="report",
        now=now,
        target_id=author.id,
        actor_id=reporter.id,
        reason=reason,
        rule=f"report #{report.id}",
    )
    return Filed(
        report_id=report.id,
        merged=False,
        already_reported_by_you=False,
        reporters=1,
        reported=author,
        excerpt=clipped,
        recipients=await recipients_for(db, group, exclude={author.id, reporter.id}),
        handled=False,
    )


async def add_notice(db: AsyncSession, report_id: int, moderator_id: int, message_id: int) -> None:
    db.add(ReportNotice(report_id=report_id, moderator_id=moderator_id, message_id=message_id))
    await db.flush()


async def notices(db: AsyncSession, report_id: int) -> list[Notice]:
    rows = (
        await db.execute(
            select(ReportNotice.moderator_id, ReportNotice.message_id).where(
                ReportNotice.report_id == report_id
            )
        )
    ).all()
    return await notices_service.read(db, rows)


async def peek(db: AsyncSession, report_id: int) -> tuple[GroupView, Target | None, int] | None:
    """The report's group, the reported person and the message id (None if the report is gone)."""
    report = await db.get(Report, report_id)
    if report is None:
        return None
    group = await group_lookup.by_id(db, report.group_id)
    assert group is not None
    person = await people.get(db, report.reported_id) if report.reported_id else None
    return group, Target.of(person) if person else None, report.message_id


async def claim(
    db: AsyncSession,
    report_id: int,
    *,
    moderator_id: int,
    outcome: str,
    admin_ids: frozenset[int],
    now: datetime,
) -> Claim:
    """The first moderator to press a button handles the report; later presses learn who did."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    report = await db.get(Report, report_id)
    if report is None:
        raise ModerationError("report_gone")
    group = await group_lookup.by_id(db, report.group_id)
    assert group is not None
    if moderator_id not in admin_ids and moderator_id not in await staff_ids(db, group):
        from bot.domain.errors import NotAllowed

        raise NotAllowed("needs_moderator")
    result = await db.execute(
        update(Report)
        .where(Report.id == report_id, Report.handled_at.is_(None))
        .values(handled_by=moderator_id, handled_at=now, outcome=outcome)
    )
    won = affected(result) == 1
    await db.refresh(report)
    handler = await db.get(Person, report.handled_by) if report.handled_by else None
    reported = await people.get(db, report.reported_id) if report.reported_id else None
    if won:
        await log_event(
            db,
            program_id=group.program_id,
            group_id=group.id,
            action=f"report_{outcome}",
            now=now,
            target_id=report.reported_id,
            actor_id=moderator_id,
            rule=f"report #{report.id}",
        )
    return Claim(
        won=won,
        report_id=report.id,
        group=group,
        reported=Target.of(reported) if reported else None,
        message_id=report.message_id,
        excerpt=await db.scalar(
            select(Excerpt.text).where(Excerpt.report_id == report.id).limit(1)
        ),
        outcome=report.outcome or outcome,
        handler_name=people.view(handler).display_name if handler else "?",
        reporters=report.reporters,
    )
