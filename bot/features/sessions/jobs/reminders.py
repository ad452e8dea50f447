"""Reminders before a session and the half-time nudge; stale ones are skipped."""

from __future__ import annotations

import functools
from datetime import datetime

from telegram.ext import Application

from bot.context import runtime_of
from bot.domain.delivery import Reason
from bot.domain.scheduling import HALF_TIME_KIND, DueStatus, decide_reminders, reminder_plan
from bot.features.groups import lookup as group_lookup
from bot.features.sessions import counting, participation, render
from bot.features.sessions import service as sessions_service
from bot.features.sessions.jobs.common import DueReport, log
from bot.features.sessions.jobs.sending import _mark_done, send_wave
from bot.features.sessions.service import SessionView
from bot.jobs import notifier
from bot.jobs.notifier import Outcome

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
