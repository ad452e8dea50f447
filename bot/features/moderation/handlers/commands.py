"""Moderator commands in a group (/warn, /mute, /kick, /ban, their undoing, /del, /warns,
/modlog) and /rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram import Message, MessageEntity, Update

from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.features.groups.lookup import GroupView
from bot.features.moderation import ops
from bot.features.moderation import service as mod
from bot.features.moderation.common import SANCTION_LABELS, duration_text
from bot.features.moderation.common import label as _label
from bot.features.moderation.common import step_text as _step_text
from bot.features.moderation.handlers.common import (
    _DURATION_LIKE,
    ACTION_LABELS,
    APPEAL_OUTCOMES,
    APPEAL_PENDING,
    MODLOG_ROWS,
)
from bot.features.moderation.handlers.render import _reason, person_line
from bot.features.moderation.handlers.sending import (
    _dm,
    _post,
    _target_locale,
    announce,
    carry_out,
    failure_error,
)
from bot.features.moderation.service import Decision, ModerationError, Target
from bot.features.programs import service as programs
from bot.handlers.common import identity, reader_zone, reply
from bot.handlers.group_post import render_blocks
from bot.handlers.texts import DEFAULT_CONDUCT
from bot.i18n import _, current_locale, format_datetime, ngettext
from bot.services.people import TelegramIdentity

# ---- moderator commands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    who: TelegramIdentity | None
    ref: str | None
    duration: timedelta | None
    reason: str | None
    replied: Message | None


def _replied(message: Message) -> Message | None:
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None or replied.from_user is None:
        return None
    return replied


def parse(message: Message, args: list[str], *, command: str, timed: bool) -> Parsed:
    tokens = list(args)
    replied = _replied(message)
    who: TelegramIdentity | None = None
    ref: str | None = None
    if replied is not None:
        assert replied.from_user is not None
        who = identity(replied.from_user)
    else:
        mention = next(
            (e for e in message.entities or () if e.type == MessageEntity.TEXT_MENTION and e.user),
            None,
        )
        if mention is not None and mention.user is not None:
            who = identity(mention.user)
            mentioned = message.parse_entity(mention)
            words = mentioned.split()
            tokens = tokens[len(words) :] if tokens[: len(words)] == words else tokens[1:]
        elif tokens:
            ref = tokens.pop(0)
        else:
            raise ModerationError("no_target_timed" if timed else "no_target", command=command)
    duration = None
    if timed and tokens and _DURATION_LIKE.match(tokens[0]):
        duration = parse_duration(tokens.pop(0))
    reason = " ".join(tokens).strip()[:300] or None
    return Parsed(who, ref, duration, reason, replied)


@dataclass(frozen=True)
class Prepared:
    group: GroupView
    target: Target
    parsed: Parsed
    actor_id: int


async def prepare(
    update: Update,
    context: BridgeContext,
    command: str,
    *,
    timed: bool = False,
    presence: bool = True,
) -> tuple[Prepared, str | None]:
    """Checks every moderator command shares; returns the target's chat status too."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    now = context.clock()
    admin_ids = context.settings.admin_ids
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, admin_ids)
    parsed = parse(message, list(context.args or []), command=command, timed=timed)
    if parsed.who is not None and parsed.who.id == context.bot.id:
        raise ModerationError("target_is_bot")
    async with context.db() as db:
        target = await mod.known_target(db, parsed.who, parsed.ref, now)
    status = await ops.member_status(context.bot, chat.id, target.id)
    async with context.db() as db:
        await mod.check_target(
            db,
            group,
            actor_id=user.id,
            target=target,
            bot_id=context.bot.id,
            admin_ids=admin_ids,
            chat_status=status,
            needs_presence=presence,
        )
    return Prepared(group, target, parsed, user.id), status


async def _finish(context: BridgeContext, decision: Decision) -> None:
    failure = await carry_out(context, decision)
    if failure is not None:
        raise failure_error(failure)
    await announce(context, decision)


def _excerpt(parsed: Parsed) -> tuple[str | None, int | None]:
    if parsed.replied is None:
        return None, None
    return (parsed.replied.text or parsed.replied.caption or None), parsed.replied.message_id


async def warn(update: Update, context: BridgeContext) -> None:
    """/warn [reply | @user | id] [reason]: an offence; the ladder decides the sanction."""
    prepared, _status = await prepare(update, context, "warn")
    excerpt, message_id = _excerpt(prepared.parsed)
    async with context.db() as db:
        decision = await mod.offence(
            db,
            prepared.group,
            prepared.target,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            excerpt=excerpt,
            message_id=message_id,
            now=context.clock(),
        )
    await _finish(context, decision)


async def _explicit(
    update: Update, context: BridgeContext, command: str, kind: str, timed: bool
) -> None:
    prepared, _status = await prepare(update, context, command, timed=timed)
    excerpt, message_id = _excerpt(prepared.parsed)
    async with context.db() as db:
        decision = await mod.sanction(
            db,
            prepared.group,
            prepared.target,
            kind,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            duration=prepared.parsed.duration,
            excerpt=excerpt,
            message_id=message_id,
            now=context.clock(),
        )
    await _finish(context, decision)


async def mute(update: Update, context: BridgeContext) -> None:
    """/mute [reply | @user | id] [duration] [reason]."""
    await _explicit(update, context, "mute", mod.MUTE, True)


async def kick(update: Update, context: BridgeContext) -> None:
    """/kick [reply | @user | id] [reason]: removed, may rejoin through an invite."""
    await _explicit(update, context, "kick", mod.KICK, False)


async def ban(update: Update, context: BridgeContext) -> None:
    """/ban [reply | @user | id] [duration] [reason]."""
    await _explicit(update, context, "ban", mod.BAN, True)


async def unmute(update: Update, context: BridgeContext) -> None:
    prepared, _status = await prepare(update, context, "unmute")
    await _lift(context, prepared, mod.UNMUTE)


async def unban(update: Update, context: BridgeContext) -> None:
    prepared, status = await prepare(update, context, "unban", presence=False)
    if status != "kicked":
        raise ModerationError("not_banned", name=prepared.target.name)
    await _lift(context, prepared, mod.UNBAN)


async def _lift(context: BridgeContext, prepared, kind: str) -> None:
    async with context.db() as db:
        decision = await mod.lift(
            db,
            prepared.group,
            prepared.target,
            kind,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            now=context.clock(),
        )
    await _finish(context, decision)


async def unwarn(update: Update, context: BridgeContext) -> None:
    prepared, _status = await prepare(update, context, "unwarn", presence=False)
    async with context.db() as db:
        decision = await mod.unwarn(
            db,
            prepared.group,
            prepared.target,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            now=context.clock(),
        )
    await announce(context, decision)


async def warns(update: Update, context: BridgeContext) -> None:
    prepared, _status = await prepare(update, context, "warns", presence=False)
    zone = await reader_zone(update, context)
    async with context.db() as db:
        view = await mod.warns(db, prepared.group, prepared.target, context.clock())
    if not view.strikes:
        await reply(update, _("{name} has no active warnings.", name=view.target.name))
        return
    lines = [
        ngettext(
            "{name} has {n} active strike:",
            "{name} has {n} active strikes:",
            len(view.strikes),
            name=view.target.name,
        )
    ]
    for strike in view.strikes:
        line = f"• {format_datetime(strike.at, zone, width='short')} — {_label(SANCTION_LABELS, strike.kind)}"
        shown = _reason(strike.reason_code, strike.reason) or strike.rule
        if shown:
            line += f": {shown}"
        lines.append(line)
    lines.append(_("Next step on the ladder: {step}", step=_step_text(view.next_step)))
    await reply(update, "\n".join(lines))


async def delete(update: Update, context: BridgeContext) -> None:
    """/del (reply): delete the message; logged with its excerpt."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
    replied = _replied(message)
    if replied is None:
        raise ModerationError("del_needs_reply")
    assert replied.from_user is not None
    reason = " ".join(context.args or []).strip()[:300] or None
    if replied.from_user.id != context.bot.id:
        async with context.db() as db:
            target = await mod.known_target(db, identity(replied.from_user), None, context.clock())
            await mod.check_target(
                db,
                group,
                actor_id=None,
                target=target,
                bot_id=context.bot.id,
                admin_ids=context.settings.admin_ids,
                chat_status=None,
                needs_presence=False,
            )
    try:
        await ops.delete(context.bot, chat.id, replied.message_id)
    except ops.ActionFailed as failure:
        if failure.code != "gone":
            async with context.db() as db:
                await mod.log_event(
                    db,
                    program_id=group.program_id,
                    group_id=group.id,
                    action=mod.DELETE,
                    now=context.clock(),
                    actor_id=user.id,
                    failure=failure.log_text,
                )
        raise failure_error(failure) from None
    if replied.from_user.id == context.bot.id:
        return
    async with context.db() as db:
        decision = await mod.deleted(
            db,
            group,
            target,
            actor_id=user.id,
            reason=reason,
            excerpt=replied.text or replied.caption or None,
            message_id=replied.message_id,
            now=context.clock(),
        )
    # Remove the command too, so the chat shows nothing of it; the log keeps the record.
    try:
        await ops.delete(context.bot, chat.id, message.message_id)
    except ops.ActionFailed:
        pass
    await _dm(
        context, target.id, _target_locale(target, group), lambda: (person_line(decision), None)
    )


async def modlog(update: Update, context: BridgeContext) -> None:
    """/modlog: the group's latest log rows, sent privately to the moderator who asked."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        rows = await mod.log_rows(db, group_id=group.id, limit=MODLOG_ROWS)
    locale = current_locale()
    zone = await reader_zone(update, context)

    def render() -> tuple[str, None]:
        if not rows:
            return _("The moderation log of {group} is empty.", group=group.name), None
        lines = [_("Moderation log of {group}, newest first:", group=group.name)]
        for row in rows:
            actor = row.actor_name or (_("automatic filter") if row.actor_rule else "—")
            parts = [
                format_datetime(row.at, zone, width="short"),
                _label(ACTION_LABELS, row.action),
            ]
            if row.target_name:
                parts.append(row.target_name)
            parts.append(_("by {actor}", actor=actor))
            if row.duration_seconds:
                parts.append(duration_text(timedelta(seconds=row.duration_seconds)))
            shown = _reason(row.reason_code, row.reason) or row.rule
            if shown:
                parts.append(shown)
            if row.failure:
                parts.append(_("FAILED: {failure}", failure=row.failure))
            if row.revoked:
                parts.append(_("revoked"))
            if row.appeal_outcome:
                parts.append(_(APPEAL_OUTCOMES.get(row.appeal_outcome, APPEAL_PENDING)))
            lines.append("• " + " · ".join(parts))
        return "\n".join(lines), None

    sent = await _dm(context, user.id, locale, render)
    if sent is None:
        await reply(
            update, _("Please open a private chat with me (press Start), then try /modlog again.")
        )
    else:
        await reply(update, _("I sent you the moderation log in a private message."))


# ---- /rules in a group ---------------------------------------------------------------------------------


async def rules(update: Update, context: BridgeContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        own = {
            loc: await programs.conduct_text(db, group.program_id, loc) for loc in group.languages
        }
    text = render_blocks(group.languages, lambda: own.get(current_locale()) or _(DEFAULT_CONDUCT))
    await _post(context, chat.id, text)
