"""/reminders: an organizer sets when a program's reminders go out."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.domain.errors import BridgeError, NotAllowed
from bot.features.programs import service as programs
from bot.features.sessions import jobs as session_jobs
from bot.features.sessions import render
from bot.features.sessions import service as sessions_service
from bot.features.sessions.handlers.common import (
    REM_DEFAULT,
    REM_KEEP,
    REM_PROGRAM,
    _say_error,
    translated_errors,
)
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import reply
from bot.handlers.pickers import rows
from bot.i18n import _, ngettext
from bot.services import access

# ---- /reminders (organizers, private) -------------------------------------------------------------------

AWAIT_REMINDERS = "sessions_reminders_program"
REMINDERS_PROMPT_TTL = timedelta(hours=1)


@translated_errors
async def reminders_command(update: Update, context: BridgeContext) -> None:
    """/reminders: an organizer picks a program and types when reminders go out before sessions."""
    user = update.effective_user
    assert user is not None
    admin_ids = context.settings.admin_ids
    async with context.db() as db:
        await access.require_organizer(db, user.id, admin_ids)
        summaries = await programs.list_for(db, user.id, is_admin=user.id in admin_ids)
    if not summaries:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    if len(summaries) == 1:
        await _ask_reminders(update, context, summaries[0].program.id)
        return
    secret = context.runtime.secret
    buttons = [
        InlineKeyboardButton(
            s.program.name[:60], callback_data=sign(secret, user.id, REM_PROGRAM, s.program.id)
        )
        for s in summaries[:30]
    ]
    await reply(
        update,
        _("Set the reminders of which program?"),
        reply_markup=InlineKeyboardMarkup(rows(buttons, 1)),
    )


async def _ask_reminders(update: Update, context: BridgeContext, program_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids, program_id)
        current = await sessions_service.program_reminders(db, program_id)
    context.person_data[AWAIT_REMINDERS] = {
        "program": program_id,
        "asked_at": context.clock().isoformat(),
    }
    now_text = (
        _(
            "Reminders for {program} go out {offsets} before each session (the default).",
            program=current.program_name,
            offsets=render.offsets_text(current.offsets),
        )
        if current.is_default
        else _(
            "Reminders for {program} go out {offsets} before each session.",
            program=current.program_name,
            offsets=render.offsets_text(current.offsets),
        )
    )
    secret = context.runtime.secret
    keyboard = [
        [
            InlineKeyboardButton(
                _("Keep them"), callback_data=sign(secret, user.id, REM_KEEP, program_id)
            )
        ]
    ]
    if not current.is_default:
        keyboard.insert(
            0,
            [
                InlineKeyboardButton(
                    _("Back to the default (24 hours and 1 hour)"),
                    callback_data=sign(secret, user.id, REM_DEFAULT, program_id),
                )
            ],
        )
    await reply(
        update,
        now_text
        + "\n"
        + _(
            "Send the new times before the start, separated by commas, for example 24h, 1h or "
            "2d, 3h, 15m (at most {limit}, each between 1 minute and 14 days).",
            limit=sessions_service.MAX_PROGRAM_REMINDERS,
        ),
        reply_markup=InlineKeyboardMarkup(keyboard),
    )


@translated_errors
async def on_reminders_program(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    await _ask_reminders(update, context, payload.number(0))
    await query.edit_message_reply_markup(reply_markup=None)


def _pending_reminders(context: BridgeContext) -> int | None:
    """The program whose reminders this organizer was asked to type, if the question is fresh."""
    pending = context.person_data.get(AWAIT_REMINDERS) if context.user_data is not None else None
    if not pending:
        return None
    if context.clock() - datetime.fromisoformat(pending["asked_at"]) > REMINDERS_PROMPT_TTL:
        context.person_data.pop(AWAIT_REMINDERS, None)
        return None
    return int(pending["program"])


async def _set_reminders(
    update: Update, context: BridgeContext, program_id: int, offsets: tuple[timedelta, ...] | None
) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        result = await sessions_service.set_program_reminders(
            db,
            program_id=program_id,
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            offsets=offsets,
            now=context.clock(),
        )
    context.person_data.pop(AWAIT_REMINDERS, None)
    lines = [
        _(
            "Saved: reminders for {program} now go out {offsets} before each session.",
            program=result.program_name,
            offsets=render.offsets_text(result.offsets),
        ),
        ngettext(
            "{n} upcoming session follows the new times; reminders already sent are not sent again.",
            "{n} upcoming sessions follow the new times; reminders already sent are not sent again.",
            result.replanned,
        ),
    ]
    if result.own:
        lines.append(
            ngettext(
                "{n} session has reminder times of its own and keeps them.",
                "{n} sessions have reminder times of their own and keep them.",
                result.own,
            )
        )
    await reply(update, "\n".join(lines))
    await session_jobs.plan_wakeups(context.application, context.clock())


@translated_errors
async def on_reminders_default(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    await _set_reminders(update, context, payload.number(0), None)
    await query.edit_message_reply_markup(reply_markup=None)


async def on_reminders_keep(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    context.person_data.pop(AWAIT_REMINDERS, None)
    await reply(update, _("Nothing changed."))
    await query.edit_message_reply_markup(reply_markup=None)


async def on_private_text(update: Update, context: BridgeContext) -> bool:
    """Typed reminder offsets after /reminders; False for anything else."""
    message = update.effective_message
    if message is None:
        return False
    program_id = _pending_reminders(context)
    if program_id is None:
        return False
    try:
        offsets = sessions_service.parse_reminder_offsets(message.text or "")
        await _set_reminders(update, context, program_id, offsets)
    except BridgeError as error:
        if isinstance(error, NotAllowed):
            context.person_data.pop(AWAIT_REMINDERS, None)
            await _say_error(update, context, error)
        else:
            await _say_error(update, context, error, _("Please send the times again."))
    return True
