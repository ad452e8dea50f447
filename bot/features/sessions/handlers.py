"""Telegram handlers of the sessions part: /newsession, changing sessions, /schedule, /calendar,
the in-group facilitation commands, /findtime, and the observers that count who is heard."""

from __future__ import annotations

import functools
import io
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    MessageReactionHandler,
    filters,
)

from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.domain.errors import BridgeError, NotAllowed, NotFound
from bot.domain.numbers import as_id, is_number, parse_int
from bot.domain.scheduling import (
    MAX_OCCURRENCES,
    AgendaItem,
    Recurrence,
    SchedulingError,
    SchedulingErrorCode,
    SessionDraft,
    canonical_zone_name,
    local_today,
    parse_date,
    parse_local_datetime,
    parse_time_of_day,
    validate_agenda,
)
from bot.domain.scheduling.agenda import ROUND_ITEM, TALK_ITEM
from bot.domain.scheduling.recurrence import MAX_FREQ_WEEKS
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.programs import service as programs
from bot.features.sessions import counting, findtime, participation, render, schedule_view
from bot.features.sessions import jobs as session_jobs
from bot.features.sessions import service as sessions_service
from bot.features.sessions.service import Changed, Created, SessionError
from bot.handler_groups import GROUP_COMMANDS, GROUP_OBSERVERS
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import (
    ALREADY_DONE,
    answer_once,
    button_expired,
    identity,
    reader_zone,
    reply,
    verified_press,
)
from bot.handlers.errors import error_text
from bot.handlers.group_post import render_blocks
from bot.handlers.pickers import rows
from bot.handlers.routing_types import ButtonHandler
from bot.handlers.texts import group_label
from bot.i18n import (
    _,
    format_date,
    format_number,
    format_time,
    format_zone,
    ngettext,
)
from bot.jobs import notifier
from bot.jobs.notifier import Message
from bot.services import access, people
from bot.services.people import Recipient

log = logging.getLogger(__name__)

# Callback actions (signed; capital S so they never meet profile's sl/sc/sz).
NEW_GROUP, NEW_AGENDA_NONE, NEW_REPEAT = "Sng", "Sna", "Snr"
NEW_CONFIRM, NEW_CANCEL = "Snc", "Snx"
REM_PROGRAM, REM_DEFAULT, REM_KEEP = "Srp", "Srd", "Srk"
HAND_NEXT = "Shn"
FT_ANSWER, FT_CONFIRM, FT_REFRESH = "Sfa", "Sfc", "Sfr"

GROUP, WHEN, LENGTH, TITLE, AGENDA, REPEAT, REPEAT_END, CONFIRM = range(8)
DRAFT = "newsession"
# Nonces of drafts already confirmed or cancelled, so a second press is answered politely.
DRAFTS_DONE = "newsession_done"


# ---- errors in the reader's terms ----------------------------------------------------------------------


async def _reader_zone(context: BridgeContext, update: Update) -> str:
    return await reader_zone(update, context)


async def readable(error: BridgeError, update: Update, context: BridgeContext) -> BridgeError:
    """Scheduling errors with instants become errors whose parameters read in the reader's zone;
    the scheduling ``bad_format`` gets its own code (the core one is about durations)."""
    if isinstance(error, SchedulingError) and error.code == SchedulingErrorCode.BAD_FORMAT:
        return BridgeError("bad_datetime", text=error.params.get("text", ""))
    if any(isinstance(v, datetime) for v in error.params.values()):
        zone = await _reader_zone(context, update)
        params = {
            k: (render.when(v, zone) if isinstance(v, datetime) else v)
            for k, v in error.params.items()
        }
        converted = BridgeError(error.code, **params)
        return converted
    return error


def translated_errors(
    handler: Callable[..., Awaitable[Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(handler)
    async def wrapper(update: Update, context: BridgeContext, *args: Any) -> Any:
        try:
            return await handler(update, context, *args)
        except BridgeError as error:
            raise await readable(error, update, context) from error

    return wrapper


async def _say_error(
    update: Update, context: BridgeContext, error: BridgeError, hint: str | None = None
) -> None:
    text = error_text(await readable(error, update, context))
    await reply(update, text + ("\n" + hint if hint else ""))


# ---- /newsession ---------------------------------------------------------------------------------------


def _draft(context: BridgeContext) -> dict:
    return context.person_data.setdefault(DRAFT, {})


async def newsession(update: Update, context: BridgeContext) -> int:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await people.upsert(db, identity(user), context.clock())
        groups = await sessions_service.managed_groups(db, user.id, context.settings.admin_ids)
    if not groups:
        raise NotAllowed("needs_group_moderator")
    context.person_data[DRAFT] = {}
    if len(groups) == 1:
        return await _chose_group(update, context, groups[0].id)
    secret = context.runtime.secret
    buttons = [
        InlineKeyboardButton(g.name[:60], callback_data=sign(secret, user.id, NEW_GROUP, g.id))
        for g in groups[:30]
    ]
    await reply(
        update,
        _("For which group is the new session? (Send /cancel to stop at any time.)"),
        reply_markup=InlineKeyboardMarkup(rows(buttons, 2)),
    )
    return GROUP


async def ns_group_button(update: Update, context: BridgeContext) -> int:
    payload = await _step_press(update, context, NEW_GROUP)
    if payload is None:
        return GROUP
    return await _chose_group(update, context, payload.number(0))


async def _chose_group(update: Update, context: BridgeContext, group_id: int) -> int:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await sessions_service.require_manager(db, group_id, user.id, context.settings.admin_ids)
        group = await group_lookup.by_id(db, group_id)
        zone = await sessions_service.creator_zone(db, user.id, group_id)
    assert group is not None
    # ``zone`` is where typed times are read (a typed zone replaces it); ``reader_zone`` is where
    # the summary and the confirmation show them, so both read in the same zone.
    _draft(context).update(group_id=group_id, zone=zone, reader_zone=zone)
    await reply(
        update,
        _(
            "New session for {group}. When does it start? Send the date and time in your time zone "
            "({zone}), for example 10.03.2026 19:00 or 2026-03-10 19:00. To use another time zone, add it "
            "at the end, for example 10.03.2026 19:00 Europe/Berlin.",
            group=group_label(group.name),
            zone=format_zone(zone),
        ),
    )
    return WHEN


def split_zone(text: str, default_zone: str) -> tuple[str, str]:
    """ "10.03 19:00 Asia/Yerevan" -> ("10.03 19:00", "Asia/Yerevan"); raises unknown_zone."""
    parts = text.split()
    if len(parts) >= 3 and re.fullmatch(r"\d{1,2}[:：]\d{2}", parts[-2]):
        return " ".join(parts[:-1]), canonical_zone_name(parts[-1])
    return text, default_zone


def parse_start(text: str, zone: str, now: datetime) -> tuple[datetime, str]:
    """Typed start -> (naive wall-clock reading as typed, zone). Raises the domain's errors."""
    body, zone = split_zone(text.strip(), zone)
    parse_local_datetime(body, zone, now)  # every check: format, 31 Feb, 25:00, in the past
    cleaned = re.sub(r"(?<=\d)T(?=\d)", " ", " ".join(body.split()), count=1)
    date_text, _sep, time_text = cleaned.rpartition(" ")
    day = parse_date(date_text, local_today(zone, now))
    return datetime.combine(day, parse_time_of_day(time_text)), zone


async def ns_when(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    try:
        start_local, zone = parse_start(message.text or "", draft["zone"], context.clock())
    except BridgeError as error:
        await _say_error(update, context, error, _("Please send the date and time again."))
        return WHEN
    draft.update(start_local=start_local.isoformat(), zone=zone)
    await reply(update, _("How long will it last? For example 90m, 2h or 1h30m."))
    return LENGTH


async def ns_length(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    try:
        duration = parse_duration((message.text or "").strip())
        if duration > timedelta(hours=12):
            raise SchedulingError(
                SchedulingErrorCode.BAD_DURATION, minutes=int(duration.total_seconds() // 60)
            )
    except BridgeError as error:
        await _say_error(update, context, error)
        return LENGTH
    _draft(context)["minutes"] = int(duration.total_seconds() // 60)
    await reply(update, _("What is the session's title?"))
    return TITLE


async def ns_title(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    title = (message.text or "").strip()
    if not title or len(title) > 200:
        await _say_error(
            update, context, SchedulingError(SchedulingErrorCode.BAD_TITLE, length=len(title))
        )
        return TITLE
    _draft(context)["title"] = title
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("No agenda"),
                    callback_data=sign(context.runtime.secret, user.id, NEW_AGENDA_NONE),
                )
            ]
        ]
    )
    await reply(
        update,
        _(
            "Send the agenda, one item per line with its minutes at the end, for example:\n"
            "Welcome 10\nWhat brought us here 40\nNext steps 20\n\nOr tap No agenda."
        )
        + "\n\n"
        + _(
            "A line that starts with 🔁 is a perspective round: when the session reaches it, one "
            "member tells and one of another side restates. For example: 🔁 Perspective round 20"
        ),
        reply_markup=keyboard,
    )
    return AGENDA


ROUND_MARK = "🔁"
_AGENDA_LINE = re.compile(
    r"^(?P<title>.+?)[\s:–—-]+(?P<minutes>\d{1,4})\s*(?:m|min|мин|')?\.?$", re.IGNORECASE
)


def parse_agenda(text: str) -> list[AgendaItem]:
    items = []
    for number, raw in enumerate(line.strip() for line in text.splitlines()):
        if not raw:
            continue
        match = _AGENDA_LINE.match(raw)
        if match is None:
            raise BridgeError("bad_agenda_line", line=number + 1, text=raw[:60])
        title = match["title"].strip()
        kind = TALK_ITEM
        if title.startswith(ROUND_MARK) or title.lower().startswith("round:"):
            # A perspective round (bot/features/rounds): the title keeps the mark everyone sees.
            kind = ROUND_ITEM
            title = ROUND_MARK + " " + title.removeprefix(ROUND_MARK).removeprefix("round:").strip()
        items.append(AgendaItem(title[:200], int(match["minutes"]), kind))
    return items


async def ns_agenda(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    try:
        items = parse_agenda(message.text or "")
        validate_agenda(items, timedelta(minutes=draft["minutes"]))
    except BridgeError as error:
        await _say_error(update, context, error, _("Please send the agenda again."))
        return AGENDA
    draft["agenda"] = [(i.title, i.minutes, i.kind) for i in items]
    return await _ask_repeat(update, context)


async def ns_agenda_none(update: Update, context: BridgeContext) -> int:
    payload = await _step_press(update, context, NEW_AGENDA_NONE)
    if payload is None:
        return AGENDA
    _draft(context)["agenda"] = []
    return await _ask_repeat(update, context)


async def _ask_repeat(update: Update, context: BridgeContext) -> int:
    user = update.effective_user
    assert user is not None
    secret = context.runtime.secret
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Only once"), callback_data=sign(secret, user.id, NEW_REPEAT, 0)
                )
            ],
            [
                InlineKeyboardButton(
                    _("Every week"), callback_data=sign(secret, user.id, NEW_REPEAT, 1)
                ),
                InlineKeyboardButton(
                    _("Every 2 weeks"), callback_data=sign(secret, user.id, NEW_REPEAT, 2)
                ),
            ],
        ]
    )
    await reply(
        update,
        _("Does it repeat? Tap a button, or send a number N for every N weeks."),
        reply_markup=keyboard,
    )
    return REPEAT


async def ns_repeat_button(update: Update, context: BridgeContext) -> int:
    payload = await _step_press(update, context, NEW_REPEAT)
    if payload is None:
        return REPEAT
    return await _chose_repeat(update, context, payload.number(0))


async def ns_repeat_text(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if not is_number(text):
        await reply(update, _("Please tap a button, or send a number of weeks such as 3."))
        return REPEAT
    try:
        weeks = parse_int(text, minimum=1, maximum=MAX_FREQ_WEEKS)
    except BridgeError as error:
        await _say_error(update, context, error)
        return REPEAT
    return await _chose_repeat(update, context, weeks)


async def _chose_repeat(update: Update, context: BridgeContext, weeks: int) -> int:
    _draft(context)["weeks"] = weeks
    if weeks == 0:
        return await _show_summary(update, context, None)
    await reply(
        update,
        _(
            "Until when? Send how many sessions in all (for example 6) or the date of the last one (for example 2026-05-26)."
        ),
    )
    return REPEAT_END


def parse_recurrence_end(text: str, weeks: int, zone: str, now: datetime) -> Recurrence:
    cleaned = text.strip()
    if is_number(cleaned):
        return Recurrence(
            freq_weeks=weeks, count=parse_int(cleaned, minimum=1, maximum=MAX_OCCURRENCES)
        )
    try:
        until = parse_date(cleaned, local_today(zone, now))
    except SchedulingError as error:
        if error.code == SchedulingErrorCode.BAD_FORMAT:
            raise SchedulingError(SchedulingErrorCode.NO_RECURRENCE_END) from None
        raise
    return Recurrence(freq_weeks=weeks, until_local_date=until)


async def ns_repeat_end(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    try:
        recurrence = parse_recurrence_end(
            message.text or "", draft["weeks"], draft["zone"], context.clock()
        )
    except BridgeError as error:
        await _say_error(update, context, error)
        return REPEAT_END
    return await _show_summary(update, context, recurrence)


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


# ---- seeing the schedule (private) ---------------------------------------------------------------------


async def schedule_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        upcoming = await schedule_view.upcoming(db, user.id, context.clock())
    if not upcoming.items:
        await reply(update, _("You have no upcoming sessions."))
        return
    lines = [_("Your upcoming sessions (times in {zone}):", zone=format_zone(upcoming.zone))]
    lines += [render.session_line(s, upcoming.zone, name) for s, name in upcoming.items]
    lines.append(_("/calendar gives you a calendar file."))
    await reply(update, "\n".join(lines))


async def calendar_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    async with context.db() as db:
        content, count = await schedule_view.calendar(
            db, user.id, context.clock(), _("Bridgebot sessions")
        )
    if not count:
        await reply(update, _("You have no sessions to put in a calendar yet."))
        return
    await chat.send_document(
        document=io.BytesIO(content),
        filename="bridgebot-sessions.ics",
        caption=ngettext(
            "{n} session. Open the file to add it to your calendar; open a newer file after changes.",
            "{n} sessions. Open the file to add them to your calendar; open a newer file after changes.",
            count,
        ),
    )


# ---- in the group --------------------------------------------------------------------------------------


async def _group_of(update: Update, context: BridgeContext) -> GroupView:
    chat = update.effective_chat
    assert chat is not None
    async with context.db() as db:
        group = await group_lookup.by_chat(db, chat.id)
    if group is None:
        raise SessionError("session_no_group")
    return group


@translated_errors
async def session_command(update: Update, context: BridgeContext) -> None:
    group = await _group_of(update, context)
    async with context.db() as db:
        upcoming = await sessions_service.next_for_group(db, group.id, context.clock())
        times = await schedule_view.group_local_times(db, upcoming) if upcoming else []
    if upcoming is None:
        await reply(
            update,
            render_blocks(group.languages, lambda: _("No session is planned for this group yet.")),
        )
        return
    await reply(
        update, render_blocks(group.languages, lambda: render.next_session(upcoming, times))
    )


@translated_errors
async def agenda_command(update: Update, context: BridgeContext) -> None:
    group = await _group_of(update, context)
    async with context.db() as db:
        current = await sessions_service.open_for_group(db, group.id)
        upcoming = current or await sessions_service.next_for_group(db, group.id, context.clock())
    if upcoming is None:
        await reply(
            update,
            render_blocks(group.languages, lambda: _("No session is planned for this group yet.")),
        )
        return
    if not upcoming.agenda:
        await reply(
            update,
            render_blocks(
                group.languages, lambda: _("{title} has no agenda.", title=upcoming.title)
            ),
        )
        return

    def text() -> str:
        head = (
            _(
                "Agenda of {title} (now: item {position} of {total}):",
                title=upcoming.title,
                position=(upcoming.agenda_position or 0) + 1,
                total=len(upcoming.agenda),
            )
            if current is not None
            else _("Agenda of {title} (not started yet):", title=upcoming.title)
        )
        return "\n".join(
            [
                head,
                *render.agenda_lines(upcoming, mark=upcoming.agenda_position if current else None),
            ]
        )

    await reply(update, render_blocks(group.languages, text))


@translated_errors
async def next_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    group = await _group_of(update, context)
    async with context.db() as db:
        session, position = await sessions_service.next_item(
            db,
            group_id=group.id,
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            now=context.clock(),
        )
    await session_jobs.announce_agenda(context.application, session, position)


@translated_errors
async def open_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    group = await _group_of(update, context)
    async with context.db() as db:
        opened = await sessions_service.open_by_moderator(
            db,
            group_id=group.id,
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            now=context.clock(),
        )
    await session_jobs.announce_open(context.application, opened)


@translated_errors
async def close_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    group = await _group_of(update, context)
    async with context.db() as db:
        await sessions_service.require_manager(db, group.id, user.id, context.settings.admin_ids)
        current = await sessions_service.open_for_group(db, group.id)
    if current is None:
        raise SessionError("no_open_session")
    await session_jobs.close(context.application, current.id, context.clock())


def _queue_text(queue: list[participation.Hand]) -> str:
    if not queue:
        return _("No hands are raised.")
    return "\n".join(
        [_("Raised hands:")]
        + [_("{place}. {name}", place=i, name=h.name) for i, h in enumerate(queue, start=1)]
    )


def _queue_keyboard(
    context: BridgeContext, chat_id: int, queue: list[participation.Hand]
) -> InlineKeyboardMarkup:
    # The button names the hand first in line when it was drawn, so a double tap (or two
    # moderators at once) gives the floor once instead of skipping the next person.
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Give the floor to the next"),
                    callback_data=sign(
                        context.runtime.secret, chat_id, HAND_NEXT, queue[0].hand_id
                    ),
                )
            ]
        ]
    )


@translated_errors
async def hand_command(update: Update, context: BridgeContext) -> None:
    """/hand: a participant asks for the floor; a moderator sees the queue and advances it."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    group = await _group_of(update, context)
    async with context.db() as db:
        manager = await sessions_service.can_manage(
            db, group.id, user.id, context.settings.admin_ids
        )
        if manager:
            queue = await participation.hand_queue(db, group.id)
        else:
            await people.upsert(db, identity(user), context.clock())
            place, new, queue = await participation.raise_hand(
                db, group_id=group.id, person_id=user.id, now=context.clock()
            )
    if manager:
        # The queue is a group post like the others: every group language reads it. Only
        # moderators can press its button, so the button speaks the moderator's language.
        await reply(
            update,
            render_blocks(group.languages, lambda: _queue_text(queue)),
            reply_markup=_queue_keyboard(context, chat.id, queue) if queue else None,
        )
        return
    name = user.full_name
    if new:
        text = render_blocks(
            group.languages,
            lambda: _(
                "✋ {name} raised a hand (place {place} in the queue).", name=name, place=place
            ),
        )
    else:
        text = render_blocks(
            group.languages,
            lambda: _(
                "✋ {name}, your hand is already up (place {place}).", name=name, place=place
            ),
        )
    await reply(update, text)


async def on_hand_next(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    chat = update.effective_chat
    query = update.callback_query
    assert user is not None and chat is not None and query is not None
    async with context.db() as db:
        group = await group_lookup.by_chat(db, chat.id)
        if group is None or not await sessions_service.can_manage(
            db, group.id, user.id, context.settings.admin_ids
        ):
            await reply(update, _("Only this group's moderators can do that."), alert=True)
            return
        expected = payload.number(0) if payload.arg(0) else None  # "" on older buttons
        try:
            who, rest = await participation.next_hand(
                db,
                group_id=group.id,
                actor_id=user.id,
                admin_ids=context.settings.admin_ids,
                now=context.clock(),
                expected_hand_id=expected,
            )
        except SessionError as error:
            if error.code != "hand_already_given":
                await reply(update, _("The session is not open any more."), alert=True)
                return
            # That hand already has the floor: say so and show the queue as it is now.
            who, rest = None, await participation.hand_queue(db, group.id)
            await answer_once(query, _(ALREADY_DONE))
    await answer_once(query)
    await query.edit_message_text(
        render_blocks(group.languages, lambda: _queue_text(rest)),
        reply_markup=_queue_keyboard(context, chat.id, rest) if rest else None,
    )
    if who is not None:
        await chat.send_message(
            render_blocks(
                group.languages, lambda: _("🎤 {name}, you have the floor.", name=who.name)
            )
        )


# ---- /findtime -----------------------------------------------------------------------------------------


def slot_label(moment: datetime, zone: str) -> str:
    local = moment.astimezone(schedule_zone(zone))
    return _(
        "{day}, {time}",
        day=format_date(local.date(), width="EEE d MMM"),
        time=format_time(moment, zone),
    )


def _answer_keyboard(
    context: BridgeContext,
    person_id: int,
    poll: findtime.PollView,
    chosen: set[int],
    zone: str,
    *,
    none_work: bool = False,
) -> InlineKeyboardMarkup:
    secret = context.runtime.secret
    buttons = [
        [
            InlineKeyboardButton(
                ("☑ " if i in chosen else "☐ ") + slot_label(slot, zone),
                # With the tick it was drawn with: a double tap does not untick again.
                callback_data=sign(
                    secret, person_id, FT_ANSWER, poll.id, i, "1" if i in chosen else "0"
                ),
            )
        ]
        for i, slot in enumerate(poll.slots)
    ]
    buttons.append(
        [
            InlineKeyboardButton(
                ("☑ " if none_work else "") + _("None of these"),
                callback_data=sign(secret, person_id, FT_ANSWER, poll.id, "x"),
            )
        ]
    )
    return InlineKeyboardMarkup(buttons)


def _poll_question(poll: findtime.PollView, group_name: str, zone: str) -> str:
    return _(
        "{group} is looking for a time for {title} ({length}). Tap every time that works for you "
        "(times in {zone}); tap again to undo.",
        group=group_label(group_name),
        title=poll.title,
        length=render.duration_text(poll.duration),
        zone=format_zone(zone),
    )


@translated_errors
async def findtime_command(update: Update, context: BridgeContext) -> None:
    """/findtime [duration] [title]: propose up to 8 slots to every member, each in their own time."""
    user = update.effective_user
    assert user is not None
    group = await _group_of(update, context)
    args = list(context.args or [])
    duration = findtime.DEFAULT_DURATION
    if args and args[0][:1].isdigit():
        duration = parse_duration(args.pop(0))
    title = " ".join(args) or _("Dialogue session")
    async with context.db() as db:
        poll, members = await findtime.create(
            db,
            group_id=group.id,
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            title=title,
            now=context.clock(),
            duration=duration,
        )
    application = context.application
    reached = 0
    for member in members:
        zone = member.zone or "UTC"
        outcome = await notifier.send_once(
            application,
            key=f"findtime:{poll.id}:person:{member.person_id}",
            kind="findtime",
            chat_id=member.person_id,
            locale=member.locale,
            render=functools.partial(
                lambda m, z: Message(
                    _poll_question(poll, group.name, z),
                    _answer_keyboard(context, m.person_id, poll, set(), z),
                ),
                member,
                zone,
            ),
            person_id=member.person_id,
        )
        reached += outcome is notifier.Outcome.SENT
    await reply(
        update,
        render_blocks(
            group.languages,
            lambda: ngettext(
                "🗓 I asked {n} member which of {slots} times work; the moderator will confirm one.",
                "🗓 I asked {n} members which of {slots} times work; the moderator will confirm one.",
                reached,
                slots=len(poll.slots),
            ),
        ),
    )
    await _send_results(context, user.id, poll.id, new=True)


async def _results_text_and_keyboard(
    context: BridgeContext, person_id: int, poll_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    async with context.db() as db:
        outcome = await findtime.results(db, poll_id)
        zone = await schedule_view.person_zone(db, person_id)
    poll = outcome.poll
    lines = [
        _(
            "Find a time for {title}: {answered} of {members} members answered (times in {zone}).",
            title=poll.title,
            answered=outcome.answered,
            members=outcome.members,
            zone=format_zone(zone),
        )
    ]
    # Who said no time works is an answer, not silence: the moderator sees both, by name.
    if outcome.none_work:
        lines.append(
            _(
                "None of these times works for: {names}",
                names=render.format_names(outcome.none_work),
            )
        )
    if outcome.silent and not poll.closed:
        lines.append(_("Not answered yet: {names}", names=render.format_names(outcome.silent)))
    by_index = {s.slot_index: s for s in outcome.scores}
    for index, slot in enumerate(poll.slots):
        score = by_index[index]
        star = "⭐ " if outcome.best is not None and outcome.best.slot_index == index else ""
        sides = ", ".join(f"{side} {format_number(n)}" for side, n in score.available_by_side)
        lines.append(
            _(
                "{star}{index}. {when}: {count} available ({sides})",
                star=star,
                index=index + 1,
                when=slot_label(slot, zone),
                count=score.available_count,
                sides=sides,
            )
        )
    if outcome.best is not None:
        lines.append(
            _(
                "⭐ is my recommendation: most members, then the best balance between sides, then the fewest odd hours."
            )
        )
    if poll.closed:
        lines.append(_("This poll is closed."))
        return "\n".join(lines), None
    secret = context.runtime.secret
    buttons = [
        InlineKeyboardButton(
            _("Confirm {index}", index=index + 1),
            callback_data=sign(secret, person_id, FT_CONFIRM, poll.id, index),
        )
        for index in range(len(poll.slots))
    ]
    keyboard = rows(buttons, 4)
    keyboard.append(
        [
            InlineKeyboardButton(
                _("Refresh"), callback_data=sign(secret, person_id, FT_REFRESH, poll.id)
            )
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def _send_results(context: BridgeContext, person_id: int, poll_id: int, *, new: bool) -> None:
    text, keyboard = await _results_text_and_keyboard(context, person_id, poll_id)
    await context.bot.send_message(person_id, text, reply_markup=keyboard)


async def on_findtime_answer(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    poll_id = payload.number(0)
    slot = None if payload.arg(1) == "x" else payload.number(1)
    drawn = payload.arg(2)  # "1"/"0": ticked when drawn ("" on older buttons; "x" has none)
    repeated = False
    try:
        async with context.db() as db:
            if slot is not None and drawn:
                ticked = slot in await findtime.chosen_by(db, poll_id, user.id)
                repeated = drawn != ("1" if ticked else "0")
            if repeated:
                chosen = await findtime.chosen_by(db, poll_id, user.id)
            else:
                chosen = await findtime.toggle(
                    db, poll_id=poll_id, person_id=user.id, slot_index=slot, now=context.clock()
                )
            poll = await findtime.get(db, poll_id)
            zone = await schedule_view.person_zone(db, user.id)
            none_work = slot is None or (repeated and await findtime.declined(db, poll_id, user.id))
    except SessionError as error:
        if error.code == "poll_closed":
            await reply(
                update,
                _("This poll is closed; the time has been chosen. /schedule shows your sessions."),
                alert=True,
            )
            if query.message is not None:
                await query.edit_message_reply_markup(reply_markup=None)
            return
        raise
    if repeated:
        await query.answer(_(ALREADY_DONE))
    else:
        await query.answer(
            _("Saved.") if slot is not None else _("Noted: none of these times work for you.")
        )
    await query.edit_message_reply_markup(
        reply_markup=_answer_keyboard(context, user.id, poll, chosen, zone, none_work=none_work)
    )


async def on_findtime_refresh(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    text, keyboard = await _results_text_and_keyboard(context, user.id, payload.number(0))
    await query.answer()
    if query.message is not None and getattr(query.message, "text", None) != text:
        await query.edit_message_text(text, reply_markup=keyboard)


@translated_errors
async def on_findtime_confirm(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    poll_id, index = payload.number(0), payload.number(1)
    try:
        async with context.db() as db:
            created = await findtime.confirm(
                db,
                poll_id=poll_id,
                slot_index=index,
                actor_id=user.id,
                admin_ids=context.settings.admin_ids,
                now=context.clock(),
            )
    except SessionError as error:
        if error.code == "poll_closed":
            await reply(update, _("This poll is closed already."), alert=True)
            return
        raise
    text, _keyboard = await _results_text_and_keyboard(context, user.id, poll_id)
    await query.edit_message_text(text, reply_markup=None)
    await _after_created(update, context, created, None)


# ---- observers: who is heard ---------------------------------------------------------------------------


async def count_message(update: Update, context: BridgeContext) -> None:
    """Tally a message (numbers only); bot/jobs/counting.py writes tallies in batches."""
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or user is None or chat is None or user.is_bot:
        return
    words = participation.count_words(message.text or message.caption)
    counting.note(context.application, chat.id, user.id, words=words)


async def count_reaction(update: Update, context: BridgeContext) -> None:
    reaction = update.message_reaction
    if reaction is None or reaction.user is None or not reaction.new_reaction:
        return
    counting.note(context.application, reaction.chat.id, reaction.user.id, reaction=True)


# ---- wiring --------------------------------------------------------------------------------------------

BUTTONS: dict[str, ButtonHandler] = {
    REM_PROGRAM: on_reminders_program,
    REM_DEFAULT: on_reminders_default,
    REM_KEEP: on_reminders_keep,
    NEW_CONFIRM: on_stale_draft_button,
    NEW_CANCEL: on_stale_draft_button,
    HAND_NEXT: on_hand_next,
    FT_ANSWER: on_findtime_answer,
    FT_CONFIRM: on_findtime_confirm,
    FT_REFRESH: on_findtime_refresh,
}

PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS
TEXT = filters.TEXT & ~filters.COMMAND


def build_handlers() -> list[tuple[int, BaseHandler]]:
    """(handler group, handler) pairs; the groups are the constants in bot/handler_groups.py."""
    conversation = ConversationHandler(
        entry_points=[CommandHandler("newsession", translated_errors(newsession), filters=PRIVATE)],
        states={
            GROUP: [CallbackQueryHandler(ns_group_button, pattern=rf"^{NEW_GROUP}\|")],
            WHEN: [MessageHandler(TEXT, ns_when)],
            LENGTH: [MessageHandler(TEXT, ns_length)],
            TITLE: [MessageHandler(TEXT, ns_title)],
            AGENDA: [
                MessageHandler(TEXT, ns_agenda),
                CallbackQueryHandler(ns_agenda_none, pattern=rf"^{NEW_AGENDA_NONE}"),
            ],
            REPEAT: [
                MessageHandler(TEXT, ns_repeat_text),
                CallbackQueryHandler(ns_repeat_button, pattern=rf"^{NEW_REPEAT}\|"),
            ],
            REPEAT_END: [MessageHandler(TEXT, ns_repeat_end)],
            CONFIRM: [
                CallbackQueryHandler(ns_confirm, pattern=rf"^{NEW_CONFIRM}\|"),
                CallbackQueryHandler(ns_cancel_button, pattern=rf"^{NEW_CANCEL}\|"),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", ns_cancel),
            MessageHandler(PRIVATE & ~filters.COMMAND, ns_unexpected),
        ],
        name="newsession",
        conversation_timeout=timedelta(hours=1),
    )
    return [
        (GROUP_COMMANDS, conversation),
        (GROUP_COMMANDS, CommandHandler("sessions", sessions_command, filters=PRIVATE)),
        (GROUP_COMMANDS, CommandHandler("reminders", reminders_command, filters=PRIVATE)),
        (GROUP_COMMANDS, CommandHandler("reschedule", reschedule_command, filters=PRIVATE)),
        (GROUP_COMMANDS, CommandHandler("editsession", edit_command, filters=PRIVATE)),
        (GROUP_COMMANDS, CommandHandler("cancelsession", cancel_command, filters=PRIVATE)),
        (GROUP_COMMANDS, CommandHandler("schedule", schedule_command, filters=PRIVATE)),
        (GROUP_COMMANDS, CommandHandler("calendar", calendar_command, filters=PRIVATE)),
        (GROUP_COMMANDS, CommandHandler("session", session_command, filters=GROUPS)),
        (GROUP_COMMANDS, CommandHandler("agenda", agenda_command, filters=GROUPS)),
        (GROUP_COMMANDS, CommandHandler("next", next_command, filters=GROUPS)),
        (GROUP_COMMANDS, CommandHandler("open", open_command, filters=GROUPS)),
        (GROUP_COMMANDS, CommandHandler("close", close_command, filters=GROUPS)),
        (GROUP_COMMANDS, CommandHandler("hand", hand_command, filters=GROUPS)),
        (GROUP_COMMANDS, CommandHandler("findtime", findtime_command, filters=GROUPS)),
        (
            GROUP_OBSERVERS,
            MessageHandler(
                GROUPS & ~filters.COMMAND & (filters.TEXT | filters.CAPTION), count_message
            ),
        ),
        (GROUP_OBSERVERS, MessageReactionHandler(count_reaction)),
    ]


__all__ = ["BUTTONS", "build_handlers", "on_private_text"]
