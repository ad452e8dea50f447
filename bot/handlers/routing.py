"""Routers for what no command names: button presses (verified once here, and used up once unless
the kind is listed in REPEATABLE) and typed text in private chat that answers an earlier question."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import BridgeContext
from bot.features.enrolment import handlers as enrol
from bot.features.feedback import handlers as feedback
from bot.features.groups import handlers as groups
from bot.features.moderation import handlers as moderation
from bot.features.moderation import rules_handlers as moderation_rules
from bot.features.pairs import handlers as pairs
from bot.features.profile import handlers as profile
from bot.features.programs import handlers as organizer
from bot.features.rounds import handlers as rounds_handlers
from bot.features.sessions import handlers as sessions
from bot.handlers.callbacks import verify
from bot.handlers.common import ALREADY_DONE, button_expired, reply
from bot.handlers.routing_types import ButtonHandler
from bot.i18n import _
from bot.services import presses

log = logging.getLogger(__name__)

BUTTONS: dict[str, ButtonHandler] = {
    **dict.fromkeys(
        (enrol.LANG, enrol.ROLE, enrol.COUNTRY, enrol.ZONE, enrol.ACCEPT, enrol.DECLINE),
        enrol.on_button,
    ),
    **dict.fromkeys(
        (
            profile.SET_LANG,
            profile.SET_COUNTRY,
            profile.SET_ZONE,
            profile.FORGET_YES,
            profile.FORGET_NO,
        ),
        profile.on_button,
    ),
    organizer.INVITE: organizer.on_invite_button,
    **groups.BUTTONS,
    **moderation.BUTTONS,
    **sessions.BUTTONS,
    **feedback.BUTTONS,
    **rounds_handlers.BUTTONS,
    **pairs.BUTTONS,
}


# Buttons that may act on every press, and why that is safe. Every other kind is one-shot: its second
# press gets "This was already done." (bot/services/presses.py), across restarts.
REPEATABLE: dict[str, str] = {
    **dict.fromkeys(
        (enrol.LANG, enrol.ROLE, enrol.COUNTRY, enrol.ZONE, enrol.ACCEPT, enrol.DECLINE),
        "each step carries the draft's nonce; a press of an answered step shows the current one",
    ),
    feedback.START: "opens the survey; the receipt refuses a second response to it",
    **dict.fromkeys(
        (feedback.ANSWER, feedback.SKIP, feedback.DONE),
        "the answers in progress accept only the current question's buttons; the receipt refuses a "
        "second response",
    ),
    moderation.APPEAL: "only asks for the reason; the service takes one appeal per sanction",
    moderation.SETTING: (
        "carries the value it was drawn with; a press on an older value changes nothing, says "
        "'already done' and redraws the settings"
    ),
    moderation.LANGUAGE: (
        "carries whether the language was on when drawn; a press on an older state changes "
        "nothing and says 'already done'"
    ),
    moderation_rules.GROUP_DOMAINS: (
        "asks in private for the group's sites (and says so in the group when it cannot); "
        "nothing changes until they are typed"
    ),
    moderation_rules.CYCLE: (
        "carries the value it was drawn with; a press on an older value changes nothing, says "
        "'already done' and redraws the panel"
    ),
    sessions.HAND_NEXT: (
        "names the hand first in line when drawn; a later press of it says 'already done' instead "
        "of skipping the next person"
    ),
    sessions.FT_ANSWER: (
        "carries the tick it was drawn with; a press on an older tick says 'already done'; "
        "'None of these' sets, it does not toggle"
    ),
    sessions.FT_REFRESH: "only shows the current results again",
    **pairs.REPEATABLE,
}


# One-shot kinds whose effect is what they send (files, a list, a preview): used up only once all of
# it went out, so a send that fails can be pressed again; what they write is incidental.
USED_AFTER_SENDING = frozenset(
    {
        feedback.REPORT,
        feedback.EXPORT,
        groups.CHOOSE_PROGRAM,
        groups.RERUN,
        groups.LIST_PROGRAM,
        moderation_rules.PICK,
        sessions.REM_PROGRAM,
    }
)


async def on_button(update: Update, context: BridgeContext) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    payload = verify(context.runtime.secret, user.id, query.data)
    chat = update.effective_chat
    if payload is None and chat is not None and chat.type != ChatType.PRIVATE:
        # Buttons meant for everyone in a group are signed for the group chat instead of a person.
        payload = verify(context.runtime.secret, chat.id, query.data)
    handler = BUTTONS.get(payload.action) if payload else None
    if payload is None or handler is None:
        # Forged, copied from someone else's keyboard, or from a flow that has ended.
        await button_expired(update)
        return
    message = query.message
    press = presses.Press(
        key=presses.press_key(
            context.runtime.secret,
            message.chat.id if message is not None else 0,
            message.message_id if message is not None else 0,
            user.id,
            query.data or "",
        ),
        action=payload.action,
        pressed_at=context.clock(),
        with_changes=payload.action not in USED_AFTER_SENDING,
    )
    # Two presses at once (a double click) take turns, so the second one sees the first one's row
    # (or, for the kinds below, the state the first one left).
    async with presses.lock_for(press.key):
        if payload.action in REPEATABLE:
            await _run(handler, update, context, payload)
            return
        async with context.db() as db:
            used = await presses.is_used(db, press.key)
        if used:
            await reply(update, _(ALREADY_DONE), alert=True)
            return
        await _run_once(handler, update, context, payload, press)


async def _run(handler: ButtonHandler, update: Update, context: BridgeContext, payload) -> None:
    # Nothing is caught here: signed data a handler cannot read raises BridgeError("stale_step")
    # (Payload.number/choice), which the error handler answers "expired"; any other error is a bug
    # and reported as one, never disguised as an expired button.
    await handler(update, context, payload)


async def _run_once(
    handler: ButtonHandler,
    update: Update,
    context: BridgeContext,
    payload,
    press: presses.Press,
) -> None:
    token = presses.begin(press)
    try:
        await _run(handler, update, context, payload)
    except IntegrityError:
        if press.recorded:
            async with context.db() as db:
                if await presses.is_used(db, press.key):
                    # Another instance used this button first; our transaction rolled back.
                    await reply(update, _(ALREADY_DONE), alert=True)
                    return
        raise
    except TelegramError:
        if not press.committed:
            raise
        # What the press did is saved; telling the person "nothing was saved" would be false.
        # Pressing again says "already done".
        log.warning("a button's change was saved but the answer could not be sent", exc_info=True)
        return
    finally:
        presses.end(press, token)
    if not press.recorded:
        # The press changed nothing in the database (a file sent, a question asked): use it up now.
        try:
            async with context.db() as db:
                await presses.record(db, press)
        except IntegrityError:
            pass  # another instance recorded the same press at the same moment


# Each answers typed text that replies to a question it asked, returning False when it asked none.
# Area modules take part by defining ``async def on_private_text(update, context) -> bool``.
TEXT_HOOKS = [
    enrol.on_text,
    profile.on_text,
    *(
        hook
        for area in (groups, moderation, sessions, feedback)
        if (hook := getattr(area, "on_private_text", None)) is not None
    ),
    # Last: the relay to a pair partner takes only text no question above was waiting for, so a
    # survey comment, an appeal's reason or an enrolment answer never goes to the partner.
    pairs.on_private_text,
]


async def on_private_text(update: Update, context: BridgeContext) -> None:
    for hook in TEXT_HOOKS:
        if await hook(update, context):
            return
    await reply(update, _("I didn't understand that. /help lists what you can do."))


async def on_unknown_command(update: Update, context: BridgeContext) -> None:
    await reply(update, _("I don't know that command. /help lists what you can do."))


def build_handlers() -> list:
    private = filters.ChatType.PRIVATE
    return [
        CallbackQueryHandler(on_button),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_private_text),
        MessageHandler(private & filters.COMMAND, on_unknown_command),
    ]
