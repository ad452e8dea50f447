"""/programs lists an organizer's programs; /invite makes, lists and withdraws invite links."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.invites import link
from bot.domain.numbers import NumberError, is_number, parse_int
from bot.domain.programs import PARTICIPANT_ROLES
from bot.features.programs import invites
from bot.features.programs import service as programs
from bot.features.programs.handlers.common import INVITE
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import answer_once, button_expired, reply
from bot.handlers.pickers import rows
from bot.handlers.texts import role_label
from bot.i18n import _, format_datetime, ngettext
from bot.services import access, people

# ---- /programs -------------------------------------------------------------------------------------


async def programs_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    admin = user.id in context.settings.admin_ids
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids)
        summaries = await programs.list_for(db, user.id, is_admin=admin)
    if not summaries:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    lines = [_("Your programs:")]
    for summary in summaries:
        counts = ", ".join(f"{side}: {n}" for side, n in summary.enrolled_by_side.items())
        lines.append(
            _(
                "• {name} (#{id}) — enrolled: {counts}",
                name=summary.program.name,
                id=summary.program.id,
                counts=counts,
            )
        )
    await reply(update, "\n".join(lines))


# ---- /invite ---------------------------------------------------------------------------------------

INVITE_OPTIONS = "invite_options"


def _parse_invite_options(args: list[str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for arg in args:
        if is_number(arg):
            try:
                options["max_uses"] = parse_int(arg, minimum=1, maximum=invites.MAX_USES)
            except NumberError:
                raise InvalidInput("bad_max_uses", maximum=invites.MAX_USES) from None
        else:
            options["expires_in"] = parse_duration(arg)
    return options


async def invite_command(update: Update, context: BridgeContext) -> None:
    """/invite [duration] [max uses] or /invite revoke CODE."""
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if args and args[0].lower() == "revoke":
        await _revoke(update, context, args[1] if len(args) > 1 else "")
        return
    options = _parse_invite_options(args)
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids)
        summaries = await programs.list_for(
            db, user.id, is_admin=user.id in context.settings.admin_ids
        )
    context.person_data[INVITE_OPTIONS] = options
    if not summaries:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    secret = context.runtime.secret
    buttons = [
        InlineKeyboardButton(
            s.program.name[:60], callback_data=sign(secret, user.id, INVITE, "p", s.program.id)
        )
        for s in summaries
    ]
    await reply(
        update, _("Invite to which program?"), reply_markup=InlineKeyboardMarkup(rows(buttons, 1))
    )


async def _revoke(update: Update, context: BridgeContext, code: str) -> None:
    user = update.effective_user
    assert user is not None
    code = code.removeprefix("join_").rsplit("join_", 1)[-1]
    async with context.db() as db:
        invite = await invites.get_by_code(db, code)
        await access.require_organizer(db, user.id, context.settings.admin_ids, invite.program_id)
        await invites.revoke(db, code, context.clock())
    await reply(update, _("The invite link was revoked; nobody can join with it any more."))


async def on_invite_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    secret = context.runtime.secret
    step = payload.arg(0)
    if step == "x":
        async with context.db() as db:
            invite = await invites.get_by_id(db, payload.number(1))
            await access.require_organizer(
                db, user.id, context.settings.admin_ids, invite.program_id
            )
            await invites.revoke(db, invite.code, context.clock())
        await query.edit_message_reply_markup(reply_markup=None)
        await reply(update, _("The invite link was revoked; nobody can join with it any more."))
        return
    program_id = payload.number(1)
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids, program_id)
        program = await programs.get(db, program_id)
    if step == "p":
        buttons = [
            InlineKeyboardButton(
                side.name[:60],
                callback_data=sign(secret, user.id, INVITE, "s", program_id, side.id),
            )
            for side in program.sides
        ]
        await answer_once(query)
        await query.edit_message_text(
            _("Invite to {program}: which side?", program=program.name),
            reply_markup=InlineKeyboardMarkup(rows(buttons, 2)),
        )
        return
    side = program.side(payload.number(2))
    if step == "s":
        buttons = [
            InlineKeyboardButton(
                role_label(role),
                callback_data=sign(secret, user.id, INVITE, "r", program_id, side.id, role),
            )
            for role in PARTICIPANT_ROLES
        ] + [
            InlineKeyboardButton(
                _("Either role"),
                callback_data=sign(secret, user.id, INVITE, "r", program_id, side.id, "-"),
            )
        ]
        await answer_once(query)
        await query.edit_message_text(
            _(
                "Invite to {program}, side {side}: for which role?",
                program=program.name,
                side=side.name,
            ),
            reply_markup=InlineKeyboardMarkup([buttons]),
        )
        return
    if step == "r":
        role = None if payload.arg(3) == "-" else payload.arg(3)
        options = context.person_data.get(INVITE_OPTIONS, {})
        now = context.clock()
        expires_in: timedelta | None = options.get("expires_in")  # type: ignore[assignment]
        async with context.db() as db:
            invite = await invites.create(
                db,
                program_id=program_id,
                side_id=side.id,
                role=role,
                created_by=user.id,
                now=now,
                expires_at=now + expires_in if expires_in else None,
                max_uses=options.get("max_uses"),  # type: ignore[arg-type]
            )
        async with context.db() as db:
            person = await people.get(db, user.id)
        await answer_once(query)
        await query.edit_message_text(
            _invite_text(context, invite, person.timezone if person else None),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("Revoke this link"),
                            callback_data=sign(secret, user.id, INVITE, "x", invite.id),
                        )
                    ]
                ]
            ),
        )
        return
    await button_expired(update)


def _invite_text(context: BridgeContext, invite: invites.InviteView, zone: str | None) -> str:
    lines = [
        _(
            "Invite link for {program}, side {side}:",
            program=invite.program_name,
            side=invite.side_name,
        ),
        link(context.runtime.bot_username, invite.code),
    ]
    if invite.role:
        lines.append(_("Role: {role}", role=role_label(invite.role)))
    if invite.expires_at:
        lines.append(
            _(
                "Valid until {date}",
                date=format_datetime(invite.expires_at, zone or "UTC", width="short"),
            )
        )
    if invite.max_uses:
        lines.append(ngettext("Can be used {n} time.", "Can be used {n} times.", invite.max_uses))
    return "\n".join(lines)
