"""/newsession, step by step: group, start, length, title, agenda, repetition."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.domain.errors import BridgeError, NotAllowed
from bot.domain.numbers import is_number, parse_int
from bot.domain.scheduling import (
    MAX_OCCURRENCES,
    AgendaItem,
    Recurrence,
    SchedulingError,
    SchedulingErrorCode,
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
from bot.features.sessions import service as sessions_service
from bot.features.sessions.handlers.common import (
    AGENDA,
    DRAFT,
    GROUP,
    LENGTH,
    NEW_AGENDA_NONE,
    NEW_GROUP,
    NEW_REPEAT,
    REPEAT,
    REPEAT_END,
    TITLE,
    WHEN,
    _draft,
    _say_error,
)
from bot.features.sessions.handlers.confirm import _show_summary, _step_press
from bot.handlers.callbacks import sign
from bot.handlers.common import identity, reply
from bot.handlers.pickers import rows
from bot.handlers.texts import group_label
from bot.i18n import _, format_zone
from bot.services import people


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
