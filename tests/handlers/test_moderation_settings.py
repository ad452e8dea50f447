"""/settings, /rules in a group, and /forgetme removing excerpts."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import SUPPORTED_LOCALES
from bot.db.models import Excerpt, ModerationAction, RuleSet
from bot.features.moderation.texts import ERROR_MESSAGES
from bot.handlers.texts import DEFAULT_CONDUCT
from bot.i18n import language_name
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue, t


async def test_rules_in_every_group_language(tg, fake, dialogue: Dialogue) -> None:
    alice = await dialogue.participant("Alice", "en")
    await tg.say(alice, dialogue.chat, "/rules")
    text = tg.last_text(dialogue.chat)
    assert text.startswith(t("en", DEFAULT_CONDUCT))
    assert t("ru", DEFAULT_CONDUCT) in text


async def test_rules_in_many_languages_stay_within_telegram_limits(tg, fake, runtime) -> None:
    from tests.handlers.moderation_fixtures import make_dialogue

    big = await make_dialogue(fake, runtime, languages=SUPPORTED_LOCALES, name="Big")
    alice = await big.participant("Alice", "en")
    await tg.say(alice, big.chat, "/rules")
    sent = [m.text for m in fake.sent_messages(big.chat)]
    assert all(len(text) <= 4096 for text in sent)
    assert sent[0].startswith(t("en", DEFAULT_CONDUCT))


async def test_settings_toggle_filters_and_links_logged(
    tg, fake, dialogue: Dialogue, clock
) -> None:
    mona = await dialogue.moderator("Mona", "en")
    alice = await dialogue.participant("Alice", "en")
    await tg.say(mona, dialogue.chat, "/settings")
    panel = tg.last_message(dialogue.chat)
    assert panel.text.startswith(
        "Settings of Group 1\nFilters: on\nFlood limit: 5 messages in 10 s"
    )
    await tg.click(mona, panel, "Links: allowed")
    panel = fake.message(dialogue.chat, panel.message_id)
    assert "Links: only allowed sites" in panel.text
    await tg.click(mona, panel, "Links: only allowed sites")
    assert "Links: not allowed" in fake.message(dialogue.chat, panel.message_id).text
    msg = await tg.say(alice, dialogue.chat, "see example.com/page")
    assert fake.message(dialogue.chat, msg.message_id).deleted
    assert "What was found: «example.com/page»" in tg.last_text(tg.private(alice))
    clock.advance(seconds=30)
    await tg.click(mona, fake.message(dialogue.chat, panel.message_id), "Filters: on")
    msg = await tg.say(alice, dialogue.chat, "see example.com/page again")
    assert not fake.message(dialogue.chat, msg.message_id).deleted
    settings_rows = await dialogue.log("settings")
    assert [r.reason for r in settings_rows] == [
        "link_policy=allowlist",
        "link_policy=deny",
        "filters_enabled=False",
    ]
    assert all(r.actor_id == mona.id for r in settings_rows)
    async with dialogue.runtime.db() as db:
        row = await db.scalar(select(RuleSet).where(RuleSet.group_id == dialogue.group_id))
    assert row.settings == {"link_policy": "deny", "filters_enabled": False}


async def test_settings_forwards_and_languages(tg, fake, dialogue: Dialogue) -> None:
    mona = await dialogue.moderator("Mona", "en")
    alice = await dialogue.participant("Alice", "en")
    await tg.say(mona, dialogue.chat, "/settings")
    panel = tg.last_message(dialogue.chat)
    await tg.click(mona, panel, "Forwards: allowed")
    msg = await tg.say(alice, dialogue.chat, "look at this", forward_from=fake.user("Someone"))
    assert fake.message(dialogue.chat, msg.message_id).deleted
    await tg.click(mona, fake.message(dialogue.chat, panel.message_id), "✅ " + language_name("ru"))
    assert "Languages: English" in fake.message(dialogue.chat, panel.message_id).text
    await tg.say(alice, dialogue.chat, "/rules")
    assert tg.last_text(dialogue.chat) == t("en", DEFAULT_CONDUCT)
    # the last language cannot be removed
    update = await tg.click(
        mona, fake.message(dialogue.chat, panel.message_id), "✅ " + language_name("en")
    )
    assert tg.callback_answer(update)["text"] == t("en", "Choose at least one language.")
    assert [r.reason for r in await dialogue.log("settings")] == [
        "forwards_allowed=False",
        "languages=en",
    ]


async def test_a_settings_button_pressed_twice_changes_once_and_toggling_back_works(
    tg, fake, dialogue: Dialogue
) -> None:
    mona = await dialogue.moderator("Mona", "en")
    await tg.say(mona, dialogue.chat, "/settings")
    panel = tg.last_message(dialogue.chat)
    button = tg._find_button(panel, "Forwards: allowed")["callback_data"]
    language = tg._find_button(panel, "✅ " + language_name("ru"))["callback_data"]
    await tg.press_raw(mona, panel, button)
    # The same press again (a double tap, or the copy of the panel it was drawn on): no change.
    update = await tg.press_raw(mona, panel, button)
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert "Forwards: not allowed" in fake.message(dialogue.chat, panel.message_id).text
    await tg.press_raw(mona, panel, language)
    update = await tg.press_raw(mona, panel, language)
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert "Languages: English\n" in fake.message(dialogue.chat, panel.message_id).text
    # The redrawn panel's buttons act: forwards back on, and again off.
    for label in ("Forwards: not allowed", "Forwards: allowed"):
        await tg.click(mona, fake.message(dialogue.chat, panel.message_id), label)
    assert [r.reason for r in await dialogue.log("settings")] == [
        "forwards_allowed=False",
        "languages=en",
        "forwards_allowed=True",
        "forwards_allowed=False",
    ]


async def test_settings_buttons_are_for_the_moderator_who_opened_them(
    tg, fake, dialogue: Dialogue
) -> None:
    mona = await dialogue.moderator("Mona", "en")
    alice = await dialogue.participant("Alice", "ru")
    await tg.say(mona, dialogue.chat, "/settings")
    update = await tg.click(alice, tg.last_message(dialogue.chat), "Filters: on")
    assert tg.callback_answer(update)["text"] == t(
        "ru", "This button has expired. Please use the latest message."
    )
    assert await dialogue.log("settings") == []


async def test_forgetme_removes_excerpts_but_keeps_the_log_row(
    tg, fake, dialogue: Dialogue
) -> None:
    alice = await dialogue.participant("Alice", "en")
    msg = await tg.say(alice, dialogue.chat, "kys")
    assert fake.message(dialogue.chat, msg.message_id).deleted
    await tg.say(alice, tg.private(alice), "/forgetme")
    await tg.click(alice, tg.last_message(tg.private(alice)), "Yes, erase everything")
    async with dialogue.runtime.db() as db:
        assert (await db.scalars(select(Excerpt))).all() == []
        [row] = (await db.scalars(select(ModerationAction))).all()
    assert (
        row.action == "warn" and row.target_id is None and row.actor_rule == "filter:blocked_term"
    )


async def test_unbound_chat_commands_are_explained(tg, fake, dialogue: Dialogue) -> None:
    other = fake.group("Elsewhere")
    someone = fake.user("Someone", language_code="ru")
    fake.set_member(other, someone)
    await tg.say(someone, other, "/rules")
    assert tg.last_text(other) == t("ru", ERROR_MESSAGES["group_not_bound"])
