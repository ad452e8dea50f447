"""Automated filters on participants' group messages, seen by the people involved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Excerpt
from bot.features.moderation import rules as rules_service
from bot.features.moderation.texts import ERROR_MESSAGES
from bot.i18n import _, use_locale
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue, t


def removed_notice(locale: str, name: str, label: str) -> str:
    with use_locale(locale):
        return _("🛡 A message from {name} was removed: {rule}.", name=name, rule=_(label))


async def test_blocked_term_is_removed_warned_and_explained_in_dm(
    tg, fake, dialogue: Dialogue
) -> None:
    alice = await dialogue.participant("Alice", "en")
    msg = await tg.say(alice, dialogue.chat, "honestly, I will kill you if you say that again")
    assert fake.message(dialogue.chat, msg.message_id).deleted
    group_text = tg.last_text(dialogue.chat)
    assert removed_notice("en", "Alice", "offensive or threatening words") in group_text
    assert removed_notice("ru", "Alice", "offensive or threatening words") in group_text
    dm = tg.last_text(tg.private(alice))
    assert dm.startswith(
        "Your message in Group 1 was removed because it broke this rule:\n«Respect people"
    )
    assert "What was found: «I will kill you»" in dm
    assert "⚠️ You received a warning in Group 1 (1 of 5)." in dm
    assert tg.buttons(tg.last_message(tg.private(alice))) == ["⚖️ Appeal"]
    [row] = await dialogue.log("warn")
    assert (
        row.actor_id is None
        and row.actor_rule == "filter:blocked_term"
        and row.rule == "i will kill you"
    )
    async with dialogue.runtime.db() as db:
        assert (
            await db.scalars(select(Excerpt.text).where(Excerpt.action_id == row.id))
        ).all() == [msg.text]


async def test_dm_in_arabic_for_an_arabic_reader(tg, fake, dialogue: Dialogue) -> None:
    samir = await dialogue.participant("Samir", "ar")
    await tg.say(samir, dialogue.chat, "والرافضي")
    dm = tg.last_text(tg.private(samir))
    assert dm.splitlines()[0] == t(
        "ar", "Your message in {group} was removed because it broke this rule:", group="Group 1"
    )
    assert t("ar", "What was found: «{quote}»", quote="والرافضي") in dm
    assert tg.buttons(tg.last_message(tg.private(samir))) == [t("ar", "⚖️ Appeal")]


@pytest.mark.parametrize(
    "text",
    [
        "k\u200by\u200bs",  # zero-width characters
        "k\u0443s",  # Cyrillic u
        "just k y s",  # spacing
        "K.Y.S",
        "you r3tard",  # leetspeak
        "хохлы опять",  # Russian case ending
        "والرافضي",  # Arabic conjunction + article
        "I wiiill kill you",  # letter repetition
    ],
)
async def test_evasion_attempts_are_still_caught(tg, fake, dialogue: Dialogue, text: str) -> None:
    alice = await dialogue.participant("Alice", "en")
    msg = await tg.say(alice, dialogue.chat, text)
    assert fake.message(dialogue.chat, msg.message_id).deleted
    assert len(await dialogue.log("warn")) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe is a town",
        "the fire retardant worked",
        "хохлома — народный промысел",
        "жидкость для стекол",
        "شكرا جزيلا",
        "😀😀😀🎉",
        "\u0301\u0301\u0301\u0308",
        "2024 10:30 e.g. file.txt",
    ],
)
async def test_innocent_messages_pass(tg, fake, dialogue: Dialogue, text: str) -> None:
    alice = await dialogue.participant("Alice", "en")
    msg = await tg.say(alice, dialogue.chat, text)
    assert not fake.message(dialogue.chat, msg.message_id).deleted
    assert tg.calls("deleteMessage") == []
    assert await dialogue.log() == []


async def test_4096_character_messages(tg, fake, dialogue: Dialogue, clock) -> None:
    alice = await dialogue.participant("Alice", "en")
    clean = ("peace and dialogue " * 300)[:4096]
    msg = await tg.say(alice, dialogue.chat, clean)
    assert not fake.message(dialogue.chat, msg.message_id).deleted
    clock.advance(seconds=30)
    dirty = clean[: 4096 - len(" kys")] + " kys"
    assert len(dirty) == 4096
    msg = await tg.say(alice, dialogue.chat, dirty)
    assert fake.message(dialogue.chat, msg.message_id).deleted
    [row] = await dialogue.log("warn")
    async with dialogue.runtime.db() as db:
        [excerpt] = (
            await db.scalars(select(Excerpt.text).where(Excerpt.action_id == row.id))
        ).all()
    assert len(excerpt) == 500  # only an excerpt is kept


async def test_moderators_and_chat_admins_are_exempt(tg, fake, dialogue: Dialogue) -> None:
    mod = await dialogue.moderator("Mona", "en")
    admin_user = await dialogue.participant("Adam", "en")
    fake.set_member(dialogue.chat, admin_user, "administrator")
    a = await tg.say(mod, dialogue.chat, "quoting what was said: kys")
    b = await tg.say(admin_user, dialogue.chat, "kys is not ok here")
    assert not fake.message(dialogue.chat, a.message_id).deleted
    assert not fake.message(dialogue.chat, b.message_id).deleted
    assert await dialogue.log() == []


async def test_captions_and_edits_are_checked(tg, fake, dialogue: Dialogue, clock) -> None:
    alice = await dialogue.participant("Alice", "en")
    photo = await tg.say(alice, dialogue.chat, "look: kys", caption_photo=True)
    assert fake.message(dialogue.chat, photo.message_id).deleted
    clock.advance(seconds=30)
    msg = await tg.say(alice, dialogue.chat, "a friendly message")
    assert not fake.message(dialogue.chat, msg.message_id).deleted
    await tg.edit(alice, msg, "a friendly message... kys")
    assert fake.message(dialogue.chat, msg.message_id).deleted
    rows = await dialogue.log("warn")
    assert len(rows) == 2


async def test_flood_is_one_offence_per_burst(tg, fake, dialogue: Dialogue, clock) -> None:
    alice = await dialogue.participant("Alice", "ru")
    sent = []
    for i in range(7):
        sent.append(await tg.say(alice, dialogue.chat, f"message {i}"))
        clock.advance(seconds=1)
    assert [fake.message(dialogue.chat, m.message_id).deleted for m in sent] == [False] * 5 + [
        True,
        True,
    ]
    rows = await dialogue.log("warn")
    assert len(rows) == 1 and rows[0].actor_rule == "filter:flood"
    dm = tg.last_text(tg.private(alice))
    assert (
        t("ru", "No flooding: at most {count} messages in {seconds} seconds.", count=5, seconds=10)
        in dm
    )


async def test_filter_without_delete_right_tells_moderators(tg, fake, dialogue: Dialogue) -> None:
    alice = await dialogue.participant("Alice", "en")
    mona = await dialogue.moderator("Mona", "ru")
    fake.set_bot_admin(dialogue.chat, can_delete_messages=False)
    msg = await tg.say(alice, dialogue.chat, "kys")
    assert not fake.message(dialogue.chat, msg.message_id).deleted
    expected = t("ru", "In {group}: ", group="Group 1") + t(
        "ru", ERROR_MESSAGES["missing_right"], right=t("ru", "Delete messages")
    )
    assert tg.last_text(tg.private(mona)) == expected
    [row] = await dialogue.log("delete")
    assert row.failure == "missing_right:can_delete_messages"
    assert await dialogue.log("warn") == []


async def test_unbound_groups_are_left_alone(tg, fake, dialogue: Dialogue) -> None:
    other = fake.group("Some other chat")
    fake.set_bot_admin(other)
    alice = fake.user("Alice")
    fake.set_member(other, alice)
    msg = await tg.say(alice, other, "kys")
    assert not fake.message(other, msg.message_id).deleted
    assert tg.calls("deleteMessage") == []


async def test_automaton_is_compiled_once_not_per_message(
    tg, fake, dialogue: Dialogue, clock
) -> None:
    alice = await dialogue.participant("Alice", "en")
    await tg.say(alice, dialogue.chat, "hello")
    before = rules_service.builds()
    for i in range(20):
        clock.advance(seconds=3)
        await tg.say(alice, dialogue.chat, f"hello number {i}")
    assert rules_service.builds() == before
