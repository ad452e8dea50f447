"""Telling a group's members that sessions were planned or changed, each in their language and
zone."""

from __future__ import annotations

from bot.features.groups import lookup as group_lookup
from bot.features.sessions import jobs as session_jobs
from bot.features.sessions import render
from bot.features.sessions import service as sessions_service
from bot.features.sessions.service import Changed, Created
from bot.handlers.group_post import render_blocks
from bot.services.people import Recipient

# ---- announcing to members -----------------------------------------------------------------------------


async def _members_and_name(application, group_id: int) -> tuple[list[Recipient], str]:
    runtime = session_jobs.runtime_of(application)
    async with runtime.db() as db:
        members = await sessions_service.recipients(db, group_id)
        group = await group_lookup.by_id(db, group_id)
    return members, group.name if group else ""


async def announce_created(application, created: Created) -> None:
    members, name = await _members_and_name(application, created.group.id)
    first = created.sessions[0]
    report = session_jobs.DueReport()
    await session_jobs.send_wave(
        application,
        kind="announce",
        session=first,
        recipients=members,
        render_for=lambda r: render.announced(created.sessions, r, name),
        report=report,
    )
    await session_jobs.wake_for(application, created.sessions)
    if created.group.chat_id is not None:
        await application.bot.send_message(
            created.group.chat_id,
            render_blocks(
                created.group.languages, lambda: render.announced_group(created.sessions)
            ),
        )


async def announce_change(application, changed: Changed, kind: str) -> None:
    """Tell every member (DM, their language and zone) and the group about an edit, a move or a cancellation."""
    members, name = await _members_and_name(application, changed.group.id)
    after, before = changed.after, changed.before
    if kind == "cancelled":
        render_for = lambda r: render.cancelled(before, r, name)  # noqa: E731
    elif kind == "rescheduled":
        render_for = lambda r: render.rescheduled(before, after, r, name)  # noqa: E731
    else:
        render_for = lambda r: render.edited(before, after, r, name)  # noqa: E731
    await session_jobs.send_wave(
        application,
        kind=f"{kind}_{after.sequence}",
        session=after,
        recipients=members,
        render_for=render_for,
        report=session_jobs.DueReport(),
    )
    if kind == "rescheduled":
        await session_jobs.wake_for(application, [after])
    if changed.group.chat_id is not None:
        await application.bot.send_message(
            changed.group.chat_id,
            render_blocks(
                changed.group.languages, lambda: render.group_changed(before, after, kind)
            ),
        )
