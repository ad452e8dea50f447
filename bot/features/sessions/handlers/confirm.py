"""/newsession's summary, confirmation and the creation of the sessions."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.context import BridgeContext
from bot.domain.errors import BridgeError
from bot.domain.scheduling import AgendaItem, Recurrence, SchedulingErrorCode, SessionDraft
from bot.features.sessions import render
from bot.features.sessions import service as sessions_service
from bot.features.sessions.handlers.announce import announce_created
from bot.features.sessions.handlers.common import (
    CONFIRM,
    DRAFT,
    DRAFTS_DONE,
    NEW_CANCEL,
    NEW_CONFIRM,
    REPEAT_END,
    _draft,
    _say_error,
)
from bot.features.sessions.service import Created
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import answer_once, button_expired, reply, verified_press
from bot.handlers.texts import group_label
from bot.i18n import _, format_date, format_time, ngettext


def _session_draft(data: dict) -> SessionDraft:
    repeat = data.get("recurrence")
    recurrence = None
    if repeat is not None:
        recurrence = Recurrence(
            freq_weeks=repeat["weeks"],
            count=repeat["count"],
            until_local_date=date.fromisoformat(repeat["until"]) if repeat["until"] else None,
        )
    return SessionDraft(
        title=data["title"],
        start_local=datetime.fromisoformat(data["start_local"]),
        zone=data["zone"],
        duration=timedelta(minutes=data["minutes"]),
        agenda=tuple(AgendaItem(*item) for item in data.get("agenda", [])),
        recurrence=recurrence,
    )


async def _refused(
    update: Update, context: BridgeContext, error: BridgeError, recurrence: Recurrence | None
) -> int | None:
    """The state to go on in after a draft was refused, or None when the error is not about it."""
    if recurrence is not None and error.code in (
        SchedulingErrorCode.END_BEFORE_START,
        SchedulingErrorCode.TOO_MANY_OCCURRENCES,
    ):
        await _say_error(update, context, error)
        return REPEAT_END
    if error.code in (SchedulingErrorCode.OVERLAP, SchedulingErrorCode.IN_PAST):
        context.person_data.pop(DRAFT, None)
        await _say_error(
            update, context, error, _("Nothing was created. Send /newsession to try again.")
        )
        return ConversationHandler.END
    return None


async def _show_summary(
    update: Update, context: BridgeContext, recurrence: Recurrence | None
) -> int:
    """Check the whole draft (nothing is written) and show it with Confirm / Cancel."""
    user = update.effective_user
    assert user is not None
    data = _draft(context)
    data["recurrence"] = (
        None
        if recurrence is None
        else {
            "weeks": recurrence.freq_weeks,
            "count": recurrence.count,
            "until": recurrence.until_local_date.isoformat()
            if recurrence.until_local_date
            else None,
        }
    )
    draft = _session_draft(data)
    try:
        async with context.db() as db:
            planned = await sessions_service.preview(
                db,
                group_id=data["group_id"],
                actor_id=user.id,
                admin_ids=context.settings.admin_ids,
                draft=draft,
                now=context.clock(),
            )
    except BridgeError as error:
        state = await _refused(update, context, error, recurrence)
        if state is None:
            raise
        return state
    nonce = secrets.token_hex(4)
    data["nonce"] = nonce
    secret = context.runtime.secret
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Confirm"), callback_data=sign(secret, user.id, NEW_CONFIRM, nonce)
                ),
                InlineKeyboardButton(
                    _("Cancel"), callback_data=sign(secret, user.id, NEW_CANCEL, nonce)
                ),
            ]
        ]
    )
    await reply(
        update,
        render.draft_summary(
            group_name=planned.group.name,
            title=draft.title.strip(),
            zone=data.get("reader_zone", planned.zone),
            occurrences=planned.occurrences,
            requested=draft.start_local,
            duration=draft.duration,
            agenda=[(item[0], item[1]) for item in data.get("agenda", [])],
            weeks=data.get("weeks", 0),
        ),
        reply_markup=keyboard,
    )
    return CONFIRM


def _take_draft(context: BridgeContext, nonce: str) -> dict | None:
    """Claim the draft a Confirm/Cancel button belongs to (synchronously: a second press of either
    button, even one handled concurrently, finds nothing to claim)."""
    data = context.person_data.get(DRAFT)
    if data is None or data.get("nonce") != nonce:
        return None
    context.person_data.pop(DRAFT, None)
    done = context.person_data.setdefault(DRAFTS_DONE, {})
    done[nonce] = "pending"
    while len(done) > 20:
        done.pop(next(iter(done)))
    return data


async def _already_handled(update: Update, context: BridgeContext, nonce: str) -> None:
    outcome = context.person_data.get(DRAFTS_DONE, {}).get(nonce)
    if outcome == "created":
        text = _("This session has already been created. /sessions lists it.")
    elif outcome == "cancelled":
        text = _("This draft was cancelled; nothing was created. Send /newsession to start again.")
    elif outcome == "pending":
        text = _("Already on it: the session is being created.")
    else:
        text = _("This button has expired. Please use the latest message.")
    await reply(update, text, alert=True)


async def ns_confirm(update: Update, context: BridgeContext) -> int:
    payload = verified_press(update, context)
    if payload is None or payload.action != NEW_CONFIRM:
        await button_expired(update)
        return CONFIRM
    nonce = payload.arg(0)
    data = _take_draft(context, nonce)
    if data is None:
        await _already_handled(update, context, nonce)
        return ConversationHandler.END
    return await _create_from_draft(update, context, data, nonce)


async def ns_cancel_button(update: Update, context: BridgeContext) -> int:
    payload = verified_press(update, context)
    if payload is None or payload.action != NEW_CANCEL:
        await button_expired(update)
        return CONFIRM
    nonce = payload.arg(0)
    if _take_draft(context, nonce) is None:
        await _already_handled(update, context, nonce)
        return ConversationHandler.END
    context.person_data[DRAFTS_DONE][nonce] = "cancelled"
    query = update.callback_query
    assert query is not None
    await reply(update, _("Cancelled; no session was created."))
    await query.edit_message_reply_markup(reply_markup=None)
    return ConversationHandler.END


async def on_stale_draft_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    """Confirm/Cancel pressed after the conversation ended (a double click, an old summary)."""
    await _already_handled(update, context, payload.arg(0))


async def _create_from_draft(update: Update, context: BridgeContext, data: dict, nonce: str) -> int:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    done = context.person_data.setdefault(DRAFTS_DONE, {})
    try:
        draft = _session_draft(data)
        async with context.db() as db:
            created = await sessions_service.create(
                db,
                group_id=data["group_id"],
                actor_id=user.id,
                admin_ids=context.settings.admin_ids,
                draft=draft,
                now=context.clock(),
            )
    except BridgeError as error:
        # Something changed since the summary (time passed, another session took the slot).
        done.pop(nonce, None)
        await query.edit_message_reply_markup(reply_markup=None)
        await _say_error(
            update, context, error, _("Nothing was created. Send /newsession to try again.")
        )
        return ConversationHandler.END
    except BaseException:
        # A database or network failure: nothing was stored; the same Confirm can be pressed again.
        done.pop(nonce, None)
        context.person_data[DRAFT] = data
        raise
    done[nonce] = "created"
    await answer_once(query)
    await query.edit_message_reply_markup(reply_markup=None)
    await _after_created(update, context, created, data.get("reader_zone"))
    return ConversationHandler.END


async def _after_created(
    update: Update, context: BridgeContext, created: Created, zone: str | None
) -> None:
    if zone is None:
        user = update.effective_user
        assert user is not None
        async with context.db() as db:
            zone = await sessions_service.creator_zone(db, user.id, created.group.id)
    first = created.sessions[0]
    lines = [
        ngettext(
            "Created {n} session for {group}: {title}, first on {when}.",
            "Created {n} sessions for {group}: {title}, first on {when}.",
            len(created.sessions),
            group=group_label(created.group.name),
            title=first.title,
            when=render.when(first.starts_at, zone),
        )
    ]
    for moved in created.adjusted:
        lines.append(
            _(
                "Note: on {day} the clocks change and {time} does not exist; that session starts at {when}.",
                day=format_date(moved.starts_at.astimezone(schedule_zone(moved.zone)).date()),
                time=format_time(moved.starts_at, moved.zone),
                when=render.when(moved.starts_at, moved.zone),
            )
        )
    lines.append(_("Members are being told in their own language and time zone."))
    await reply(update, "\n".join(lines))
    context.application.create_task(announce_created(context.application, created), update=update)


def schedule_zone(name: str):
    from bot.i18n import zone

    return zone(name)


async def ns_cancel(update: Update, context: BridgeContext) -> int:
    data = context.person_data.pop(DRAFT, None)
    if data and data.get("nonce"):
        context.person_data.setdefault(DRAFTS_DONE, {})[data["nonce"]] = "cancelled"
    await reply(update, _("Cancelled; no session was created."))
    return ConversationHandler.END


async def ns_unexpected(update: Update, context: BridgeContext) -> int | None:
    await reply(update, _("Please answer the question above, or send /cancel to stop."))
    return None


async def _step_press(update: Update, context: BridgeContext, action: str) -> Payload | None:
    """A conversation step's button: its payload with the keyboard removed, or None (told expired)."""
    payload = verified_press(update, context)
    if payload is None or payload.action != action:
        await button_expired(update)
        return None
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(reply_markup=None)
    return payload
