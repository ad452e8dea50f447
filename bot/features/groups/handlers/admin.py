"""/link CODE binds a Telegram group to a dialogue group; /moderator names a group's moderators."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BridgeContext
from bot.features.groups import gate as groups_gate
from bot.features.groups import lookup as group_lookup
from bot.features.groups import service as groups
from bot.features.groups.gate import missing_rights
from bot.features.groups.handlers.common import _admin_ids
from bot.features.groups.handlers.invitations import deliver_invitations
from bot.features.groups.service import GroupError
from bot.features.groups.texts import USAGE_MODERATOR, rights_list
from bot.handlers.common import identity, reply
from bot.handlers.group_post import render_blocks
from bot.handlers.menus import publish_moderator_menu
from bot.handlers.texts import group_label
from bot.i18n import _, use_locale
from bot.services import access, people

# ---- /link -----------------------------------------------------------------------------------------


def _rights_of(member: ChatMember) -> dict[str, bool]:
    return {right: bool(getattr(member, right, False)) for right in groups_gate.REQUIRED_RIGHTS}


async def link_command(update: Update, context: BridgeContext) -> None:
    """/link CODE in a Telegram group: bind it to the dialogue group with that code."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if chat.type == ChatType.PRIVATE:
        raise GroupError("link_in_private")
    if chat.type == ChatType.CHANNEL:
        return
    args = list(context.args or [])
    if len(args) != 1:
        raise GroupError("link_usage")
    code = args[0]
    async with context.db() as db:
        await groups_gate.check_link(db, code, chat.id, user.id, _admin_ids(context))
    me = await context.bot.get_chat_member(chat.id, context.bot.id)
    missing = missing_rights(me.status, _rights_of(me))
    if missing:
        await reply(
            update,
            _(
                "I need these administrator rights here before I can link this chat: {rights}. "
                "Give them to me and send /link CODE again.",
                rights=rights_list(missing),
            ),
        )
        return
    async with context.db() as db:
        target = await groups_gate.bind(
            db, code, chat.id, chat.title, user.id, _admin_ids(context), me.status, context.clock()
        )
        view = await group_lookup.by_id(db, target.group_id)
    assert view is not None
    await chat.send_message(
        render_blocks(
            view.languages,
            lambda: _(
                "This chat is now dialogue group {group} of {program}. I send each member a personal link; "
                "only the group's participants can join.",
                group=target.group_name,
                program=target.program_name,
            ),
        )
    )
    await deliver_invitations(context.application, target.group_id)


# ---- /moderator ------------------------------------------------------------------------------------


async def moderator_command(update: Update, context: BridgeContext) -> None:
    """/moderator add|remove @user [CODE]."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    args = list(context.args or [])
    private = chat.type == ChatType.PRIVATE
    action = args[0].lower() if args else ""
    replied = (
        message.reply_to_message.from_user if message.reply_to_message and not private else None
    )
    if action not in ("add", "remove"):
        await reply(update, _(USAGE_MODERATOR))
        return
    rest = args[1:]
    if replied is not None and (not rest or (private and len(rest) == 1)):
        person_ref = None
    elif rest:
        person_ref, rest = rest[0], rest[1:]
    else:
        await reply(update, _(USAGE_MODERATOR))
        return
    if (private and len(rest) != 1) or (not private and rest):
        await reply(update, _(USAGE_MODERATOR))
        return
    now = context.clock()
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context))
        if private:
            group = await groups.find_group(db, rest[0])
        else:
            group = await groups.group_of_chat(db, chat.id)
        await groups.require_group_organizer(db, group, user.id, _admin_ids(context))
        if person_ref is None:
            assert replied is not None
            await people.upsert(db, identity(replied), now)
            person_id = replied.id
        else:
            person_id = (await groups.find_person(db, person_ref)).id
        if action == "add":
            change = await groups.add_moderator(
                db, group.id, person_id, user.id, _admin_ids(context), now
            )
        else:
            change = await groups.remove_moderator(
                db, group.id, person_id, user.id, _admin_ids(context)
            )
    label = group_label(change.group_name)
    if not change.changed:
        text = (
            _(
                "{person} already moderates {group}; nothing changed.",
                person=change.person.name,
                group=label,
            )
            if action == "add"
            else _(
                "{person} is not a moderator of {group}; nothing changed.",
                person=change.person.name,
                group=label,
            )
        )
        await reply(update, text)
        return
    if group.chat_id is not None:
        await publish_moderator_menu(
            context.bot, group.chat_id, person_id, change.person.locale, moderator=action == "add"
        )
    told = await _tell_moderator(context.application, change, added=action == "add")
    text = (
        _("{person} is now a moderator of {group}.", person=change.person.name, group=label)
        if action == "add"
        else _(
            "{person} is no longer a moderator of {group}.", person=change.person.name, group=label
        )
    )
    if not told:
        text += "\n" + _(
            "I could not tell them in private: they need to open a chat with me first."
        )
    await reply(update, text)


async def _tell_moderator(
    application: Application, change: groups.ModeratorChange, *, added: bool
) -> bool:
    with use_locale(change.person.locale):
        label = change.group_name
        text = (
            _(
                "You are now a moderator of dialogue group {group} of {program}. /help lists what moderators can do.",
                group=label,
                program=change.program_name,
            )
            if added
            else _(
                "You are no longer a moderator of dialogue group {group} of {program}.",
                group=label,
                program=change.program_name,
            )
        )
    try:
        await application.bot.send_message(change.person.person_id, text)
    except TelegramError:
        return False
    return True
