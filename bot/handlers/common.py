"""Small pieces every handler uses: the reader's language, replying, identities."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Update, User
from telegram.constants import ChatType

from bot.bot_api import BridgeBot
from bot.context import BridgeContext
from bot.db.outage import is_storage_failure
from bot.handlers.callbacks import Payload, verify
from bot.i18n import N_, _, locale_of, set_locale
from bot.services import people
from bot.services.people import PersonView, TelegramIdentity

log = logging.getLogger(__name__)

LOCALE_KEY = "locale"


def identity(user: User) -> TelegramIdentity:
    return TelegramIdentity(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def known_locale(update: Update, context: BridgeContext) -> str:
    """The reader's language without asking the database: the choice remembered in memory, else
    Telegram's language_code, else the configured default. The error path uses only this, so it
    still answers in the person's language while the database is down."""
    user = update.effective_user
    if user is None:
        return context.settings.default_locale
    cached = context.person_data.get(LOCALE_KEY) if context.user_data is not None else None
    return locale_of(cached, user.language_code, context.settings.default_locale)


async def reader_locale(update: Update, context: BridgeContext) -> str:
    """The language to answer in: the person's choice, else Telegram's, else the configured default."""
    user = update.effective_user
    if user is None:
        return context.settings.default_locale
    cached = context.person_data.get(LOCALE_KEY) if context.user_data is not None else None
    if cached:
        return cached
    chosen = None
    person: PersonView | None
    try:
        async with context.db() as db:
            if update.effective_chat is not None and update.effective_chat.id == user.id:
                # Whoever talks to the bot privately becomes a known person (ids in grants, logs...).
                person = people.view(await people.upsert(db, identity(user), context.clock()))
            else:
                person = await people.get(db, user.id)
        chosen = person.locale if person else None
    except Exception as error:
        if not is_storage_failure(error):
            raise
        # The handler that follows meets the same outage and answers "try again"; this step only
        # must not fail, or the person would hear it twice.
        log.warning("could not read the person's language; falling back", exc_info=True)
    if chosen and context.user_data is not None:
        context.person_data[LOCALE_KEY] = chosen
    return chosen or known_locale(update, context)


async def reader_zone(update: Update, context: BridgeContext) -> str:
    """The time zone to show times in for the person who acted (UTC until they chose one)."""
    user = update.effective_user
    if user is None:
        return "UTC"
    async with context.db() as db:
        person = await people.get(db, user.id)
    return (person.timezone if person else None) or "UTC"


def remember_locale(context: BridgeContext, locale: str) -> None:
    if context.user_data is not None:
        context.person_data[LOCALE_KEY] = locale
    set_locale(locale)


def forget_locale(context: BridgeContext) -> None:
    if context.user_data is not None:
        context.person_data.pop(LOCALE_KEY, None)


async def apply_reader_locale(update: Update, context: BridgeContext) -> str:
    # The first handler of every update (group -1): per-update bookkeeping starts afresh here.
    _failures_told.set(set())
    locale = await reader_locale(update, context)
    set_locale(locale)
    return locale


async def reply(
    update: Update,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    alert: bool = False,
) -> None:
    """Answer where the person acted: a button press gets the callback answered (as an alert when
    ``alert``) and, unless it was an alert, a message in the chat; a message gets a reply."""
    query = update.callback_query
    if query is not None:
        if alert:
            await answer_once(query, text[:200], show_alert=True)
            return
        await answer_once(query)
    chat = update.effective_chat
    if chat is None:
        return
    message = update.effective_message
    if message is not None and query is None:
        await message.reply_text(text, reply_markup=reply_markup, do_quote=False)
    else:
        await chat.send_message(text, reply_markup=reply_markup)


# Update ids whose failure the person was already told about.
_failures_told: ContextVar[set[int] | None] = ContextVar("failures_told", default=None)


def first_failure_of_update(update: Update) -> bool:
    """True the first time it is asked for an update, False after (one apology per update)."""
    told = _failures_told.get()
    if told is None:
        told = set()
        _failures_told.set(told)
    if update.update_id in told:
        return False
    told.add(update.update_id)
    return True


async def answer_once(
    query: CallbackQuery, text: str | None = None, *, show_alert: bool = False
) -> bool:
    """Answer a button press unless it was answered already (Telegram refuses a second answer).
    True when this call answered it. The bot client remembers answered queries across handlers
    and the error handler (bot/bot_api.py)."""
    bot = query.get_bot()
    if isinstance(bot, BridgeBot) and bot.was_answered(query.id):
        return False
    await query.answer(text, show_alert=show_alert)
    return True


EXPIRED = N_("This button has expired. Please use the latest message.")
# A second press of a button whose change is saved (see bot/services/presses.py).
ALREADY_DONE = N_("This was already done.")


def verified_press(update: Update, context: BridgeContext) -> Payload | None:
    """The payload of a button press if the bot signed it for the person pressing, else None."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    return verify(context.runtime.secret, user.id, query.data)


async def button_expired(update: Update) -> None:
    await reply(update, _(EXPIRED), alert=True)


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
