"""Telegram handlers of the dialogue-groups part: every handler in its group (the wiring).

Organizers (private): /formgroups (preview, re-run with another seed, confirm), /groups (overview,
``/groups move``), /moderator. In a group: /link CODE, /moderator. Membership events: the bot's own
status (my_chat_member), members joining and leaving (chat_member), join requests (the gate) and
basic groups becoming supergroups. The handlers live in the modules beside this one."""

from __future__ import annotations

from telegram.ext import (
    BaseHandler,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.features.groups.handlers.admin import (
    link_command,
    moderator_command,
)
from bot.features.groups.handlers.common import (
    APPROVE_ATTEMPTS,
    APPROVE_RETRY_DELAYS,
    CHOOSE_PROGRAM,
    CONFIRM,
    LIST_PROGRAM,
    MAX_PREVIEW_GROUPS,
    MAX_RETRY_AFTER,
    MAX_TEXT,
    MOVE,
    MOVE_CANCEL,
    PLACE,
    RERUN,
    SIZE_RANGE,
    log,
)
from bot.features.groups.handlers.formation import (
    formgroups,
    on_choose_program,
    on_confirm,
    on_rerun,
    preview_text,
)
from bot.features.groups.handlers.invitations import (
    deliver_invitations,
    invitation_text,
    on_enrolled,
    on_place,
)
from bot.features.groups.handlers.membership import (
    on_chat_member,
    on_join_request,
    on_migrate,
    on_my_chat_member,
)
from bot.features.groups.handlers.overview import (
    groups_command,
    on_list_program,
    on_move,
    on_move_cancel,
    overview_text,
)
from bot.handler_groups import GROUP_COMMANDS, GROUP_MEMBERSHIP
from bot.handlers.routing_types import ButtonHandler

# ---- registration ----------------------------------------------------------------------------------

BUTTONS: dict[str, ButtonHandler] = {
    CHOOSE_PROGRAM: on_choose_program,
    RERUN: on_rerun,
    CONFIRM: on_confirm,
    LIST_PROGRAM: on_list_program,
    MOVE: on_move,
    MOVE_CANCEL: on_move_cancel,
    PLACE: on_place,
}


def build_handlers() -> list[tuple[int, BaseHandler]]:
    """(handler group, handler) pairs; the groups are the constants in bot/handler_groups.py."""
    private = filters.ChatType.PRIVATE
    return [
        (GROUP_MEMBERSHIP, ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)),
        (GROUP_MEMBERSHIP, ChatMemberHandler(on_chat_member, ChatMemberHandler.CHAT_MEMBER)),
        (GROUP_MEMBERSHIP, ChatJoinRequestHandler(on_join_request)),
        (GROUP_MEMBERSHIP, MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate)),
        (GROUP_COMMANDS, CommandHandler("link", link_command)),
        (GROUP_COMMANDS, CommandHandler("moderator", moderator_command)),
        (GROUP_COMMANDS, CommandHandler("formgroups", formgroups, filters=private)),
        (GROUP_COMMANDS, CommandHandler("groups", groups_command, filters=private)),
    ]


__all__ = ["BUTTONS", "build_handlers", "deliver_invitations", "on_enrolled"]


# The part's names, as they were before it was split into modules.
__all__ = [
    "APPROVE_ATTEMPTS",
    "APPROVE_RETRY_DELAYS",
    "BUTTONS",
    "CHOOSE_PROGRAM",
    "CONFIRM",
    "LIST_PROGRAM",
    "MAX_PREVIEW_GROUPS",
    "MAX_RETRY_AFTER",
    "MAX_TEXT",
    "MOVE",
    "MOVE_CANCEL",
    "PLACE",
    "RERUN",
    "SIZE_RANGE",
    "build_handlers",
    "deliver_invitations",
    "formgroups",
    "groups_command",
    "invitation_text",
    "link_command",
    "log",
    "moderator_command",
    "on_chat_member",
    "on_choose_program",
    "on_confirm",
    "on_enrolled",
    "on_join_request",
    "on_list_program",
    "on_migrate",
    "on_move",
    "on_move_cancel",
    "on_my_chat_member",
    "on_place",
    "on_rerun",
    "overview_text",
    "preview_text",
]
