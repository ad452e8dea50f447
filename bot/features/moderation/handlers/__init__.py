"""Telegram handlers of the moderation part: /settings and every handler in its group (the
wiring). Filters, moderator commands, reports and appeals live in the modules beside this one."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import BridgeContext
from bot.dispatch_index import PARTICIPANT_MESSAGE
from bot.features.moderation import rules as rules_service
from bot.features.moderation import rules_handlers as moderation_rules
from bot.features.moderation import service as mod
from bot.features.moderation.common import (
    APPEAL,
    APPEAL_ACCEPT,
    APPEAL_REJECT,
    AWAIT_APPEAL,
    AWAIT_REJECT,
    CACHE_KEY,
    LANGUAGE,
    REPORT,
    SANCTION_LABELS,
    SETTING,
    GroupConduct,
    duration_text,
    invalidate,
    invalidate_program,
)
from bot.features.moderation.handlers.appeals import (
    appeal_command,
    on_appeal_button,
    on_appeal_decision,
    on_private_text,
)
from bot.features.moderation.handlers.commands import (
    Parsed,
    Prepared,
    ban,
    delete,
    kick,
    modlog,
    mute,
    parse,
    prepare,
    rules,
    unban,
    unmute,
    unwarn,
    warn,
    warns,
)
from bot.features.moderation.handlers.common import (
    ACTION_LABELS,
    APPEAL_OUTCOMES,
    APPEAL_PENDING,
    CACHE_TTL,
    MAX_MESSAGE,
    MODLOG_ROWS,
    OUTCOME_LABELS,
    QUOTE_LIMIT,
    REPORT_CODES,
    REPORT_MUTE,
    RIGHT_LABELS,
    RULE_LABELS,
    log,
)
from bot.features.moderation.handlers.conduct_filters import (
    conduct_for,
    enforce,
    on_group_message,
)
from bot.features.moderation.handlers.render import (
    group_line,
    person_line,
    rule_text,
)
from bot.features.moderation.handlers.reports import (
    on_report_button,
    report,
)
from bot.features.moderation.handlers.sending import (
    _dm,  # noqa: F401 (moderation's private sender, used by bursts.py)
    announce,
    carry_out,
    failure_error,
    tell_moderators,
)
from bot.features.moderation.rules_handlers import setting_state
from bot.features.moderation.rules_handlers import settings_view as _settings_view
from bot.handler_groups import GROUP_COMMANDS, GROUP_FILTERS
from bot.handlers.callbacks import Payload, version_tag
from bot.handlers.common import ALREADY_DONE, answer_once, reply
from bot.handlers.routing_types import ButtonHandler
from bot.i18n import _

# ---- /settings -----------------------------------------------------------------------------------------


async def settings_command(update: Update, context: BridgeContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        current = await rules_service.for_group(db, group.program_id, group.id)
        offered = await rules_service.program_languages(db, group.program_id)
    text, keyboard = _settings_view(
        context, user.id, group, dict(current.settings), group.languages, offered
    )
    await reply(update, text, reply_markup=keyboard)


async def on_settings_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    chat, user, query = update.effective_chat, update.effective_user, update.callback_query
    assert chat is not None and user is not None and query is not None
    now = context.clock()
    tag = payload.arg(1)  # the state the button was drawn with ("" on buttons older than tags)
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        current = await rules_service.for_group(db, group.program_id, group.id)
        languages = group.languages
        if payload.action == SETTING:
            drawn = version_tag(setting_state(dict(current.settings), payload.arg(0)))
        else:
            drawn = version_tag(payload.arg(0) in languages)
        if tag and tag != drawn:
            # Pressed on an older state (a double tap, an old copy): this change was made already.
            # Show the state as it is now instead of changing it again.
            offered = await rules_service.program_languages(db, group.program_id)
            text, keyboard = _settings_view(
                context, user.id, group, dict(current.settings), languages, offered
            )
            await answer_once(query, _(ALREADY_DONE))
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        if payload.action == SETTING:
            current = await rules_service.change_group_setting(
                db, group.program_id, group.id, payload.arg(0), actor_id=user.id, now=now
            )
        else:
            languages = await rules_service.toggle_group_language(
                db,
                group.program_id,
                group.id,
                payload.arg(0),
                group.languages,
                actor_id=user.id,
                now=now,
            )
            current = await rules_service.for_group(db, group.program_id, group.id)
        offered = await rules_service.program_languages(db, group.program_id)
    invalidate(context, chat.id)
    text, keyboard = _settings_view(
        context, user.id, group, dict(current.settings), languages, offered
    )
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)  # unchanged is fine (bot_api)


# ---- wiring ------------------------------------------------------------------------------------------

BUTTONS: dict[str, ButtonHandler] = {
    APPEAL: on_appeal_button,
    APPEAL_ACCEPT: on_appeal_decision,
    APPEAL_REJECT: on_appeal_decision,
    REPORT: on_report_button,
    SETTING: on_settings_button,
    LANGUAGE: on_settings_button,
    **moderation_rules.BUTTONS,
}


def build_handlers() -> list[tuple[int, BaseHandler]]:
    """(handler group, handler) pairs; the groups are the constants in bot/handler_groups.py."""
    groups = filters.ChatType.GROUPS
    new_only = filters.UpdateType.MESSAGE
    group_commands = {
        "warn": warn,
        "unwarn": unwarn,
        "warns": warns,
        "mute": mute,
        "unmute": unmute,
        "kick": kick,
        "ban": ban,
        "unban": unban,
        "del": delete,
        "modlog": modlog,
        "settings": settings_command,
        "rules": rules,
        "report": report,
    }
    handlers: list[tuple[int, BaseHandler]] = [
        (
            GROUP_FILTERS,
            MessageHandler(PARTICIPANT_MESSAGE, on_group_message),
        )
    ]
    handlers += [
        (GROUP_COMMANDS, CommandHandler(name, callback, filters=groups & new_only))
        for name, callback in group_commands.items()
    ]
    private = filters.ChatType.PRIVATE
    handlers += [
        (GROUP_COMMANDS, CommandHandler("appeal", appeal_command, filters=private & new_only)),
        (
            GROUP_COMMANDS,
            CommandHandler("conduct", moderation_rules.conduct_command, filters=private & new_only),
        ),
        # A .txt list of blocked terms answering /conduct's question (nothing else takes files).
        (
            GROUP_COMMANDS,
            MessageHandler(private & new_only & filters.Document.ALL, moderation_rules.on_document),
        ),
    ]
    return handlers


__all__ = ["BUTTONS", "build_handlers", "on_private_text"]


# The part's names, as they were before it was split into modules.
__all__ = [
    "ACTION_LABELS",
    "APPEAL",
    "APPEAL_ACCEPT",
    "APPEAL_OUTCOMES",
    "APPEAL_PENDING",
    "APPEAL_REJECT",
    "AWAIT_APPEAL",
    "AWAIT_REJECT",
    "BUTTONS",
    "CACHE_KEY",
    "CACHE_TTL",
    "LANGUAGE",
    "MAX_MESSAGE",
    "MODLOG_ROWS",
    "OUTCOME_LABELS",
    "QUOTE_LIMIT",
    "REPORT",
    "REPORT_CODES",
    "REPORT_MUTE",
    "RIGHT_LABELS",
    "RULE_LABELS",
    "SANCTION_LABELS",
    "SETTING",
    "GroupConduct",
    "Parsed",
    "Prepared",
    "announce",
    "appeal_command",
    "ban",
    "build_handlers",
    "carry_out",
    "conduct_for",
    "delete",
    "duration_text",
    "enforce",
    "failure_error",
    "group_line",
    "invalidate",
    "invalidate_program",
    "kick",
    "log",
    "modlog",
    "mute",
    "on_appeal_button",
    "on_appeal_decision",
    "on_group_message",
    "on_private_text",
    "on_report_button",
    "on_settings_button",
    "parse",
    "person_line",
    "prepare",
    "report",
    "rule_text",
    "rules",
    "setting_state",
    "settings_command",
    "tell_moderators",
    "unban",
    "unmute",
    "unwarn",
    "warn",
    "warns",
]
