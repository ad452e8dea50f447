"""A reason the bot gives is read in each reader's language; a moderator's own words as typed
(issue #12: a Russian moderator's Warn on a report used to reach everyone in Russian)."""

from __future__ import annotations

from bot.handlers.group_post import BLOCK_SEPARATOR
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue, make_dialogue, t

RUSSIAN = t("ru", "reported message")


def reason(locale: str, text: str) -> str:
    return t(locale, "Reason: {reason}", reason=text)


def warned(locale: str, name: str, count: int = 1) -> str:
    return t(locale, "⚠️ {name} was warned ({count}/{limit}).", name=name, count=count, limit=5)


async def test_a_report_upheld_by_a_russian_moderator_reads_in_each_language(
    tg, fake, runtime
) -> None:
    dialogue: Dialogue = await make_dialogue(fake, runtime, languages=("en", "ru", "az"))
    aydan = await dialogue.participant("Aydan", "az")
    boris = await dialogue.participant("Boris", "en")
    maria = await dialogue.moderator("Maria", "ru")
    otto = await dialogue.moderator("Otto", "he")
    assert RUSSIAN != "reported message"  # the catalogs do translate it
    msg = await tg.say(aydan, dialogue.chat, "your side always lies")
    await tg.say(boris, dialogue.chat, "/report", reply_to=msg)

    await tg.click(maria, tg.last_message(tg.private(maria)), t("ru", "Warn"))

    # The group notice: one block per group language, each with the reason in its own language.
    blocks = tg.last_text(dialogue.chat).split(BLOCK_SEPARATOR)
    assert blocks == [
        warned(loc, "Aydan") + "\n" + reason(loc, t(loc, "reported message"))
        for loc in ("en", "ru", "az")
    ]
    assert RUSSIAN not in blocks[0] and RUSSIAN not in blocks[2]
    # The offender's DM is in Azerbaijani.
    dm = tg.last_text(tg.private(aydan))
    assert reason("az", t("az", "reported message")) in dm
    assert RUSSIAN not in dm
    # Stored as a code, with no one's words.
    [row] = await dialogue.log("warn")
    assert row.reason_code == "reported_message" and row.reason is None
    assert row.actor_id == maria.id

    # Otto reads the log, the warnings and the appeal in Hebrew.
    await tg.say(otto, dialogue.chat, "/modlog")
    log_text = tg.last_text(tg.private(otto))
    assert t("he", "reported message") in log_text and RUSSIAN not in log_text
    await tg.say(otto, dialogue.chat, "/warns", reply_to=msg)
    assert tg.last_text(dialogue.chat).splitlines()[1].endswith(": " + t("he", "reported message"))
    await tg.click(aydan, tg.last_message(tg.private(aydan)), t("az", "⚖️ Appeal"))
    await tg.say(aydan, tg.private(aydan), "It was a question, not an insult")
    appeal = tg.last_text(tg.private(otto))
    assert appeal.startswith(
        t("he", "⚖️ Appeal from {name} ({group})", name="Aydan", group="Group 1")
    )
    assert reason("he", t("he", "reported message")) in appeal and RUSSIAN not in appeal


async def test_a_report_upheld_with_remove_tells_the_offender_in_their_language(
    tg, fake, runtime
) -> None:
    dialogue: Dialogue = await make_dialogue(fake, runtime, languages=("en", "az"))
    aydan = await dialogue.participant("Aydan", "az")
    boris = await dialogue.participant("Boris", "en")
    maria = await dialogue.moderator("Maria", "ru")
    msg = await tg.say(aydan, dialogue.chat, "your side always lies")
    await tg.say(boris, dialogue.chat, "/report", reply_to=msg)
    await tg.click(maria, tg.last_message(tg.private(maria)), t("ru", "Remove"))
    group_text = tg.last_text(dialogue.chat)
    assert reason("en", "reported message") in group_text
    assert reason("az", t("az", "reported message")) in group_text
    assert RUSSIAN not in group_text
    assert reason("az", t("az", "reported message")) in tg.last_text(tg.private(aydan))
    [row] = await dialogue.log("kick")
    assert row.reason_code == "reported_message" and row.reason is None


async def test_a_typed_reason_is_shown_as_typed_in_every_language(tg, fake, runtime) -> None:
    dialogue: Dialogue = await make_dialogue(fake, runtime, languages=("en", "ru", "az"))
    aydan = await dialogue.participant("Aydan", "az")
    maria = await dialogue.moderator("Maria", "ru")
    msg = await tg.say(aydan, dialogue.chat, "buy my course, great price")
    await tg.say(maria, dialogue.chat, "/warn spam links", reply_to=msg)
    blocks = tg.last_text(dialogue.chat).split(BLOCK_SEPARATOR)
    assert blocks == [
        warned(loc, "Aydan") + "\n" + reason(loc, "spam links") for loc in ("en", "ru", "az")
    ]
    assert reason("az", "spam links") in tg.last_text(tg.private(aydan))
    [row] = await dialogue.log("warn")
    assert row.reason == "spam links" and row.reason_code is None
