"""/findtime: a poll of candidate slots, answers, results and the confirmed session."""

from __future__ import annotations

import functools
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.features.sessions import findtime, render, schedule_view
from bot.features.sessions.handlers.common import (
    FT_ANSWER,
    FT_CONFIRM,
    FT_REFRESH,
    translated_errors,
)
from bot.features.sessions.handlers.confirm import _after_created, schedule_zone
from bot.features.sessions.handlers.live import _group_of
from bot.features.sessions.service import SessionError
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import ALREADY_DONE, reply
from bot.handlers.group_post import render_blocks
from bot.handlers.pickers import rows
from bot.handlers.texts import group_label
from bot.i18n import _, format_date, format_number, format_time, format_zone, ngettext
from bot.jobs import notifier
from bot.jobs.notifier import Message

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
