"""Participants answer the post-session survey through Telegram, in their own language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Answer, Receipt, Response, SurveyInvitation
from bot.features.feedback import jobs as feedback_jobs
from bot.features.feedback.texts import ERROR_MESSAGES, ITEM_TEXTS, TEXT_TOO_LONG
from bot.handlers.callbacks import sign
from bot.i18n import format_number, translate_in
from tests.handlers.feedback_fixtures import make_place

THANKS = "Thank you! Your answers were saved anonymously."


async def count(runtime, model) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model)) or 0


async def answer_all(tg, fake, user, values=(5, 4, 4, 5), comment: str | None = None):
    chat = fake.private(user)
    await tg.click(
        user, tg.last_message(chat), translate_in(user.language_code, "Start the survey")
    )
    for value in values:
        await tg.click(user, tg.last_message(chat), str(value))
    if comment is None:
        await tg.click(
            user,
            tg.last_message(chat),
            translate_in(user.language_code, "Finish without a comment"),
        )
    else:
        await tg.say(user, chat, comment)


@pytest.fixture
async def place(runtime, fake, app):
    return await make_place(runtime, fake)


async def test_attendees_get_invited_in_their_language_and_answer_once(
    tg, fake, app, runtime, place
) -> None:
    ani = await place.add_person("Ani", locale="en")
    olga = await place.add_person("Olga", locale="ru", side=1)
    absent = await place.add_person("Absent", locale="en")
    session = await place.closed_session("Week 1")
    await place.close(app, session, [ani, olga])

    invite_en = tg.last_text(fake.private(ani))
    assert invite_en.startswith("Thank you for taking part in Week 1!")
    assert "at least 5 people" in invite_en
    invite_ru = tg.last_text(fake.private(olga))
    expected_ru = translate_in(
        "ru",
        "Thank you for taking part in {session}! Would you answer a few short questions about it?",
        session="Week 1",
    )
    assert invite_ru.startswith(expected_ru)
    assert tg.last_text(fake.private(absent)) is None  # not an attendee: not invited

    await tg.click(ani, tg.last_message(fake.private(ani)), "Start the survey")
    question = tg.last_text(fake.private(ani))
    assert question.startswith("Question 1 of 5") and ITEM_TEXTS["felt_heard"] in question
    assert "5 = Strongly agree" in question
    for value in (5, 4, 3, 5):
        await tg.click(ani, tg.last_message(fake.private(ani)), str(value))
    assert "Question 5 of 5" in tg.last_text(fake.private(ani))
    # Nothing is written before the final submit.
    assert await count(runtime, Response) == 0 and await count(runtime, Receipt) == 0
    await tg.say(
        ani,
        fake.private(ani),
        "Great session, thanks to Olga and @someone, mail me at ani@example.com",
    )
    assert tg.last_text(fake.private(ani)) == THANKS

    await answer_all(tg, fake, olga, values=(4, 4, 4, 4))
    assert tg.last_text(fake.private(olga)) == translate_in("ru", THANKS)

    assert await count(runtime, Response) == 2 and await count(runtime, Receipt) == 2
    assert await count(runtime, Answer) == 9
    async with runtime.db() as db:
        comment = await db.scalar(select(Answer.text).where(Answer.text.is_not(None)))
    assert comment == "Great session, thanks to [name] and [@user], mail me at [email]"


async def test_a_comment_typed_in_telegram_loses_spelled_contacts_and_other_spellings(
    tg, fake, app, runtime, place
) -> None:
    ani = await place.add_person("Ani", locale="en")
    await place.add_person("Юлия", locale="ru", side=1)
    session = await place.closed_session("Week 1")
    await place.close(app, session, [ani])
    await answer_all(
        tg,
        fake,
        ani,
        comment="Yuliya said: four one five five five five two three four eight, "
        "yulia dot k at gmail dot com, Baker Street 12. I gave it 9 out of 10.",
    )
    assert tg.last_text(fake.private(ani)) == THANKS
    async with runtime.db() as db:
        comment = await db.scalar(select(Answer.text).where(Answer.text.is_not(None)))
    assert comment == "[name] said: [phone], [email], [address]. I gave it 9 out of 10."


async def test_answering_twice_is_refused_and_changes_nothing(
    tg, fake, app, runtime, place
) -> None:
    olga = await place.add_person("Olga", locale="ru")
    session = await place.closed_session()
    await place.close(app, session, [olga])
    invitation = tg.last_message(fake.private(olga))
    start = invitation.inline_keyboard[0][0]["callback_data"]
    await answer_all(tg, fake, olga)
    # The invitation's keyboard was replaced; an old copy of its Start button is pressed again.
    update = await tg.press_raw(olga, invitation, start)
    answer = tg.callback_answer(update)
    assert answer["text"] == translate_in("ru", ERROR_MESSAGES["survey_already_answered"])
    assert await count(runtime, Response) == 1 and await count(runtime, Receipt) == 1


async def test_answering_after_expiry_is_refused(tg, fake, app, runtime, clock, place) -> None:
    ani = await place.add_person("Ani")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    invitation = tg.last_message(fake.private(ani))
    clock.advance(days=7, minutes=1)
    update = await tg.click(ani, invitation, "Start the survey")
    assert tg.callback_answer(update)["text"] == ERROR_MESSAGES["survey_expired"]
    assert await count(runtime, Response) == 0


async def test_expiry_while_answering_stores_nothing(tg, fake, app, runtime, clock, place) -> None:
    ani = await place.add_person("Ani", locale="ar")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    chat = fake.private(ani)
    await tg.click(ani, tg.last_message(chat), translate_in("ar", "Start the survey"))
    for value in (5, 4, 3, 5):
        await tg.click(ani, tg.last_message(chat), format_number(value, "ar"))
    clock.advance(days=8)
    update = await tg.click(
        ani, tg.last_message(chat), translate_in("ar", "Finish without a comment")
    )
    assert tg.callback_answer(update)["text"] == translate_in(
        "ar", ERROR_MESSAGES["survey_expired"]
    )
    assert await count(runtime, Response) == 0 and await count(runtime, Receipt) == 0


async def test_buttons_of_an_earlier_question_are_stale(tg, fake, app, runtime, place) -> None:
    ani = await place.add_person("Ani")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    chat = fake.private(ani)
    await tg.click(ani, tg.last_message(chat), "Start the survey")
    first = tg.last_message(chat)
    first_buttons = [b["callback_data"] for row in first.inline_keyboard for b in row]
    await tg.click(ani, first, "5")
    update = await tg.press_raw(ani, first, first_buttons[0])  # question 1's "1", pressed late
    assert (
        tg.callback_answer(update)["text"]
        == "This button has expired. Please use the latest message."
    )
    assert "Question 2 of 5" in tg.last_text(chat)


async def test_forwarded_or_forged_button_from_a_non_attendee_does_nothing(
    tg, fake, app, runtime, place
) -> None:
    ani = await place.add_person("Ani")
    outsider = await place.add_person("Eve")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    invitation = tg.last_message(fake.private(ani))
    data = invitation.inline_keyboard[0][0]["callback_data"]
    # Ani's button pressed by someone else (a forwarded message keeps the keyboard's data).
    update = await tg.press_raw(outsider, invitation, data)
    assert (
        tg.callback_answer(update)["text"]
        == "This button has expired. Please use the latest message."
    )
    # A correctly signed button for an instance Eve was never invited to (a forged client).
    instance_id = data.split("|")[1].split("~")[0]
    forged = sign(runtime.secret, outsider.id, "Fs", instance_id)
    update = await tg.press_raw(
        outsider, tg.last_message(fake.private(outsider)) or invitation, forged
    )
    assert tg.callback_answer(update)["text"] == ERROR_MESSAGES["survey_not_invited"]
    assert await count(runtime, Response) == 0


async def test_free_text_over_2000_characters_is_refused_and_can_be_resent(
    tg, fake, app, runtime, place
) -> None:
    olga = await place.add_person("Olga", locale="ru")
    session = await place.closed_session()
    await place.close(app, session, [olga])
    chat = fake.private(olga)
    await tg.click(olga, tg.last_message(chat), translate_in("ru", "Start the survey"))
    for value in (5, 4, 3, 5):
        await tg.click(olga, tg.last_message(chat), str(value))
    await tg.say(olga, chat, "я" * 2001)
    assert tg.last_text(chat) == translate_in("ru", TEXT_TOO_LONG, length=2001, limit=2000)
    assert await count(runtime, Response) == 0
    await tg.say(olga, chat, "Коротко: было полезно.")
    assert tg.last_text(chat) == translate_in("ru", THANKS)
    assert await count(runtime, Response) == 1


async def test_database_failure_on_submit_stores_nothing_and_retry_works(
    tg, fake, app, runtime, place, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from bot.features.feedback import service

    ani = await place.add_person("Ani")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    chat = fake.private(ani)
    await tg.click(ani, tg.last_message(chat), "Start the survey")
    for value in (5, 4, 3, 5):
        await tg.click(ani, tg.last_message(chat), str(value))

    calls = {"n": 0}

    async def flaky_submit(db, *args, **kwargs):
        await real_submit(db, *args, **kwargs)
        # Everything was written in the transaction, then the database fails before the commit.
        if calls["n"] == 0:
            calls["n"] += 1
            raise OperationalError("COMMIT", {}, Exception("connection lost"))

    real_submit = service.submit
    monkeypatch.setattr(service, "submit", flaky_submit)
    await tg.say(ani, chat, "A comment")
    assert tg.last_text(chat).startswith(
        "Your answers could not be saved because of a problem on our side"
    )
    assert await count(runtime, Response) == 0
    assert await count(runtime, Answer) == 0
    assert await count(runtime, Receipt) == 0
    await tg.click(ani, tg.last_message(chat), "Try saving again")
    assert tg.last_text(chat) == THANKS
    assert await count(runtime, Response) == 1 and await count(runtime, Receipt) == 1
    async with runtime.db() as db:
        assert await db.scalar(select(Answer.text).where(Answer.text.is_not(None))) == "A comment"


async def test_feedback_command_lists_open_surveys(tg, fake, app, runtime, place) -> None:
    olga = await place.add_person("Olga", locale="ru")
    session = await place.closed_session("Неделя 1")
    await place.close(app, session, [olga])
    await tg.say(olga, fake.private(olga), "/feedback")
    text = tg.last_text(fake.private(olga))
    assert "Неделя 1" in text
    assert text.startswith(
        translate_in(
            "ru",
            "Open survey ({kind}): {what}. You can answer until {date}.",
            kind="x",
            what="y",
            date="z",
        ).split("(")[0]
    )
    await answer_all(tg, fake, olga)
    await tg.say(olga, fake.private(olga), "/feedback")
    assert tg.last_text(fake.private(olga)) == translate_in(
        "ru", "You have no open surveys right now. Thank you!"
    )


async def test_one_reminder_after_the_delay_and_none_for_those_who_answered(
    tg, fake, app, runtime, clock, place
) -> None:
    ani = await place.add_person("Ani")
    olga = await place.add_person("Olga", locale="ru")
    session = await place.closed_session()
    await place.close(app, session, [ani, olga])
    await answer_all(tg, fake, ani)
    assert await feedback_jobs.run_due(app, clock.now + timedelta(hours=47)) == 0
    clock.advance(hours=48, minutes=1)
    assert await feedback_jobs.run_due(app) == 1
    reminder = tg.last_text(fake.private(olga))
    assert reminder.startswith(
        translate_in(
            "ru",
            "A friendly reminder: your feedback {about} is still open until {date}. It takes about a minute and is anonymous.",
            about="§",
            date="§",
        ).split("§")[0]
    )
    assert tg.last_text(fake.private(ani)) == THANKS  # answered: no reminder
    clock.advance(hours=24)
    assert await feedback_jobs.run_due(app) == 0  # only one reminder
    async with runtime.db() as db:
        marks = (await db.scalars(select(SurveyInvitation.reminded_at))).all()
    assert len(marks) == 2 and all(m is not None for m in marks)  # alike for both: says nothing
    # The reminder can be answered straight away.
    await answer_all(tg, fake, olga)
    assert tg.last_text(fake.private(olga)) == translate_in("ru", THANKS)


async def test_reminder_after_expiry_is_not_sent(tg, fake, app, runtime, clock, place) -> None:
    ani = await place.add_person("Ani")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    clock.advance(days=8)
    assert await feedback_jobs.run_due(app) == 0
    assert tg.last_text(fake.private(ani)).startswith("Thank you for taking part")


async def test_closing_the_same_session_twice_invites_once(tg, fake, app, runtime, place) -> None:
    ani = await place.add_person("Ani")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    await place.close(app, session, [ani])
    assert (
        len([t for t in tg.texts(fake.private(ani)) if t.startswith("Thank you for taking part")])
        == 1
    )
