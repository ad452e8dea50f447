"""The command menus Telegram shows, per language and per audience (setMyCommands)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
)
from telegram.error import TelegramError

from bot.config import SUPPORTED_LOCALES
from bot.i18n import N_, _, use_locale

log = logging.getLogger(__name__)

PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("start or join a program")),
    ("me", N_("your profile")),
    ("language", N_("change your language")),
    ("timezone", N_("change your time zone")),
    ("rules", N_("the code of conduct")),
    ("privacy", N_("what is stored about you and why")),
    ("forgetme", N_("erase your data")),
    ("help", N_("what you can do")),
)
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("newprogram", N_("create a program")),
    ("programs", N_("your programs")),
    ("invite", N_("make an invite link")),
)
GROUP_COMMANDS: tuple[tuple[str, str], ...] = ()
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = ()


def _merge_area_commands() -> None:
    """Each part declares its commands in its *_texts module; the menus list them all."""
    from bot.features.feedback import texts as feedback_texts
    from bot.features.groups import texts as groups_texts
    from bot.features.moderation import texts as moderation_texts
    from bot.features.pairs import texts as pairs_texts
    from bot.features.rounds import texts as rounds_texts
    from bot.features.sessions import texts as sessions_texts

    global PARTICIPANT_COMMANDS, ORGANIZER_COMMANDS, GROUP_COMMANDS, MODERATOR_COMMANDS
    areas = (
        groups_texts,
        moderation_texts,
        sessions_texts,
        feedback_texts,
        rounds_texts,
        pairs_texts,
    )
    for area in areas:
        PARTICIPANT_COMMANDS = (
            *PARTICIPANT_COMMANDS[:-1],
            *area.PARTICIPANT_COMMANDS,
            PARTICIPANT_COMMANDS[-1],
        )
        ORGANIZER_COMMANDS += area.ORGANIZER_COMMANDS
        GROUP_COMMANDS += area.GROUP_COMMANDS
        MODERATOR_COMMANDS += area.MODERATOR_COMMANDS


_merge_area_commands()


# Telegram keys default menus by a two-letter ISO 639-1 code only, so one catalog per language is
# published under it: Serbian in Cyrillic (as Telegram's own Serbian) and Chinese in Simplified
# characters; sr_Latn and zh_Hant readers see those menus (the bot's messages stay in their script).
MENU_LANGUAGE_CODES = {"sr": "sr", "zh_Hans": "zh"}


def menu_locales() -> list[tuple[str, str]]:
    """(Telegram language_code, catalog) for every default menu besides the one with no code."""
    published = []
    for locale in SUPPORTED_LOCALES:
        code = MENU_LANGUAGE_CODES.get(locale, locale)
        if len(code) == 2:
            published.append((code, locale))
    return published


def _commands(entries: Iterable[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, _(text)) for name, text in entries]


async def publish_default_menus(bot: Bot) -> None:
    """Participant and group menus in every language (Telegram picks by the user's app language)."""
    for code, locale in ((None, "en"), *menu_locales()):
        with use_locale(locale):
            await bot.set_my_commands(
                _commands(PARTICIPANT_COMMANDS),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=code,
            )
            await bot.set_my_commands(
                _commands(GROUP_COMMANDS),
                scope=BotCommandScopeAllGroupChats(),
                language_code=code,
            )


def needs_own_menu(locale: str | None) -> bool:
    """Whether no default menu is in this catalog (sr_Latn, zh_Hant): the reader's private chat
    then gets a menu of its own, in their script."""
    return locale in SUPPORTED_LOCALES and locale not in {loc for _code, loc in menu_locales()}


async def publish_reader_menu(
    bot: Bot, person_id: int, locale: str, *, previous: str | None, organizer: bool
) -> None:
    """After a person chose ``locale`` (``previous`` before): an organizer's menu follows their
    language; a reader of a locale without a default menu gets their own private-chat menu, and
    loses it when they move to a language that has one."""
    if organizer:
        await publish_organizer_menu(bot, person_id, locale)
        return
    scope = BotCommandScopeChat(person_id)
    try:
        if needs_own_menu(locale):
            with use_locale(locale):
                await bot.set_my_commands(_commands(PARTICIPANT_COMMANDS), scope=scope)
        elif needs_own_menu(previous):
            await bot.delete_my_commands(scope=scope)
    except TelegramError:
        log.info("could not update the private menu of a person")


async def publish_organizer_menu(bot: Bot, person_id: int, locale: str) -> None:
    """An organizer's private chat menu: participant commands plus organizer commands."""
    with use_locale(locale):
        try:
            await bot.set_my_commands(
                _commands(PARTICIPANT_COMMANDS + ORGANIZER_COMMANDS),
                scope=BotCommandScopeChat(person_id),
            )
        except TelegramError:
            log.info("could not set the organizer menu for a person who has not started the bot")


async def publish_moderator_menu(
    bot: Bot, chat_id: int, person_id: int, locale: str, *, moderator: bool
) -> None:
    """A moderator sees the moderator commands in their dialogue group's menu; a former one no more."""
    scope = BotCommandScopeChatMember(chat_id, person_id)
    try:
        if moderator:
            with use_locale(locale):
                await bot.set_my_commands(
                    _commands(GROUP_COMMANDS + MODERATOR_COMMANDS), scope=scope
                )
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError:
        log.info("could not update the moderator menu in chat %s", chat_id)
