"""/schedule and /calendar in private; in the group: /session, /agenda, /next, /open, /close,
/hand."""

from __future__ import annotations

import io

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.sessions import jobs as session_jobs
from bot.features.sessions import participation, render, schedule_view
from bot.features.sessions import service as sessions_service
from bot.features.sessions.handlers.common import HAND_NEXT, translated_errors
from bot.features.sessions.service import SessionError
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import ALREADY_DONE, answer_once, identity, reply
from bot.handlers.group_post import render_blocks
from bot.i18n import _, format_zone, ngettext
from bot.services import people

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
