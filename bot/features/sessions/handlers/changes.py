"""Changing sessions in private: /sessions, /reschedule, /editsession, /cancelsession."""

from __future__ import annotations

from telegram import Update

from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.domain.errors import BridgeError, NotAllowed, NotFound
from bot.domain.numbers import as_id, is_number
from bot.features.sessions import render
from bot.features.sessions import service as sessions_service
from bot.features.sessions.handlers.announce import announce_change
from bot.features.sessions.handlers.common import _reader_zone, translated_errors
from bot.features.sessions.handlers.new_steps import parse_start
from bot.handlers.common import reply
from bot.i18n import _

# ---- changing sessions (private) -----------------------------------------------------------------------


def _session_id(arg: str) -> int:
    if not is_number(arg):
        raise BridgeError("session_usage")
    number = as_id(arg)
    if number is None:  # zero, negative or beyond any id: no such session, as for an unused one
        raise NotFound("unknown_session", session=arg.strip().lstrip("#")[:24])
    return number


@translated_errors
async def sessions_command(update: Update, context: BridgeContext) -> None:
    """/sessions: the upcoming sessions this person may change, with their numbers."""
    user = update.effective_user
    assert user is not None
    now = context.clock()
    async with context.db() as db:
        groups = await sessions_service.managed_groups(db, user.id, context.settings.admin_ids)
        if not groups:
            raise NotAllowed("needs_group_moderator")
        found = [(g, await sessions_service.group_sessions(db, g.id, now)) for g in groups]
    zone = await _reader_zone(context, update)
    lines = [_("Sessions you can change:")]
    for group, items in found:
        for s in items:
            lines.append(_("#{id} {line}", id=s.id, line=render.session_line(s, zone, group.name)))
    if len(lines) == 1:
        lines = [_("There are no upcoming sessions in your groups. Create one with /newsession.")]
    else:
        lines.append("")
        lines.append(
            _(
                "Change one with /reschedule NUMBER DATE TIME, /editsession NUMBER title TEXT, "
                "/editsession NUMBER length 2h, or /cancelsession NUMBER."
            )
        )
    await reply(update, "\n".join(lines))


@translated_errors
async def reschedule_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if len(args) < 3:
        raise BridgeError("session_usage")
    session_id = _session_id(args[0])
    async with context.db() as db:
        current = await sessions_service.get(db, session_id)
        zone = await sessions_service.creator_zone(db, user.id, current.group_id)
    start_local, zone = parse_start(" ".join(args[1:]), zone, context.clock())
    async with context.db() as db:
        changed = await sessions_service.reschedule(
            db,
            session_id=session_id,
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            start_local=start_local,
            zone=zone,
            now=context.clock(),
        )
    reader = await _reader_zone(context, update)
    await reply(
        update,
        _(
            "Moved {title} to {when}. Members are being told in their own time zone.",
            title=changed.after.title,
            when=render.when(changed.after.starts_at, reader),
        ),
    )
    context.application.create_task(
        announce_change(context.application, changed, "rescheduled"), update=update
    )


@translated_errors
async def edit_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if len(args) < 3 or args[1].lower() not in ("title", "length"):
        raise BridgeError("session_usage")
    session_id = _session_id(args[0])
    title = " ".join(args[2:]) if args[1].lower() == "title" else None
    duration = parse_duration(args[2]) if args[1].lower() == "length" else None
    async with context.db() as db:
        changed = await sessions_service.edit(
            db,
            session_id=session_id,
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            now=context.clock(),
            title=title,
            duration=duration,
        )
    await reply(
        update,
        _(
            "Saved: {title}, {length}.",
            title=changed.after.title,
            length=render.duration_text(changed.after.duration),
        ),
    )
    context.application.create_task(
        announce_change(context.application, changed, "edited"), update=update
    )


@translated_errors
async def cancel_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if len(args) != 1:
        raise BridgeError("session_usage")
    async with context.db() as db:
        changed = await sessions_service.cancel(
            db,
            session_id=_session_id(args[0]),
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            now=context.clock(),
        )
    await reply(update, _("Cancelled {title}. Members are being told.", title=changed.after.title))
    context.application.create_task(
        announce_change(context.application, changed, "cancelled"), update=update
    )
