"""Creating sessions (one-off or recurring) and changing them: reschedule, edit, cancel."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AgendaItem, DialogueSession, SessionSeries
from bot.domain.scheduling import (
    Occurrence,
    SchedulingError,
    SchedulingErrorCode,
    SessionDraft,
    ensure_cancellable,
    ensure_editable,
    ensure_no_overlap,
    plan_sessions,
    validate_agenda,
    validate_reminder_offsets,
)
from bot.domain.scheduling.errors import minutes_param
from bot.domain.scheduling.planning import MAX_SESSION_DURATION, MAX_TITLE_LENGTH
from bot.features.groups.lookup import GroupView
from bot.features.sessions.service.views import (
    CANCELLED,
    CLOSED,
    LIVE,
    OPEN,
    SCHEDULED,
    Changed,
    Created,
    _group,
    _load,
    _view,
    get,
    require_manager,
)

# ---- creating and changing -----------------------------------------------------------------------------


async def _live_spans(
    db: AsyncSession, group_id: int, now: datetime, exclude: int | None = None
) -> list[tuple[datetime, datetime]]:
    query = select(DialogueSession.starts_at, DialogueSession.ends_at).where(
        DialogueSession.group_id == group_id,
        DialogueSession.status.in_(LIVE),
        DialogueSession.ends_at > now - MAX_SESSION_DURATION,
    )
    if exclude is not None:
        query = query.where(DialogueSession.id != exclude)
    return [(s, e) for s, e in (await db.execute(query)).all()]


def _offset_minutes(offsets: Sequence[timedelta] | None) -> list[int] | None:
    if offsets is None:
        return None
    valid = validate_reminder_offsets(offsets)
    return [int(o.total_seconds()) // 60 for o in valid]


@dataclass(frozen=True)
class Preview:
    """What ``create`` would store for a draft, checked the same way, with nothing written."""

    group: GroupView
    zone: str  # canonical IANA name the draft's wall-clock times are read in
    occurrences: tuple[Occurrence, ...]

    @property
    def adjusted(self) -> tuple[Occurrence, ...]:
        return tuple(o for o in self.occurrences if o.adjusted)


async def preview(
    db: AsyncSession,
    *,
    group_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    draft: SessionDraft,
    now: datetime,
) -> Preview:
    """Check ``draft`` exactly as ``create`` does (rights, plan, clashes) without storing anything."""
    group = await _group(db, group_id)
    if actor_id is not None:
        await require_manager(db, group_id, actor_id, admin_ids)
    plan = plan_sessions(draft, await _live_spans(db, group_id, now), now)
    return Preview(group=group, zone=plan.zone, occurrences=plan.occurrences)


async def create(
    db: AsyncSession,
    *,
    group_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    draft: SessionDraft,
    now: datetime,
    reminder_offsets: Sequence[timedelta] | None = None,
) -> Created:
    """Store every occurrence of ``draft`` (checked first; all or nothing)."""
    group = await _group(db, group_id)
    if actor_id is not None:
        await require_manager(db, group_id, actor_id, admin_ids)
    minutes = _offset_minutes(reminder_offsets)
    plan = plan_sessions(draft, await _live_spans(db, group_id, now), now)
    series_id = None
    if draft.recurrence is not None:
        series = SessionSeries(
            group_id=group_id,
            zone=plan.zone,
            freq_weeks=draft.recurrence.freq_weeks,
            count=draft.recurrence.count,
            until_local_date=draft.recurrence.until_local_date,
            created_by=actor_id,
            created_at=now,
        )
        db.add(series)
        await db.flush()
        series_id = series.id
    rows = []
    for occurrence in plan.occurrences:
        row = DialogueSession(
            group_id=group_id,
            series_id=series_id,
            title=draft.title.strip(),
            starts_at=occurrence.start_utc,
            ends_at=occurrence.end_utc,
            zone=plan.zone,
            status=SCHEDULED,
            sequence=0,
            created_by=actor_id,
            created_at=now,
            updated_at=now,
            planned_at=now,
            reminder_minutes=minutes,
            agenda=[
                AgendaItem(
                    position=i,
                    title=item.title.strip()[:200],
                    minutes=item.minutes,
                    kind=item.kind,
                )
                for i, item in enumerate(draft.agenda)
            ],
        )
        db.add(row)
        rows.append((row, occurrence.adjusted))
    await db.flush()
    views = [(await get(db, row.id), adjusted) for row, adjusted in rows]
    return Created(
        group=group,
        sessions=tuple(v for v, _ in views),
        adjusted=tuple(v for v, adjusted in views if adjusted),
    )


async def _editable(
    db: AsyncSession,
    session_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    now: datetime,
) -> DialogueSession:
    session = await _load(db, session_id)
    if actor_id is not None:
        await require_manager(db, session.group_id, actor_id, admin_ids)
    if session.status == CLOSED:
        raise SchedulingError(SchedulingErrorCode.SESSION_ENDED, phase="ended")
    ensure_editable(session.starts_at, session.ends_at, now, session.status == CANCELLED)
    return session


async def reschedule(
    db: AsyncSession,
    *,
    session_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    start_local: datetime,
    zone: str,
    now: datetime,
    duration: timedelta | None = None,
) -> Changed:
    """Move an upcoming session to a new wall-clock start in ``zone`` (SEQUENCE bumps)."""
    session = await _editable(db, session_id, actor_id, admin_ids, now)
    if session.status == OPEN:
        raise SchedulingError(SchedulingErrorCode.SESSION_RUNNING, phase="running")
    before = await _view(db, session)
    plan = plan_sessions(
        SessionDraft(
            title=session.title,
            start_local=start_local,
            zone=zone,
            duration=duration or before.duration,
            agenda=before.domain_agenda,
        ),
        await _live_spans(db, session.group_id, now, exclude=session.id),
        now,
    )
    occurrence = plan.occurrences[0]
    session.starts_at, session.ends_at, session.zone = (
        occurrence.start_utc,
        occurrence.end_utc,
        plan.zone,
    )
    session.sequence += 1
    session.planned_at = session.updated_at = now
    await db.flush()
    return Changed(
        group=await _group(db, session.group_id), before=before, after=await get(db, session.id)
    )


async def edit(
    db: AsyncSession,
    *,
    session_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    now: datetime,
    title: str | None = None,
    duration: timedelta | None = None,
) -> Changed:
    """Rename a session or change its length (a running session may still be extended)."""
    session = await _editable(db, session_id, actor_id, admin_ids, now)
    before = await _view(db, session)
    if title is not None:
        cleaned = title.strip()
        if not cleaned or len(cleaned) > MAX_TITLE_LENGTH:
            raise SchedulingError(SchedulingErrorCode.BAD_TITLE, length=len(cleaned))
        session.title = cleaned
    if duration is not None:
        if not timedelta(0) < duration <= MAX_SESSION_DURATION:
            raise SchedulingError(SchedulingErrorCode.BAD_DURATION, minutes=minutes_param(duration))
        new_end = session.starts_at + duration
        if new_end <= now:
            raise SchedulingError(
                SchedulingErrorCode.END_BEFORE_START, start_utc=now, end_utc=new_end
            )
        validate_agenda(before.domain_agenda, duration)
        ensure_no_overlap(
            [(session.starts_at, new_end)],
            await _live_spans(db, session.group_id, now, exclude=session.id),
        )
        session.ends_at = new_end
    session.sequence += 1
    session.updated_at = now
    await db.flush()
    return Changed(
        group=await _group(db, session.group_id), before=before, after=await get(db, session.id)
    )


async def cancel(
    db: AsyncSession,
    *,
    session_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    now: datetime,
) -> Changed:
    """Cancel an upcoming session; a running one must be closed instead (``session_running``)."""
    session = await _load(db, session_id)
    if actor_id is not None:
        await require_manager(db, session.group_id, actor_id, admin_ids)
    if session.status == OPEN:
        raise SchedulingError(SchedulingErrorCode.SESSION_RUNNING, phase="running")
    if session.status == CLOSED:
        raise SchedulingError(SchedulingErrorCode.SESSION_ENDED, phase="ended")
    ensure_cancellable(session.starts_at, session.ends_at, now, session.status == CANCELLED)
    before = await _view(db, session)
    session.status = CANCELLED
    session.sequence += 1
    session.updated_at = now
    await db.flush()
    return Changed(
        group=await _group(db, session.group_id), before=before, after=await get(db, session.id)
    )
