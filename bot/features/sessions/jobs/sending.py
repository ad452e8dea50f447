"""Sending a wave of owed messages (reminders, nudges) to members, each once per delivery key,
and posts in the group."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from telegram import ChatPermissions
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import runtime_of
from bot.domain.delivery import Reason
from bot.domain.scheduling import delivery_key
from bot.features.groups.lookup import GroupView
from bot.features.sessions.jobs.common import WAVE_CONCURRENCY, DueReport, log
from bot.features.sessions.service import SessionView
from bot.handlers.group_post import render_blocks
from bot.jobs import notifier
from bot.jobs.notifier import Message, Outcome
from bot.services.people import Recipient

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
