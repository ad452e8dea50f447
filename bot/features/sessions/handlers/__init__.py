"""Telegram handlers of the sessions part: every handler in its group (the wiring) and the
observers that count who is heard. The handlers themselves live in the modules beside this one."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
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
from bot.features.sessions import counting, participation
from bot.features.sessions.handlers.announce import (
    announce_change,
    announce_created,
)
from bot.features.sessions.handlers.changes import (
    cancel_command,
    edit_command,
    reschedule_command,
    sessions_command,
)
from bot.features.sessions.handlers.common import (
    AGENDA,
    CONFIRM,
    DRAFT,
    DRAFTS_DONE,
    FT_ANSWER,
    FT_CONFIRM,
    FT_REFRESH,
    GROUP,
    HAND_NEXT,
    LENGTH,
    NEW_AGENDA_NONE,
    NEW_CANCEL,
    NEW_CONFIRM,
    NEW_GROUP,
    NEW_REPEAT,
    REM_DEFAULT,
    REM_KEEP,
    REM_PROGRAM,
    REPEAT,
    REPEAT_END,
    TITLE,
    WHEN,
    log,
    readable,
    translated_errors,
)
from bot.features.sessions.handlers.confirm import (
    ns_cancel,
    ns_cancel_button,
    ns_confirm,
    ns_unexpected,
    on_stale_draft_button,
    schedule_zone,
)
from bot.features.sessions.handlers.findtime import (
    findtime_command,
    on_findtime_answer,
    on_findtime_confirm,
    on_findtime_refresh,
    slot_label,
)
from bot.features.sessions.handlers.live import (
    agenda_command,
    calendar_command,
    close_command,
    hand_command,
    next_command,
    on_hand_next,
    open_command,
    schedule_command,
    session_command,
)
from bot.features.sessions.handlers.new_steps import (
    ROUND_MARK,
    newsession,
    ns_agenda,
    ns_agenda_none,
    ns_group_button,
    ns_length,
    ns_repeat_button,
    ns_repeat_end,
    ns_repeat_text,
    ns_title,
    ns_when,
    parse_agenda,
    parse_recurrence_end,
    parse_start,
    split_zone,
)
from bot.features.sessions.handlers.reminders import (
    AWAIT_REMINDERS,
    REMINDERS_PROMPT_TTL,
    on_private_text,
    on_reminders_default,
    on_reminders_keep,
    on_reminders_program,
    reminders_command,
)
from bot.handler_groups import GROUP_COMMANDS, GROUP_OBSERVERS
from bot.handlers.routing_types import ButtonHandler

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


# The part's names, as they were before it was split into modules.
__all__ = [
    "AGENDA",
    "AWAIT_REMINDERS",
    "BUTTONS",
    "CONFIRM",
    "DRAFT",
    "DRAFTS_DONE",
    "FT_ANSWER",
    "FT_CONFIRM",
    "FT_REFRESH",
    "GROUP",
    "GROUPS",
    "HAND_NEXT",
    "LENGTH",
    "NEW_AGENDA_NONE",
    "NEW_CANCEL",
    "NEW_CONFIRM",
    "NEW_GROUP",
    "NEW_REPEAT",
    "PRIVATE",
    "REMINDERS_PROMPT_TTL",
    "REM_DEFAULT",
    "REM_KEEP",
    "REM_PROGRAM",
    "REPEAT",
    "REPEAT_END",
    "ROUND_MARK",
    "TEXT",
    "TITLE",
    "WHEN",
    "agenda_command",
    "announce_change",
    "announce_created",
    "build_handlers",
    "calendar_command",
    "cancel_command",
    "close_command",
    "count_message",
    "count_reaction",
    "edit_command",
    "findtime_command",
    "hand_command",
    "log",
    "newsession",
    "next_command",
    "ns_agenda",
    "ns_agenda_none",
    "ns_cancel",
    "ns_cancel_button",
    "ns_confirm",
    "ns_group_button",
    "ns_length",
    "ns_repeat_button",
    "ns_repeat_end",
    "ns_repeat_text",
    "ns_title",
    "ns_unexpected",
    "ns_when",
    "on_findtime_answer",
    "on_findtime_confirm",
    "on_findtime_refresh",
    "on_hand_next",
    "on_private_text",
    "on_reminders_default",
    "on_reminders_keep",
    "on_reminders_program",
    "on_stale_draft_button",
    "open_command",
    "parse_agenda",
    "parse_recurrence_end",
    "parse_start",
    "readable",
    "reminders_command",
    "reschedule_command",
    "schedule_command",
    "schedule_zone",
    "session_command",
    "sessions_command",
    "slot_label",
    "split_zone",
    "translated_errors",
]
