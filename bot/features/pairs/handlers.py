"""/pairs, /endpair, the pair buttons and the private relay.

Precedence of typed text in private (bot/handlers/routing.py TEXT_HOOKS): every question the bot
asked first (an enrolment step, a profile change, an appeal's reason, a survey comment...), the
relay last. Text that answers a question is never passed to a partner; the relay takes only what
nobody else was waiting for.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.context import BridgeContext
from bot.domain.conduct import FloodState
from bot.domain.conduct.rules import check_message
from bot.features.moderation import rules
from bot.features.pairs import texts
from bot.handler_groups import GROUP_COMMANDS, GROUP_OBSERVERS
from bot.handlers.callbacks import Payload, sign, version_tag
from bot.handlers.common import ALREADY_DONE, answer_once, reply
from bot.i18n import _, language_name, use_locale
from bot.services import pairs

log = logging.getLogger(__name__)

# Callback actions (short: callback data is limited to 64 bytes).
JOIN, LEAVE, LANGUAGE, SHARE, END, YES, NO = "pj", "pl", "pg", "ps", "pe", "py", "pn"
MAX_RELAYED = 3900  # a relayed text with its prefix stays under Telegram's 4096

FLOOD_KEY = "pairs.flood"  # bot_data: pair id -> FloodState (the relay obeys the flood limit too)


def join_button(secret: bytes, person_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(_(texts.JOIN_BUTTON), callback_data=sign(secret, person_id, JOIN))


def pair_keyboard(secret: bytes, person_id: int, pair_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(texts.SHARE_BUTTON), callback_data=sign(secret, person_id, SHARE, pair_id)
                ),
                InlineKeyboardButton(
                    _(texts.END_BUTTON), callback_data=sign(secret, person_id, END, pair_id)
                ),
            ]
        ]
    )


def check_in_keyboard(secret: bytes, person_id: int, pair_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(texts.YES_BUTTON), callback_data=sign(secret, person_id, YES, pair_id)
                ),
                InlineKeyboardButton(
                    _(texts.NO_BUTTON), callback_data=sign(secret, person_id, NO, pair_id)
                ),
            ]
        ]
    )


def _status_keyboard(
    secret: bytes, person_id: int, status: pairs.Status
) -> InlineKeyboardMarkup | None:
    if status.sides < 2 or not status.enabled:
        return None
    if not status.opted_in:
        return InlineKeyboardMarkup([[join_button(secret, person_id)]])
    tag = version_tag(status.languages)
    rows = []
    row: list[InlineKeyboardButton] = []
    for locale in status.program_languages:
        on = locale in status.languages
        label = ("✓ " if on else "") + language_name(locale)
        # Pressing sets the language to the opposite of what the button showed ("0"/"1").
        row.append(
            InlineKeyboardButton(
                label,
                callback_data=sign(secret, person_id, LANGUAGE, locale, "0" if on else "1", tag),
            )
        )
        if len(row) == 3:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    rows.append(
        [InlineKeyboardButton(_(texts.LEAVE_BUTTON), callback_data=sign(secret, person_id, LEAVE))]
    )
    return InlineKeyboardMarkup(rows)


async def _show_status(
    update: Update, context: BridgeContext, status: pairs.Status, prefix: str = ""
) -> None:
    user = update.effective_user
    assert user is not None
    text = texts.status(status.program_name, status.opted_in, status.languages, status.partner_side)
    await reply(
        update,
        (prefix + "\n\n" + text) if prefix else text,
        reply_markup=_status_keyboard(context.runtime.secret, user.id, status),
    )


async def pairs_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    args = [a.lower() for a in (context.args or [])]
    if len(args) > 1 or (args and args[0] not in ("on", "off", "status")):
        await reply(update, texts.usage())
        return
    what = args[0] if args else "status"
    if what == "on":
        await _join(update, context)
    elif what == "off":
        await _leave(update, context)
    else:
        async with context.db() as db:
            status = await pairs.status(db, user.id)
        await _show_status(update, context, status)


async def _join(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        status, changed = await pairs.opt_in(db, user.id, context.clock())
    await _show_status(update, context, status, texts.joined() if changed else "")


async def _leave(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        was_in, ended = await pairs.opt_out(db, user.id, context.clock())
    if not was_in:
        await reply(update, _(texts.ERROR_MESSAGES["pairs_not_in"]))
        return
    await reply(update, texts.left())
    if ended is not None:
        await tell(context, ended.notify, ended.notify_locale, texts.ended_by_partner)


async def endpair_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        ended = await pairs.end_active(db, user.id, "a_or_b", context.clock())
    if ended is None:
        await reply(update, texts.nothing_to_end())
        return
    await reply(update, texts.ended_by_me())
    await tell(context, ended.notify, ended.notify_locale, texts.ended_by_partner)


async def tell(context, person_id: int | None, locale: str | None, render, markup=None) -> bool:
    """A private message in the person's language; False if they cannot be reached."""
    if person_id is None:
        return False
    with use_locale(locale):
        text = render()
        if callable(markup):
            markup = markup()  # buttons in the reader's language too
    try:
        await context.bot.send_message(person_id, text, reply_markup=markup)
    except Forbidden:
        log.info("a pair partner cannot be reached")
        return False
    except TelegramError:
        log.warning("could not write to a pair partner", exc_info=True)
        return False
    return True


# ---- buttons --------------------------------------------------------------------------------------------


async def on_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    now = context.clock()
    secret = context.runtime.secret
    if payload.action == JOIN:
        await _join(update, context)
    elif payload.action == LEAVE:
        await _leave(update, context)
    elif payload.action == LANGUAGE:
        locale, on = payload.arg(0), payload.choice(1, ("0", "1")) == "1"
        async with context.db() as db:
            current = await pairs.status(db, user.id)
            if version_tag(current.languages) != payload.arg(2):
                await reply(update, _(ALREADY_DONE), alert=True)
                return
            status, _changed = await pairs.set_language(db, user.id, locale, on)
        await answer_once(query)
        if query.message is not None:
            text = texts.status(status.program_name, True, status.languages, status.partner_side)
            try:
                await query.edit_message_text(
                    text, reply_markup=_status_keyboard(secret, user.id, status)
                )
            except TelegramError:
                log.info("could not redraw the language buttons", exc_info=True)
    elif payload.action == SHARE:
        async with context.db() as db:
            shared = await pairs.share(db, payload.number(0), user.id)
        if shared is None:
            await reply(update, _(ALREADY_DONE), alert=True)
            return
        if not shared.both:
            await reply(update, texts.share_pending())
            await tell(
                context,
                shared.partner_id,
                shared.partner_locale,
                texts.partner_wants_to_share,
                lambda: pair_keyboard(secret, shared.partner_id, payload.number(0)),
            )
            return
        assert shared.me is not None and shared.partner is not None
        await reply(update, texts.shared(_name(shared.partner), shared.partner.username))
        me = shared.me
        await tell(
            context,
            shared.partner_id,
            shared.partner_locale,
            lambda: texts.shared(_name(me), me.username),
        )
    elif payload.action == END:
        async with context.db() as db:
            ended = await pairs.end_pair(db, payload.number(0), user.id, "a_or_b", now)
        if ended is None:
            await reply(update, _(ALREADY_DONE), alert=True)
            return
        await _drop_buttons(update)
        await reply(update, texts.ended_by_me())
        await tell(context, ended.notify, ended.notify_locale, texts.ended_by_partner)
    elif payload.action in (YES, NO):
        async with context.db() as db:
            counted = await pairs.answer(
                db, secret, payload.number(0), user.id, payload.action == YES
            )
        if not counted:
            await reply(update, _(ALREADY_DONE), alert=True)
            return
        await _drop_buttons(update)
        await reply(update, texts.counted())


def _name(person) -> str:
    return " ".join(p for p in (person.first_name, person.last_name) if p)


async def _drop_buttons(update: Update) -> None:
    query = update.callback_query
    if query is not None and query.message is not None:
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError:
            log.info("could not remove the pressed buttons", exc_info=True)


BUTTONS = dict.fromkeys((JOIN, LEAVE, LANGUAGE, SHARE, END, YES, NO), on_button)
REPEATABLE = {
    LANGUAGE: (
        "carries the languages it was drawn with; a press on an older state changes nothing and "
        "says 'already done'"
    ),
    JOIN: "joining twice changes nothing (the opt-in is one row per enrolment) and shows the status",
    SHARE: "the pair row records the agreement; a second press says 'already done'",
    YES: "the pair row records that this person answered; a second press says 'already done'",
    NO: "the pair row records that this person answered; a second press says 'already done'",
}


# ---- the relay ------------------------------------------------------------------------------------------


async def on_private_text(update: Update, context: BridgeContext) -> bool:
    """Pass typed text to the partner (the last of the private text hooks)."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None or message.text is None:
        return False
    async with context.db() as db:
        partner = await pairs.partner_of(db, user.id)
        if partner is None:
            return False
        if not await pairs.still_enrolled(db, partner.program_id, partner.partner_id):
            await pairs.end_pair(db, partner.pair_id, user.id, "left", context.clock())
            gone = True
        else:
            gone = False
            effective = await rules.for_program(db, partner.program_id)
    if gone:
        await reply(update, texts.partner_left())
        return True
    text = message.text
    violations = []
    if effective.filters_enabled:
        violations = check_message(
            rules.compile_for(effective),
            text,
            sender_id=user.id,
            now=context.clock(),
            flood_state=context.bot_data.setdefault(FLOOD_KEY, {}).setdefault(
                partner.pair_id, FloodState()
            ),
            is_forward=message.forward_origin is not None,
            extra_urls=[e.url for e in (message.entities or ()) if e.url],
        )
    if violations:
        from bot.features.moderation.handlers import RULE_LABELS

        rule = _(RULE_LABELS[violations[0].rule])
        await reply(update, texts.blocked_by_rules(rule))
        return True
    with use_locale(partner.partner_locale):
        body = texts.relayed(text[:MAX_RELAYED])
    try:
        await context.bot.send_message(partner.partner_id, body)
    except Forbidden:
        async with context.db() as db:
            await pairs.partner_unreachable(
                db, partner.pair_id, partner.partner_id, context.clock()
            )
        context.bot_data.get(FLOOD_KEY, {}).pop(partner.pair_id, None)
        await reply(update, texts.partner_unreachable())
    return True


async def on_private_other(update: Update, context: BridgeContext) -> None:
    """Anything but text written in private while in a pair: refused, with the reason."""
    user = update.effective_user
    if user is None:
        return
    async with context.db() as db:
        partner = await pairs.partner_of(db, user.id)
    if partner is not None:
        await reply(update, texts.refused_content())


async def on_my_chat_member(update: Update, context: BridgeContext) -> None:
    """Someone blocked the bot (Telegram says so at once): their pair ends now, the partner is
    told, and they leave the weekly pairs (a passive observer: groups.py records the bot's own
    status in groups in an earlier handler group)."""
    changed = update.my_chat_member
    if (
        changed is None
        or changed.chat.type != ChatType.PRIVATE
        or changed.new_chat_member.status != ChatMemberStatus.BANNED
    ):
        return
    person = changed.chat.id
    async with context.db() as db:
        partner = await pairs.partner_of(db, person)
        ended = (
            await pairs.partner_unreachable(db, partner.pair_id, person, context.clock())
            if partner is not None
            else None
        )
        if partner is None:
            await pairs.leave_quietly(db, person)
    if ended is not None:
        await tell(context, ended.notify, ended.notify_locale, texts.partner_stopped)


def build_handlers() -> list:
    private = filters.ChatType.PRIVATE
    new_only = filters.UpdateType.MESSAGE
    other = (
        private
        & new_only
        & ~filters.TEXT
        & ~filters.COMMAND
        & ~filters.Document.ALL
        & ~filters.StatusUpdate.ALL
    )
    return [
        (GROUP_COMMANDS, CommandHandler("pairs", pairs_command, filters=private)),
        (GROUP_COMMANDS, CommandHandler("endpair", endpair_command, filters=private)),
        (GROUP_COMMANDS, MessageHandler(other, on_private_other)),
        (
            GROUP_OBSERVERS,
            ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        ),
    ]
