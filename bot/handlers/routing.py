"""Routers for what no command names: button presses (verified once here) and typed text in private
chat that answers an earlier question."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import BridgeContext
from bot.handlers import enrol, feedback, groups, moderation, organizer, profile, sessions
from bot.handlers.callbacks import verify
from bot.handlers.common import button_expired, reply
from bot.handlers.routing_types import ButtonHandler
from bot.i18n import _

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
}


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
    try:
        await handler(update, context, payload)
    except (ValueError, IndexError):
        await button_expired(update)


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
