"""The conduct filter in French, Spanish and German groups, as the people involved see it."""

from __future__ import annotations

from bot.i18n import _, use_locale
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: no_sleep)
from tests.handlers.moderation_fixtures import make_dialogue, t


def removed_notice(locale: str, name: str) -> str:
    with use_locale(locale):
        return _(
            "🛡 A message from {name} was removed: {rule}.",
            name=name,
            rule=_("offensive or threatening words"),
        )


async def test_a_french_threat_is_removed_and_explained_in_french(tg, fake, runtime) -> None:
    dialogue = await make_dialogue(fake, runtime, languages=("fr", "de"))
    claire = await dialogue.participant("Claire", "fr")
    msg = await tg.say(claire, dialogue.chat, "Je vais te tuer, tu m'entends ?")
    assert fake.message(dialogue.chat, msg.message_id).deleted
    group_text = tg.last_text(dialogue.chat)
    assert removed_notice("fr", "Claire") in group_text
    assert removed_notice("de", "Claire") in group_text
    dm = tg.last_text(tg.private(claire))
    assert dm.startswith(
        t("fr", "Your message in {group} was removed because it broke this rule:", group="Group 1")
    )
    assert t("fr", "What was found: «{quote}»", quote="Je vais te tuer") in dm


async def test_french_late_and_german_curve_pass_in_their_programs(tg, fake, runtime) -> None:
    # "en retard" holds English retard, Kurve Albanian kurvë: every starter list runs on every
    # message, and the program's languages' ordinary words are not another language's terms.
    dialogue = await make_dialogue(fake, runtime, languages=("fr", "de", "en"))
    claire = await dialogue.participant("Claire", "fr")
    for text in ("Désolée, je suis en retard !", "Die Straße macht eine scharfe Kurve."):
        msg = await tg.say(claire, dialogue.chat, text)
        assert not fake.message(dialogue.chat, msg.message_id).deleted
    assert tg.calls("deleteMessage") == []
    assert await dialogue.log() == []


async def test_english_retard_is_still_removed_where_french_is_not_spoken(
    tg, fake, runtime
) -> None:
    dialogue = await make_dialogue(fake, runtime, languages=("en", "es"))
    alice = await dialogue.participant("Alice", "en")
    msg = await tg.say(alice, dialogue.chat, "you retard")
    assert fake.message(dialogue.chat, msg.message_id).deleted
