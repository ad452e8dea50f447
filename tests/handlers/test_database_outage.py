"""The database goes away mid-run: every command and button press still gets exactly one answer,
the translated "try again in a moment" in the reader's language (the choice remembered in memory,
else Telegram's language), the error path never touches the database, nothing is half-written,
and passive steps (filters on plain group messages) stay silent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.models import Enrolment, ModerationAction, OrganizerGrant, Person
from bot.features.programs import invites
from bot.features.programs import service as programs
from bot.handlers.errors import RETRY
from bot.i18n import translate_in
from bot.services import people
from tests.handlers.moderation_fixtures import make_dialogue
from tests.helpers.outage import database_outage

# Every private command that needs the database (/privacy and /forgetme's question need none).
PRIVATE = [
    "/start", "/me", "/language", "/timezone", "/rules", "/schedule", "/calendar", "/feedback",
    "/appeal", "/help", "/programs", "/report", "/export", "/invite", "/groups", "/formgroups",
    "/newprogram", "/newsession", "/conduct", "/reminders", "/sessions", "/cancelsession 1",
    "/reschedule 1 10.03.2026 19:00", "/organizer 1 5", "/moderator add @ani CODE1",
    "/start join_{invite}",
]
GROUP = ["/rules", "/session", "/agenda", "/hand", "/warns", "/modlog", "/settings", "/findtime",
         "/open", "/close", "/next", "/sessions"]
BY_REPLY = ["/warn spam", "/mute 1h spam", "/ban spam", "/kick", "/del", "/report"]


def _new(fake, chat, before: int) -> list[str]:
    return [m.text or m.caption or "" for m in fake.sent_messages(chat)[before:]]


async def _count(runtime, model) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model))


async def _world(tg, fake, runtime):
    dialogue = await make_dialogue(fake, runtime)
    olga = await dialogue.organizer("Olga", "ru")
    mod = await dialogue.moderator("Mod", "he")
    ani = await dialogue.participant("Ani", "ru")
    # Taras reads Ukrainian in the bot though his Telegram is English; he wrote before the outage,
    # so his choice is remembered in memory.
    taras = await dialogue.participant("Taras", "uk")
    taras.language_code = "en"
    await tg.say(taras, fake.private(taras), "/rules")
    assert tg.last_text(fake.private(taras)).startswith("Правила поведінки")
    # Noor never chose a language: her Telegram speaks Arabic.
    noor = fake.user("Noor", language_code="ar")
    fake.mark_started(noor)
    await tg.say(noor, fake.private(noor), "/language")
    languages = tg.last_message(fake.private(noor))
    await tg.say(olga, fake.private(olga), "/report")
    scopes = tg.last_message(fake.private(olga))
    async with runtime.db() as db:
        program = await programs.get(db, dialogue.program_id)
        invite = await invites.create(
            db, program_id=program.id, side_id=program.sides[0].id, role="student",
            created_by=None, now=runtime.clock(),
        )
    people_ = {"olga": olga, "mod": mod, "ani": ani, "taras": taras, "noor": noor}
    return dialogue, people_, (languages, scopes), invite.code


@pytest.mark.parametrize("kind", ["refused", "unopenable"])
async def test_every_command_and_button_answers_try_again_while_the_database_is_gone(
    tg, fake, runtime, app, tmp_path, kind
):
    dialogue, who, (languages, scopes), code = await _world(tg, fake, runtime)
    locales = {"olga": "ru", "mod": "he", "ani": "ru", "taras": "uk", "noor": "ar"}
    retry = {name: translate_in(locale, RETRY) for name, locale in locales.items()}
    group = dialogue.chat
    with database_outage(runtime, kind, tmp_path):
        # A plain group message meets the conduct filter, which cannot load the rules: silence.
        before = len(fake.sent_messages(group))
        target = await tg.say(who["ani"], group, "hello everyone")
        assert _new(fake, group, before) == []
        for name, commands in (("olga", PRIVATE), ("noor", PRIVATE), ("taras", PRIVATE[:6])):
            chat = fake.private(who[name])
            for command in commands:
                before = len(fake.sent_messages(chat))
                await tg.say(who[name], chat, command.format(invite=code))
                assert _new(fake, chat, before) == [retry[name]], (name, command)
        for command in GROUP:
            before = len(fake.sent_messages(group))
            await tg.say(who["mod"], group, command)
            assert _new(fake, group, before) == [retry["mod"]], command
        for command in BY_REPLY:
            before = len(fake.sent_messages(group))
            author = who["ani"] if command == "/report" else who["mod"]
            await tg.say(author, group, command, reply_to=target)
            assert _new(fake, group, before) == [retry[name_of(who, author)]], command
        for user, message, button in (
            (who["noor"], languages, "Русский"),
            (who["olga"], scopes, translate_in("ru", "The whole program")),
        ):
            before = len(fake.sent_messages(fake.private(user)))
            press = await tg.click(user, message, button)
            answer = tg.callback_answer(press)
            assert answer is not None and answer["show_alert"] is True
            assert answer["text"] == retry[name_of(who, user)]
            assert _new(fake, fake.private(user), before) == []
    assert tg.calls("restrictChatMember") == [] and tg.calls("banChatMember") == []
    assert fake.message(group, target.message_id).deleted is False

    # Back again: the same press works, so nothing was left half-done.
    await tg.click(who["noor"], languages, "Русский")
    async with runtime.db() as db:
        assert (await people.get(db, who["noor"].id)).locale == "ru"


def name_of(who: dict, user) -> str:
    return next(name for name, u in who.items() if u.id == user.id)


async def test_writes_failing_half_way_leave_nothing_behind(tg, fake, runtime, app, tmp_path):
    """Reads work and every write fails: each unit of work is rolled back whole."""
    dialogue, who, (languages, _scopes), code = await _world(tg, fake, runtime)
    group = dialogue.chat
    target = await tg.say(who["ani"], group, "hello everyone")
    newcomer = fake.user("Lale", language_code="tr")
    counts = {m: await _count(runtime, m) for m in (ModerationAction, OrganizerGrant, Enrolment,
                                                     Person)}
    with database_outage(runtime, "writes_fail", tmp_path):
        for command in ("/warn spam", "/mute 1h spam", "/ban spam"):
            before = len(fake.sent_messages(group))
            await tg.say(who["mod"], group, command, reply_to=target)
            assert _new(fake, group, before) == [translate_in("he", RETRY)], command
        olga = fake.private(who["olga"])
        await tg.say(who["olga"], olga, f"/organizer {dialogue.program_id} {who['ani'].id}")
        assert tg.last_text(olga) == translate_in("ru", RETRY)
        press = await tg.click(who["noor"], languages, "Русский")
        assert tg.callback_answer(press)["text"] == translate_in("ar", RETRY)
        await tg.start(newcomer, f"join_{code}")
        assert tg.texts(fake.private(newcomer)) == [translate_in("tr", RETRY)]
    assert {m: await _count(runtime, m) for m in counts} == counts
    assert tg.calls("restrictChatMember") == [] and tg.calls("banChatMember") == []
    async with runtime.db() as db:
        assert (await people.get(db, who["noor"].id)).locale is None

    # Back again: the moderator's warning goes through and is logged once.
    await tg.say(who["mod"], group, "/warn spam", reply_to=target)
    assert await _count(runtime, ModerationAction) == counts[ModerationAction] + 1
