"""/appeal: a sanctioned person asks the group's other moderators to lift it; they decide."""

from __future__ import annotations

import functools

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.features.moderation import appeals, ops
from bot.features.moderation import rules_handlers as moderation_rules
from bot.features.moderation import service as mod
from bot.features.moderation.common import (
    APPEAL,
    APPEAL_ACCEPT,
    APPEAL_REJECT,
    AWAIT_APPEAL,
    AWAIT_REJECT,
    SANCTION_LABELS,
)
from bot.features.moderation.common import label as _label
from bot.features.moderation.handlers.render import _clip, _reason, _with_reason
from bot.features.moderation.handlers.reports import _edit_notice, _from_failure
from bot.features.moderation.handlers.sending import _dm, _target_locale
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import reader_zone, reply
from bot.handlers.texts import group_label
from bot.i18n import _, current_locale, format_datetime

# ---- appeals -------------------------------------------------------------------------------------------


def _appeal_keyboard(
    context: BridgeContext, reviewer_id: int, appeal_id: int
) -> InlineKeyboardMarkup:
    secret = context.runtime.secret
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Accept"),
                    callback_data=sign(secret, reviewer_id, APPEAL_ACCEPT, appeal_id),
                ),
                InlineKeyboardButton(
                    _("❌ Reject"),
                    callback_data=sign(secret, reviewer_id, APPEAL_REJECT, appeal_id),
                ),
            ]
        ]
    )


async def on_appeal_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    """The sanctioned person pressed Appeal: ask why, in one message."""
    user = update.effective_user
    assert user is not None
    action_id = payload.number(0)
    async with context.db() as db:
        await appeals.check(db, action_id, user.id, context.clock())
    context.person_data[AWAIT_APPEAL] = action_id
    context.person_data.pop(AWAIT_REJECT, None)
    await reply(
        update,
        _(
            "Please write in one message why this sanction should be lifted. Moderators who did not take part in it will review your appeal."
        ),
    )


async def appeal_command(update: Update, context: BridgeContext) -> None:
    """/appeal in private: the person's sanctions that can still be appealed, each with a button."""
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        found = await appeals.open_sanctions(db, user.id, context.clock())
    zone = await reader_zone(update, context)
    if not found:
        await reply(update, _("You have no sanctions that can be appealed."))
        return
    secret = context.runtime.secret
    rows = [
        [
            InlineKeyboardButton(
                _(
                    "{sanction} in {group}, {date}",
                    sanction=_label(SANCTION_LABELS, item.kind),
                    group=item.group_name,
                    date=format_datetime(item.at, zone, width="short"),
                ),
                callback_data=sign(secret, user.id, APPEAL, item.action_id),
            )
        ]
        for item in found
    ]
    await reply(
        update, _("Which sanction do you want to appeal?"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def _file_appeal(update: Update, context: BridgeContext, action_id: int, text: str) -> None:
    user = update.effective_user
    assert user is not None
    now = context.clock()
    async with context.db() as db:
        filed = await appeals.file(db, action_id, user.id, text, now)
        excerpt = await mod.excerpt_of(db, action_id)
    for reviewer in filed.reviewers:

        def render(r=reviewer) -> tuple[str, InlineKeyboardMarkup]:
            lines = [
                _(
                    "⚖️ Appeal from {name} ({group})",
                    name=filed.person.name,
                    group=group_label(filed.action.group_name),
                ),
                _(
                    "Sanction: {sanction}, {date}",
                    sanction=_label(SANCTION_LABELS, filed.action.kind),
                    date=format_datetime(filed.action.at, "UTC", width="long"),
                ),
            ]
            shown = _reason(filed.action.reason_code, filed.action.reason) or filed.action.rule
            if shown:
                lines.append(_("Reason: {reason}", reason=shown))
            if excerpt:
                lines.append(_("Message: «{excerpt}»", excerpt=_clip(excerpt)))
            lines.append(_("Their appeal: «{text}»", text=_clip(filed.text, 1000)))
            return "\n".join(lines), _appeal_keyboard(context, r.person_id, filed.appeal_id)

        sent = await _dm(context, reviewer.person_id, reviewer.locale, render)
        if sent is not None:
            async with context.db() as db:
                await appeals.add_notice(db, filed.appeal_id, reviewer.person_id, sent.message_id)
    await reply(update, _("Your appeal was sent. You will get a message once it has been decided."))


async def on_appeal_decision(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    assert user is not None
    appeal_id = payload.number(0)
    if payload.action == APPEAL_REJECT:
        async with context.db() as db:
            appeal = await appeals.require_reviewer(
                db, appeal_id, user.id, context.settings.admin_ids
            )
            status = appeal.status
        if status != "open":
            await _decide(update, context, appeal_id, accept=False, reason=None)
            return
        context.person_data[AWAIT_REJECT] = appeal_id
        context.person_data.pop(AWAIT_APPEAL, None)
        await reply(
            update,
            _("Please write in one message why the appeal is rejected; the person will read it."),
        )
        return
    await _decide(update, context, appeal_id, accept=True, reason=None)


async def _decide(
    update: Update, context: BridgeContext, appeal_id: int, *, accept: bool, reason: str | None
) -> None:
    user = update.effective_user
    assert user is not None
    now = context.clock()
    async with context.db() as db:
        decided = await appeals.decide(
            db,
            appeal_id,
            reviewer_id=user.id,
            accept=accept,
            reason=reason,
            admin_ids=context.settings.admin_ids,
            now=now,
        )
    verdict = lambda: _("accepted") if decided.accepted else _("rejected")  # noqa: E731
    if not decided.won:
        await reply(
            update,
            _(
                "Already decided by {name}: {outcome}.",
                name=decided.reviewer_name,
                outcome=verdict(),
            ),
            alert=True,
        )
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    group = decided.group
    person = decided.person
    if accept and person is not None and group.chat_id is not None:
        try:
            if decided.kind == mod.MUTE:
                await ops.unmute(context.bot, group.chat_id, person.id)
            elif decided.kind in (mod.BAN, mod.KICK):
                await ops.unban(context.bot, group.chat_id, person.id)
        except ops.ActionFailed as failure:
            async with context.db() as db:
                await mod.log_event(
                    db,
                    program_id=group.program_id,
                    group_id=group.id,
                    action="appeal_undo",
                    now=now,
                    target_id=person.id,
                    actor_id=user.id,
                    failure=failure.log_text,
                )
            await _dm(
                context,
                user.id,
                current_locale(),
                functools.partial(lambda f: (_from_failure(f), None), failure),
            )
    if person is not None:

        def told() -> tuple[str, None]:
            sanction = _label(SANCTION_LABELS, decided.kind)
            if decided.accepted:
                return _(
                    "✅ Your appeal about the {sanction} in {group} was accepted: it has been lifted.",
                    sanction=sanction,
                    group=group.name,
                ), None
            text = _(
                "Your appeal about the {sanction} in {group} was rejected.",
                sanction=sanction,
                group=group.name,
            )
            return _with_reason(text, decided.reason), None

        await _dm(context, person.id, _target_locale(person, group), told)
    async with context.db() as db:
        notes = await appeals.notices(db, appeal_id)
    for note in notes:
        await _edit_notice(
            context,
            note.person_id,
            note.message_id,
            note.locale or group.languages[0],
            lambda: (
                _(
                    "⚖️ Appeal from {name} ({group})",
                    name=person.name if person else "?",
                    group=group_label(group.name),
                )
                + "\n"
                + _("Decided by {name}: {outcome}.", name=decided.reviewer_name, outcome=verdict()),
                None,
            ),
        )
    if update.callback_query is None:
        await reply(
            update, _("Done: the appeal was {outcome} and the person was told.", outcome=verdict())
        )


async def on_private_text(update: Update, context: BridgeContext) -> bool:
    """Typed answers to the questions this part asks: an appeal's text, a rejection's reason."""
    data = context.user_data
    message = update.effective_message
    if data is None or message is None:
        return False
    if AWAIT_REJECT in data:
        appeal_id = data.pop(AWAIT_REJECT)
        await _decide(
            update,
            context,
            appeal_id,
            accept=False,
            reason=(message.text or "").strip()[:500] or None,
        )
        return True
    if AWAIT_APPEAL in data:
        action_id = data.pop(AWAIT_APPEAL)
        await _file_appeal(update, context, action_id, message.text or "")
        return True
    return await moderation_rules.on_private_text(update, context)
