"""Sending one owed message to one person or chat, at most once per delivery key, and never losing it.

The key (e.g. ``session:7:person:42:remind_24h``) is claimed in the database before the message
goes out, together with the message itself, and marked sent, failed or skipped after. Between
attempts a delivery waits as ``pending`` with the time of its next attempt. What each answer from
Telegram means, and the rule for attempts whose outcome is unknown (retried: at most one extra
copy per such attempt, none otherwise), is in bot/domain/delivery.py.

Nothing is left claimed: a claim older than the lease (its process died mid-send) and a pending
delivery whose time has come are picked up by ``sweep``, which runs at start-up and then every
``delivery_sweep_seconds``, and resends the stored message, or records it as skipped once stale.
Within one process a key being attempted is never claimed twice (``_in_flight``), so a long wait
inside the rate limiter cannot make the sweep send it again. Sends go through the application's
bot, i.e. through its rate limiter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from telegram import InlineKeyboardMarkup, MessageEntity
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ContextTypes

from bot.context import runtime_of
from bot.db.models import Delivery, DialogueSession
from bot.db.rows import affected
from bot.domain import delivery as policy
from bot.domain.delivery import Reason
from bot.i18n import use_locale
from bot.rate_limits import Pacing

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=2)
# How long a caller waits in line for retries before leaving the rest to the sweep (keeps a wave
# from holding up the other due work while Telegram is down).
INLINE_PATIENCE = timedelta(seconds=60)
SWEEP_BATCH = 500
SWEEP_CONCURRENCY = 8
IN_FLIGHT_KEY = "notifier_in_flight"
# Rows that only record that something happened once (no message): see ``sweep``.
MARKER_KINDS = frozenset({"reminder_wave", "half_time_wave", "closed_event"})


class Outcome(StrEnum):
    SENT = "sent"
    DUPLICATE = "duplicate"  # someone already sent (or is sending) this key
    FAILED = "failed"  # Telegram refused for good (blocked the bot, chat gone)
    SKIPPED = "skipped"
    PENDING = "pending"  # not out yet; retried later (by the caller or the sweep)


@dataclass(frozen=True)
class Message:
    text: str
    reply_markup: InlineKeyboardMarkup | None = None

    def payload(self) -> dict[str, Any]:
        from bot.handlers.group_post import GroupPost

        markup = self.reply_markup.to_dict() if self.reply_markup is not None else None
        payload: dict[str, Any] = {"text": str(self.text), "reply_markup": markup}
        if isinstance(self.text, GroupPost) and self.text.entities():
            payload["entities"] = self.text.entities()  # the group's other languages, folded
        return payload


def lease_of(application: Application) -> timedelta:
    settings = runtime_of(application).settings
    seconds = getattr(settings, "delivery_lease_seconds", None)
    return timedelta(seconds=seconds) if seconds else DEFAULT_LEASE


def _in_flight(application: Application) -> set[str]:
    return application.bot_data.setdefault(IN_FLIGHT_KEY, set())


def _reclaimable(now: datetime, lease: timedelta):
    return or_(
        and_(Delivery.status == policy.CLAIMED, Delivery.claimed_at < now - lease),
        and_(Delivery.status == policy.PENDING, Delivery.next_attempt_at <= now),
    )


async def claim(
    application: Application,
    *,
    key: str,
    kind: str,
    now: datetime,
    session_id: int | None = None,
    person_id: int | None = None,
    lease: timedelta | None = None,
    chat_id: int | None = None,
    payload: dict[str, Any] | None = None,
    stale_at: datetime | None = None,
) -> bool:
    """Take the right to attempt ``key``. False if it is done, or being attempted right now (here,
    or elsewhere within the lease), or waiting for a later retry."""
    return (
        await _claim(
            application,
            key=key,
            kind=kind,
            now=now,
            session_id=session_id,
            person_id=person_id,
            lease=lease,
            chat_id=chat_id,
            payload=payload,
            stale_at=stale_at,
        )
        is not None
    )


async def _claim(
    application: Application,
    *,
    key: str,
    kind: str,
    now: datetime,
    session_id: int | None,
    person_id: int | None,
    lease: timedelta | None,
    chat_id: int | None,
    payload: dict[str, Any] | None,
    stale_at: datetime | None,
) -> str | None:
    """``claim``; "inserted" for a new row, "reclaimed" for an existing one, None if not taken."""
    in_flight = _in_flight(application)
    if key in in_flight:
        return None
    runtime = runtime_of(application)
    lease = lease or lease_of(application)
    try:
        async with runtime.db() as db:
            db.add(
                Delivery(
                    key=key,
                    kind=kind,
                    session_id=session_id,
                    person_id=person_id,
                    status=policy.CLAIMED,
                    claimed_at=now,
                    chat_id=chat_id,
                    payload=payload,
                    attempts=0,
                    stale_at=policy.stale_deadline(now, stale_at) if payload else None,
                )
            )
    except IntegrityError:
        values: dict[str, Any] = {"status": policy.CLAIMED, "claimed_at": now}
        if payload is not None:
            values["payload"] = payload  # a fresh rendering says "starts in 50 minutes", not 60
        async with runtime.db() as db:
            result = await db.execute(
                update(Delivery)
                .where(Delivery.key == key, _reclaimable(now, lease))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if affected(result) != 1:
                return None
        in_flight.add(key)
        return "reclaimed"
    in_flight.add(key)
    return "inserted"


async def finish(
    application: Application,
    key: str,
    outcome: Outcome,
    now: datetime,
    error: str | None = None,
    reason: Reason | None = None,
    *,
    message: bool = True,
) -> None:
    """Record the end of ``key``. The message and its chat are dropped: they were kept only to
    retry (survey reminders deliberately record nobody). ``message=False`` for a row that only
    marks a step as done (MARKER_KINDS): not counted among the deliveries in /metrics."""
    _in_flight(application).discard(key)
    if message:
        runtime_of(application).metrics.deliveries.labels(outcome=outcome.value).inc()
    async with runtime_of(application).db() as db:
        await db.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(
                status=outcome.value,
                done_at=now,
                error=error,
                reason=reason.value if reason else None,
                payload=None,
                chat_id=None,
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        )


async def _postpone(
    application: Application, key: str, attempts: int, now: datetime, wait: timedelta, error: str
) -> None:
    _in_flight(application).discard(key)
    runtime_of(application).metrics.deliveries.labels(outcome="retried").inc()
    async with runtime_of(application).db() as db:
        await db.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(
                status=policy.PENDING,
                attempts=attempts,
                next_attempt_at=now + wait,
                error=error[:200],
            )
            .execution_options(synchronize_session=False)
        )


def _seconds(value: float | timedelta) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


async def attempt(
    application: Application,
    key: str,
    row: tuple[int | None, dict[str, Any] | None, int, datetime | None] | None = None,
) -> Outcome:
    """One attempt at a delivery this process has claimed: send its stored message, record what
    Telegram answered. Never raises a TelegramError. ``row`` (chat, payload, attempts so far,
    stale_at) saves reading back what the caller has just written."""
    runtime = runtime_of(application)
    try:
        if row is None:
            async with runtime.db() as db:
                row = (
                    await db.execute(
                        select(
                            Delivery.chat_id,
                            Delivery.payload,
                            Delivery.attempts,
                            Delivery.stale_at,
                        ).where(Delivery.key == key)
                    )
                ).one()
        chat_id, payload, attempts, stale_at = row
        now = runtime.clock()
        if payload is None or chat_id is None:
            await finish(application, key, Outcome.SKIPPED, now, reason=Reason.NOT_KEPT)
            return Outcome.SKIPPED
        if policy.is_stale(now, stale_at):
            reason = Reason(payload.get("stale_reason") or Reason.TOO_OLD)
            await finish(application, key, Outcome.SKIPPED, now, reason=reason)
            log.info("delivery %s went stale (%s) before it could go out", key, reason)
            return Outcome.SKIPPED
        return await _send(application, key, chat_id, payload, attempts + 1)
    finally:
        _in_flight(application).discard(key)


def _background(application: Application) -> dict[str, Any]:
    # A wave takes its turns with other background work, never ahead of people's replies, and a
    # 429 it meets comes back here at once: the delivery is rescheduled instead of holding a task.
    if application.bot.rate_limiter is None:
        return {}
    return {"rate_limit_args": Pacing(retries=0, background=True)}


async def _send(
    application: Application, key: str, chat_id: int, payload: dict[str, Any], attempts: int
) -> Outcome:
    runtime = runtime_of(application)
    markup = payload.get("reply_markup")
    timeout = getattr(runtime.settings, "send_timeout_seconds", None)
    try:
        await application.bot.send_message(
            chat_id,
            payload["text"],
            reply_markup=InlineKeyboardMarkup.de_json(markup, application.bot) if markup else None,
            entities=[MessageEntity(**e) for e in payload["entities"]]
            if payload.get("entities")
            else None,
            read_timeout=timeout,
            **_background(application),
        )
    except RetryAfter as exc:
        # Telegram did nothing: try again once its flood wait is over.
        wait = policy.backoff(attempts, _seconds(exc.retry_after))
        await _postpone(application, key, attempts, runtime.clock(), wait, str(exc))
        return Outcome.PENDING
    except (Forbidden, BadRequest, ChatMigrated) as exc:
        # Blocked the bot, never started it, or the chat is gone: recorded so moderators see who
        # was not reached and why; retrying would not help.
        reason = policy.refusal_reason(str(exc))
        await finish(application, key, Outcome.FAILED, runtime.clock(), str(exc)[:200], reason)
        return Outcome.FAILED
    except TelegramError as exc:
        # 5xx, timeout, connection trouble: the outcome is unknown; by the rule it counts as not
        # delivered (bot/domain/delivery.py) and is tried again after a backoff.
        wait = policy.backoff(attempts)
        log.info("delivery %s: outcome unknown (%s); retrying in %s", key, exc, wait)
        await _postpone(application, key, attempts, runtime.clock(), wait, str(exc))
        return Outcome.PENDING
    except asyncio.CancelledError:
        # Shutting down mid-send: the outcome is unknown; leave it for the next start at once.
        await asyncio.shield(
            _postpone(application, key, attempts, runtime.clock(), timedelta(0), "cancelled")
        )
        raise
    await finish(application, key, Outcome.SENT, runtime.clock())
    return Outcome.SENT


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
    stale_at: datetime | None = None,
    stale_reason: Reason | None = None,
) -> Outcome:
    """Render ``render()`` in ``locale`` and try to send it to ``chat_id`` unless ``key`` was
    already done or is in other hands. PENDING means it will be retried (see ``deliver``)."""
    runtime = runtime_of(application)
    now = runtime.clock()
    with use_locale(locale):
        message = render()
    payload = message.payload()
    if stale_reason is not None:
        payload["stale_reason"] = stale_reason.value
    taken = await _claim(
        application,
        key=key,
        kind=kind,
        now=now,
        session_id=session_id,
        person_id=person_id,
        lease=None,
        chat_id=chat_id,
        payload=payload,
        stale_at=stale_at,
    )
    if taken is None:
        return Outcome.DUPLICATE
    if taken == "inserted":  # nothing to read back: this call has just written it
        return await attempt(
            application, key, (chat_id, payload, 0, policy.stale_deadline(now, stale_at))
        )
    return await attempt(application, key)


async def retry(application: Application, key: str) -> Outcome:
    """Attempt a pending or abandoned delivery again, if nobody else has it."""
    if not await claim(application, key=key, kind="", now=runtime_of(application).clock()):
        return Outcome.DUPLICATE
    return await attempt(application, key)


async def deliver(application: Application, **kwargs: Any) -> Outcome:
    """``send_once``, then retries in line as long as the waits are short (``INLINE_PATIENCE``);
    a delivery still pending after that is finished by the sweep."""
    outcome = await send_once(application, **kwargs)
    runtime = runtime_of(application)
    patience_ends = runtime.clock() + INLINE_PATIENCE
    key = kwargs["key"]
    while outcome is Outcome.PENDING:
        async with runtime.db() as db:
            due = await db.scalar(select(Delivery.next_attempt_at).where(Delivery.key == key))
        now = runtime.clock()
        if due is None or due > patience_ends:
            return Outcome.PENDING
        await asyncio.sleep(max(0.0, (due - now).total_seconds()))
        outcome = await retry(application, key)
        if outcome is Outcome.DUPLICATE:
            return Outcome.PENDING  # the sweep took it over
    return outcome


async def skip(
    application: Application,
    *,
    key: str,
    kind: str,
    reason: str,
    session_id: int | None = None,
    person_id: int | None = None,
) -> bool:
    """Record that ``key`` will never be sent (stale after downtime), unless it was already handled."""
    runtime = runtime_of(application)
    now = runtime.clock()
    if not await claim(
        application, key=key, kind=kind, now=now, session_id=session_id, person_id=person_id
    ):
        return False
    await finish(application, key, Outcome.SKIPPED, now, error=reason)
    log.info("skipped stale delivery %s: %s", key, reason)
    return True


async def status_of(application: Application, key: str) -> str | None:
    async with runtime_of(application).db() as db:
        return await db.scalar(select(Delivery.status).where(Delivery.key == key))


# ---- the sweep -----------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    retried: int = 0
    sent: int = 0
    skipped: int = 0
    released: int = 0  # abandoned marker claims handed back to their owner


async def sweep(application: Application) -> SweepReport:
    """Finish every delivery that is due for another attempt or whose claim has expired."""
    runtime = runtime_of(application)
    now = runtime.clock()
    report = SweepReport()
    async with runtime.db() as db:
        rows = (
            await db.execute(
                select(Delivery.key, Delivery.kind, Delivery.payload, DialogueSession.status)
                .outerjoin(DialogueSession, DialogueSession.id == Delivery.session_id)
                .where(_reclaimable(now, lease_of(application)))
                .order_by(Delivery.id)
                .limit(SWEEP_BATCH)
            )
        ).all()
    in_flight = _in_flight(application)
    todo: list[str] = []
    for key, kind, payload, session_status in rows:
        if key in in_flight:
            continue
        if payload is None and kind in MARKER_KINDS:
            # Its holder died between claiming and recording: hand it back, so the owner's
            # idempotent step (mark a wave done, emit the event) runs again.
            async with runtime.db() as db:
                await db.execute(
                    delete(Delivery).where(Delivery.key == key, Delivery.status == policy.CLAIMED)
                )
            report.released += 1
        elif session_status == "cancelled" and await claim(
            application, key=key, kind=kind, now=now
        ):
            await finish(application, key, Outcome.SKIPPED, now, reason=Reason.SESSION_CANCELLED)
            report.skipped += 1
        else:
            todo.append(key)
    position = 0

    async def worker() -> None:
        nonlocal position
        while position < len(todo):
            key = todo[position]
            position += 1
            outcome = await retry(application, key)
            report.retried += outcome is not Outcome.DUPLICATE
            report.sent += outcome is Outcome.SENT
            report.skipped += outcome is Outcome.SKIPPED

    await asyncio.gather(*(worker() for _ in range(min(SWEEP_CONCURRENCY, len(todo)))))
    if report.retried or report.released or report.skipped:
        log.info(
            "delivery sweep: %d retried (%d sent), %d skipped, %d released",
            report.retried,
            report.sent,
            report.skipped,
            report.released,
        )
    return report


async def _sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sweep(context.application)


SWEEP_JOB = "notifier:sweep"
# A wake-up that comes late (a busy loop, a slow start) must still run, and only once.
JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True}


async def schedule(application: Application) -> None:
    """At start-up and then every ``delivery_sweep_seconds``: sweep unfinished deliveries."""
    job_queue = application.job_queue
    if job_queue is None:
        return
    seconds = getattr(runtime_of(application).settings, "delivery_sweep_seconds", 30.0)
    job_queue.run_repeating(
        _sweep_job, interval=seconds, first=0, name=SWEEP_JOB, job_kwargs=JOB_KWARGS
    )
