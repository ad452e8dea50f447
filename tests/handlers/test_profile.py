"""A person's own commands: /me, /language, /timezone, /rules, /privacy, /forgetme, /help, menus."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.config import SUPPORTED_LOCALES
from bot.db.models import Enrolment, ErasureRecord, Person
from bot.handlers.menus import PARTICIPANT_COMMANDS
from bot.handlers.texts import PRIVACY
from bot.i18n import language_name, translate_in
from tests.handlers.enrol_fixtures import make_program
from tests.handlers.test_enrolment import enrol_by_buttons


async def enrolled(tg, fake, runtime, name="Ani", language_code="en"):
    spring = await make_program(runtime)
    user = fake.user(name, language_code=language_code)
    chat = await enrol_by_buttons(tg, fake, user, spring.payload("Armenia"))
    await tg.click(user, tg.last_message(chat), "I accept")
    return user, chat


async def test_me_shows_profile_in_local_time(tg, fake, runtime) -> None:
    ani, chat = await enrolled(tg, fake, runtime)
    await tg.say(ani, chat, "/me")
    assert tg.last_text(chat) == (
        "Your profile\nName: Ani\nLanguage: English\n"
        "Time zone: Armenia Time (it is now 3/2/26, 1:00\u202fPM)\n"
        "Program: Spring Exchange, side: Armenia, role: Student, enrolled on March 2, 2026"
    )


async def test_language_change_applies_at_once(tg, fake, runtime) -> None:
    ani, chat = await enrolled(tg, fake, runtime)
    await tg.say(ani, chat, "/language")
    await tg.click(ani, tg.last_message(chat), "עברית")
    assert tg.last_text(chat) == translate_in(
        "he", "Done! I will write to you in {language}.", language="עברית"
    )
    await tg.say(ani, chat, "/privacy")
    assert tg.last_text(chat) == translate_in("he", PRIVACY)
    async with runtime.db() as db:
        assert (await db.get(Person, ani.id)).locale == "he"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_language_picker_offers_every_shipped_language(tg, fake, runtime, locale) -> None:
    ani, chat = await enrolled(tg, fake, runtime)
    await tg.say(ani, chat, "/language")
    buttons = tg.buttons(tg.last_message(chat))
    names = [b.removeprefix("✓ ") for b in buttons]
    assert sorted(names) == sorted(language_name(loc) for loc in SUPPORTED_LOCALES)
    await tg.click(ani, tg.last_message(chat), language_name(locale))
    assert tg.last_text(chat) == translate_in(
        locale, "Done! I will write to you in {language}.", language=language_name(locale)
    )
    async with runtime.db() as db:
        assert (await db.get(Person, ani.id)).locale == locale
    await tg.say(ani, chat, "/language")
    assert tg.last_text(chat) == translate_in(locale, "Which language should I use with you?")
    assert "✓ " + language_name(locale) in tg.buttons(tg.last_message(chat))


async def test_timezone_change_by_typed_offset_and_by_country(tg, fake, runtime) -> None:
    ani, chat = await enrolled(tg, fake, runtime)
    await tg.say(ani, chat, "/timezone")
    assert tg.last_text(chat).startswith("Your time zone is Armenia Time.")
    await tg.say(ani, chat, "+05:45")
    assert (
        tg.last_text(chat) == "Your time zone is now Nepal Time. It is 3/2/26, 2:45\u202fPM there."
    )
    await tg.say(ani, chat, "/timezone")
    await tg.click(ani, tg.last_message(chat), "Azerbaijan")
    async with runtime.db() as db:
        assert (await db.get(Person, ani.id)).timezone == "Asia/Baku"
    # Free text after the question was answered is not taken as a zone any more.
    await tg.say(ani, chat, "Tokyo")
    assert tg.last_text(chat) == "I didn't understand that. /help lists what you can do."


async def test_rules_shows_the_code_of_conduct_in_the_readers_language(tg, fake, runtime) -> None:
    ani, chat = await enrolled(tg, fake, runtime, language_code="en")
    await tg.say(ani, chat, "/rules")
    assert tg.last_text(chat).startswith("Code of conduct\n\n1. Speak for yourself")


async def test_forgetme_needs_confirmation_then_erases_everything_naming_the_person(
    tg, fake, runtime
) -> None:
    ani, chat = await enrolled(tg, fake, runtime)
    await tg.say(ani, chat, "/forgetme")
    await tg.click(ani, tg.last_message(chat), "No, keep it")
    assert tg.last_text(chat) == "Nothing was erased."
    async with runtime.db() as db:
        assert await db.get(Person, ani.id) is not None
    await tg.say(ani, chat, "/forgetme")
    await tg.click(ani, tg.last_message(chat), "Yes, erase everything")
    assert tg.last_text(chat).startswith("Done. Everything that named you has been erased.")
    async with runtime.db() as db:
        assert await db.get(Person, ani.id) is None
        assert await db.scalar(select(func.count()).select_from(Enrolment)) == 0
        record = (await db.scalars(select(ErasureRecord))).one()
        assert (record.reason, record.enrolments_removed) == ("forgetme", 1)


async def test_help_lists_what_this_person_may_do(tg, fake, runtime, admin) -> None:
    ani, chat = await enrolled(tg, fake, runtime)
    await tg.say(ani, chat, "/help")
    participant_help = tg.last_text(chat)
    assert "/me — your profile" in participant_help
    assert "/newprogram" not in participant_help
    await tg.say(admin, fake.private(admin), "/help")
    admin_help = tg.last_text(fake.private(admin))
    assert "/newprogram — create a program" in admin_help
    assert "/organizer" in admin_help


async def test_unknown_command_and_stray_text_get_a_pointer_to_help(tg, fake) -> None:
    ani = fake.user("Ani", language_code="uk")
    chat = fake.private(ani)
    await tg.say(ani, chat, "/frobnicate")
    assert tg.last_text(chat) == translate_in(
        "uk", "I don't know that command. /help lists what you can do."
    )
    await tg.say(ani, chat, "x" * 4096)
    assert tg.last_text(chat) == translate_in(
        "uk", "I didn't understand that. /help lists what you can do."
    )


async def test_command_menus_are_published_per_language(tg, fake) -> None:
    calls = tg.calls("setMyCommands")
    by_language = {
        (c.params.get("language_code"), c.params["scope"]["type"]): c.params["commands"]
        for c in calls
    }
    assert ("ru", "all_private_chats") in by_language and ("ar", "all_private_chats") in by_language
    ru = {c["command"]: c["description"] for c in by_language[("ru", "all_private_chats")]}
    assert ru["language"] == translate_in("ru", "change your language")
    # One menu per Telegram language code (two letters): Serbian in Cyrillic, Chinese Simplified.
    published = {code for code, scope in by_language if scope == "all_private_chats"}
    assert published == {None, *(loc for loc in SUPPORTED_LOCALES if "_" not in loc), "zh"}
    assert {code for code, scope in by_language if scope == "all_group_chats"} == published
    for code, locale in [
        *((loc, loc) for loc in SUPPORTED_LOCALES if "_" not in loc),
        ("zh", "zh_Hans"),
    ]:
        menu = {c["command"]: c["description"] for c in by_language[(code, "all_private_chats")]}
        assert menu == {name: translate_in(locale, text) for name, text in PARTICIPANT_COMMANDS}
    assert {c["command"] for c in by_language[(None, "all_private_chats")]} >= {
        "start",
        "me",
        "help",
        "forgetme",
    }


async def test_readers_of_a_script_without_a_default_menu_get_their_own(tg, fake, runtime) -> None:
    """Telegram keys default menus by two-letter codes (zh is Simplified, sr Cyrillic): a reader
    of Traditional Chinese or Serbian Latin gets a private-chat menu in their script."""
    ani, chat = await enrolled(tg, fake, runtime)

    def chat_menus() -> list:
        return [
            c
            for c in tg.calls()  # in the order they were made
            if c.method in ("setMyCommands", "deleteMyCommands")
            and c.params.get("scope", {}).get("type") == "chat"
            and c.params["scope"].get("chat_id") == ani.id
        ]

    before = len(chat_menus())
    await tg.say(ani, chat, "/language")
    await tg.click(ani, tg.last_message(chat), language_name("he"))
    assert len(chat_menus()) == before  # Hebrew has a default menu
    for locale in ("zh_Hant", "sr_Latn"):
        await tg.say(ani, chat, "/language")
        await tg.click(ani, tg.last_message(chat), language_name(locale))
        menu = chat_menus()[-1]
        assert menu.method == "setMyCommands"
        described = {c["command"]: c["description"] for c in menu.params["commands"]}
        assert described == {n: translate_in(locale, t) for n, t in PARTICIPANT_COMMANDS}
    await tg.say(ani, chat, "/language")
    await tg.click(ani, tg.last_message(chat), language_name("en"))
    assert chat_menus()[-1].method == "deleteMyCommands"  # back to the default menus
