"""Scheduled work of the sessions part: reminders, opening and closing sessions, agenda posts and
the half-time nudge.

The database is the truth; the job queue only wakes the bot. ``run_due(application, now)`` does
everything that is due at ``now`` and is safe to call at any time and any number of times (each
send has a delivery key; each state change is guarded by the session's status). ``schedule()``
runs it once at start-up (catching up after downtime) and sets wake-ups only for the points that
fall within ``HORIZON`` (not for every future session); an hourly job extends the horizon. Every
job runs however late it fires (``JOB_KWARGS``): APScheduler's default would silently drop a
catch-up that started a second late.

A wave is marked done once every member has a delivery row; a member whose send is still being
retried is finished by the notifier's sweep (bot/jobs/notifier.py), not by another wave.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import ChatPermissions
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.context import runtime_of
from bot.domain.delivery import Reason
from bot.domain.people import display_name as person_name
from bot.domain.scheduling import (
    HALF_TIME_KIND,
    DueStatus,
    agenda_timeline,
    decide_reminders,
    delivery_key,
    half_time,
    reminder_plan,
)
from bot.domain.scheduling.reminders import MAX_REMINDER_OFFSET
from bot.events import (
    AgendaItemReached,
    SessionClosed,
    emit_agenda_item_reached,
    emit_session_closed,
)
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.sessions import counting, participation, render
from bot.features.sessions import service as sessions_service
from bot.features.sessions.service import CLOSED, OPEN, SCHEDULED, SessionView
from bot.handlers.group_post import render_blocks
from bot.jobs import notifier
from bot.jobs.notifier import JOB_KWARGS, Message, Outcome
from bot.services.people import Recipient

log = logging.getLogger(__name__)

HORIZON = timedelta(hours=6)
REFRESH = timedelta(hours=1)
CLOSED_LOOKBACK = timedelta(hours=1)
WAVE_CONCURRENCY = 8
LOCK_KEY = "sessions_run_due_lock"
POINTS_KEY = "sessions_wake_points"
# Test hook for the real `bridgebot run` process (tests/e2e): shifts this bot's clock by N seconds.


@dataclass
class DueReport:
    """What one ``run_due`` did (for logs, tests and benchmarks)."""

    sent: int = 0
    failed: int = 0
    duplicates: int = 0
    pending: int = 0  # still being retried (the notifier's sweep finishes them)
    skipped_waves: list[str] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    agenda_posts: int = 0
    half_times: list[int] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.SENT:
            self.sent += 1
        elif outcome is Outcome.FAILED:
            self.failed += 1
        elif outcome is Outcome.DUPLICATE:
            self.duplicates += 1
        elif outcome is Outcome.PENDING:
            self.pending += 1


# ---- sending -------------------------------------------------------------------------------------------


async def send_wave(
    application: Application,
    *,
    kind: str,
    session: SessionView,
    recipients: Sequence[Recipient],
    render_for: Callable[[Recipient], str],
    report: DueReport,
    stale_at: datetime | None = None,
    stale_reason: Reason | None = None,
) -> None:
    """One message per recipient, each under its own delivery key, a few at a time. Returns once
    every recipient's delivery exists; those still pending are retried by the sweep."""
    queue = list(recipients)
    position = 0

    async def worker() -> None:
        nonlocal position
        while position < len(queue):
            recipient = queue[position]
            position += 1
            outcome = await notifier.deliver(
                application,
                key=delivery_key(kind, session.id, recipient.person_id),
                kind=kind,
                chat_id=recipient.person_id,
                locale=recipient.locale,
                render=lambda r=recipient: Message(render_for(r)),
                session_id=session.id,
                person_id=recipient.person_id,
                stale_at=stale_at,
                stale_reason=stale_reason,
            )
            report.count(outcome)

    await asyncio.gather(*(worker() for _ in range(min(WAVE_CONCURRENCY, len(queue)) or 1)))


async def _mark_done(
    application: Application,
    key: str,
    kind: str,
    session_id: int,
    outcome: Outcome,
    reason: str | None = None,
) -> None:
    runtime = runtime_of(application)
    now = runtime.clock()
    if await notifier.claim(application, key=key, kind=kind, now=now, session_id=session_id):
        await notifier.finish(application, key, outcome, now, error=reason, message=False)


async def _group_post(
    application: Application,
    group: GroupView,
    session: SessionView,
    kind: str,
    render_text: Callable[[], str],
) -> Outcome:
    if group.chat_id is None:
        return Outcome.SKIPPED
    return await notifier.deliver(
        application,
        key=delivery_key(kind, session.id, None),
        kind=kind,
        chat_id=group.chat_id,
        locale=group.languages[0] if group.languages else "en",
        render=lambda: Message(render_blocks(group.languages, render_text)),
        session_id=session.id,
        stale_at=None if kind == "close" else session.ends_at,
        stale_reason=None if kind == "close" else Reason.SESSION_OVER,
    )


OPEN_PERMISSIONS = ChatPermissions(
    can_send_messages=True,
    can_send_audios=True,
    can_send_documents=True,
    can_send_photos=True,
    can_send_videos=True,
    can_send_video_notes=True,
    can_send_voice_notes=True,
    can_send_polls=True,
    can_send_other_messages=True,
    can_add_web_page_previews=True,
    can_invite_users=True,
)
QUIET_PERMISSIONS = ChatPermissions.no_permissions()


async def _set_quiet(application: Application, group: GroupView, quiet: bool) -> None:
    if not group.quiet_between_sessions or group.chat_id is None:
        return
    try:
        await application.bot.set_chat_permissions(
            group.chat_id,
            QUIET_PERMISSIONS if quiet else OPEN_PERMISSIONS,
            use_independent_chat_permissions=True,
        )
    except TelegramError:
        log.warning(
            "could not %s quiet mode in group %s",
            "restore" if quiet else "lift",
            group.id,
            exc_info=True,
        )


# ---- the lifecycle steps (also used by /open, /close, /next) -------------------------------------------


async def announce_open(
    application: Application, session: SessionView, report: DueReport | None = None
) -> None:
    """Post the opening (agenda + rules line), lift quiet mode, tell moderators who was not reached."""
    report = report or DueReport()
    runtime = runtime_of(application)
    async with runtime.db() as db:
        group = await group_lookup.by_id(db, session.group_id)
        mods = await sessions_service.moderators(db, session.group_id)
        names = await not_reached_names(db, session.id)
    if group is None:
        return
    outcome = await _group_post(
        application, group, session, "open", lambda: render.opening(session)
    )
    report.count(outcome)
    # A post still being retried (the sweep sends it) must not keep the group quiet meanwhile.
    if outcome in (Outcome.SENT, Outcome.PENDING):
        await _set_quiet(application, group, quiet=False)
    await _skip_stale_reminders(application, session)
    if names:
        await send_wave(
            application,
            kind="not_reached",
            session=session,
            recipients=mods,
            render_for=lambda _r: render.not_reached(session, names),
            report=report,
            stale_at=session.ends_at,
            stale_reason=Reason.SESSION_OVER,
        )


async def not_reached_names(db, session_id: int) -> list[tuple[str, str | None]]:
    """(name, reason) of each member a reminder of this session could not reach."""
    from sqlalchemy import select

    from bot.db.models import Delivery, Person

    rows = (
        await db.execute(
            select(Person.id, Person.first_name, Person.last_name, Delivery.reason)
            .join(Delivery, Delivery.person_id == Person.id)
            .where(
                Delivery.session_id == session_id,
                Delivery.status == "failed",
                Delivery.kind.like("remind_%"),
            )
            .order_by(Person.first_name, Person.id, Delivery.id.desc())
        )
    ).all()
    latest: dict[int, tuple[str, str | None]] = {}
    for person_id, first, last, reason in rows:
        latest.setdefault(person_id, (person_name(first, last), reason))
    return list(latest.values())


async def announce_agenda(application: Application, session: SessionView, position: int) -> Outcome:
    async with runtime_of(application).db() as db:
        group = await group_lookup.by_id(db, session.group_id)
    if group is None:
        return Outcome.SKIPPED
    outcome = await _group_post(
        application,
        group,
        session,
        f"agenda_{position}",
        lambda: render.agenda_item(session, position),
    )
    if outcome is not Outcome.DUPLICATE and position < len(session.agenda):
        await emit_agenda_item_reached(
            application,
            AgendaItemReached(
                session.id, session.group_id, position, session.agenda[position].kind
            ),
        )
    return outcome


async def close(
    application: Application, session_id: int, now: datetime, report: DueReport | None = None
) -> bool:
    """Close an open session: state, attendance and side numbers in one unit of work, then the
    closing post, quiet mode back on, and the "session closed" event (each exactly once)."""
    report = report or DueReport()
    runtime = runtime_of(application)
    # The last seconds of tallies belong to this session: write them while it is still open.
    await counting.flush(application)
    async with runtime.db() as db:
        closed = await sessions_service.mark_closed(db, session_id, now)
        if closed is None:
            return False
        await participation.keep_side_stats(db, session_id)
    report.closed.append(session_id)
    await finish_close(application, closed, report)
    return True


async def finish_close(application: Application, session: SessionView, report: DueReport) -> None:
    runtime = runtime_of(application)
    async with runtime.db() as db:
        group = await group_lookup.by_id(db, session.group_id)
        attendees = await participation.attendees(db, session.id)
        last = await sessions_service.is_last_of_program(db, session)
        program_id = await sessions_service.program_of_group(db, session.group_id)
    if group is None:
        return
    if session.opened_at is None:
        return  # never opened (the bot was down all along): nothing to close in the chat
    from bot.features.fairness.handlers import closing_note

    note = await closing_note(application, group.id, runtime.clock())
    outcome = await _group_post(
        application,
        group,
        session,
        "close",
        lambda: render.closing(session, len(attendees)) + "\n\n" + note(),
    )
    report.count(outcome)
    if outcome in (Outcome.SENT, Outcome.PENDING):
        await _set_quiet(application, group, quiet=True)
    key = delivery_key("closed_event", session.id, None)
    if await notifier.claim(
        application, key=key, kind="closed_event", now=runtime.clock(), session_id=session.id
    ):
        await emit_session_closed(
            application,
            SessionClosed(
                session_id=session.id,
                group_id=session.group_id,
                program_id=program_id,
                closed_at=session.closed_at or runtime.clock(),
                attendee_ids=attendees,
                last_of_program=last,
            ),
        )
        await notifier.finish(application, key, Outcome.SENT, runtime.clock(), message=False)


# ---- reminders -----------------------------------------------------------------------------------------


def _wave_key(kind: str, session_id: int) -> str:
    # One formula with the service that re-plans reminders when a program's offsets change.
    return sessions_service.reminder_wave_key(kind, session_id)


async def _pending_reminders(application: Application, session: SessionView):
    plan = reminder_plan(session.starts_at, session.planned_at, session.reminder_offsets)
    pending = []
    for reminder in plan:
        if await notifier.status_of(application, _wave_key(reminder.kind, session.id)) is None:
            pending.append(reminder)
    return pending


async def _skip_stale_reminders(application: Application, session: SessionView) -> None:
    for reminder in await _pending_reminders(application, session):
        await _mark_done(
            application,
            _wave_key(reminder.kind, session.id),
            "reminder_wave",
            session.id,
            Outcome.SKIPPED,
            "session started",
        )
        log.info(
            "skipped stale %s of session %s: the session has started", reminder.kind, session.id
        )


async def remind(
    application: Application, session: SessionView, now: datetime, report: DueReport
) -> None:
    plan = reminder_plan(session.starts_at, session.planned_at, session.reminder_offsets)
    if all(r.due_utc > now for r in plan):
        return  # nothing due yet: no need to ask the database
    pending = await _pending_reminders(application, session)
    if not pending:
        return
    decisions = decide_reminders(pending, session.starts_at, now)
    for decision in decisions:
        kind = decision.reminder.kind
        if decision.status is DueStatus.STALE:
            reason = (
                f"superseded by {decision.superseded_by}"
                if decision.superseded_by
                else "session started"
            )
            await _mark_done(
                application,
                _wave_key(kind, session.id),
                "reminder_wave",
                session.id,
                Outcome.SKIPPED,
                reason,
            )
            log.info("skipped stale %s of session %s: %s", kind, session.id, reason)
            report.skipped_waves.append(f"{session.id}:{kind}")
        elif decision.status in (DueStatus.SEND, DueStatus.LATE_SEND):
            if decision.status is DueStatus.LATE_SEND:
                log.info(
                    "sending %s of session %s late (the bot was down when it fell due)",
                    kind,
                    session.id,
                )
            async with runtime_of(application).db() as db:
                members = await sessions_service.recipients(db, session.group_id)
                group = await group_lookup.by_id(db, session.group_id)
            group_name = group.name if group else ""
            stale_at, stale_reason = _reminder_deadline(session, kind)
            await send_wave(
                application,
                kind=kind,
                session=session,
                recipients=members,
                render_for=functools.partial(
                    lambda gn, r: render.reminder(session, r, gn, runtime_of(application).clock()),
                    group_name,
                ),
                report=report,
                stale_at=stale_at,
                stale_reason=stale_reason,
            )
            await _mark_done(
                application, _wave_key(kind, session.id), "reminder_wave", session.id, Outcome.SENT
            )


def _reminder_deadline(session: SessionView, kind: str) -> tuple[datetime, Reason]:
    """A reminder still being retried goes stale when the next reminder falls due (that one says
    something truer) or, for the last one, when the session starts."""
    plan = reminder_plan(session.starts_at, session.planned_at, session.reminder_offsets)
    later = [r.due_utc for r in plan if r.kind != kind and r.due_utc > _due_of(plan, kind)]
    if later:
        return min(later), Reason.SUPERSEDED
    return session.starts_at, Reason.SESSION_STARTED


def _due_of(plan, kind: str) -> datetime:
    return next(r.due_utc for r in plan if r.kind == kind)


async def half_time_wave(application: Application, session: SessionView, report: DueReport) -> None:
    key = _wave_key(HALF_TIME_KIND, session.id)
    if await notifier.status_of(application, key) is not None:
        return
    await counting.flush(application)
    async with runtime_of(application).db() as db:
        numbers = await participation.balance(db, session.id)
        mods = await sessions_service.moderators(db, session.group_id)
    await send_wave(
        application,
        kind=HALF_TIME_KIND,
        session=session,
        recipients=numbers.silent,
        render_for=lambda _r: render.half_time_nudge(session),
        report=report,
        stale_at=session.ends_at,
        stale_reason=Reason.SESSION_OVER,
    )
    await send_wave(
        application,
        kind="balance",
        session=session,
        recipients=mods,
        render_for=lambda _r: render.balance_summary(session, numbers),
        report=report,
        stale_at=session.ends_at,
        stale_reason=Reason.SESSION_OVER,
    )
    await _mark_done(application, key, "half_time_wave", session.id, Outcome.SENT)
    report.half_times.append(session.id)


# ---- the one entry point -------------------------------------------------------------------------------


async def run_due(application: Application, now: datetime | None = None) -> DueReport:
    """Do everything that is due at ``now``. Idempotent; serialised within one process."""
    runtime = runtime_of(application)
    lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    async with lock:
        now = now or runtime.clock()
        report = DueReport()
        async with runtime.db() as db:
            near = await sessions_service.near(
                db, now - timedelta(hours=13), now + MAX_REMINDER_OFFSET + timedelta(minutes=1)
            )
            recently_closed = await _recently_closed(db, now)
        for session in near:
            try:
                await _due_for(application, session, now, report)
            except Exception:
                log.exception("due work for session %s failed; the next run retries", session.id)
        for session in recently_closed:
            await finish_close(application, session, report)
        return report


async def _recently_closed(db, now: datetime) -> list[SessionView]:
    from sqlalchemy import select

    from bot.db.models import DialogueSession

    ids = (
        await db.scalars(
            select(DialogueSession.id).where(
                DialogueSession.status == CLOSED,
                DialogueSession.closed_at >= now - CLOSED_LOOKBACK,
                DialogueSession.opened_at.is_not(None),
            )
        )
    ).all()
    return [await sessions_service.get(db, i) for i in ids]


async def _due_for(
    application: Application, session: SessionView, now: datetime, report: DueReport
) -> None:
    runtime = runtime_of(application)
    if session.status == SCHEDULED and now < session.starts_at:
        await remind(application, session, now, report)
        return
    if session.status == SCHEDULED and now >= session.ends_at:
        async with runtime.db() as db:
            await sessions_service.mark_closed(db, session.id, now)
        await _skip_stale_reminders(application, session)
        log.warning(
            "session %s passed entirely while the bot was down; marked closed without posts",
            session.id,
        )
        return
    if session.status == SCHEDULED:
        async with runtime.db() as db:
            opened = await sessions_service.open_session(db, session.id, now)
        if opened is None:
            return
        session = opened
        report.opened.append(session.id)
    if session.status != OPEN:
        return
    if await notifier.status_of(application, delivery_key("open", session.id, None)) is None:
        await announce_open(application, session, report)
    if now >= session.ends_at:
        await close(application, session.id, now, report)
        return
    await _agenda_due(application, session, now, report)
    if now >= half_time(session.starts_at, session.ends_at):
        await half_time_wave(application, session, report)


async def _agenda_due(
    application: Application, session: SessionView, now: datetime, report: DueReport
) -> None:
    cues = [c for c in agenda_timeline(session.starts_at, session.domain_agenda) if c.at_utc <= now]
    if not cues:
        return
    latest = cues[-1].index
    position = session.agenda_position if session.agenda_position is not None else -1
    if latest <= position:
        return
    async with runtime_of(application).db() as db:
        await sessions_service.set_agenda_position(db, session.id, latest, now)
    outcome = await announce_agenda(application, session, latest)
    report.count(outcome)
    report.agenda_posts += outcome is Outcome.SENT


# ---- waking up -----------------------------------------------------------------------------------------


def wake_points(session: SessionView) -> list[datetime]:
    """Every moment something may fall due for this session."""
    points = [
        r.due_utc
        for r in reminder_plan(session.starts_at, session.planned_at, session.reminder_offsets)
    ]
    points += [session.starts_at, session.ends_at, half_time(session.starts_at, session.ends_at)]
    points += [c.at_utc for c in agenda_timeline(session.starts_at, session.domain_agenda)]
    return points


def _schedule_points(
    application: Application, points: Sequence[datetime], now: datetime, horizon_end: datetime
) -> int:
    job_queue = application.job_queue
    if job_queue is None:
        return 0
    seen: set[datetime] = application.bot_data.setdefault(POINTS_KEY, set())
    added = 0
    for point in sorted(set(points)):
        if not now < point <= horizon_end or point in seen:
            continue
        seen.add(point)
        job_queue.run_once(
            _wake,
            when=(point - now).total_seconds() + 0.5,
            name=f"sessions:{point.isoformat()}",
            job_kwargs=JOB_KWARGS,
        )
        added += 1
    return added


async def plan_wakeups(application: Application, now: datetime) -> int:
    """Set wake-ups for what falls due within the horizon; returns how many were added."""
    horizon_end = now + HORIZON
    async with runtime_of(application).db() as db:
        near = await sessions_service.near(
            db, now - timedelta(hours=13), horizon_end + MAX_REMINDER_OFFSET
        )
    points = [p for s in near for p in wake_points(s)]
    return _schedule_points(application, points, now, horizon_end)


async def wake_for(application: Application, sessions: Sequence[SessionView]) -> int:
    """After a session was created or moved: wake-ups for its near points (the hourly job does the rest)."""
    now = runtime_of(application).clock()
    return _schedule_points(
        application, [p for s in sessions for p in wake_points(s)], now, now + HORIZON
    )


async def _wake(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_due(context.application)


async def _refresh(context: ContextTypes.DEFAULT_TYPE) -> None:
    application = context.application
    await plan_wakeups(application, runtime_of(application).clock())


async def schedule(application: Application) -> None:
    """Rebuild this part's jobs from the database at start-up: catch up now, wake for what is near."""
    job_queue = application.job_queue
    now = runtime_of(application).clock()
    added = await plan_wakeups(application, now)
    counting.start(application)
    if job_queue is not None:
        # However late the job queue starts after this (a slow start-up), the catch-up runs.
        job_queue.run_once(_wake, when=0, name="sessions:catch-up", job_kwargs=JOB_KWARGS)
        job_queue.run_repeating(
            _refresh,
            interval=REFRESH.total_seconds(),
            first=REFRESH.total_seconds(),
            name="sessions:refresh",
            job_kwargs=JOB_KWARGS,
        )
    log.info("sessions: %d wake-ups within %s scheduled", added, HORIZON)


def scheduled_jobs(application: Application) -> int:
    job_queue = application.job_queue
    return (
        0
        if job_queue is None
        else len([j for j in job_queue.jobs() if (j.name or "").startswith("sessions:")])
    )
