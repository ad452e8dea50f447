"""Carrying a decision out and telling people: group posts, private messages in each reader's
language, the moderators told when a filter could not act."""

from __future__ import annotations

import functools
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import Forbidden

from bot.context import BridgeContext
from bot.features.groups.lookup import GroupView
from bot.features.moderation import ops, reports
from bot.features.moderation import service as mod
from bot.features.moderation.common import APPEAL
from bot.features.moderation.handlers.common import MAX_MESSAGE, RIGHT_LABELS, log
from bot.features.moderation.handlers.render import group_line, person_line
from bot.features.moderation.service import Decision, ModerationError, Target
from bot.handlers.callbacks import sign
from bot.handlers.errors import error_text
from bot.handlers.group_post import GroupPost, render_blocks
from bot.i18n import N_, _, use_locale

# ---- sending --------------------------------------------------------------------------------------


def _appeal_markup(context: BridgeContext, decision: Decision) -> InlineKeyboardMarkup | None:
    if not decision.appealable:
        return None
    data = sign(context.runtime.secret, decision.target.id, APPEAL, decision.action_id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("⚖️ Appeal"), callback_data=data)]])


async def _dm(
    context: BridgeContext,
    person_id: int,
    locale: str | None,
    render: Callable[[], tuple[str, InlineKeyboardMarkup | None]],
) -> Message | None:
    """A private message in the person's language; None if they cannot be reached (logged)."""
    with use_locale(locale):
        text, markup = render()
    try:
        return await ops.attempt(
            lambda: context.bot.send_message(person_id, text[:MAX_MESSAGE], reply_markup=markup),
            right=None,
        )
    except (ops.ActionFailed, Forbidden) as failure:
        log.info("could not write to %s privately: %s", person_id, failure)
        return None


async def _post(context: BridgeContext, chat_id: int, text: str) -> Message | None:
    for chunk in _chunks(text):
        try:
            sent = await ops.attempt(
                functools.partial(context.bot.send_message, chat_id, chunk), right=None
            )
        except ops.ActionFailed as failure:
            log.warning("could not post in %s: %s", chat_id, failure.log_text)
            return None
    return sent


def _chunks(text: str) -> list[str]:
    """Split at block boundaries so every message stays within Telegram's 4,096 characters."""
    if len(text) <= MAX_MESSAGE:
        return [text]
    if isinstance(text, GroupPost):
        return text.chunks(MAX_MESSAGE)  # each part keeps its languages folded
    chunks: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= MAX_MESSAGE:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(block) > MAX_MESSAGE:
            chunks.append(block[:MAX_MESSAGE])
            block = block[MAX_MESSAGE:]
        current = block
    if current:
        chunks.append(current)
    return chunks


def _target_locale(target: Target, group: GroupView) -> str:
    return target.locale or (group.languages[0] if group.languages else "en")


async def announce(context: BridgeContext, decision: Decision) -> None:
    """Brief notice in the group (every group language) and the explanation in the person's DM."""
    group = decision.group
    if group.chat_id is not None:
        await _post(
            context, group.chat_id, render_blocks(group.languages, lambda: group_line(decision))
        )
    await _dm(
        context,
        decision.target.id,
        _target_locale(decision.target, group),
        lambda: (person_line(decision), _appeal_markup(context, decision)),
    )


async def carry_out(context: BridgeContext, decision: Decision) -> ops.ActionFailed | None:
    """Do in the chat what was decided; on refusal the log row records why (and stops counting)."""
    chat_id = decision.group.chat_id
    assert chat_id is not None
    target = decision.target.id
    try:
        if decision.kind == mod.MUTE:
            await ops.mute(context.bot, chat_id, target, decision.until)
        elif decision.kind == mod.KICK:
            await ops.kick(context.bot, chat_id, target)
        elif decision.kind == mod.BAN:
            await ops.ban(context.bot, chat_id, target, decision.until)
        elif decision.kind == mod.UNMUTE:
            await ops.unmute(context.bot, chat_id, target)
        elif decision.kind == mod.UNBAN:
            await ops.unban(context.bot, chat_id, target)
    except ops.ActionFailed as failure:
        async with context.db() as db:
            await mod.record_failure(db, decision.action_id, failure.log_text)
        return failure
    if decision.kind in mod.SANCTIONS:
        from bot.features.fairness.handlers import after_sanction

        await after_sanction(context, decision.group.program_id)
    return None


def failure_error(failure: ops.ActionFailed) -> ModerationError:
    if failure.code == "missing_right":
        return ModerationError(
            "missing_right", right=_(RIGHT_LABELS.get(failure.right or "", N_("Ban users")))
        )
    if failure.code == "flood":
        return ModerationError("telegram_flood")
    if failure.code == "gone":
        return ModerationError("message_gone")
    return ModerationError("telegram_refused")


async def tell_moderators(
    context: BridgeContext, group: GroupView, failure: ops.ActionFailed
) -> None:
    """A filter could not act: every moderator hears which right is missing, in their language."""
    async with context.db() as db:
        recipients = await reports.recipients_for(db, group, exclude=set())
    for recipient in recipients:

        def render() -> tuple[str, None]:
            error = failure_error(failure)
            return _("In {group}: ", group=group.name) + error_text(error), None

        await _dm(context, recipient.person_id, recipient.locale or group.languages[0], render)
