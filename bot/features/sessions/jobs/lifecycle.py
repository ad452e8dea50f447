"""The lifecycle steps of a session (also used by /open, /close, /next): opening, agenda posts,
closing."""

from __future__ import annotations

from datetime import datetime

from telegram.ext import Application

from bot.context import runtime_of
from bot.domain.delivery import Reason
from bot.domain.people import display_name as person_name
from bot.domain.scheduling import delivery_key
from bot.events import (
    AgendaItemReached,
    SessionClosed,
    emit_agenda_item_reached,
    emit_session_closed,
)
from bot.features.groups import lookup as group_lookup
from bot.features.sessions import counting, participation, render
from bot.features.sessions import service as sessions_service
from bot.features.sessions.jobs.common import DueReport
from bot.features.sessions.jobs.reminders import _skip_stale_reminders
from bot.features.sessions.jobs.sending import _group_post, _set_quiet, send_wave
from bot.features.sessions.service import SessionView
from bot.jobs import notifier
from bot.jobs.notifier import Outcome

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
