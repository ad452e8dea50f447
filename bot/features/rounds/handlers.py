"""Telegram side of perspective rounds: /round in a group, the step buttons, the teller's private
answer, the listener's restatement (their next message in the group) and members leaving."""

from __future__ import annotations

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.domain.rounds import RATING, Event, RoundError
from bot.domain.rounds.steps import REPEAT_OFFER
from bot.features.feedback import store as feedback_store
from bot.features.rounds import jobs, render
from bot.features.rounds import service as rounds
from bot.features.sessions.service import SessionError
from bot.handler_groups import GROUP_COMMANDS, GROUP_ROUNDS
from bot.handlers.callbacks import Payload
from bot.handlers.common import answer_once
from bot.handlers.routing_types import ButtonHandler

GROUPS = filters.ChatType.GROUPS


async def round_command(update: Update, context: BridgeContext) -> None:
    """/round [length]: a moderator starts a perspective round in the open session."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    tell = parse_duration(context.args[0]) if context.args else None
    async with context.db() as db:
        group = await rounds.group_by_chat(db, chat.id)
        if group is None:
            raise SessionError("session_no_group")
        view = await rounds.start(
            db,
            group_id=group.id,
            actor_id=user.id,
            admin_ids=context.settings.admin_ids,
            now=context.clock(),
            tell=tell,
        )
    assert view is not None
    await jobs.publish(context.application, None, view)


_EVENTS = {
    render.DONE_TELLING: Event.TELLER_DONE,
    render.RESTATED: Event.RESTATED,
    render.SKIP: Event.SKIP,
    render.STOP: Event.STOP,
}


async def on_step_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    """A button under a step's group post. It carries the step it was drawn for, so a late press
    (or a second one) changes nothing and says the step is over."""
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    round_id = payload.number(0)
    step = render.CODE_STEPS[payload.choice(1, render.CODE_STEPS)]
    expected = (step, payload.number(2))
    async with context.db() as db:
        if payload.action == render.PASS:
            moved = await rounds.pass_turn(
                db, round_id, user.id, context.clock(), expected=expected
            )
        else:
            moved = await rounds.act(
                db,
                round_id,
                _EVENTS[payload.action],
                actor_id=user.id,
                admin_ids=context.settings.admin_ids,
                now=context.clock(),
                expected=expected,
            )
    await answer_once(query)
    await jobs.publish(context.application, moved)


async def on_rate(update: Update, context: BridgeContext, payload: Payload) -> None:
    """The teller's Feeling-Heard answer, in private."""
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    round_id, value, attempt = payload.number(0), payload.number(1), payload.number(2)
    async with context.db() as db:
        moved = await rounds.act(
            db,
            round_id,
            Event.RATED,
            actor_id=user.id,
            now=context.clock(),
            value=value,
            secret=context.runtime.secret,
            expected=(RATING, attempt),
        )
    # The answer's bundle was rewritten: no older version of it stays in the files.
    await feedback_store.settle(context.runtime.engine, written=True)
    await answer_once(query)
    await query.edit_message_text(render.thanks())
    await jobs.publish(context.application, moved)


async def on_repeat(update: Update, context: BridgeContext, payload: Payload) -> None:
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    round_id, attempt = payload.number(0), payload.number(2)
    event = Event.REPEAT if payload.action == render.REPEAT else Event.NO_REPEAT
    async with context.db() as db:
        moved = await rounds.act(
            db,
            round_id,
            event,
            actor_id=user.id,
            now=context.clock(),
            expected=(REPEAT_OFFER, attempt),
        )
    await answer_once(query)
    await query.edit_message_reply_markup(None)
    await jobs.publish(context.application, moved)


async def on_group_message(update: Update, context: BridgeContext) -> None:
    """The listener's next message in the group is their restatement."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or update.effective_message is None:
        return
    waiting = jobs.listening(context.application).get(chat.id)
    if waiting is None or waiting[1] != user.id:
        return
    try:
        async with context.db() as db:
            moved = await rounds.act(
                db,
                waiting[0],
                Event.RESTATED,
                actor_id=user.id,
                now=context.clock(),
            )
    except RoundError:
        # The step moved on meanwhile (a timeout, a moderator): nothing to do with this message.
        jobs.listening(context.application).pop(chat.id, None)
        return
    await jobs.publish(context.application, moved)


def _in_chat(member: ChatMember) -> bool:
    if member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
        return True
    return member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))


async def on_chat_member(update: Update, context: BridgeContext) -> None:
    """A teller or listener who leaves the group mid-round: someone else takes the turn, or the
    round ends with a note."""
    changed: ChatMemberUpdated | None = update.chat_member
    if changed is None or changed.chat.type == ChatType.PRIVATE:
        return
    if not (_in_chat(changed.old_chat_member) and not _in_chat(changed.new_chat_member)):
        return
    async with context.db() as db:
        moved = await rounds.member_gone(
            db, changed.chat.id, changed.new_chat_member.user.id, context.clock()
        )
    if moved is not None:
        await jobs.publish(context.application, moved)


BUTTONS: dict[str, ButtonHandler] = {
    render.DONE_TELLING: on_step_button,
    render.RESTATED: on_step_button,
    render.PASS: on_step_button,
    render.SKIP: on_step_button,
    render.STOP: on_step_button,
    render.RATE: on_rate,
    render.REPEAT: on_repeat,
    render.NO_REPEAT: on_repeat,
}


def build_handlers() -> list[tuple[int, BaseHandler]]:
    return [
        (GROUP_COMMANDS, CommandHandler("round", round_command, filters=GROUPS)),
        (GROUP_ROUNDS, MessageHandler(GROUPS & ~filters.COMMAND, on_group_message)),
        (GROUP_ROUNDS, ChatMemberHandler(on_chat_member, ChatMemberHandler.CHAT_MEMBER)),
    ]


__all__ = ["BUTTONS", "build_handlers"]
