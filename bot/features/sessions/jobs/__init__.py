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

The steps live in the modules of this package; this module wakes the bot up and exposes every
name of the part as before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram.ext import Application, ContextTypes

from bot.context import runtime_of
from bot.domain.scheduling import agenda_timeline, half_time, reminder_plan
from bot.domain.scheduling.reminders import MAX_REMINDER_OFFSET
from bot.features.sessions import counting
from bot.features.sessions import service as sessions_service
from bot.features.sessions.jobs.common import (
    CLOSED_LOOKBACK,
    HORIZON,
    LOCK_KEY,
    POINTS_KEY,
    REFRESH,
    WAVE_CONCURRENCY,
    DueReport,
    log,
)
from bot.features.sessions.jobs.due import (
    run_due,
)
from bot.features.sessions.jobs.lifecycle import (
    announce_agenda,
    announce_open,
    close,
    finish_close,
    not_reached_names,
)
from bot.features.sessions.jobs.reminders import (
    half_time_wave,
    remind,
)
from bot.features.sessions.jobs.sending import (
    OPEN_PERMISSIONS,
    QUIET_PERMISSIONS,
    send_wave,
)
from bot.features.sessions.service import SessionView
from bot.jobs.notifier import JOB_KWARGS

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


# The part's names, as they were before it was split into modules.
__all__ = [
    "CLOSED_LOOKBACK",
    "HORIZON",
    "LOCK_KEY",
    "OPEN_PERMISSIONS",
    "POINTS_KEY",
    "QUIET_PERMISSIONS",
    "REFRESH",
    "WAVE_CONCURRENCY",
    "DueReport",
    "announce_agenda",
    "announce_open",
    "close",
    "finish_close",
    "half_time_wave",
    "log",
    "not_reached_names",
    "plan_wakeups",
    "remind",
    "run_due",
    "schedule",
    "scheduled_jobs",
    "send_wave",
    "wake_for",
    "wake_points",
]
