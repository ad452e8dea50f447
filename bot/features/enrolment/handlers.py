"""/start join_CODE and the enrolment steps: language, role, time zone, code of conduct.

Every step survives a lost message: replies go out after the step is saved (a send that fails then is
logged, never reported as "nothing was saved"), and /start (with or without the code), a typed
message or the same button pressed again all show the question the person is at, with its buttons.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot.context import BridgeContext
from bot.domain.errors import EnrolmentError, InviteError
from bot.domain.invites import code_from_start_payload
from bot.domain.language_choice import closest_language
from bot.domain.programs import PARTICIPANT_ROLES
from bot.domain.timezones import find_zones
from bot.features.enrolment import service as enrolment
from bot.features.enrolment.service import DraftView, Step
from bot.features.feedback import jobs as feedback_jobs
from bot.features.groups import handlers as groups
from bot.features.pairs import handlers as pairs_handlers
from bot.features.programs import service as programs
from bot.handlers import menus, pickers
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import (
    ALREADY_DONE,
    EXPIRED,
    answer_once,
    identity,
    remember_locale,
    reply,
)
from bot.handlers.texts import DEFAULT_CONDUCT, role_label
from bot.i18n import _, current_locale, format_zone, set_locale
from bot.services import access, pairs

log = logging.getLogger(__name__)

# Callback actions (kept short: callback data is limited to 64 bytes).
LANG, ROLE, COUNTRY, ZONE, ACCEPT, DECLINE = "el", "er", "ec", "ez", "ea", "ed"


async def start(update: Update, context: BridgeContext) -> None:
    """/start [join_CODE] in private chat."""
    user = update.effective_user
    assert user is not None
    payload = context.args[0] if context.args else ""
    if not payload:
        await _welcome(update, context)
        return
    code = code_from_start_payload(payload)
    if code is None:
        raise InviteError("invite_unknown")
    async with context.db() as db:
        result = await enrolment.start(db, identity(user), code, context.clock())
    if result.already is not None:
        await reply(
            update,
            _(
                "You are already enrolled in {program} ({side}). Nothing has changed; /me shows your details.",
                program=result.already.program_name,
                side=result.already.side_name,
            ),
        )
        return
    assert result.draft is not None
    async with _after_commit():
        await _ask_current(update, context, result.draft)


async def _welcome(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        enrolled = await enrolment.current_enrolment(db, user.id)
        draft = await enrolment.current_draft(db, user.id) if enrolled is None else None
        organizer = await access.is_organizer(db, user.id, context.settings.admin_ids)
    if draft is not None:
        # An enrolment under way: /start alone resumes it with the question still to answer.
        await _ask_current(update, context, draft)
        return
    if enrolled is not None:
        text = _(
            "Welcome back! You are enrolled in {program} ({side}). /schedule shows your sessions and "
            "/help lists what you can do.",
            program=enrolled.program_name,
            side=enrolled.side_name,
        )
    elif organizer:
        text = _(
            "Welcome to Bridgebot! As an organizer you can create a program with /newprogram, "
            "see yours with /programs and make invite links with /invite. /help lists everything."
        )
    else:
        text = _(
            "Welcome to Bridgebot! I run dialogue programs that bring people from different sides "
            "together. To join a program, open the invite link your organizers sent you. "
            "/help lists what you can do."
        )
    await reply(update, text)


# ---- the steps -------------------------------------------------------------------------------------


async def _ask_language(update: Update, context: BridgeContext, draft: DraftView) -> None:
    user = update.effective_user
    assert user is not None
    # Asked in the program's language closest to the person's own, that one preselected: never in
    # a language the program does not use (bot/domain/language_choice.py has the rule).
    known = context.person_data.get("locale") if context.user_data else None
    preselected = closest_language(known or user.language_code, draft.languages)
    set_locale(preselected)
    keyboard = pickers.language_keyboard(
        context.runtime.secret, user.id, LANG, draft.languages, preselected, draft.nonce
    )
    await reply(
        update,
        _(
            "Welcome to {program}! You are joining the {side} side.\n\nFirst, which language should I use with you?",
            program=draft.program_name,
            side=draft.side_name,
        ),
        reply_markup=keyboard,
    )


async def _ask_role(update: Update, context: BridgeContext, draft: DraftView) -> None:
    user = update.effective_user
    assert user is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    role_label(role),
                    callback_data=sign(context.runtime.secret, user.id, ROLE, role, draft.nonce),
                )
                for role in PARTICIPANT_ROLES
            ]
        ]
    )
    await reply(
        update, _("Are you taking part as a student or as a professional?"), reply_markup=keyboard
    )


async def _ask_timezone(update: Update, context: BridgeContext, draft: DraftView) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        program = await programs.get(db, draft.program_id)
    countries = pickers.shortlist_countries(draft.languages, (program.timezone,))
    keyboard = pickers.country_keyboard(
        context.runtime.secret, user.id, COUNTRY, countries, draft.nonce
    )
    await reply(
        update,
        _(
            "Which time zone are you in? I use it to tell you session times in your local time.\n\n"
            "Choose your country below, or type your city, your country or a UTC offset such as UTC+4."
        ),
        reply_markup=keyboard,
    )


async def _ask_conduct(
    update: Update, context: BridgeContext, draft: DraftView, locale: str
) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        own = await programs.conduct_text(db, draft.program_id, locale)
    secret = context.runtime.secret
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ I accept"), callback_data=sign(secret, user.id, ACCEPT, draft.nonce)
                ),
                InlineKeyboardButton(
                    _("Decline"), callback_data=sign(secret, user.id, DECLINE, draft.nonce)
                ),
            ]
        ]
    )
    body = own or _(DEFAULT_CONDUCT)
    await reply(
        update,
        _("Last step: please read the code of conduct of {program}.", program=draft.program_name)
        + "\n\n"
        + body
        + "\n\n"
        + _("Do you accept it? You can only take part after accepting."),
        reply_markup=keyboard,
    )


async def _ask_current(update: Update, context: BridgeContext, draft: DraftView) -> None:
    """Send the question of the step the draft is at, with its buttons."""
    if draft.step == Step.LANGUAGE:
        await _ask_language(update, context, draft)
    elif draft.step == Step.ROLE:
        await _ask_role(update, context, draft)
    elif draft.step == Step.TIMEZONE:
        await _ask_timezone(update, context, draft)
    elif draft.step == Step.CONDUCT:
        await _ask_conduct(update, context, draft, current_locale())


@asynccontextmanager
async def _after_commit() -> AsyncIterator[None]:
    """Around what is sent once a step is saved. If Telegram fails here, saying "nothing was saved"
    would be false: the failure is logged, and the person's next message, press or /start shows
    the question they are at (every step resumes)."""
    try:
        yield
    except TelegramError:
        log.warning("an enrolment step was saved but its reply could not be sent", exc_info=True)


async def _answer_quietly(update: Update, text: str | None = None) -> None:
    """Answer the press (its spinner); a failure to do so must not stop the reply that follows."""
    if update.callback_query is None:
        return
    try:
        await answer_once(update.callback_query, text)
    except TelegramError:
        log.info("could not answer a button press", exc_info=True)


async def _edit_choice(update: Update, summary: str) -> None:
    """Replace the pressed keyboard by what was chosen, so old buttons cannot be pressed again."""
    query = update.callback_query
    if query is not None and query.message is not None:
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError:
            # The old buttons stay visible; pressing one again resumes (see _after_stale_press).
            log.info("could not remove the answered buttons", exc_info=True)
        assert isinstance(query.message, Message)  # the message whose buttons were just pressed
        await query.message.reply_text(summary, do_quote=False)


# The step each button answers, to tell a repeated answer from a button of an abandoned flow.
BUTTON_STEPS = {
    LANG: Step.LANGUAGE,
    ROLE: Step.ROLE,
    COUNTRY: Step.TIMEZONE,
    ZONE: Step.TIMEZONE,
    ACCEPT: Step.CONDUCT,
    DECLINE: Step.CONDUCT,
}


async def on_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    assert user is not None
    now = context.clock()
    try:
        async with context.db() as db:
            if payload.action == LANG:
                draft = await enrolment.choose_language(
                    db, user.id, payload.arg(0), payload.number(1), now
                )
                remember_locale(context, payload.arg(0))
                summary = _("Language: {language}", language=pickers.language_name(payload.arg(0)))
            elif payload.action == ROLE:
                draft = await enrolment.choose_role(db, user.id, payload.arg(0), payload.number(1))
                summary = _("Role: {role}", role=role_label(payload.arg(0)))
            elif payload.action == COUNTRY:
                current = await enrolment.current_draft(db, user.id)
                if (
                    current is None
                    or current.step != Step.TIMEZONE
                    or str(current.nonce) != payload.arg(1)
                ):
                    raise EnrolmentError("stale_step")
                zones = pickers.country_zones(payload.arg(0))
                if len(zones) != 1:
                    await _offer_zones(update, context, zones, current.nonce)
                    return
                draft = await enrolment.choose_timezone(db, user.id, zones[0], current.nonce, now)
                summary = _("Time zone: {zone}", zone=format_zone(zones[0]))
            elif payload.action == ZONE:
                draft = await enrolment.choose_timezone(
                    db, user.id, payload.arg(0), payload.number(1), now
                )
                summary = _("Time zone: {zone}", zone=format_zone(payload.arg(0)))
            elif payload.action == ACCEPT:
                enrolled = await enrolment.accept(db, user.id, payload.number(0), now)
                pairs_offered = await pairs.offered(db, enrolled.program_id)
            elif payload.action == DECLINE:
                await enrolment.decline(db, user.id, payload.number(0))
            else:
                raise EnrolmentError("stale_step")
    except EnrolmentError as error:
        if error.code not in ("stale_step", "no_enrolment_in_progress"):
            raise
        await _after_stale_press(update, context, payload, error)
        return
    # Replies go out only after the transaction has committed: what the person reads is saved.
    await _answer_quietly(update)
    if payload.action == LANG and menus.needs_own_menu(payload.arg(0)):
        async with _after_commit():  # zh_Hant, sr_Latn: no default menu is in their script
            async with context.db() as db:
                roles = await access.roles_of(db, user.id, context.settings.admin_ids)
            await menus.publish_reader_menu(
                context.bot,
                user.id,
                payload.arg(0),
                previous=None,
                organizer=bool(roles.organizer_of),
            )
    if payload.action == ACCEPT:
        async with _after_commit():
            await _edit_choice(update, _("✅ Code of conduct accepted."))
            # The weekly cross-border pairs are offered on the welcome itself (opt-in, one press).
            markup = (
                InlineKeyboardMarkup(
                    [[pairs_handlers.join_button(context.runtime.secret, user.id)]]
                )
                if pairs_offered
                else None
            )
            await reply(update, _enrolled_text(enrolled), reply_markup=markup)
        # Groups may already exist: a late joiner is placed (and invited) right away.
        async with _after_commit():
            await groups.on_enrolled(context.application, user.id, enrolled.program_id)
        async with _after_commit():
            await feedback_jobs.offer_pre_program(context.application, user.id, enrolled.program_id)
        return
    async with _after_commit():
        if payload.action == DECLINE:
            await _edit_choice(update, _("Code of conduct declined."))
            await reply(
                update,
                _(
                    "You have not been enrolled, and nothing about this enrolment was kept. If you "
                    "change your mind, open your invite link again."
                ),
            )
            return
        await _edit_choice(update, summary)
        await _ask_current(update, context, draft)


def _enrolled_text(enrolled: enrolment.EnrolmentView) -> str:
    return _(
        "Welcome to {program}! You are enrolled on the {side} side as a {role}. "
        "I will write to you when your dialogue group is ready. /me shows your details "
        "and /help lists what you can do.",
        program=enrolled.program_name,
        side=enrolled.side_name,
        role=role_label(enrolled.role).lower(),
    )


async def _after_stale_press(
    update: Update, context: BridgeContext, payload: Payload, error: EnrolmentError
) -> None:
    """A button of a step that is no longer the current one. Pressing the last answer again (its
    reply may never have arrived) says it is done and shows what comes next; a button of another
    flow says it has expired, and also shows the question to answer now."""
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        draft = await enrolment.current_draft(db, user.id)
        enrolled = await enrolment.current_enrolment(db, user.id) if draft is None else None
    pressed = BUTTON_STEPS.get(payload.action)
    if draft is None:
        if enrolled is not None:
            # Enrolled already (the welcome may never have arrived): say so, whatever was pressed.
            await _answer_quietly(update, _(ALREADY_DONE))
            await reply(update, _enrolled_text(enrolled))
            return
        raise error
    order = list(Step)
    done = pressed is not None and order.index(pressed) < order.index(draft.step)
    await _answer_quietly(update, _(ALREADY_DONE) if done else _(EXPIRED))
    await _ask_current(update, context, draft)


async def _offer_zones(
    update: Update, context: BridgeContext, zones: tuple[str, ...], nonce: int
) -> None:
    user = update.effective_user
    assert user is not None
    if update.callback_query is not None:
        await answer_once(update.callback_query)
    keyboard = pickers.zone_keyboard(context.runtime.secret, user.id, ZONE, zones, nonce)
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(_("Which of these is your time zone?"), reply_markup=keyboard)


async def on_text(update: Update, context: BridgeContext) -> bool:
    """Typed text during an enrolment. Returns False when no enrolment is in progress."""
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    async with context.db() as db:
        draft = await enrolment.current_draft(db, user.id)
    if draft is None:
        return False
    if draft.step != Step.TIMEZONE:
        # The message with the buttons may never have arrived: ask again, buttons included.
        await reply(update, _("Please answer with one of the buttons below."))
        await _ask_current(update, context, draft)
        return True
    zones = find_zones(message.text or "")
    if not zones:
        await reply(update, pickers.zone_not_found(message.text or ""))
        return True
    if len(zones) > 1:
        await _offer_zones(update, context, zones, draft.nonce)
        return True
    async with context.db() as db:
        draft = await enrolment.choose_timezone(db, user.id, zones[0], None, context.clock())
    async with _after_commit():
        await reply(update, _("Time zone: {zone}", zone=format_zone(zones[0])))
        await _ask_current(update, context, draft)
    return True


def build_handlers() -> list:
    return [CommandHandler("start", start, filters=filters.ChatType.PRIVATE)]
