"""Organizers create programs and invite people, in private chat with the bot."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import ConductText, Invite, OrganizerGrant, Program, ProgramLanguage, Side
from bot.i18n import translate_in
from tests.handlers.enrol_fixtures import make_program


async def count(runtime, model, *where) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model).where(*where))


async def test_shortest_path_to_a_program_is_a_few_taps(tg, fake, runtime, admin) -> None:
    chat = fake.private(admin)
    await tg.say(admin, chat, "/timezone")
    await tg.say(admin, chat, "Yerevan")
    await tg.say(admin, chat, "/newprogram")
    assert tg.last_text(chat).startswith("Let's create a program. What is its name?")
    await tg.say(admin, chat, "Spring Exchange 2026")
    await tg.say(admin, chat, "Armenia, Azerbaijan")
    languages = tg.last_message(chat)
    assert "✓ English" in tg.buttons(languages)
    await tg.click(admin, languages, "Հայերեն")
    await tg.click(admin, tg.last_message(chat), "Azərbaycan")
    await tg.click(admin, tg.last_message(chat), "Done")
    await tg.click(admin, tg.last_message(chat), "Use Armenia Time")
    for _ in range(3):  # en, hy, az: the standard code of conduct for each
        await tg.click(admin, tg.last_message(chat), "Use the standard code of conduct")
    # The published criteria of success: a preset in one tap.
    goals = tg.last_message(chat)
    assert tg.last_text(chat).startswith("Publish criteria of success now?")
    assert "Standard goals: Attendance at least 80%; Felt heard at least 4.00;" in tg.last_text(
        chat
    )
    assert tg.buttons(goals) == ["Standard goals", "Light goals", "No goals for now"]
    await tg.click(admin, goals, "Standard goals")
    assert tg.last_text(chat) == (
        "Program Spring Exchange 2026 is ready: sides Armenia, Azerbaijan; languages English, Հայերեն, "
        "Azərbaycan; time zone Armenia Time.\n\nNext: make invite links with /invite.\n\n"
        "Published goals: Attendance at least 80%; Felt heard at least 4.00; Trust after minus "
        "before above +0.00, with 95% confidence; Largest side's share of messages at most 60%; "
        "Appeals decided within 48 h: at least 100%."
    )
    async with runtime.db() as db:
        program = (await db.scalars(select(Program))).one()
        sides = (await db.scalars(select(Side.name).order_by(Side.position))).all()
        languages = (
            await db.scalars(select(ProgramLanguage.locale).order_by(ProgramLanguage.position))
        ).all()
        grants = (await db.scalars(select(OrganizerGrant.person_id))).all()
    assert (program.timezone, program.default_locale) == ("Asia/Yerevan", "en")
    assert [g["kind"] for g in program.fairness["goals"]] == [
        "attendance",
        "felt_heard",
        "trust_change",
        "speaking_balance",
        "appeals_answered",
    ]
    assert sides == ["Armenia", "Azerbaijan"] and languages == ["en", "hy", "az"]
    assert grants == [admin.id]
    assert await count(runtime, ConductText) == 0  # the standard text is rendered per reader
    # The organizer's own menu now includes organizer commands.
    menus = [
        c for c in tg.calls("setMyCommands") if c.params.get("scope", {}).get("chat_id") == admin.id
    ]
    assert menus and "newprogram" in {c["command"] for c in menus[-1].params["commands"]}


async def test_custom_code_of_conduct_and_bad_answers(tg, fake, runtime, admin) -> None:
    chat = fake.private(admin)
    await tg.say(admin, chat, "/newprogram")
    await tg.say(admin, chat, "N" * 5000)
    assert tg.last_text(chat) == (
        "That name is too long (5000 characters); the limit is 200.\nPlease send another name."
    )
    await tg.say(admin, chat, "Bridge Cohort")
    await tg.say(admin, chat, "Only one side")
    assert tg.last_text(chat) == "A program needs at least 2 sides. Separate them with commas."
    await tg.say(admin, chat, "Cyprus North, Cyprus South")
    await tg.click(admin, tg.last_message(chat), "Done")
    await tg.say(admin, chat, "Nowhere-land")
    assert tg.last_text(chat).startswith("I couldn't find a time zone for Nowhere-land.")
    await tg.say(admin, chat, "Nicosia")
    await tg.say(admin, chat, "Respect everyone. No hate speech.")
    goals = tg.last_message(chat)
    await tg.say(admin, chat, "80% attendance please")  # typed, not pressed: the question again
    assert tg.last_text(chat) == "Please answer the question above, or send /cancel to stop."
    await tg.click(admin, goals, "No goals for now")
    assert tg.last_text(chat).startswith("Program Bridge Cohort is ready")
    assert "Published goals" not in tg.last_text(chat)
    async with runtime.db() as db:
        program = (await db.scalars(select(Program))).one()
        texts = (await db.scalars(select(ConductText.text))).all()
    assert program.timezone == "Asia/Nicosia"
    assert texts == ["Respect everyone. No hate speech."]
    assert program.fairness is None  # no goals published


async def test_cancel_creates_nothing(tg, fake, runtime, admin) -> None:
    chat = fake.private(admin)
    await tg.say(admin, chat, "/newprogram")
    await tg.say(admin, chat, "Half done")
    await tg.say(admin, chat, "/cancel")
    assert tg.last_text(chat) == "Cancelled; no program was created."
    assert await count(runtime, Program) == 0


async def test_organizer_commands_are_refused_to_others_in_their_language(
    tg, fake, runtime
) -> None:
    ani = fake.user("Ani", language_code="ru")
    chat = fake.private(ani)
    for command in ("/newprogram", "/programs", "/invite"):
        await tg.say(ani, chat, command)
        assert tg.last_text(chat) == translate_in(
            "ru", "Only the program's organizers can do that."
        )
    assert await count(runtime, Program) == 0


async def test_invite_by_buttons_then_revoke(tg, fake, runtime, admin) -> None:
    spring = await make_program(runtime)
    async with runtime.db() as db:
        from bot.features.programs import service as programs

        await programs.grant_organizer(
            db, spring.program.id, admin.id, granted_by=None, now=runtime.clock()
        )
    chat = fake.private(admin)
    before = await count(runtime, Invite)
    await tg.say(admin, chat, "/invite 7d 30")
    await tg.click(admin, tg.last_message(chat), "Spring Exchange")
    await tg.click(admin, tg.last_message(chat), "Azerbaijan")
    await tg.click(admin, tg.last_message(chat), "Student")
    message = tg.last_message(chat)
    async with runtime.db() as db:
        invite = (await db.scalars(select(Invite).order_by(Invite.id.desc()).limit(1))).one()
    assert await count(runtime, Invite) == before + 1
    assert (invite.role, invite.max_uses) == ("student", 30)
    assert invite.expires_at == runtime.clock() + timedelta(days=7)
    assert f"https://t.me/bridgebot_test_bot?start=join_{invite.code}" in message.text
    assert "Can be used 30 times." in message.text

    # The link works for a participant...
    ani = fake.user("Ani")
    await tg.start(ani, f"join_{invite.code}")
    assert "You are joining the Azerbaijan side." in tg.last_text(fake.private(ani))
    # ...until the organizer revokes it.
    await tg.click(admin, message, "Revoke this link")
    assert tg.last_text(chat) == "The invite link was revoked; nobody can join with it any more."
    elvin = fake.user("Elvin")
    await tg.start(elvin, f"join_{invite.code}")
    assert tg.last_text(fake.private(elvin)).startswith("This invite link was withdrawn")


async def test_invite_with_a_bad_duration_is_explained(tg, fake, runtime, admin) -> None:
    await make_program(runtime)
    chat = fake.private(admin)
    before = await count(runtime, Invite)
    await tg.say(admin, chat, "/invite 30x")
    assert tg.last_text(chat) == "I can't read the duration 30x. Use for example 30m, 2h, 1d or 1w."
    assert await count(runtime, Invite) == before


async def test_programs_lists_enrolment_counts(tg, fake, runtime, admin) -> None:
    await make_program(runtime)
    chat = fake.private(admin)
    await tg.say(admin, chat, "/programs")
    assert (
        tg.last_text(chat)
        == "Your programs:\n• Spring Exchange (#1) — enrolled: Armenia: 0, Azerbaijan: 0"
    )


async def test_granting_the_organizer_role(tg, fake, runtime, admin) -> None:
    spring = await make_program(runtime)
    chat = fake.private(admin)
    lena = fake.user("Lena")
    await tg.say(admin, chat, f"/organizer {spring.program.id} {lena.id}")
    assert tg.last_text(chat) == f"Done: {lena.id} is now an organizer of Spring Exchange."
    await tg.say(admin, chat, f"/organizer {spring.program.id} {lena.id}")
    assert tg.last_text(chat) == f"{lena.id} already organizes Spring Exchange; nothing changed."
    # Lena may now organize that program, and is refused nothing there.
    await tg.say(lena, fake.private(lena), "/programs")
    assert "Spring Exchange" in tg.last_text(fake.private(lena))
    await tg.say(admin, chat, "/organizer")
    assert tg.last_text(chat) == "Usage: /organizer PROGRAM_ID USER_ID"
