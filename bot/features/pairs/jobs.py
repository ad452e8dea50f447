"""The weekly pairing and the "did you talk?" a week later, woken every few minutes.

``run_due`` first asks the check-ins whose time has come (about last week's partner), then forms
every round that is due and sends what is owed: introductions (to both, with the question) and
"no partner this week" to who sat out. What
is owed is in the database (bot/services/pairs.py), so a restart or a failed send loses nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.context import runtime_of
from bot.domain.pairing import UnpairedReason
from bot.features.pairs import texts
from bot.features.pairs.handlers import check_in_keyboard, pair_keyboard
from bot.i18n import use_locale
from bot.services import pairs

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=10)
JOB_NAME = "pairs:due"


async def _send(application: Application, person_id: int, text: str, markup=None) -> str:
    """ "sent", "gone" (blocked the bot, or never reachable) or "later" (try again next run)."""
    try:
        await application.bot.send_message(person_id, text, reply_markup=markup)
    except Forbidden:
        return "gone"
    except TelegramError:
        log.warning("a pairs message could not be sent; it stays owed", exc_info=True)
        return "later"
    return "sent"


async def run_due(application: Application, now: datetime | None = None) -> dict[str, int]:
    runtime = runtime_of(application)
    now = now or runtime.clock()
    secret = runtime.secret
    counts = {"rounds": 0, "intros": 0, "sat_out": 0, "check_ins": 0}
    async with runtime.db() as db:
        due = await pairs.due_checkins(db, now)
    for check in due:
        with use_locale(check.locale):
            text = texts.check_in(check.partner_side)
            markup = check_in_keyboard(secret, check.person_id, check.pair_id)
        outcome = await _send(application, check.person_id, text, markup)
        if outcome == "later":
            continue
        async with runtime.db() as db:
            await pairs.mark_sent(db, check.pair_id, check.person_id, "asked")
        if outcome == "sent":
            counts["check_ins"] += 1
    async with runtime.db() as db:
        formed = await pairs.form_due_rounds(db, now)
    for round_ in formed:
        counts["rounds"] += 1
        for person in round_.sat_out:
            with use_locale(person.locale):
                text = texts.sat_out(person.reason == UnpairedReason.NO_MATCH)
            if await _send(application, person.person_id, text) == "sent":
                counts["sat_out"] += 1
    async with runtime.db() as db:
        intros = await pairs.owed_intros(db)
    for intro in intros:
        with use_locale(intro.locale):
            text = texts.intro(
                intro.partner_side,
                intro.languages,
                texts.question_text(intro.question, intro.default_locale),
                intro.replaced,
            )
            markup = pair_keyboard(secret, intro.person_id, intro.pair_id)
        outcome = await _send(application, intro.person_id, text, markup)
        if outcome == "later":
            continue
        async with runtime.db() as db:
            await pairs.mark_sent(db, intro.pair_id, intro.person_id, "introduced")
            ended = (
                await pairs.partner_unreachable(db, intro.pair_id, intro.person_id, now)
                if outcome == "gone"
                else None
            )
        if outcome == "sent":
            counts["intros"] += 1
        if ended is not None and ended.notify is not None:
            with use_locale(ended.notify_locale):
                await _send(application, ended.notify, texts.partner_unreachable())
    return counts


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_due(context.application)


async def schedule(application: Application) -> None:
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: weekly pairs will not be formed")
        return
    if not queue.get_jobs_by_name(JOB_NAME):
        queue.run_repeating(_job, interval=EVERY, first=timedelta(seconds=45), name=JOB_NAME)
