"""Telling the group and the teller what a round's step is, and waking the bot at each deadline.

The database is the truth (each open round's step and deadline); the job queue only wakes the bot.
``run_due`` moves on every round whose deadline has passed and is safe to call at any time and any
number of times; ``schedule`` runs it at start-up (catching up after downtime) and sets a wake-up
for every open round's deadline, so a restart loses no step.

Every message goes out through the notifier under its own delivery key (``round:<id>:<n>``), so a
429 or a 5xx is retried and a message is never sent twice for one step.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram.ext import Application, ContextTypes

from bot.context import runtime_of
from bot.domain.errors import BridgeError
from bot.domain.rounds import RATING, RESTATING
from bot.domain.rounds.steps import REPEAT_OFFER
from bot.events import (
    AgendaItemReached,
    SessionClosed,
)
from bot.features.rounds import render
from bot.features.rounds import service as rounds
from bot.features.rounds.service import Moved, RoundView
from bot.handlers.errors import error_text
from bot.handlers.group_post import BLOCK_SEPARATOR, GroupPost, render_blocks
from bot.jobs import notifier
from bot.jobs.notifier import JOB_KWARGS, Message, Outcome

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # Telegram's limit of one message
LOCK_KEY = "rounds_run_due_lock"
POINTS_KEY = "rounds_wake_points"
# chat id -> (round id, listener id) while a listener is asked to restate: the group-message
# observer looks here first, so ordinary messages cost no database query.
LISTENING_KEY = "rounds_listening"


def listening(application: Application) -> dict[int, tuple[int, int]]:
    return application.bot_data.setdefault(LISTENING_KEY, {})


async def _next_key(application: Application, round_id: int) -> str:
    async with runtime_of(application).db() as db:
        n = await rounds.count_post(db, round_id)
    return f"round:{round_id}:{n}"


def split_blocks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """A post of many languages with long prompts in messages under Telegram's limit, whole
    language blocks together (a block longer than the limit alone is cut). A group post keeps its
    other languages folded in every part (bot/handlers/group_post.py)."""
    if isinstance(text, GroupPost):
        return text.chunks(limit)
    parts: list[str] = []
    for block in text.split(BLOCK_SEPARATOR):
        block = block[:limit]
        if parts and len(parts[-1]) + len(BLOCK_SEPARATOR) + len(block) <= limit:
            parts[-1] += BLOCK_SEPARATOR + block
        else:
            parts.append(block)
    return parts


async def post_to_group(application: Application, view: RoundView, moved: Moved | None) -> Outcome:
    group = view.group
    if group.chat_id is None:
        return Outcome.SKIPPED
    secret = runtime_of(application).secret
    chat_id = group.chat_id
    parts = split_blocks(render_blocks(group.languages, lambda: render.group_text(view, moved)))
    outcome = Outcome.SKIPPED
    for index, part in enumerate(parts):
        # The step's buttons go under the last part.
        keyboard = render.group_keyboard(secret, chat_id, view) if index == len(parts) - 1 else None
        outcome = await notifier.deliver(
            application,
            key=await _next_key(application, view.id),
            kind="round_post",
            chat_id=chat_id,
            locale=group.languages[0] if group.languages else "en",
            render=lambda part=part, keyboard=keyboard: Message(part, keyboard),
            session_id=view.session_id,
        )
    return outcome


async def _ask_teller(application: Application, view: RoundView, kind: str) -> Outcome:
    teller = view.teller
    if teller is None:
        return Outcome.FAILED
    secret = runtime_of(application).secret
    if kind == "round_rate":

        def message() -> Message:
            return Message(render.rating_question(view), render.rating_keyboard(secret, view))
    else:

        def message() -> Message:
            return Message(render.repeat_question(view), render.repeat_keyboard(secret, view))

    return await notifier.deliver(
        application,
        key=await _next_key(application, view.id),
        kind=kind,
        chat_id=teller.person_id,
        locale=teller.locale,
        render=message,
        session_id=view.session_id,
        person_id=teller.person_id,
    )


async def publish(
    application: Application, moved: Moved | None, view: RoundView | None = None
) -> None:
    """Tell everyone what the step the round has just entered needs (the group post, the teller's
    private question) and wake the bot at its deadline."""
    after = moved.after if moved is not None else view
    assert after is not None
    entered = moved is None or (moved.before.step, moved.before.attempt) != (
        after.step,
        after.attempt,
    )
    chats = listening(application)
    if after.step == RESTATING and after.listener is not None and after.group.chat_id:
        chats[after.group.chat_id] = (after.id, after.listener.person_id)
    elif after.group.chat_id in chats and chats[after.group.chat_id][0] == after.id:
        del chats[after.group.chat_id]
    if after.step == REPEAT_OFFER:
        # Only the teller is asked; the group hears the outcome (once more, or the end).
        outcome = await _ask_teller(application, after, "round_repeat")
        if outcome is Outcome.FAILED:
            await _unreachable(application, after)
            return
    else:
        await post_to_group(application, after, moved)
        if after.step == RATING and (entered or (moved is not None and moved.replaced)):
            outcome = await _ask_teller(application, after, "round_rate")
            if outcome is Outcome.FAILED:
                await _unreachable(application, after)
                return
    if after.deadline is not None:
        wake_at(application, after.deadline)


async def _unreachable(application: Application, view: RoundView) -> None:
    runtime = runtime_of(application)
    async with runtime.db() as db:
        moved = await rounds.unreachable(db, view.id, runtime.clock())
    if moved is not None:
        await publish(application, moved)


# ---- due work ------------------------------------------------------------------------------------------


async def run_due(application: Application, now: datetime | None = None) -> int:
    """Move on every round whose step's time has run out; returns how many moved."""
    runtime = runtime_of(application)
    lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    moved_count = 0
    async with lock:
        now = now or runtime.clock()
        async with runtime.db() as db:
            ids = await rounds.due(db, now)
        for round_id in ids:
            try:
                async with runtime.db() as db:
                    moved = await rounds.timeout(db, round_id, now)
            except BridgeError:
                continue  # it moved meanwhile (a press came first)
            if moved is not None:
                moved_count += 1
                await publish(application, moved)
    return moved_count


def wake_at(application: Application, at: datetime) -> None:
    job_queue = application.job_queue
    if job_queue is None:
        return
    seen: set[datetime] = application.bot_data.setdefault(POINTS_KEY, set())
    if at in seen:
        return
    seen.add(at)
    now = runtime_of(application).clock()
    job_queue.run_once(
        _wake,
        when=max(0.0, (at - now).total_seconds()) + 0.5,
        name=f"rounds:{at.isoformat()}",
        job_kwargs=JOB_KWARGS,
    )


async def _wake(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_due(context.application)


async def schedule(application: Application) -> None:
    """At start-up: catch up on what fell due while the bot was down, wake for every open round's
    deadline, and remember who is asked to restate."""
    runtime = runtime_of(application)
    async with runtime.db() as db:
        points = await rounds.deadlines(db)
        waiting = await rounds.restating(db)
    chats = listening(application)
    chats.clear()
    chats.update(waiting)
    job_queue = application.job_queue
    if job_queue is not None:
        job_queue.run_once(_wake, when=0, name="rounds:catch-up", job_kwargs=JOB_KWARGS)
    for point in points:
        wake_at(application, point)


# ---- events from the sessions part ---------------------------------------------------------------------


async def on_agenda_item(application: Application, event: AgendaItemReached) -> None:
    if event.kind != "round":
        return
    runtime = runtime_of(application)
    try:
        async with runtime.db() as db:
            view = await rounds.start(
                db,
                group_id=event.group_id,
                actor_id=None,
                admin_ids=(),
                now=runtime.clock(),
                agenda_position=event.position,
            )
    except BridgeError as error:
        # One side only, a round already running...: the group is told in its languages.
        await _tell_group_error(application, event.group_id, error)
        return
    if view is not None:
        await publish(application, None, view)


async def _tell_group_error(application: Application, group_id: int, error: BridgeError) -> None:
    runtime = runtime_of(application)
    async with runtime.db() as db:
        group = await rounds.group_of(db, group_id)
    if group is None or group.chat_id is None:
        return
    await notifier.deliver(
        application,
        key=f"round_error:{group_id}:{error.code}:{int(runtime.clock().timestamp())}",
        kind="round_post",
        chat_id=group.chat_id,
        locale=group.languages[0] if group.languages else "en",
        render=lambda: Message(render_blocks(group.languages, lambda: error_text(error))),
    )


async def on_closed(application: Application, event: SessionClosed) -> None:
    runtime = runtime_of(application)
    async with runtime.db() as db:
        stopped = await rounds.stop_for_session(db, event.session_id, runtime.clock())
    for moved in stopped:
        await publish(application, moved)
