"""Scheduled and event-driven work of the feedback part.

* On "session closed" (bot.events), the post-session survey opens and each attendee gets a DM in
  their language; after the program's last session the post-program survey goes to everyone enrolled.
* ``offer_pre_program`` is the hook enrolment calls once a person has enrolled.
* ``run_due(application, now)`` sends the one reminder each unanswered invitation gets (every few
  minutes from the job queue; tests call it with the time they want).
* ``flush(application)`` writes out the sealed waiting answers of every survey that has closed
  (at start and every few minutes; bot/services/feedback_store.py).
* ``sweep(application)`` erases the physical order of stored answers on PostgreSQL (daily).

Every send goes through ``notifier.send_once`` with a delivery key, so restarts and retries never
send an invitation or a reminder twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from telegram.ext import Application, ContextTypes

from bot.context import runtime_of
from bot.db.hygiene import wipe_history
from bot.db.models import OrganizerGrant, Person, Program
from bot.domain.errors import BridgeError
from bot.events import SessionClosed
from bot.features.feedback import messages as msgs
from bot.features.feedback import service as feedback
from bot.features.feedback import store as feedback_store
from bot.features.feedback import surveys
from bot.features.feedback.service import Opened
from bot.jobs import notifier
from bot.jobs.notifier import Message

log = logging.getLogger(__name__)

REMINDER_INTERVAL = timedelta(minutes=5)


async def _context_of(application: Application, instance_id: int) -> dict:
    from bot.db.models import DialogueGroup, DialogueSession, Survey, SurveyInstance

    async with runtime_of(application).db() as db:
        instance = await db.get(SurveyInstance, instance_id)
        assert instance is not None
        survey = await db.get(Survey, instance.survey_id)
        program = await db.get(Program, instance.program_id)
        session = (
            await db.get(DialogueSession, instance.session_id) if instance.session_id else None
        )
        group = await db.get(DialogueGroup, instance.group_id) if instance.group_id else None
        view = await surveys.survey_by_id(db, instance.survey_id, instance.survey_version)
        settings = await surveys.settings_of(db, instance.program_id)
    return {
        "kind": survey.kind if survey else "post_session",
        "program": program.name if program else "",
        "session": session.title if session else None,
        "group": group.name if group else None,
        "questions": len(view.items),
        "k": settings.k_ratings,
    }


async def _zones(application: Application, person_ids: list[int]) -> dict[int, str | None]:
    from sqlalchemy import select

    async with runtime_of(application).db() as db:
        rows = await db.execute(select(Person.id, Person.timezone).where(Person.id.in_(person_ids)))
        return dict(rows.all())


async def send_invitations(application: Application, opened: Opened) -> dict[int, notifier.Outcome]:
    """DM each newly invited person, in their language, exactly once."""
    if not opened.invitees:
        return {}
    runtime = runtime_of(application)
    about = await _context_of(application, opened.instance_id)
    zones = await _zones(application, [i.person_id for i in opened.invitees])
    outcomes = {}
    for invitee in opened.invitees:

        def render(invitee=invitee) -> Message:
            return Message(
                msgs.invitation_text(
                    **about, expires_at=opened.closes_at, zone=zones.get(invitee.person_id)
                ),
                msgs.start_keyboard(runtime.secret, invitee.person_id, opened.instance_id),
            )

        outcomes[invitee.person_id] = await notifier.send_once(
            application,
            key=feedback.invitation_key(opened.instance_id, invitee.person_id),
            kind="survey_invitation",
            chat_id=invitee.person_id,
            locale=invitee.locale,
            render=render,
            person_id=invitee.person_id,
        )
    return outcomes


async def _tell_organizers(application: Application, program_id: int, error: BridgeError) -> None:
    """A survey that could not start (e.g. untranslated items): the organizers must know."""
    from sqlalchemy import select

    from bot.handlers.errors import error_text

    runtime = runtime_of(application)
    async with runtime.db() as db:
        rows = (
            await db.execute(
                select(Person.id, Person.locale, Person.telegram_language)
                .join(OrganizerGrant, OrganizerGrant.person_id == Person.id)
                .where(OrganizerGrant.program_id == program_id)
            )
        ).all()
    day = runtime.clock().date().isoformat()
    for person_id, locale, _telegram in rows:
        await notifier.send_once(
            application,
            key=f"fb:untranslated:{program_id}:{error.params.get('kind')}:{day}:{person_id}",
            kind="survey_problem",
            chat_id=person_id,
            locale=locale or "en",
            render=lambda: Message(error_text(error)),
            person_id=person_id,
        )


async def on_closed(application: Application, event: SessionClosed) -> None:
    runtime = runtime_of(application)
    now = runtime.clock()
    try:
        async with runtime.db() as db:
            opened = await feedback.open_after_session(
                db,
                session_id=event.session_id,
                group_id=event.group_id,
                program_id=event.program_id,
                attendee_ids=event.attendee_ids,
                now=now,
            )
    except surveys.SurveyError as error:
        log.warning(
            "post-session survey of session %s could not start: %s", event.session_id, error.code
        )
        await _tell_organizers(application, event.program_id, error)
        opened = None
    if opened is not None:
        await send_invitations(application, opened)
    if event.last_of_program:
        await offer_program_survey(application, event.program_id, surveys.POST_PROGRAM)


async def offer_program_survey(
    application: Application, program_id: int, kind: str, person_ids: list[int] | None = None
) -> Opened | None:
    runtime = runtime_of(application)
    try:
        async with runtime.db() as db:
            if person_ids is None:
                person_ids = await feedback.program_participants(db, program_id)
            opened = await feedback.open_program_survey(
                db, program_id=program_id, kind=kind, person_ids=person_ids, now=runtime.clock()
            )
    except surveys.SurveyError as error:
        log.warning("%s survey of program %s could not start: %s", kind, program_id, error.code)
        await _tell_organizers(application, program_id, error)
        return None
    await send_invitations(application, opened)
    return opened


async def offer_pre_program(
    application: Application, person_id: int, program_id: int
) -> Opened | None:
    """The hook enrolment calls once ``person_id`` has enrolled in ``program_id``."""
    return await offer_program_survey(application, program_id, surveys.PRE_PROGRAM, [person_id])


# ---- reminders and upkeep -------------------------------------------------------------------------------


async def run_due(application: Application, now: datetime | None = None) -> int:
    """Send the reminders that are due at ``now``; returns how many were sent."""
    runtime = runtime_of(application)
    now = now or runtime.clock()
    async with runtime.db() as db:
        due = await feedback.due_reminders(db, runtime.secret, now)
    if not due:
        return 0
    zones = await _zones(application, [d.person_id for d in due])
    sent = 0
    contexts: dict[int, dict] = {}
    for reminder in due:
        if reminder.instance_id not in contexts:
            contexts[reminder.instance_id] = await _context_of(application, reminder.instance_id)
        about = contexts[reminder.instance_id]

        def render(reminder=reminder, about=about) -> Message:
            return Message(
                msgs.reminder_text(
                    kind=about["kind"],
                    program=about["program"],
                    session=about["session"],
                    group=about["group"],
                    expires_at=reminder.expires_at,
                    zone=zones.get(reminder.person_id),
                ),
                msgs.start_keyboard(runtime.secret, reminder.person_id, reminder.instance_id),
            )

        # No person id on the delivery row: it would record who had not answered by now.
        outcome = await notifier.send_once(
            application,
            key=reminder.delivery_key,
            kind="survey_reminder",
            chat_id=reminder.person_id,
            locale=reminder.locale,
            render=render,
        )
        sent += outcome == notifier.Outcome.SENT
    return sent


async def sweep(application: Application) -> bool:
    runtime = runtime_of(application)
    async with runtime.db() as db:
        erased = await feedback.erase_order(db)
    # SQLite: rebuild the file, so no stale copy of a moved row is left in a page's free middle.
    await wipe_history(runtime.engine, compact=True)
    return erased


async def flush(application: Application, now: datetime | None = None) -> int:
    """Write out the waiting answers of closed surveys; returns how many were written."""
    runtime = runtime_of(application)
    async with runtime.db() as db:
        written = await feedback_store.flush_due(db, runtime.secret, now or runtime.clock())
    if written:
        await feedback_store.settle(runtime.engine, written=True)
    return written


async def _flush_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await flush(context.application)


async def _reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_due(context.application)


async def _sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sweep(context.application)


async def schedule(application: Application) -> None:
    """Rebuild this part's jobs at start-up: the database holds what is owed, so a repeating check
    is all the job queue needs to know."""
    try:
        # Answers sealed before a restart whose survey closed meanwhile are written now.
        await flush(application)
    except Exception:
        log.exception("could not write out the waiting answers of closed surveys at start")
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: survey reminders will not be sent")
        return
    queue.run_repeating(
        _flush_job, interval=REMINDER_INTERVAL, first=REMINDER_INTERVAL, name="feedback:flush"
    )
    queue.run_repeating(
        _reminder_job,
        interval=REMINDER_INTERVAL,
        first=timedelta(seconds=30),
        name="feedback:reminders",
    )
    queue.run_daily(_sweep_job, time=time(3, 17), name="feedback:sweep")
