"""/groups: the overview of a program's groups, and ``/groups move``."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.features.groups import gate as groups_gate
from bot.features.groups import lookup as group_lookup
from bot.features.groups import service as groups
from bot.features.groups.handlers.common import LIST_PROGRAM, MOVE, MOVE_CANCEL, _admin_ids, _clip
from bot.features.groups.handlers.formation import _languages_text
from bot.features.groups.handlers.invitations import _breaches_text, deliver_invitations
from bot.features.groups.handlers.membership import _remove_from_chat
from bot.features.groups.service import MoveProposal
from bot.features.groups.texts import USAGE_GROUPS, rights_list
from bot.features.programs import service as programs
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import reply
from bot.handlers.pickers import rows
from bot.handlers.texts import group_label
from bot.i18n import _, ngettext
from bot.services import access

# ---- /groups ---------------------------------------------------------------------------------------


def _status_text(item: groups.GroupOverview) -> str:
    if item.chat_id is None:
        return _(
            "not linked yet: send /link {code} in its Telegram group", code=item.link_code or "?"
        )
    if item.bot_status in ("left", "kicked"):
        return _(
            "linked to {chat}, but I was removed from it", chat=item.chat_title or str(item.chat_id)
        )
    return _("linked to {chat}", chat=item.chat_title or str(item.chat_id))


def overview_text(program_name: str, items: list[groups.GroupOverview]) -> str:
    if not items:
        return _(
            "{program} has no dialogue groups yet. Form them with /formgroups.",
            program=program_name,
        )
    parts = [
        ngettext(
            "{program}: {n} dialogue group",
            "{program}: {n} dialogue groups",
            len(items),
            program=program_name,
        )
    ]
    for item in items:
        lines = [
            _(
                "{group} (code {code}): {members} members, {joined} in the chat",
                group=group_label(item.name),
                code=item.link_code or "-",
                members=item.size,
                joined=item.joined,
            ),
            "  " + " · ".join(f"{side} {n}" for side, n in item.members_by_side),
            "  " + _status_text(item),
            "  "
            + (
                _("Moderators: {names}", names=", ".join(item.moderators))
                if item.moderators
                else _("No moderators yet: /moderator add @user {code}", code=item.link_code or "?")
            ),
            "  " + _("Languages: {languages}", languages=_languages_text(item.languages)),
        ]
        if (
            item.chat_id is not None
            and item.missing_rights
            and item.bot_status not in ("left", "kicked")
        ):
            lines.append(
                "  ⚠️ "
                + _("I lack these rights there: {rights}", rights=rights_list(item.missing_rights))
            )
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


async def groups_command(update: Update, context: BridgeContext) -> None:
    """/groups [program] | /groups move @user CODE."""
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if args and args[0].lower() == "move":
        await _groups_move(update, context, args[1:])
        return
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context))
        if args:
            program = await programs.find(db, " ".join(args))
            await access.require_organizer(db, user.id, _admin_ids(context), program.id)
            ids = [program.id]
        else:
            ids = await groups.organized_program_ids(db, user.id, _admin_ids(context))
        names = {pid: (await programs.get(db, pid)).name for pid in ids}
    if not ids:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    if len(ids) > 1:
        buttons = [
            InlineKeyboardButton(
                names[pid][:60],
                callback_data=sign(context.runtime.secret, user.id, LIST_PROGRAM, pid),
            )
            for pid in ids
        ]
        await reply(
            update,
            _("Show the groups of which program?"),
            reply_markup=InlineKeyboardMarkup(rows(buttons, 1)),
        )
        return
    await _show_overview(update, context, ids[0])


async def _show_overview(update: Update, context: BridgeContext, program_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context), program_id)
        program = await programs.get(db, program_id)
        items = await groups.overview(db, program_id)
    await reply(update, _clip(overview_text(program.name, items)))


async def on_list_program(update: Update, context: BridgeContext, payload: Payload) -> None:
    await _show_overview(update, context, payload.number(0))


async def _groups_move(update: Update, context: BridgeContext, args: list[str]) -> None:
    user = update.effective_user
    assert user is not None
    if len(args) != 2:
        await reply(update, _(USAGE_GROUPS))
        return
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context))
        person = await groups.find_person(db, args[0])
        target = await groups.find_group(db, args[1])
        proposal = await groups.check_move(
            db, person.id, target.id, user.id, _admin_ids(context), context.clock()
        )
    await _ask_move(update, context, proposal)


async def _ask_move(update: Update, context: BridgeContext, proposal: MoveProposal) -> None:
    user = update.effective_user
    assert user is not None
    question = _(
        "Move {person} from {source} to {target}?",
        person=proposal.person_name,
        source=group_label(proposal.from_group_name),
        target=group_label(proposal.to_group_name),
    )
    if proposal.breaches:
        body = question + "\n\n" + _("This breaks:") + "\n" + _breaches_text(proposal.breaches)
        confirm = _("Move anyway")
    else:
        body = (
            question
            + "\n\n"
            + _("Both groups stay balanced, within their size range and with a shared language.")
        )
        confirm = _("Move")
    secret = context.runtime.secret
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    confirm,
                    callback_data=sign(
                        secret,
                        user.id,
                        MOVE,
                        proposal.person_id,
                        proposal.from_group_id,
                        proposal.to_group_id,
                    ),
                ),
                InlineKeyboardButton(_("Cancel"), callback_data=sign(secret, user.id, MOVE_CANCEL)),
            ]
        ]
    )
    await reply(update, body, reply_markup=keyboard)


async def on_move(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    person_id, from_id, to_id = payload.number(0), payload.number(1), payload.number(2)
    async with context.db() as db:
        result = await groups.move(
            db, person_id, from_id, to_id, user.id, _admin_ids(context), context.clock()
        )
        target = await group_lookup.by_id(db, to_id)
        name = await groups_gate.person_name(db, person_id) or str(person_id)
    assert target is not None
    await query.edit_message_reply_markup(reply_markup=None)
    if result.was_in_chat and result.from_chat_id is not None:
        await _remove_from_chat(context.application, result.from_chat_id, person_id)
    await reply(
        update, _("Moved {person} to {group}.", person=name, group=group_label(target.name))
    )
    await deliver_invitations(context.application, to_id, {person_id})


async def on_move_cancel(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(reply_markup=None)
    await reply(update, _("Cancelled; nobody was moved."))
