"""Organizer commands in private chat: /newprogram, /programs, /invite, /organizer.

The steps live in the modules of this package; this module wires them and exposes every name of
the part as before."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BridgeContext
from bot.domain.numbers import is_number, parse_id
from bot.features.programs import service as programs
from bot.features.programs.handlers.common import (
    CONDUCT,
    GOALS,
    INVITE,
    LANGUAGES,
    NAME,
    NEW,
    SIDES,
    ZONE,
)
from bot.features.programs.handlers.listing import (
    INVITE_OPTIONS,
    invite_command,
    on_invite_button,
    programs_command,
)
from bot.features.programs.handlers.new_program import (
    GOAL_CHOICES,
    newprogram,
    np_cancel,
    np_conduct_button,
    np_conduct_text,
    np_goals_button,
    np_language_button,
    np_name,
    np_sides,
    np_unexpected,
    np_zone_button,
    np_zone_text,
)
from bot.handlers.common import reply
from bot.i18n import _
from bot.services import access

# ---- /organizer (admins and organizers grant the organizer role) ------------------------------------


async def organizer_command(update: Update, context: BridgeContext) -> None:
    """/organizer PROGRAM USER_ID: make someone an organizer of a program."""
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if len(args) != 2 or not is_number(args[1]):
        await reply(update, _("Usage: /organizer PROGRAM_ID USER_ID"))
        return
    person_id = parse_id(args[1])
    async with context.db() as db:
        program = await programs.find(db, args[0])
        await access.require_organizer(db, user.id, context.settings.admin_ids, program.id)
        added = await programs.grant_organizer(
            db, program.id, person_id, granted_by=user.id, now=context.clock()
        )
    if added:
        await reply(
            update,
            _(
                "Done: {person} is now an organizer of {program}.",
                person=args[1],
                program=program.name,
            ),
        )
    else:
        await reply(
            update,
            _(
                "{person} already organizes {program}; nothing changed.",
                person=args[1],
                program=program.name,
            ),
        )


PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND


def build_handlers() -> list:
    return [
        _newprogram_conversation(),
        CommandHandler("programs", programs_command, filters=PRIVATE),
        CommandHandler("invite", invite_command, filters=PRIVATE),
        CommandHandler("organizer", organizer_command, filters=PRIVATE),
    ]


def _newprogram_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("newprogram", newprogram, filters=PRIVATE)],
        states={
            NAME: [MessageHandler(TEXT, np_name)],
            SIDES: [MessageHandler(TEXT, np_sides)],
            LANGUAGES: [CallbackQueryHandler(np_language_button, pattern=r"^np\|")],
            ZONE: [
                MessageHandler(TEXT, np_zone_text),
                CallbackQueryHandler(np_zone_button, pattern=r"^np\|"),
            ],
            CONDUCT: [
                MessageHandler(TEXT, np_conduct_text),
                CallbackQueryHandler(np_conduct_button, pattern=r"^np\|"),
            ],
            GOALS: [CallbackQueryHandler(np_goals_button, pattern=r"^np\|")],
        },
        fallbacks=[
            CommandHandler("cancel", np_cancel),
            MessageHandler(PRIVATE & ~filters.COMMAND, np_unexpected),
        ],
        name="newprogram",
        per_message=False,
        conversation_timeout=timedelta(hours=1),
    )


# The part's names, as they were before it was split into modules.
__all__ = [
    "CONDUCT",
    "GOALS",
    "GOAL_CHOICES",
    "INVITE",
    "INVITE_OPTIONS",
    "LANGUAGES",
    "NAME",
    "NEW",
    "PRIVATE",
    "SIDES",
    "TEXT",
    "ZONE",
    "build_handlers",
    "invite_command",
    "newprogram",
    "np_cancel",
    "np_conduct_button",
    "np_conduct_text",
    "np_goals_button",
    "np_language_button",
    "np_name",
    "np_sides",
    "np_unexpected",
    "np_zone_button",
    "np_zone_text",
    "on_invite_button",
    "organizer_command",
    "programs_command",
]
