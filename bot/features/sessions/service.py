"""Sessions as use cases: create (one-off or recurring), edit, reschedule, cancel, look up, and move
through the lifecycle (open, agenda, close). Plain values in and out; the scheduling rules live in
bot/domain/scheduling and are only applied here."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import (
    AgendaItem,
    Delivery,
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    GroupModerator,
    OrganizerGrant,
    Person,
    Program,
    SessionSeries,
    Side,
)
from bot.domain.durations import parse_duration
from bot.domain.errors import BridgeError, InvalidInput, NotAllowed, NotFound
from bot.domain.people import display_name as person_name
from bot.domain.scheduling import (
    DEFAULT_REMINDER_OFFSETS,
    Occurrence,
    SchedulingError,
    SchedulingErrorCode,
    SessionDraft,
    delivery_key,
    ensure_cancellable,
    ensure_editable,
    ensure_no_overlap,
    plan_sessions,
    reminder_plan,
    validate_agenda,
    validate_reminder_offsets,
)
from bot.domain.scheduling import (
    AgendaItem as DomainAgendaItem,
)
from bot.domain.scheduling.errors import minutes_param
from bot.domain.scheduling.planning import MAX_SESSION_DURATION, MAX_TITLE_LENGTH
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.i18n import locale_of
from bot.services import access
from bot.services.people import Recipient

# scheduled -> open -> closed; or cancelled.
SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"
LIVE = (SCHEDULED, OPEN)
# Members who still belong to the group (not left, not removed).
ACTIVE_MEMBER = ("assigned", "invited", "joined")
CALENDAR_PAST = timedelta(days=30)


class SessionError(BridgeError):
    """A session action that cannot happen now (no open session, the agenda is over, ...)."""


@dataclass(frozen=True)
class AgendaView:
    position: int
    title: str
    minutes: int
    kind: str = "talk"  # or "round" (bot/domain/scheduling/agenda.py)


@dataclass(frozen=True)
class SessionView:
    id: int
    group_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    status: str
    sequence: int
    agenda: tuple[AgendaView, ...]
    agenda_position: int | None
    series_id: int | None
    opened_at: datetime | None
    closed_at: datetime | None
    planned_at: datetime
    reminder_offsets: tuple[timedelta, ...]

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def domain_agenda(self) -> tuple[DomainAgendaItem, ...]:
        return tuple(DomainAgendaItem(a.title, a.minutes, a.kind) for a in self.agenda)


@dataclass(frozen=True)
class Created:
    group: GroupView
    sessions: tuple[SessionView, ...]
    adjusted: tuple[SessionView, ...]  # moved forward by a DST gap


@dataclass(frozen=True)
class Changed:
    group: GroupView
    before: SessionView
    after: SessionView


@dataclass(frozen=True)
class Closed:
    group: GroupView
    session: SessionView
    program_id: int
    attendee_ids: tuple[int, ...]
    last_of_program: bool
    not_reached: tuple[str, ...] = field(default=())


def _offsets(minutes: Sequence[int] | None) -> tuple[timedelta, ...]:
    if minutes is None:
        return DEFAULT_REMINDER_OFFSETS
    return tuple(timedelta(minutes=int(m)) for m in minutes)


def view(session: DialogueSession, program_minutes: Sequence[int] | None = None) -> SessionView:
    """``program_minutes``: the program's reminder offsets, used when the session has none of its
    own (None for both means the defaults, 24 h and 1 h)."""
    own = session.reminder_minutes
    offsets = _offsets(own if own is not None else program_minutes)
    return SessionView(
        id=session.id,
        group_id=session.group_id,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        zone=session.zone,
        status=session.status,
        sequence=session.sequence,
        agenda=tuple(
            AgendaView(a.position, a.title, a.minutes, a.kind) for a in session.agenda
        ),
        agenda_position=session.agenda_position,
        series_id=session.series_id,
        opened_at=session.opened_at,
        closed_at=session.closed_at,
        planned_at=session.planned_at or session.created_at,
        reminder_offsets=offsets,
    )


def _with_agenda():
    return select(DialogueSession).options(selectinload(DialogueSession.agenda))


async def _program_minutes(db: AsyncSession, group_ids: Collection[int]) -> dict[int, list | None]:
    """group id -> its program's reminder minutes (None: the defaults)."""
    if not group_ids:
        return {}
    rows = await db.execute(
        select(DialogueGroup.id, Program.reminder_minutes)
        .join(Program, Program.id == DialogueGroup.program_id)
        .where(DialogueGroup.id.in_(set(group_ids)))
    )
    return {group_id: minutes for group_id, minutes in rows.all()}


async def _views(db: AsyncSession, sessions: Sequence[DialogueSession]) -> list[SessionView]:
    """Views of loaded sessions, with their program's reminder offsets where they have none."""
    need = {s.group_id for s in sessions if s.reminder_minutes is None}
    minutes = await _program_minutes(db, need)
    return [view(s, minutes.get(s.group_id)) for s in sessions]


async def _view(db: AsyncSession, session: DialogueSession) -> SessionView:
    return (await _views(db, [session]))[0]


async def _load(db: AsyncSession, session_id: int) -> DialogueSession:
    session = await db.scalar(
        _with_agenda()
        .where(DialogueSession.id == session_id)
        .execution_options(populate_existing=True)
    )
    if session is None:
        raise NotFound("unknown_session", session=session_id)
    return session


async def get(db: AsyncSession, session_id: int) -> SessionView:
    return await _view(db, await _load(db, session_id))


async def _group(db: AsyncSession, group_id: int) -> GroupView:
    group = await group_lookup.by_id(db, group_id)
    if group is None:
        raise NotFound("unknown_group")
    return group


# ---- who may schedule --------------------------------------------------------------------------------


async def can_manage(
    db: AsyncSession, group_id: int, person_id: int, admin_ids: Collection[int]
) -> bool:
    """Moderators of the group, organizers of its program and admins may schedule its sessions."""
    if person_id in admin_ids or await group_lookup.is_moderator(db, group_id, person_id):
        return True
    program_id = await db.scalar(
        select(DialogueGroup.program_id).where(DialogueGroup.id == group_id)
    )
    return (
        await db.scalar(
            select(OrganizerGrant.id).where(
                OrganizerGrant.program_id == program_id, OrganizerGrant.person_id == person_id
            )
        )
    ) is not None


async def require_manager(
    db: AsyncSession, group_id: int, person_id: int, admin_ids: Collection[int]
) -> None:
    if not await can_manage(db, group_id, person_id, admin_ids):
        raise NotAllowed("needs_group_moderator")


async def managed_groups(
    db: AsyncSession, person_id: int, admin_ids: Collection[int]
) -> list[GroupView]:
    """Groups whose sessions this person may schedule, in a stable order."""
    query = select(DialogueGroup).order_by(DialogueGroup.program_id, DialogueGroup.id)
    if person_id not in admin_ids:
        moderated = select(GroupModerator.group_id).where(GroupModerator.person_id == person_id)
        organized = select(OrganizerGrant.program_id).where(OrganizerGrant.person_id == person_id)
        query = query.where(
            or_(DialogueGroup.id.in_(moderated), DialogueGroup.program_id.in_(organized))
        )
    return [await group_lookup.view(db, g) for g in (await db.scalars(query)).all()]


async def creator_zone(db: AsyncSession, person_id: int, group_id: int) -> str:
    """The zone a creator's typed times are read in: their own, else the program's."""
    zone = await db.scalar(select(Person.timezone).where(Person.id == person_id))
    if zone:
        return zone
    return (
        await db.scalar(
            select(Program.timezone)
            .join(DialogueGroup, DialogueGroup.program_id == Program.id)
            .where(DialogueGroup.id == group_id)
        )
        or "UTC"
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


# ---- reminder offsets of a program ---------------------------------------------------------------------

MAX_PROGRAM_REMINDERS = 5
_OFFSET_SPLIT = re.compile(r"[\s,;、،]+")


def reminder_wave_key(kind: str, session_id: int) -> str:
    """The delivery key recording that one reminder wave of a session was sent (or skipped)."""
    return delivery_key(f"{kind}_wave", session_id, None)


def parse_reminder_offsets(text: str) -> tuple[timedelta, ...]:
    """ "24h, 1h" -> (24 h, 1 h), checked and longest first. Raises the duration errors for a part
    that is not a duration, ``bad_reminder_offset`` for one out of range, ``no_reminder_offsets``
    for nothing at all and ``too_many_reminders`` beyond MAX_PROGRAM_REMINDERS."""
    parts = [p for p in _OFFSET_SPLIT.split(text.strip()) if p]
    if not parts:
        raise InvalidInput("no_reminder_offsets")
    return _checked_offsets([parse_duration(p) for p in parts])


def _checked_offsets(offsets: Sequence[timedelta]) -> tuple[timedelta, ...]:
    valid = validate_reminder_offsets(offsets)
    if not valid:
        raise InvalidInput("no_reminder_offsets")
    if len(valid) > MAX_PROGRAM_REMINDERS:
        raise InvalidInput("too_many_reminders", limit=MAX_PROGRAM_REMINDERS)
    return valid


@dataclass(frozen=True)
class ProgramReminders:
    program_id: int
    program_name: str
    offsets: tuple[timedelta, ...]  # longest first
    is_default: bool
    replanned: int = 0  # upcoming sessions whose reminders follow the new offsets
    own: int = 0  # upcoming sessions that keep offsets of their own


async def _program(db: AsyncSession, program_id: int) -> Program:
    program = await db.get(Program, program_id, populate_existing=True)
    if program is None:
        raise NotFound("unknown_program", ref=program_id)
    return program


async def program_reminders(db: AsyncSession, program_id: int) -> ProgramReminders:
    program = await _program(db, program_id)
    return ProgramReminders(
        program_id=program.id,
        program_name=program.name,
        offsets=_offsets(program.reminder_minutes),
        is_default=program.reminder_minutes is None,
    )


def _replanned_at(
    session: DialogueSession,
    old: Sequence[timedelta],
    new: Sequence[timedelta],
    done: set[str],
    now: datetime,
) -> datetime:
    """When the session's reminders count as planned from, after its offsets changed at ``now``.

    A reminder of the new plan that would have fallen due before ``now`` is not owed (people would
    get a late "starts in 2 days" after "starts in 1 day"); but a reminder that both plans share and
    that is due yet unsent (the bot is catching up) stays owed.
    """
    since = session.planned_at or session.created_at
    keep_from = now
    for plan in reminder_plan(session.starts_at, since, old):
        if (
            plan.offset in new
            and plan.due_utc < keep_from
            and reminder_wave_key(plan.kind, session.id) not in done
        ):
            keep_from = plan.due_utc
    return max(since, keep_from)


async def set_program_reminders(
    db: AsyncSession,
    *,
    program_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    offsets: Sequence[timedelta] | None,
    now: datetime,
) -> ProgramReminders:
    """Set (``None``: back to the defaults) the reminder offsets of every session of the program
    without its own, and re-plan the upcoming ones. A reminder already sent keeps its delivery key
    and is never sent again; new reminders that would already be due are not owed."""
    if actor_id is not None:
        await access.require_organizer(db, actor_id, admin_ids, program_id)
    program = await _program(db, program_id)
    new = _checked_offsets(offsets) if offsets is not None else DEFAULT_REMINDER_OFFSETS
    old = _offsets(program.reminder_minutes)
    program.reminder_minutes = (
        None if offsets is None else [int(o.total_seconds()) // 60 for o in new]
    )
    upcoming = (
        await db.scalars(
            select(DialogueSession)
            .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
            .where(
                DialogueGroup.program_id == program_id,
                DialogueSession.status == SCHEDULED,
                DialogueSession.starts_at > now,
            )
            .order_by(DialogueSession.starts_at, DialogueSession.id)
        )
    ).all()
    following = [s for s in upcoming if s.reminder_minutes is None]
    done: set[str] = set()
    if following and set(old) & set(new):
        ids = [s.id for s in following]
        for start in range(0, len(ids), 500):
            done.update(
                (
                    await db.scalars(
                        select(Delivery.key).where(
                            Delivery.session_id.in_(ids[start : start + 500]),
                            Delivery.kind == "reminder_wave",
                        )
                    )
                ).all()
            )
    for session in following:
        session.planned_at = _replanned_at(session, old, new, done, now)
        session.updated_at = now
    await db.flush()
    return ProgramReminders(
        program_id=program.id,
        program_name=program.name,
        offsets=new,
        is_default=offsets is None,
        replanned=len(following),
        own=len(upcoming) - len(following),
    )


# ---- looking up ----------------------------------------------------------------------------------------


def _groups_of_person(person_id: int):
    member_of = select(GroupMember.group_id).where(
        GroupMember.person_id == person_id, GroupMember.status.in_(ACTIVE_MEMBER)
    )
    moderates = select(GroupModerator.group_id).where(GroupModerator.person_id == person_id)
    return or_(DialogueSession.group_id.in_(member_of), DialogueSession.group_id.in_(moderates))


async def upcoming_for_person(
    db: AsyncSession, person_id: int, now: datetime, limit: int = 10
) -> list[tuple[SessionView, str]]:
    """The person's next sessions (their groups, as member or moderator) with the group's name."""
    rows = (
        await db.execute(
            _with_agenda()
            .add_columns(DialogueGroup.name)
            .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
            .where(
                _groups_of_person(person_id),
                DialogueSession.status.in_(LIVE),
                DialogueSession.ends_at > now,
            )
            .order_by(DialogueSession.starts_at, DialogueSession.id)
            .limit(limit)
        )
    ).all()
    views = await _views(db, [s for s, _name in rows])
    return [(v, name) for v, (_s, name) in zip(views, rows, strict=True)]


async def calendar_for_person(
    db: AsyncSession, person_id: int, now: datetime, limit: int = 300
) -> list[SessionView]:
    """What a calendar file holds: recent and future sessions, cancelled ones included (marked)."""
    rows = (
        await db.scalars(
            _with_agenda()
            .where(_groups_of_person(person_id), DialogueSession.ends_at > now - CALENDAR_PAST)
            .order_by(DialogueSession.starts_at, DialogueSession.id)
            .limit(limit)
        )
    ).all()
    return await _views(db, rows)


async def next_for_group(db: AsyncSession, group_id: int, now: datetime) -> SessionView | None:
    session = await db.scalar(
        _with_agenda()
        .where(
            DialogueSession.group_id == group_id,
            DialogueSession.status.in_(LIVE),
            DialogueSession.ends_at > now,
        )
        .order_by((DialogueSession.status == OPEN).desc(), DialogueSession.starts_at)
        .limit(1)
    )
    return await _view(db, session) if session else None


async def open_for_group(db: AsyncSession, group_id: int) -> SessionView | None:
    session = await db.scalar(
        _with_agenda()
        .where(DialogueSession.group_id == group_id, DialogueSession.status == OPEN)
        .limit(1)
    )
    return await _view(db, session) if session else None


async def group_sessions(
    db: AsyncSession, group_id: int, now: datetime, limit: int = 20
) -> list[SessionView]:
    rows = (
        await db.scalars(
            _with_agenda()
            .where(
                DialogueSession.group_id == group_id,
                DialogueSession.status.in_(LIVE),
                DialogueSession.ends_at > now,
            )
            .order_by(DialogueSession.starts_at)
            .limit(limit)
        )
    ).all()
    return await _views(db, rows)


async def group_zones(db: AsyncSession, group_id: int) -> list[str]:
    """Every time zone present in the group (members and moderators), in a stable order."""
    members = select(GroupMember.person_id).where(
        GroupMember.group_id == group_id, GroupMember.status.in_(ACTIVE_MEMBER)
    )
    moderators = select(GroupModerator.person_id).where(GroupModerator.group_id == group_id)
    zones = (
        await db.scalars(
            select(Person.timezone)
            .where(
                or_(Person.id.in_(members), Person.id.in_(moderators)), Person.timezone.is_not(None)
            )
            .distinct()
        )
    ).all()
    return sorted({zone for zone in zones if zone is not None})


def _locale_of(person: Person, fallback: str) -> str:
    return locale_of(person.locale, person.telegram_language, fallback)


async def recipients(db: AsyncSession, group_id: int) -> list[Recipient]:
    """The group's current members, each with language, zone and side."""
    fallback = (
        await db.scalar(
            select(Program.default_locale)
            .join(DialogueGroup, DialogueGroup.program_id == Program.id)
            .where(DialogueGroup.id == group_id)
        )
        or "en"
    )
    rows = (
        await db.execute(
            select(Person, Side.id, Side.name)
            .join(GroupMember, GroupMember.person_id == Person.id)
            .outerjoin(
                Enrolment,
                and_(
                    Enrolment.person_id == Person.id, Enrolment.program_id == GroupMember.program_id
                ),
            )
            .outerjoin(Side, Side.id == Enrolment.side_id)
            .where(GroupMember.group_id == group_id, GroupMember.status.in_(ACTIVE_MEMBER))
            .order_by(GroupMember.id)
        )
    ).all()
    return [
        Recipient(
            person_id=p.id,
            name=person_name(p.first_name, p.last_name),
            locale=_locale_of(p, fallback),
            zone=p.timezone,
            side_id=side_id,
            side_name=side_name,
        )
        for p, side_id, side_name in rows
    ]


async def moderators(db: AsyncSession, group_id: int) -> list[Recipient]:
    fallback = (
        await db.scalar(
            select(Program.default_locale)
            .join(DialogueGroup, DialogueGroup.program_id == Program.id)
            .where(DialogueGroup.id == group_id)
        )
        or "en"
    )
    rows = (
        await db.scalars(
            select(Person)
            .join(GroupModerator, GroupModerator.person_id == Person.id)
            .where(GroupModerator.group_id == group_id)
            .order_by(GroupModerator.id)
        )
    ).all()
    return [
        Recipient(
            person_id=p.id,
            name=person_name(p.first_name, p.last_name),
            locale=_locale_of(p, fallback),
            zone=p.timezone,
        )
        for p in rows
    ]


async def near(
    db: AsyncSession, start_from: datetime, start_to: datetime, *, limit: int | None = None
) -> list[SessionView]:
    """Live sessions starting in [start_from, start_to) or still open: what the jobs look at."""
    query = (
        _with_agenda()
        .where(
            or_(
                and_(
                    DialogueSession.status == SCHEDULED,
                    DialogueSession.starts_at >= start_from,
                    DialogueSession.starts_at < start_to,
                ),
                DialogueSession.status == OPEN,
            )
        )
        .order_by(DialogueSession.starts_at, DialogueSession.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return await _views(db, (await db.scalars(query)).all())


async def count_future(db: AsyncSession, now: datetime) -> int:
    return (
        await db.scalar(
            select(func.count())
            .select_from(DialogueSession)
            .where(DialogueSession.status == SCHEDULED, DialogueSession.starts_at > now)
        )
        or 0
    )


# ---- lifecycle -----------------------------------------------------------------------------------------


async def open_session(db: AsyncSession, session_id: int, now: datetime) -> SessionView | None:
    """scheduled -> open. None when it is not waiting to open (already open, closed, cancelled)."""
    session = await _load(db, session_id)
    if session.status != SCHEDULED:
        return None
    session.status = OPEN
    session.opened_at = now
    session.agenda_position = 0 if session.agenda else None
    session.updated_at = now
    await db.flush()
    return await _view(db, session)


async def open_by_moderator(
    db: AsyncSession, *, group_id: int, actor_id: int, admin_ids: Collection[int], now: datetime
) -> SessionView:
    """/open: open the group's next session now (before its time), or say one is already open."""
    await require_manager(db, group_id, actor_id, admin_ids)
    if await open_for_group(db, group_id) is not None:
        raise SessionError("session_already_open")
    upcoming = await next_for_group(db, group_id, now)
    if upcoming is None:
        raise SessionError("no_upcoming_session")
    opened = await open_session(db, upcoming.id, now)
    assert opened is not None
    return opened


async def set_agenda_position(
    db: AsyncSession, session_id: int, position: int, now: datetime
) -> None:
    session = await _load(db, session_id)
    session.agenda_position = position
    session.updated_at = now


async def next_item(
    db: AsyncSession, *, group_id: int, actor_id: int, admin_ids: Collection[int], now: datetime
) -> tuple[SessionView, int]:
    """/next: move the open session to its next agenda item. Returns (session, new position)."""
    await require_manager(db, group_id, actor_id, admin_ids)
    current = await open_for_group(db, group_id)
    if current is None:
        raise SessionError("no_open_session")
    position = (current.agenda_position if current.agenda_position is not None else -1) + 1
    if position >= len(current.agenda):
        raise SessionError("agenda_finished")
    await set_agenda_position(db, current.id, position, now)
    return await get(db, current.id), position


async def mark_closed(db: AsyncSession, session_id: int, now: datetime) -> SessionView | None:
    """open (or a scheduled one whose whole time passed while the bot was down) -> closed."""
    session = await _load(db, session_id)
    if session.status not in LIVE:
        return None
    session.status = CLOSED
    session.closed_at = now
    session.updated_at = now
    await db.flush()
    return await _view(db, session)


async def is_last_of_program(db: AsyncSession, session: SessionView) -> bool:
    program_id = await db.scalar(
        select(DialogueGroup.program_id).where(DialogueGroup.id == session.group_id)
    )
    later = await db.scalar(
        select(func.count())
        .select_from(DialogueSession)
        .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
        .where(
            DialogueGroup.program_id == program_id,
            DialogueSession.status.in_(LIVE),
            DialogueSession.id != session.id,
        )
    )
    return not later


async def program_of_group(db: AsyncSession, group_id: int) -> int:
    program_id = await db.scalar(
        select(DialogueGroup.program_id).where(DialogueGroup.id == group_id)
    )
    if program_id is None:
        raise NotFound("unknown_group")
    return program_id
