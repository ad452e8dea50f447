"""/report: participants report a message; moderators decide on it in private."""

from __future__ import annotations

import functools
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BridgeContext
from bot.domain.conduct.reasons import ReasonCode
from bot.features.groups.lookup import GroupView
from bot.features.moderation import ops, reports
from bot.features.moderation import service as mod
from bot.features.moderation.common import REPORT
from bot.features.moderation.common import label as _label
from bot.features.moderation.handlers.commands import _replied
from bot.features.moderation.handlers.common import OUTCOME_LABELS, REPORT_CODES, REPORT_MUTE, log
from bot.features.moderation.handlers.render import _clip
from bot.features.moderation.handlers.sending import _dm, _post, announce, carry_out, failure_error
from bot.features.moderation.service import Decision, ModerationError
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import identity, reply
from bot.handlers.errors import error_text
from bot.i18n import _, current_locale, ngettext, use_locale

# ---- reports ---------------------------------------------------------------------------------------------


def _message_link(chat_id: int, username: str | None, message_id: int) -> str | None:
    if username:
        return f"https://t.me/{username}/{message_id}"
    text = str(chat_id)
    if text.startswith("-100"):
        return f"https://t.me/c/{text[4:]}/{message_id}"
    return None


def _report_text(
    filed_name: str,
    group: GroupView,
    reporters: int,
    reason: str | None,
    excerpt: str | None,
    link: str | None,
) -> str:
    lines = [
        _("🚩 Report in {group} about {name}", group=group.name, name=filed_name),
        ngettext("Reported by {n} person.", "Reported by {n} people.", reporters),
    ]
    if reason:
        lines.append(_("Reason: {reason}", reason=reason))
    if excerpt:
        lines.append(_("Message: «{excerpt}»", excerpt=_clip(excerpt)))
    if link:
        lines.append(link)
    return "\n".join(lines)


def _report_keyboard(
    context: BridgeContext, moderator_id: int, report_id: int
) -> InlineKeyboardMarkup:
    secret = context.runtime.secret

    def button(text: str, code: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text, callback_data=sign(secret, moderator_id, REPORT, report_id, code)
        )

    return InlineKeyboardMarkup(
        [
            [button(_("Dismiss"), "d"), button(_("Warn"), "w")],
            [button(_("Mute 1h"), "m"), button(_("Remove"), "r")],
        ]
    )


async def report(update: Update, context: BridgeContext) -> None:
    """/report [reason], as a reply to the message being reported."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    now = context.clock()
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
    replied = _replied(message)
    if replied is None:
        raise ModerationError("report_needs_reply")
    assert replied.from_user is not None
    if replied.from_user.id == context.bot.id:
        raise ModerationError("report_bot_message")
    if replied.from_user.id == user.id:
        raise ModerationError("report_own_message")
    reason = " ".join(context.args or []).strip()[:300] or None
    excerpt = replied.text or replied.caption or None
    async with context.db() as db:
        filed = await reports.file(
            db,
            group,
            reporter=identity(user),
            reported=identity(replied.from_user),
            chat_id=chat.id,
            message_id=replied.message_id,
            excerpt=excerpt,
            reason=reason,
            now=now,
        )
    link = _message_link(chat.id, chat.username, replied.message_id)
    for recipient in filed.recipients:
        locale = recipient.locale or group.languages[0]
        sent = await _dm(
            context,
            recipient.person_id,
            locale,
            functools.partial(
                lambda r: (
                    _report_text(filed.reported.name, group, 1, reason, filed.excerpt, link),
                    _report_keyboard(context, r.person_id, filed.report_id),
                ),
                recipient,
            ),
        )
        if sent is not None:
            async with context.db() as db:
                await reports.add_notice(db, filed.report_id, recipient.person_id, sent.message_id)
    if filed.merged and not filed.already_reported_by_you and not filed.handled:
        async with context.db() as db:
            notes = await reports.notices(db, filed.report_id)
        for note in notes:
            await _edit_notice(
                context,
                note.person_id,
                note.message_id,
                note.locale or group.languages[0],
                functools.partial(
                    lambda n: (
                        _report_text(
                            filed.reported.name, group, filed.reporters, None, filed.excerpt, link
                        ),
                        _report_keyboard(context, n.person_id, filed.report_id),
                    ),
                    note,
                ),
            )
    # The report stays discreet: the /report message disappears from the group.
    try:
        await ops.delete(context.bot, chat.id, message.message_id)
    except ops.ActionFailed:
        pass
    if filed.handled:
        ack = _("Thank you. The moderators have already dealt with this message.")
    elif filed.merged:
        ack = _("Thank you. This message had already been reported; your report was added to it.")
    else:
        ack = _(
            "Thank you for your report about a message in {group}. The moderators have been told and will look at it.",
            group=group.name,
        )
    sent = await _dm(context, user.id, current_locale(), lambda: (ack, None))
    if sent is None:
        await _post(context, chat.id, _("Thank you, the moderators have been told."))


async def _edit_notice(
    context: BridgeContext,
    chat_id: int,
    message_id: int,
    locale: str,
    render: Callable[[], tuple[str, InlineKeyboardMarkup | None]],
) -> None:
    with use_locale(locale):
        text, markup = render()
    try:
        await ops.attempt(
            lambda: context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            ),
            right=None,
        )
    except (ops.ActionFailed, TelegramError) as failure:
        log.info("could not update notice %s/%s: %s", chat_id, message_id, failure)


async def on_report_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    report_id = payload.number(0)
    outcome = REPORT_CODES[payload.arg(1)]
    now = context.clock()
    admin_ids = context.settings.admin_ids
    async with context.db() as db:
        peek = await reports.peek(db, report_id)
    if peek is None:
        raise ModerationError("report_gone")
    group, reported, message_id = peek
    status = None
    if outcome != "dismiss" and reported is not None and group.chat_id is not None:
        status = await ops.member_status(context.bot, group.chat_id, reported.id)
    decision: Decision | None = None
    async with context.db() as db:
        claim = await reports.claim(
            db, report_id, moderator_id=user.id, outcome=outcome, admin_ids=admin_ids, now=now
        )
        if claim.won and outcome != "dismiss" and reported is not None:
            await mod.check_target(
                db,
                group,
                actor_id=user.id,
                target=reported,
                bot_id=context.bot.id,
                admin_ids=admin_ids,
                chat_status=status,
                needs_presence=outcome != "warn",
            )
            # A code, not this moderator's words: each reader sees it in their own language.
            if outcome == "warn":
                decision = await mod.offence(
                    db,
                    group,
                    reported,
                    actor_id=user.id,
                    reason=None,
                    reason_code=ReasonCode.REPORTED_MESSAGE,
                    excerpt=claim.excerpt,
                    message_id=message_id,
                    now=now,
                )
            else:
                kind = mod.MUTE if outcome == "mute" else mod.KICK
                decision = await mod.sanction(
                    db,
                    group,
                    reported,
                    kind,
                    actor_id=user.id,
                    reason=None,
                    reason_code=ReasonCode.REPORTED_MESSAGE,
                    duration=REPORT_MUTE if outcome == "mute" else None,
                    excerpt=claim.excerpt,
                    message_id=message_id,
                    now=now,
                )
    if not claim.won:
        await reply(
            update,
            _(
                "Already handled by {name}: {outcome}.",
                name=claim.handler_name,
                outcome=_label(OUTCOME_LABELS, claim.outcome),
            ),
            alert=True,
        )
        await query.edit_message_reply_markup(reply_markup=None)
        return
    await query.answer()
    if decision is not None and group.chat_id is not None:
        try:
            await ops.delete(context.bot, group.chat_id, message_id)
        except ops.ActionFailed:
            pass  # already deleted, or the right is missing: the sanction itself still applies
        failure = await carry_out(context, decision)
        if failure is not None:
            await _dm(context, user.id, current_locale(), lambda: (_from_failure(failure), None))
        else:
            await announce(context, decision)
    async with context.db() as db:
        notes = await reports.notices(db, report_id)
    name = reported.name if reported else "?"
    for note in notes:
        await _edit_notice(
            context,
            note.person_id,
            note.message_id,
            note.locale or group.languages[0],
            lambda: (
                _("🚩 Report in {group} about {name}", group=group.name, name=name)
                + "\n"
                + _(
                    "Handled by {moderator}: {outcome}.",
                    moderator=claim.handler_name,
                    outcome=_label(OUTCOME_LABELS, outcome),
                ),
                None,
            ),
        )


def _from_failure(failure: ops.ActionFailed) -> str:
    return error_text(failure_error(failure))
