"""A participant joins a program from an invite link, in their own language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Enrolment, EnrolmentDraft, Invite, Person
from bot.handlers.texts import DEFAULT_CONDUCT
from bot.i18n import FSI, PDI, translate_in
from tests.handlers.enrol_fixtures import make_program

EXPIRED = "This button has expired. Please use the latest message."


async def count(runtime, model, *where) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model).where(*where))


async def enrol_by_buttons(
    tg, fake, user, payload, *, language="English", role="Student", country="Armenia"
):
    chat = fake.private(user)
    await tg.start(user, payload)
    await tg.click(user, tg.last_message(chat), language)
    await tg.click(
        user,
        tg.last_message(chat),
        translate_in(_loc(language), "Student" if role == "Student" else "Professional"),
    )
    await tg.click(user, tg.last_message(chat), country)
    return chat


def _loc(language_button: str) -> str:
    return {"English": "en", "العربية": "ar", "Հայերեն": "hy", "Azərbaycan": "az"}.get(
        language_button.lstrip("✓ "), "en"
    )


async def test_enrolment_in_english_end_to_end(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani", language_code="en")
    chat = fake.private(ani)

    await tg.start(ani, spring.payload("Armenia"))
    first = tg.last_message(chat)
    assert "Welcome to Spring Exchange! You are joining the Armenia side." in first.text
    # The Telegram language is preselected and offered first; the program's languages are the choices.
    assert tg.buttons(first) == ["✓ English", "العربية", "Հայերեն", "Azərbaycan"]

    await tg.click(ani, first, "English")
    assert tg.texts(chat)[-2] == "Language: English"
    assert tg.last_text(chat) == "Are you taking part as a student or as a professional?"
    await tg.click(ani, tg.last_message(chat), "Student")
    assert "Which time zone are you in?" in tg.last_text(chat)
    assert "Armenia" in tg.buttons(tg.last_message(chat))

    await tg.say(ani, chat, "Yerevan")
    assert tg.texts(chat)[-2] == "Time zone: Armenia Time"
    conduct = tg.last_message(chat)
    assert "Last step: please read the code of conduct of Spring Exchange." in conduct.text
    assert "No insults, slurs or dehumanising words." in conduct.text
    assert await count(runtime, Enrolment) == 0  # nothing before Accept

    await tg.click(ani, conduct, "I accept")
    assert tg.texts(chat)[-2] == (
        "Welcome to Spring Exchange! You are enrolled on the Armenia side as a student. I will write to you "
        "when your dialogue group is ready. /me shows your details and /help lists what you can do."
    )
    # The pre-program survey is offered right after enrolment.
    assert tg.last_text(chat).startswith(
        "Welcome to Spring Exchange! Before it begins, would you answer a few short questions?"
    )
    async with runtime.db() as db:
        enrolment = (await db.scalars(select(Enrolment))).one()
        person = await db.get(Person, ani.id)
    assert (enrolment.person_id, enrolment.role) == (ani.id, "student")
    assert (person.locale, person.timezone) == ("en", "Asia/Yerevan")
    assert await count(runtime, EnrolmentDraft) == 0
    # Old buttons are removed once pressed, so they cannot be pressed twice.
    assert conduct.reply_markup in (None, {}) or tg.buttons(conduct) == []


async def test_enrolment_in_arabic_reads_right_to_left(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    samir = fake.user("Samir", language_code="ar")
    chat = fake.private(samir)
    await tg.start(samir, spring.payload("Azerbaijan"))
    # Before choosing, the bot already speaks the Telegram language.
    welcome = tg.last_message(chat)
    assert welcome.text == translate_in(
        "ar",
        "Welcome to {program}! You are joining the {side} side.\n\nFirst, which language should I use with you?",
        program="Spring Exchange",
        side="Azerbaijan",
    )
    # Latin names inside Arabic text are isolated so they keep their direction.
    assert f"{FSI}Spring Exchange{PDI}" in welcome.text
    assert tg.buttons(welcome)[0] == "✓ العربية"

    await tg.click(samir, welcome, "العربية")
    await tg.click(samir, tg.last_message(chat), translate_in("ar", "Professional"))
    await tg.say(samir, chat, "باكو")  # Baku, typed in Arabic
    assert tg.texts(chat)[-2] == translate_in("ar", "Time zone: {zone}", zone="توقيت أذربيجان")
    await tg.click(samir, tg.last_message(chat), translate_in("ar", "✅ I accept"))
    assert tg.texts(chat)[-2].startswith(
        translate_in(
            "ar",
            "Welcome to {program}! You are enrolled on the {side} side as a {role}. I will write to you when your dialogue group is ready. /me shows your details and /help lists what you can do.",
            program="Spring Exchange",
            side="Azerbaijan",
            role=translate_in("ar", "Professional").lower(),
        )[:20]
    )
    async with runtime.db() as db:
        person = await db.get(Person, samir.id)
    assert (person.locale, person.timezone) == ("ar", "Asia/Baku")


async def test_country_with_several_zones_offers_a_zone_list(tg, fake, runtime) -> None:
    spring = await make_program(runtime, languages=("en", "ru"))
    olga = fake.user("Olga", language_code="ru")
    chat = fake.private(olga)
    await tg.start(olga, spring.payload("Armenia"))
    await tg.click(olga, tg.last_message(chat), "Русский")
    await tg.click(olga, tg.last_message(chat), translate_in("ru", "Student"))
    await tg.click(olga, tg.last_message(chat), "Россия")
    zones = tg.last_message(chat)
    assert zones.text == translate_in("ru", "Which of these is your time zone?")
    moscow = next(b for b in tg.buttons(zones) if b.startswith("Москва"))
    await tg.click(olga, zones, moscow)
    assert translate_in(
        "ru", "Last step: please read the code of conduct of {program}.", program="Spring Exchange"
    ) in tg.last_text(chat)
    async with runtime.db() as db:
        assert (await db.get(Person, olga.id)).timezone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("unknown", "This invite link is not valid."),
        ("expired", "This invite link has expired."),
        ("revoked", "This invite link was withdrawn by the organizers."),
        ("used_up", "This invite link has been used as many times as allowed."),
    ],
)
async def test_unusable_invites_are_explained_and_change_nothing(
    tg, fake, runtime, clock, make, expected
) -> None:
    from bot.features.programs import invites

    spring = await make_program(runtime, expires_at=clock() + timedelta(days=1), max_uses=1)
    payload = spring.payload("Armenia")
    if make == "unknown":
        payload = "join_" + "A" * 22
    elif make == "expired":
        clock.advance(days=2)
    elif make == "revoked":
        async with runtime.db() as db:
            await invites.revoke(db, spring.invites["Armenia"].code, clock())
    elif make == "used_up":
        async with runtime.db() as db:
            await db.execute(Invite.__table__.update().values(uses=1))
    ani = fake.user("Ani")
    await tg.start(ani, payload)
    assert tg.last_text(fake.private(ani)).startswith(expected)
    assert await count(runtime, EnrolmentDraft) == 0
    assert await count(runtime, Enrolment) == 0


async def test_following_the_invite_twice_is_idempotent(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani")
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    await tg.click(ani, tg.last_message(chat), "I accept")
    await tg.start(ani, spring.payload("Armenia"))
    assert tg.last_text(chat) == (
        "You are already enrolled in Spring Exchange (Armenia). Nothing has changed; /me shows your details."
    )
    assert await count(runtime, Enrolment) == 1
    async with runtime.db() as db:
        assert (
            await db.scalars(select(Invite.uses).where(Invite.id == spring.invites["Armenia"].id))
        ).one() == 1


async def test_an_invite_to_a_second_program_is_refused(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    autumn = await make_program(runtime, name="Autumn Forum")
    ani = fake.user("Ani")
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    await tg.click(ani, tg.last_message(chat), "I accept")
    await tg.start(ani, autumn.payload("Azerbaijan"))
    assert tg.last_text(chat).startswith("You are already taking part in Spring Exchange.")
    assert await count(runtime, Enrolment) == 1


async def test_declining_the_code_of_conduct_enrols_nobody_and_allows_coming_back(
    tg, fake, runtime
) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani")
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    await tg.click(ani, tg.last_message(chat), "Decline")
    assert tg.last_text(chat).startswith("You have not been enrolled")
    assert await count(runtime, Enrolment) == 0
    # Coming back later works from the start.
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    await tg.click(ani, tg.last_message(chat), "I accept")
    assert await count(runtime, Enrolment) == 1


async def test_typing_where_a_button_is_expected_repeats_the_question(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani")
    chat = fake.private(ani)
    await tg.start(ani, spring.payload("Armenia"))
    await tg.say(ani, chat, "I want English please")
    assert tg.texts(chat)[-2] == "Please answer with one of the buttons below."
    assert "which language should I use with you?" in tg.last_text(chat)
    assert await count(runtime, Enrolment) == 0


async def test_unknown_city_is_explained(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani")
    chat = fake.private(ani)
    await tg.start(ani, spring.payload("Armenia"))
    await tg.click(ani, tg.last_message(chat), "English")
    await tg.click(ani, tg.last_message(chat), "Student")
    await tg.say(ani, chat, "Atlantis-under-the-sea")
    assert tg.last_text(chat) == (
        "I couldn't find a time zone for Atlantis-under-the-sea. Try your city (for example Yerevan), your "
        "country or an offset like UTC+4."
    )
    await tg.say(ani, chat, "UTC+4")
    assert tg.texts(chat)[-2] == "Time zone: UTC+4"


async def test_forged_and_stale_buttons_do_nothing(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani")
    mallory = fake.user("Mallory")
    chat = fake.private(ani)
    await tg.start(ani, spring.payload("Armenia"))
    language_question = tg.last_message(chat)
    # Forged data, and Ani's real button pressed by someone else: refused.
    update = await tg.press_raw(ani, language_question, "el|en|1~AAAAAAAAAAAA")
    assert tg.callback_answer(update)["text"] == EXPIRED
    data = language_question.inline_keyboard[0][0]["callback_data"]
    update = await tg.press_raw(mallory, language_question, data)
    assert tg.callback_answer(update)["text"] == EXPIRED
    # The answered step's button again (its reply may have been lost) changes nothing: it says so
    # and asks the current question again, buttons included.
    await tg.click(ani, language_question, "English")
    update = await tg.press_raw(ani, language_question, data)
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert tg.last_text(chat) == "Are you taking part as a student or as a professional?"
    assert tg.buttons(tg.last_message(chat)) == ["Student", "Professional"]
    async with runtime.db() as db:
        assert (await db.get(EnrolmentDraft, ani.id)).step == "role"
        assert await db.get(Person, mallory.id) is None


async def test_database_failure_mid_conversation_asks_to_retry_and_writes_nothing(
    tg, fake, runtime, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from bot.features.programs import invites

    spring = await make_program(runtime)
    ani = fake.user("Ani")
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    conduct = tg.last_message(chat)

    async def broken(*args, **kwargs):
        raise OperationalError("UPDATE invites", {}, Exception("database is locked"))

    monkeypatch.setattr(invites, "consume", broken)
    update = await tg.click(ani, conduct, "I accept")
    assert tg.callback_answer(update)["text"] == (
        "Something went wrong on our side and nothing was saved. Please try again in a moment."
    )
    assert await count(runtime, Enrolment) == 0
    assert await count(runtime, EnrolmentDraft) == 1
    monkeypatch.undo()
    await tg.click(ani, conduct, "I accept")
    assert await count(runtime, Enrolment) == 1


async def test_conduct_text_is_the_programs_own_when_set(tg, fake, runtime) -> None:
    from bot.db.models import ConductText

    spring = await make_program(runtime)
    async with runtime.db() as db:
        db.add(
            ConductText(program_id=spring.program.id, locale="en", text="Be kind. Listen first.")
        )
    ani = fake.user("Ani")
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    assert "Be kind. Listen first." in tg.last_text(chat)
    assert DEFAULT_CONDUCT.splitlines()[2] not in tg.last_text(chat)


async def test_unshipped_telegram_language_falls_back_to_the_programs_default(
    tg, fake, runtime
) -> None:
    spring = await make_program(runtime, languages=("hy", "en"))
    pierre = fake.user("Pierre", language_code="fr")
    await tg.start(pierre, spring.payload("Armenia"))
    assert tg.last_text(fake.private(pierre)) == translate_in(
        "hy",
        "Welcome to {program}! You are joining the {side} side.\n\nFirst, which language should I use with you?",
        program="Spring Exchange",
        side="Armenia",
    )


WELCOME = (
    "Welcome to {program}! You are joining the {side} side.\n\n"
    "First, which language should I use with you?"
)


@pytest.mark.parametrize(
    ("telegram", "languages", "greeted_in", "first_button"),
    [
        # Ukrainian app, program in English and Russian: Russian, the related language it uses.
        ("uk", ("en", "ru"), "ru", "✓ Русский"),
        # Ukrainian app, no related language in the program: its first language.
        ("uk", ("en", "ar", "hy", "az"), "en", "✓ English"),
        # Turkish app, an Armenian-Azerbaijani program: Azerbaijani.
        ("tr", ("hy", "az"), "az", "✓ Azərbaycan"),
        # A language Bridgebot does not ship at all.
        ("de", ("hy", "az", "en"), "hy", "✓ Հայերեն"),
        # The script a Chinese or Serbian app names (or its region implies) is the one greeted in.
        ("zh-hant", ("en", "zh_Hans", "zh_Hant"), "zh_Hant", "✓ 中文 (繁體)"),
        ("zh-TW", ("zh_Hans", "zh_Hant"), "zh_Hant", "✓ 中文 (繁體)"),
        ("zh-hans", ("ko", "zh_Hant", "zh_Hans"), "zh_Hans", "✓ 中文 (简体)"),
        # Only the other script offered: it, before the program's first language.
        ("zh-TW", ("ko", "zh_Hans"), "zh_Hans", "✓ 中文 (简体)"),
        ("sr-Latn", ("sq", "sr", "sr_Latn"), "sr_Latn", "✓ Srpski (latinica)"),
        ("sr", ("sq", "sr", "sr_Latn"), "sr", "✓ Српски"),
        ("ko", ("en", "ko"), "ko", "✓ 한국어"),
        ("ka", ("ru", "ka"), "ka", "✓ ქართული"),
        ("sq", ("sr", "sq"), "sq", "✓ Shqip"),
    ],
)
async def test_a_newcomer_is_greeted_in_the_programs_closest_language(
    tg, fake, runtime, telegram, languages, greeted_in, first_button
) -> None:
    spring = await make_program(runtime, languages=languages)
    person = fake.user("Oksana", language_code=telegram)
    await tg.start(person, spring.payload("Armenia"))
    first = tg.last_message(fake.private(person))
    assert first.text == translate_in(
        greeted_in, WELCOME, program="Spring Exchange", side="Armenia"
    )
    buttons = tg.buttons(first)
    assert buttons[0] == first_button  # preselected and offered first
    assert sum(b.startswith("✓ ") for b in buttons) == 1
    assert len(buttons) == len(languages)  # only the program's languages are offered
