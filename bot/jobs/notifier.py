"""Sending one owed message to one person or chat, at most once per delivery key.

The key (e.g. ``session:7:person:42:remind_24h``) is claimed in the database before the message goes
out and marked sent, failed or skipped after, so a restart, a retry or a second process never sends
it twice. A claim left behind by a process that died mid-send is "in doubt": after ``lease`` it may be
claimed again, trading a rare duplicate for never silently losing a message. Sends go through the
application's bot, i.e. through AIORateLimiter, which waits out RetryAfter instead of dropping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.context import runtime_of
from bot.db.models import Delivery
from bot.i18n import use_locale

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=2)


class Outcome(StrEnum):
    SENT = "sent"
    DUPLICATE = "duplicate"  # someone already sent (or is sending) this key
    FAILED = "failed"  # Telegram refused for good (blocked the bot, chat gone)
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Message:
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


async def claim(
    application: Application,
    *,
    key: str,
    kind: str,
    now: datetime,
    session_id: int | None = None,
    person_id: int | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> bool:
    """Take the right to send ``key``. False if it was sent, refused, or is being sent right now."""
    runtime = runtime_of(application)
    try:
        async with runtime.db() as db:
            db.add(
                Delivery(
                    key=key,
                    kind=kind,
                    session_id=session_id,
                    person_id=person_id,
                    status="claimed",
                    claimed_at=now,
                )
            )
    except IntegrityError:
        async with runtime.db() as db:
            # Re-claim only a claim whose holder died (still "claimed" after the lease ran out).
            result = await db.execute(
                update(Delivery)
                .where(
                    Delivery.key == key,
                    Delivery.status == "claimed",
                    Delivery.claimed_at < now - lease,
                )
                .values(claimed_at=now)
            )
            if result.rowcount == 1:
                log.warning("delivery %s was in doubt after a crash; sending it again", key)
                return True
        return False
    return True


async def finish(
    application: Application, key: str, outcome: Outcome, now: datetime, error: str | None = None
) -> None:
    async with runtime_of(application).db() as db:
        await db.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(status=outcome.value, done_at=now, error=error)
        )


async def send_once(
    application: Application,
    *,
    key: str,
    kind: str,
    chat_id: int,
    locale: str,
    render: Callable[[], Message],
    session_id: int | None = None,
    person_id: int | None = None,
) -> Outcome:
    """Render ``render()`` in ``locale`` and send it to ``chat_id`` unless ``key`` was already done."""
    runtime = runtime_of(application)
    now = runtime.clock()
    if not await claim(
        application, key=key, kind=kind, now=now, session_id=session_id, person_id=person_id
    ):
        return Outcome.DUPLICATE
    with use_locale(locale):
        message = render()
    try:
        await application.bot.send_message(chat_id, message.text, reply_markup=message.reply_markup)
    except (Forbidden, BadRequest) as exc:
        # Blocked the bot, never started it, or the chat is gone: recorded so moderators can see who
        # was not reached; retrying would not help.
        await finish(application, key, Outcome.FAILED, runtime.clock(), error=str(exc)[:200])
        return Outcome.FAILED
    except TelegramError:
        # Network trouble after the rate limiter's retries: release the claim so a later run retries.
        async with runtime.db() as db:
            await db.execute(
                update(Delivery)
                .where(Delivery.key == key)
                .values(claimed_at=now - DEFAULT_LEASE * 2)
            )
        raise
    await finish(application, key, Outcome.SENT, runtime.clock())
    return Outcome.SENT


async def skip(
    application: Application, *, key: str, kind: str, reason: str, **ids: int | None
) -> bool:
    """Record that ``key`` will never be sent (stale after downtime), unless it was already handled."""
    runtime = runtime_of(application)
    now = runtime.clock()
    if not await claim(application, key=key, kind=kind, now=now, **ids):
        return False
    await finish(application, key, Outcome.SKIPPED, now, error=reason)
    log.info("skipped stale delivery %s: %s", key, reason)
    return True


async def status_of(application: Application, key: str) -> str | None:
    async with runtime_of(application).db() as db:
        return await db.scalar(select(Delivery.status).where(Delivery.key == key))
