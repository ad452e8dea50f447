"""Telegram handlers of the dialogue-groups part.

Organizers (private): /formgroups (preview, re-run with another seed, confirm), /groups (overview,
``/groups move``), /moderator. In a group: /link CODE, /moderator. Membership events: the bot's own
status (my_chat_member), members joining and leaving (chat_member), join requests (the gate) and
basic groups becoming supergroups.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta

from telegram import (
    ChatMember,
    ChatMemberUpdated,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BridgeContext, runtime_of
from bot.domain.grouping import FormationSpec, NoteCode, ProposedGroup, local_time_window
from bot.features.groups import gate as groups_gate
from bot.features.groups import lookup as group_lookup
from bot.features.groups import service as groups
from bot.features.groups.gate import InvitationTarget, missing_rights
from bot.features.groups.service import (
    GroupError,
    LatePlacement,
    MoveProposal,
    NamedBreach,
    Preview,
    Recipient,
)
from bot.features.groups.texts import USAGE_GROUPS, USAGE_MODERATOR, rights_list
from bot.features.programs import service as programs
from bot.handler_groups import GROUP_COMMANDS, GROUP_MEMBERSHIP
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import identity, reply
from bot.handlers.group_post import render_blocks
from bot.handlers.menus import publish_moderator_menu
from bot.handlers.pickers import rows
from bot.handlers.routing_types import ButtonHandler
from bot.handlers.texts import group_label, role_label
from bot.i18n import _, format_time, format_zone, language_name, ngettext, use_locale
from bot.jobs.notifier import Message, send_once
from bot.rate_limits import retry_after_seconds
from bot.services import access, people

log = logging.getLogger(__name__)

# Callback actions (signed; see bot/handlers/callbacks.py).
CHOOSE_PROGRAM, RERUN, CONFIRM = "Gfp", "Gfs", "Gok"
LIST_PROGRAM, MOVE, MOVE_CANCEL, PLACE = "Gls", "Gmv", "Gmx", "Gpl"

MAX_PREVIEW_GROUPS = 12
MAX_TEXT = 3900
# Approving a join request: how often to try, and how long to wait between tries (seconds).
APPROVE_ATTEMPTS = 3
APPROVE_RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0)
MAX_RETRY_AFTER = 10.0
SIZE_RANGE = re.compile(r"^(\d{1,4})\s*[-–—]\s*(\d{1,4})$")


def _admin_ids(context: BridgeContext) -> frozenset[int]:
    return context.settings.admin_ids


def _who(user: User) -> str:
    if user.username:
        return _(
            "{name} (@{username}, id {id})", name=user.full_name, username=user.username, id=user.id
        )
    return _("{name} (id {id})", name=user.full_name, id=user.id)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


# ---- /formgroups -----------------------------------------------------------------------------------


def _parse_form_args(args: list[str]) -> tuple[str, FormationSpec]:
    """``[program] [min-max] [tracks|mixed]`` -> (program reference, spec). Raises bad_size_range."""
    low, high, tracks = 8, 12, False
    rest = []
    for arg in args:
        match = SIZE_RANGE.match(arg)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
        elif arg.lower() in ("tracks", "track"):
            tracks = True
        elif arg.lower() == "mixed":
            tracks = False
        else:
            rest.append(arg)
    return " ".join(rest), FormationSpec(min_size=low, max_size=high, separate_role_tracks=tracks)


async def formgroups(update: Update, context: BridgeContext) -> None:
    """/formgroups [program] [min-max] [tracks]: preview balanced groups."""
    user = update.effective_user
    assert user is not None
    ref, spec = _parse_form_args(list(context.args or []))
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context))
        if ref:
            program = await programs.find(db, ref)
            await access.require_organizer(db, user.id, _admin_ids(context), program.id)
            ids = [program.id]
        else:
            ids = await groups.organized_program_ids(db, user.id, _admin_ids(context))
        names = {pid: (await programs.get(db, pid)).name for pid in ids}
    if not ids:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    if len(ids) > 1:
        tracks = "t" if spec.separate_role_tracks else "m"
        buttons = [
            InlineKeyboardButton(
                names[pid][:60],
                callback_data=sign(
                    context.runtime.secret,
                    user.id,
                    CHOOSE_PROGRAM,
                    pid,
                    spec.min_size,
                    spec.max_size,
                    tracks,
                ),
            )
            for pid in ids
        ]
        await reply(
            update,
            _("Form groups for which program?"),
            reply_markup=InlineKeyboardMarkup(rows(buttons, 1)),
        )
        return
    await _show_preview(update, context, ids[0], spec, seed=1)


def _spec_from(payload: Payload, seed: int) -> FormationSpec:
    return FormationSpec(
        min_size=payload.number(1),
        max_size=payload.number(2),
        separate_role_tracks=payload.arg(3) == "t",
        seed=seed,
    )


async def _show_preview(
    update: Update, context: BridgeContext, program_id: int, spec: FormationSpec, seed: int
) -> None:
    user = update.effective_user
    assert user is not None
    spec = FormationSpec(spec.min_size, spec.max_size, spec.separate_role_tracks, seed)
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context), program_id)
        shown = await groups.preview(db, program_id, spec, context.clock())
    tracks = "t" if spec.separate_role_tracks else "m"
    secret = context.runtime.secret
    common = (program_id, spec.min_size, spec.max_size, tracks)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🔀 Re-run with another seed"),
                    callback_data=sign(secret, user.id, RERUN, *common, seed + 1),
                ),
                InlineKeyboardButton(
                    _("✅ Confirm"),
                    callback_data=sign(
                        secret, user.id, CONFIRM, *common, seed, shown.roster.fingerprint
                    ),
                ),
            ]
        ]
    )
    await reply(update, _clip(preview_text(shown, context.clock())), reply_markup=keyboard)


def _window_text(group: ProposedGroup, zone: str, now: datetime) -> str:
    window = local_time_window(m.utc_offset_minutes for m in group.members)
    if window is None:
        return _("No time of day when everyone is between 08:00 and 22:00 local time.")
    midnight = datetime.combine(now.date(), time(0), tzinfo=UTC)
    start = format_time(midnight + timedelta(minutes=window[0]), zone)
    end = format_time(midnight + timedelta(minutes=window[1]), zone)
    return _(
        "Everyone is between 08:00 and 22:00 local time from {start} to {end} ({zone}).",
        start=start,
        end=end,
        zone=format_zone(zone),
    )


def _languages_text(locales: tuple[str, ...] | list[str]) -> str:
    from bot.i18n import current_locale

    return ", ".join(language_name(loc, in_locale=current_locale()) for loc in locales)


def _group_preview(shown: Preview, index: int, group: ProposedGroup, now: datetime) -> str:
    roster = shown.roster
    sides = " · ".join(
        f"{roster.side_name(key)} {count}" for key, count in group.side_counts.items()
    )
    roles = " · ".join(f"{role_label(role)} {count}" for role, count in group.role_counts.items())
    lines = [
        ngettext(
            "{group}: {n} member", "{group}: {n} members", group.size, group=group_label(str(index))
        ),
        "  " + sides,
        "  " + roles,
    ]
    if group.shared_languages:
        lines.append(
            "  "
            + _("Shared languages: {languages}", languages=_languages_text(group.shared_languages))
        )
    else:
        lines.append("  " + _("No language is shared by every member."))
    lines.append("  " + _window_text(group, shown.program.timezone, now))
    return "\n".join(lines)


def _note_text(shown: Preview, code: str, params: dict) -> str:
    if code == NoteCode.SIZE_OUT_OF_RANGE:
        return _(
            "{participants} participants cannot all fit groups of {min_size} to {max_size}; the nearest "
            "possible sizes are {sizes}.",
            participants=params["participants"],
            min_size=params["min_size"],
            max_size=params["max_size"],
            sizes=", ".join(str(s) for s in params["sizes"]),
        )
    if code == NoteCode.NO_SHARED_LANGUAGE:
        return ngettext(
            "{group}: {n} member does not speak the group's main language.",
            "{group}: {n} members do not speak the group's main language.",
            len(params["members"]),
            group=group_label(str(int(params["group_index"]) + 1)),
        )
    return ngettext(
        "{n} participant speaks no language that anyone on another side speaks.",
        "{n} participants speak no language that anyone on another side speaks.",
        len(params["members"]),
    )


def preview_text(shown: Preview, now: datetime) -> str:
    formation, spec = shown.formation, shown.spec
    mode = (
        _("separate tracks for students and professionals")
        if spec.separate_role_tracks
        else _("roles mixed")
    )
    head = _(
        "Preview for {program}: {participants} participants in {groups} groups (sizes {min_size} to {max_size}, {mode}; seed {seed}).",
        program=shown.program.name,
        participants=len(shown.roster.members),
        groups=len(formation.groups),
        min_size=spec.min_size,
        max_size=spec.max_size,
        mode=mode,
        seed=spec.seed,
    )
    parts = [head]
    for index, group in enumerate(formation.groups[:MAX_PREVIEW_GROUPS], start=1):
        parts.append(_group_preview(shown, index, group, now))
    hidden = len(formation.groups) - MAX_PREVIEW_GROUPS
    if hidden > 0:
        parts.append(ngettext("…and {n} more group.", "…and {n} more groups.", hidden))
    if formation.notes:
        parts.append(
            "\n".join(
                "⚠️ " + _note_text(shown, note.code, dict(note.params)) for note in formation.notes
            )
        )
    parts.append(
        _("Confirm to create these groups, or re-run for another equally balanced arrangement.")
    )
    return "\n\n".join(parts)


async def on_choose_program(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(reply_markup=None)
    await _show_preview(update, context, payload.number(0), _spec_from(payload, 1), seed=1)


async def on_rerun(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(reply_markup=None)
    seed = payload.number(4)
    await _show_preview(update, context, payload.number(0), _spec_from(payload, seed), seed=seed)


async def on_confirm(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    program_id, seed, fingerprint = payload.number(0), payload.number(4), payload.arg(5)
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context), program_id)
        created = await groups.confirm(
            db, program_id, _spec_from(payload, seed), fingerprint, context.clock()
        )
        program = await programs.get(db, program_id)
    await query.edit_message_reply_markup(reply_markup=None)
    lines = [
        ngettext(
            "Created {n} dialogue group for {program}.",
            "Created {n} dialogue groups for {program}.",
            len(created),
            program=program.name,
        ),
        _(
            "For each group: create a Telegram group, add me as an administrator (delete messages, restrict "
            "and ban members, invite users, pin messages) and send /link CODE there."
        ),
    ]
    lines += [
        _("{group}: code {code}", group=group_label(g.name), code=g.link_code) for g in created
    ]
    await reply(update, _clip("\n".join(lines)))
    for group in created:
        await deliver_invitations(context.application, group.id)


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


# ---- membership events -----------------------------------------------------------------------------


def _in_chat(member: ChatMember) -> bool:
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)


async def _notify(
    application: Application,
    recipients: Collection[Recipient],
    key: str | None,
    render,
    *,
    kind: str,
) -> None:
    """Tell each recipient in their language; with a key, at most once per key and recipient."""
    for recipient in recipients:
        if key is not None:
            await send_once(
                application,
                key=f"{key}:{recipient.person_id}",
                kind=kind,
                chat_id=recipient.person_id,
                locale=recipient.locale,
                render=lambda: Message(render()),
                person_id=recipient.person_id,
            )
            continue
        with use_locale(recipient.locale):
            text = render()
        try:
            await application.bot.send_message(recipient.person_id, text)
        except TelegramError:
            log.info("could not tell %s about a dialogue group event", recipient.person_id)


async def on_my_chat_member(update: Update, context: BridgeContext) -> None:
    """The bot's own status changed in a chat: record it; tell organizers what it lost."""
    changed = update.my_chat_member
    if changed is None or changed.chat.type == ChatType.PRIVATE:
        return
    await _record_bot_status(
        context.application, changed.chat.id, changed.new_chat_member, changed.chat.title
    )


async def _record_bot_status(
    application: Application, chat_id: int, member: ChatMember, title: str | None
) -> tuple[str, ...]:
    runtime = runtime_of(application)
    missing = missing_rights(member.status, _rights_of(member))
    async with runtime.db() as db:
        change = await groups_gate.record_bot_status(
            db, chat_id, member.status, missing, runtime.settings.admin_ids, title
        )
    if change is None or not change.lost:
        return missing
    label, program = change.group.name, change.program_name
    if change.new_status in ("left", "kicked"):

        def render() -> str:
            return _(
                "I was removed from the chat of dialogue group {group} ({program}). Until I am added back as "
                "an administrator, nobody can join it through me and its sessions cannot run.",
                group=label,
                program=program,
            )
    else:

        def render() -> str:
            return _(
                "In the chat of dialogue group {group} ({program}) I no longer have these administrator rights: "
                "{rights}. Please give them back.",
                group=label,
                program=program,
                rights=rights_list(missing),
            )

    await _notify(application, change.organizers, None, render, kind="group_bot_status")
    return missing


async def on_migrate(update: Update, context: BridgeContext) -> None:
    """A basic group became a supergroup: the binding moves to the new chat id."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if message.migrate_to_chat_id:
        old, new = chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, chat.id
    else:
        return
    async with context.db() as db:
        moved = await groups_gate.migrate_chat(db, old, new, chat.title)
    if moved is not None:
        # Links made for the old chat no longer work: members still outside get new ones.
        await deliver_invitations(context.application, moved.id)


async def _approve(application: Application, chat_id: int, user_id: int) -> tuple[str, str]:
    """Approve with retries on transient failures. Returns (outcome, error): outcome is ok, gone
    (no such request any more: handled already), rights (the bot may not) or failed."""
    error = ""
    for attempt in range(APPROVE_ATTEMPTS):
        try:
            await application.bot.approve_chat_join_request(chat_id, user_id)
            return "ok", ""
        except RetryAfter as exc:
            error = str(exc)
            await asyncio.sleep(min(retry_after_seconds(exc), MAX_RETRY_AFTER))
            continue
        except BadRequest as exc:
            text = exc.message.lower()
            if "hide_requester_missing" in text or "user_already_participant" in text:
                return "gone", ""
            if "admin_required" in text or "not enough rights" in text:
                return "rights", exc.message
            return "failed", exc.message
        except Forbidden as exc:
            return "rights", exc.message
        except TelegramError as exc:
            error = exc.message
        if attempt < APPROVE_ATTEMPTS - 1:
            await asyncio.sleep(APPROVE_RETRY_DELAYS[min(attempt, len(APPROVE_RETRY_DELAYS) - 1)])
    return "failed", error


async def on_join_request(update: Update, context: BridgeContext) -> None:
    """The gate: approve a participant assigned to this group who accepted the code of conduct;
    decline everyone else and tell the moderators who tried."""
    request = update.chat_join_request
    assert request is not None
    user, chat = request.from_user, request.chat
    application = context.application
    async with context.db() as db:
        verdict = await groups_gate.judge_join_request(
            db, chat.id, user.id, user.language_code, _admin_ids(context)
        )
    if verdict is None:
        return
    me = await context.bot.get_chat_member(chat.id, context.bot.id)
    missing = await _record_bot_status(application, chat.id, me, chat.title)
    name, day = verdict.group.name, context.clock().strftime("%Y%m%d")

    # Rendered inside each recipient's language, so the labels are made there too.
    def label() -> str:
        return group_label(name)

    def who() -> str:
        return _who(user)

    if missing:
        await _notify(
            application,
            verdict.moderators,
            f"gmiss:{verdict.group.id}:{','.join(missing)}:{day}",
            lambda: _(
                "{person} asked to join {group}, but I lack these administrator rights there: {rights}. "
                "Please give them to me so the group's entry and moderation work.",
                person=who(),
                group=label(),
                rights=rights_list(missing),
            ),
            kind="group_gate",
        )
    if verdict.approve:
        outcome, error = await _approve(application, chat.id, user.id)
        if outcome in ("ok", "gone"):
            return
        stamp = int(context.clock().timestamp())

        def failure() -> str:
            if outcome == "rights":
                return _(
                    "I could not let {person}, a participant of {group}, into the chat: I lack the "
                    "administrator right to {rights}. Please give it to me, or approve their join request by hand.",
                    person=who(),
                    group=label(),
                    rights=rights_list(("can_invite_users",)),
                )
            return _(
                "I could not let {person}, a participant of {group}, into the chat ({error}). Please approve "
                "their join request by hand.",
                person=who(),
                group=label(),
                error=error or "?",
            )

        await _notify(
            application,
            verdict.moderators,
            f"gfail:{verdict.group.id}:{user.id}:{stamp}",
            failure,
            kind="group_gate",
        )
        await _tell_requester(
            application,
            user.id,
            verdict.locale,
            lambda: _(
                "Your request to join the chat of {group} is waiting: something went wrong on Telegram's side. "
                "The moderators were told and will let you in.",
                group=label(),
            ),
        )
        return
    try:
        await context.bot.decline_chat_join_request(chat.id, user.id)
    except BadRequest as exc:
        if "hide_requester_missing" in exc.message.lower():
            return  # a duplicate of a request already declined
        log.warning("could not decline a join request: %s", exc)
    except TelegramError:
        log.warning("could not decline a join request", exc_info=True)
    reason = verdict.reason
    await _notify(
        application,
        verdict.moderators,
        f"gdecl:{verdict.group.id}:{user.id}:{day}",
        lambda: (
            _(
                "{person}, who was removed from {group}, asked to join again; I declined.",
                person=who(),
                group=label(),
            )
            if reason == "removed"
            else _(
                "{person}, a participant of another group, asked to join {group}; I declined.",
                person=who(),
                group=label(),
            )
            if reason == "other_group"
            else _(
                "{person} asked to join {group} but is not one of its participants; I declined.",
                person=who(),
                group=label(),
            )
        ),
        kind="group_gate",
    )
    await _tell_requester(
        application,
        user.id,
        verdict.locale,
        lambda: _(
            "Your request to join this chat was declined: it is only for the participants assigned to "
            "dialogue group {group}. If you think this is a mistake, please contact the organizers.",
            group=label(),
        ),
    )


async def _tell_requester(application: Application, user_id: int, locale: str, render) -> None:
    with use_locale(locale):
        text = render()
    try:
        await application.bot.send_message(user_id, text)
    except TelegramError:
        log.info("could not write to join requester %s", user_id)


async def _remove_from_chat(application: Application, chat_id: int, user_id: int) -> str | None:
    """Take someone out of a chat without a lasting ban (they may come back through the gate).
    Returns None when done, else Telegram's error."""
    try:
        await application.bot.ban_chat_member(chat_id, user_id)
    except TelegramError as exc:
        return exc.message
    try:
        await application.bot.unban_chat_member(chat_id, user_id, only_if_banned=True)
    except TelegramError:
        log.info("could not lift the removal ban of %s in %s", user_id, chat_id)
    return None


async def on_chat_member(update: Update, context: BridgeContext) -> None:
    """Someone joined or left a dialogue group's chat."""
    changed: ChatMemberUpdated | None = update.chat_member
    if changed is None or changed.chat.type == ChatType.PRIVATE:
        return
    member = changed.new_chat_member.user
    if member.id == context.bot.id:
        return
    was_in, is_in = _in_chat(changed.old_chat_member), _in_chat(changed.new_chat_member)
    chat_id = changed.chat.id
    if was_in and not is_in:
        async with context.db() as db:
            await groups_gate.record_left(
                db, chat_id, member.id, removed=changed.from_user.id != member.id
            )
        return
    if was_in or not is_in:
        return
    async with context.db() as db:
        verdict = await groups_gate.judge_direct_join(db, chat_id, member.id, _admin_ids(context))
        if verdict is None or verdict.kind == "staff":
            return
        if verdict.kind == "assigned":
            await groups_gate.record_joined(db, chat_id, member.id, context.clock())
            return
    await _turn_away(context, changed, verdict)


async def _turn_away(
    context: BridgeContext, changed: ChatMemberUpdated, verdict: groups_gate.DirectJoinVerdict
) -> None:
    """Someone who is not a participant of this group got in: silence them at once, then remove them."""
    member, actor, chat_id = changed.new_chat_member.user, changed.from_user, changed.chat.id
    bot = context.bot
    if changed.chat.type == ChatType.SUPERGROUP:
        try:
            await bot.restrict_chat_member(chat_id, member.id, ChatPermissions.no_permissions())
        except TelegramError:
            log.info("could not restrict %s in %s", member.id, chat_id)
    error = await _remove_from_chat(context.application, chat_id, member.id)
    name, by_someone = verdict.group.name, actor.id != member.id
    stamp = int(context.clock().timestamp())

    def render() -> str:
        label, who = group_label(name), _who(member)
        by = _who(actor) if by_someone else None
        if error is not None:
            return _(
                "{person} got into {group} (added by {by}) but is not one of its participants, and I could not "
                "remove them ({error}). They are restricted where I could; please remove them by hand.",
                person=who,
                group=label,
                by=by or who,
                error=error,
            )
        if by is not None:
            return _(
                "{person} was added to {group} by {by} but is not one of its participants, so I removed them. "
                "Participants join with the personal link I send them.",
                person=who,
                group=label,
                by=by,
            )
        return _(
            "{person} joined {group} without a join request and is not one of its participants, so I removed them.",
            person=who,
            group=label,
        )

    await _notify(
        context.application,
        verdict.moderators,
        f"gout:{verdict.group.id}:{member.id}:{stamp}",
        render,
        kind="group_gate",
    )


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
