"""Who-is-heard counts, gathered in memory and written in batches.

A busy group during a session would otherwise cost a database transaction per message. Counts are
tallied per chat and person, and flushed every few seconds, before anything reads them (half time,
closing) and at shutdown; a crash loses at most the last few seconds of counts, never content,
because content is never kept.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application, ContextTypes

from bot.context import runtime_of
from bot.db.outage import is_storage_failure
from bot.features.sessions import participation
from bot.features.sessions.participation import Tally

log = logging.getLogger(__name__)

BUFFER_KEY = "participation_tallies"
FLUSH_LOCK_KEY = "participation_flush_lock"
FLUSH_SECONDS = 5.0
JOB_NAME = "participation-flush"


def _buffer(application: Application) -> dict[int, dict[int, Tally]]:
    return application.bot_data.setdefault(BUFFER_KEY, {})


def note(
    application: Application,
    chat_id: int,
    person_id: int,
    *,
    words: int = 0,
    reaction: bool = False,
) -> None:
    tally = _buffer(application).setdefault(chat_id, {}).setdefault(person_id, Tally())
    if reaction:
        tally.reactions += 1
    else:
        tally.messages += 1
        tally.words += words


async def flush(application: Application) -> None:
    """Write every buffered tally to its chat's open session (dropped where none is open).

    Flushes run one at a time: with updates handled concurrently, a flush before half time must
    not return while the periodic one is still writing the counts it took, or the balance would be
    read without them."""
    lock = application.bot_data.setdefault(FLUSH_LOCK_KEY, asyncio.Lock())
    async with lock:
        await _flush(application)


async def _flush(application: Application) -> None:
    pending = application.bot_data.get(BUFFER_KEY)
    if not pending:
        return
    application.bot_data[BUFFER_KEY] = {}
    runtime = runtime_of(application)
    try:
        async with runtime.db() as db:
            for chat_id, tallies in pending.items():
                await participation.add_tallies(db, chat_id, tallies)
    except Exception as error:
        if not is_storage_failure(error):
            raise
        log.warning(
            "could not write participation counts; keeping them for the next flush", exc_info=True
        )
        _merge_back(application, pending)


def _merge_back(application: Application, pending: dict[int, dict[int, Tally]]) -> None:
    current = _buffer(application)
    for chat_id, tallies in pending.items():
        for person_id, old in tallies.items():
            tally = current.setdefault(chat_id, {}).setdefault(person_id, Tally())
            tally.messages += old.messages
            tally.words += old.words
            tally.reactions += old.reactions


async def _flush_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await flush(context.application)


def start(application: Application) -> None:
    if application.job_queue is not None and not application.job_queue.get_jobs_by_name(JOB_NAME):
        application.job_queue.run_repeating(
            _flush_job, interval=FLUSH_SECONDS, first=FLUSH_SECONDS, name=JOB_NAME
        )
