"""Invitations to a group's chat, and placing late joiners into existing groups."""

from __future__ import annotations

import functools
from collections.abc import Collection

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BridgeContext, runtime_of
from bot.features.groups import gate as groups_gate
from bot.features.groups import service as groups
from bot.features.groups.gate import InvitationTarget
from bot.features.groups.handlers.common import PLACE, _admin_ids, log
from bot.features.groups.service import LatePlacement, NamedBreach
from bot.features.programs import service as programs
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import reply
from bot.handlers.texts import group_label
from bot.i18n import _, use_locale
from bot.jobs.notifier import Message, send_once

# ---- invitations -----------------------------------------------------------------------------------


def _others_text(target: InvitationTarget) -> str:
    if target.other_names:
        return "; ".join(
            _("from {side}: {names}", side=side, names=", ".join(names))
            for side, names in target.other_names
        )
    return ", ".join(
        _("{count} from {side}", count=n, side=side) for side, n in target.others_by_side
    )


def invitation_text(target: InvitationTarget, link: str | None) -> str:
    head = _(
        "You are in dialogue group {group} of {program}. Besides you, the group has: {others}.",
        group=target.group_name,
        program=target.program_name,
        others=_others_text(target),
    )
    if link is None:
        return (
            head
            + "\n\n"
            + _(
                "The group's chat is being prepared; I will send you your personal link to join it."
            )
        )
    return (
        head
        + "\n\n"
        + _(
            "Ask to join the group's chat with your personal link (it is only for you; I let in only the group's members):"
        )
        + "\n"
        + link
    )


async def deliver_invitations(
    application: Application, group_id: int, person_ids: Collection[int] | None = None
) -> int:
    """Tell every member of the group who is not in its chat yet where they belong: with a
    personal join-request link once the group is bound, else that the link will follow. Each
    message goes out once per (group, person, chat). Returns how many were sent now."""
    runtime = runtime_of(application)
    async with runtime.db() as db:
        targets = await groups_gate.invitation_targets(db, group_id, person_ids)
    sent = 0
    for target in targets:
        link = target.invite_link
        if target.chat_id is not None and link is None:
            try:
                invite = await application.bot.create_chat_invite_link(
                    target.chat_id,
                    creates_join_request=True,
                    name=f"g{target.group_id}p{target.person_id}"[:32],
                )
            except TelegramError:
                log.warning(
                    "could not create an invite link in chat %s", target.chat_id, exc_info=True
                )
                break
            link = invite.invite_link
            async with runtime.db() as db:
                await groups_gate.set_invite_link(db, target.member_id, link)
        if target.chat_id is not None:
            key, kind = (
                f"ginv:{target.group_id}:{target.person_id}:{target.chat_id}",
                "group_invitation",
            )
        else:
            key, kind = f"gasg:{target.group_id}:{target.person_id}", "group_assignment"
        outcome = await send_once(
            application,
            key=key,
            kind=kind,
            chat_id=target.person_id,
            locale=target.locale,
            render=functools.partial(lambda t, lk: Message(invitation_text(t, lk)), target, link),
            person_id=target.person_id,
        )
        sent += outcome == "sent"
    return sent


# ---- late joiners ----------------------------------------------------------------------------------


def _breach_text(named: NamedBreach) -> str:
    breach, params = named.breach, named.breach.params
    group = group_label(named.group_name)
    if breach.invariant == "balance":
        return _(
            "{group}: {side} would have {count}, its fair share is {low} to {high}.",
            group=group,
            side=named.side_name or "?",
            count=params["count"],
            low=params["allowed_min"],
            high=params["allowed_max"],
        )
    if breach.invariant == "size":
        return _(
            "{group}: {size} members, outside the size range {min_size} to {max_size}.",
            group=group,
            size=params["size"],
            min_size=params["min_size"],
            max_size=params["max_size"],
        )
    if breach.invariant == "language":
        return _("{group}: no language would be shared by every member.", group=group)
    return _(
        "{group}: students and professionals would be mixed in a separate-tracks program.",
        group=group,
    )


def _breaches_text(breaches: tuple[NamedBreach, ...]) -> str:
    return "\n".join(
        "• " + _breach_text(b) + ("" if b.breach.new else " " + _("(already so before)"))
        for b in breaches
    )


async def on_enrolled(
    application: Application, person_id: int, program_id: int
) -> LatePlacement | None:
    """Call after someone enrolled: once the program has groups, place them (a late joiner) and
    invite them; when no group keeps every invariant, ask the organizers to confirm."""
    runtime = runtime_of(application)
    async with runtime.db() as db:
        placement = await groups.place_late_joiner(db, person_id, program_id, runtime.clock())
        if placement is None:
            return None
        organizers = await groups.organizers_of(db, program_id, runtime.settings.admin_ids)
        name = await groups_gate.person_name(db, person_id) or str(person_id)
        program = await programs.get(db, program_id)
    if placement.placed:
        await deliver_invitations(application, placement.group_id, {person_id})
        return placement
    for organizer in organizers:
        with use_locale(organizer.locale):
            text = (
                _(
                    "{person} enrolled in {program} after the groups were formed. The best place is {group}, "
                    "but it breaks:",
                    person=name,
                    program=program.name,
                    group=group_label(placement.group_name),
                )
                + "\n"
                + _breaches_text(placement.breaches)
                + "\n\n"
                + _("Place them there anyway? You can also move people later with /groups move.")
            )
            keyboard = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("Place anyway"),
                            callback_data=sign(
                                runtime.secret,
                                organizer.person_id,
                                PLACE,
                                person_id,
                                placement.group_id,
                            ),
                        )
                    ]
                ]
            )
        try:
            await application.bot.send_message(organizer.person_id, text, reply_markup=keyboard)
        except TelegramError:
            log.info("could not ask organizer %s about a late joiner", organizer.person_id)
    return placement


async def on_place(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    person_id, group_id = payload.number(0), payload.number(1)
    async with context.db() as db:
        placement = await groups.force_place(
            db, person_id, group_id, user.id, _admin_ids(context), context.clock()
        )
        name = await groups_gate.person_name(db, person_id) or str(person_id)
    await query.edit_message_reply_markup(reply_markup=None)
    await reply(
        update,
        _("{person} is now in {group}.", person=name, group=group_label(placement.group_name)),
    )
    await deliver_invitations(context.application, placement.group_id, {person_id})
