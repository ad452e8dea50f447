"""Cross-border pairs between sessions, as the people in them see it."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import Enrolment, Pair, PairMember, PairRound, PairTally
from bot.domain.anonymity.sealing import unseal
from bot.domain.pairing import pseudonym, tally_key
from bot.features.pairs import jobs
from bot.features.pairs.texts import QUESTIONS
from bot.features.programs import service as programs
from bot.handlers.callbacks import sign
from bot.i18n import translate_in
from bot.services import pairs as pairs_service
from tests.handlers.enrol_fixtures import make_program
from tests.handlers.feedback_fixtures import make_place
from tests.handlers.test_enrolment import enrol_by_buttons
from tests.handlers.test_feedback_answering import answer_all

ALREADY = "This was already done."


async def rows(runtime, model, *where):
    async with runtime.db() as db:
        return list((await db.scalars(select(model).where(*where))).all())


async def count(runtime, model, *where) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def run_week(app, runtime):
    return await jobs.run_due(app, runtime.clock())


async def paired(tg, fake, runtime, app, place, a=("Ani", "en"), b=("Elvin", "en")):
    """Two people of both sides who joined with /pairs on, introduced by the weekly job."""
    ani = await place.add_person(a[0], locale=a[1], side=0, username="ani_h")
    elvin = await place.add_person(b[0], locale=b[1], side=1)
    for user in (ani, elvin):
        await tg.say(user, fake.private(user), "/pairs on")
        if user.language_code != "en":
            # Someone writing to the bot in Russian can also talk in English: they tick it.
            await tg.click(user, tg.last_message(fake.private(user)), "English")
    await run_week(app, runtime)
    return ani, elvin


# ---- opting in ------------------------------------------------------------------------------------------


async def test_the_welcome_offers_the_weekly_pairs_and_one_press_joins(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani", language_code="en")
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    await tg.click(ani, tg.last_message(chat), "I accept")
    welcome = next(m for m in fake.sent_messages(chat) if "You are enrolled" in (m.text or ""))
    assert tg.buttons(welcome) == ["🤝 Weekly partner from another side"]

    await tg.click(ani, welcome, "Weekly partner")
    status = tg.last_message(chat)
    assert status.text.startswith(
        "Done! You will get a partner from another side at the next pairing.\n\n"
        "You take part in the weekly cross-border pairs of Spring Exchange. Languages you can "
        "talk in: English."
    )
    assert tg.buttons(status) == [
        "✓ English",
        "العربية",
        "Հայերեն",
        "Azərbaycan",
        "Leave the weekly pairs",
    ]
    [member] = await rows(runtime, PairMember)
    assert member.person_id == ani.id and member.languages == ["en"]

    # Ticking a language adds it (the message is redrawn); an old copy of the button does nothing.
    await tg.click(ani, status, "Azərbaycan")
    status = tg.last_message(chat)
    assert "Languages you can talk in: English, Azərbaycan." in status.text
    assert "✓ Azərbaycan" in tg.buttons(status)
    [member] = await rows(runtime, PairMember)
    assert member.languages == ["en", "az"]

    # Pressing the welcome's button again, or /pairs on, changes nothing.
    await tg.click(ani, welcome, "Weekly partner")
    await tg.say(ani, chat, "/pairs on")
    assert await count(runtime, PairMember) == 1
    assert not tg.last_text(chat).startswith("Done!")


async def test_pairs_command_in_russian_and_leaving(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    olga = await place.add_person("Olga", locale="ru", side=1)
    chat = fake.private(olga)
    await tg.say(olga, chat, "/pairs")
    assert tg.last_text(chat) == translate_in(
        "ru",
        "Each week I can introduce you to someone from another side of {program} for a "
        "one-to-one conversation in private. Your name stays hidden unless you both agree.",
        program="Spring Exchange",
    )
    await tg.say(olga, chat, "/pairs on")
    assert await count(runtime, PairMember) == 1
    await tg.say(olga, chat, "/pairs off")
    assert tg.last_text(chat) == translate_in(
        "ru", "You have left the weekly pairs. /pairs on brings you back."
    )
    assert await count(runtime, PairMember) == 0
    await tg.say(olga, chat, "/pairs off")
    assert tg.last_text(chat) == translate_in(
        "ru", "You are not in the weekly pairs. /pairs on joins them."
    )
    await tg.say(olga, chat, "/pairs maybe")
    assert tg.last_text(chat) == translate_in("ru", "Use /pairs on, /pairs off or /pairs status.")


async def test_not_enrolled_or_a_program_with_one_side_gets_a_clear_answer(
    tg, fake, runtime, app
) -> None:
    stranger = fake.user("Sam", language_code="en")
    await tg.say(stranger, fake.private(stranger), "/pairs on")
    assert tg.last_text(fake.private(stranger)) == (
        "Weekly pairs are for participants of a program: open your invite link first."
    )
    async with runtime.db() as db:
        from bot.domain.programs import ProgramDraft

        solo = await programs.create(
            db,
            ProgramDraft(name="Solo", sides=("Only", "Other"), languages=("en",), timezone="UTC"),
            creator_id=None,
            now=runtime.clock(),
        )
    place = await make_place(runtime, fake, name="Two sides")
    ani = await place.add_person("Ani")
    # Make the program one of a single side by moving the other side away.
    async with runtime.db() as db:
        from bot.db.models import Side

        side = await db.get(Side, place.program.sides[1].id)
        side.program_id = solo.id
    await tg.say(ani, fake.private(ani), "/pairs on")
    assert tg.last_text(fake.private(ani)) == (
        "Two sides has only one side, so there is nobody from another side to pair you with."
    )
    assert await count(runtime, PairMember) == 0


# ---- a week ---------------------------------------------------------------------------------------------


async def test_a_week_introduction_relay_names_and_did_you_talk(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, olga = await paired(tg, fake, runtime, app, place, b=("Olga", "ru"))
    ani_chat, olga_chat = fake.private(ani), fake.private(olga)
    [pair] = await rows(runtime, Pair)
    question = translate_in("en", QUESTIONS[pair.question])
    intro = tg.last_message(ani_chat)
    assert intro.text.startswith(
        "🤝 This week you are paired with someone from Azerbaijan. You can both talk in "
    )
    assert f"A question to start with: {question}" in intro.text
    assert tg.buttons(intro) == ["🙋 Share my name", "End conversation"]
    olga_intro = tg.last_message(olga_chat)
    assert olga_intro.text.startswith(
        translate_in(
            "ru",
            "🤝 This week you are paired with someone from {side}. You can both talk in {languages}.\n\nA question to start with: {question}\n\nWrite here and I will pass your text messages on. Your names stay hidden unless you both press «Share my name».",
            side="Armenia",
            languages="X",
            question="Y",
        ).split("X")[0]
    )
    assert translate_in("ru", QUESTIONS[pair.question]) in olga_intro.text
    # Neither name was given.
    assert "Olga" not in intro.text and "Ani" not in olga_intro.text
    # Running the job again sends nothing twice.
    before = len(fake.sent_messages(ani_chat))
    assert (await run_week(app, runtime))["intros"] == 0
    assert len(fake.sent_messages(ani_chat)) == before

    # The relay: text passes, in the reader's language around it.
    await tg.say(ani, ani_chat, "Hello from Yerevan!")
    assert tg.last_text(olga_chat) == translate_in(
        "ru", "💬 Your partner: {text}", text="Hello from Yerevan!"
    )
    await tg.say(olga, olga_chat, "Привет из Баку!")
    assert tg.last_text(ani_chat) == "💬 Your partner: Привет из Баку!"
    # Anything but text is refused.
    before = len(fake.sent_messages(olga_chat))
    await tg.say(ani, ani_chat, "", caption_photo=True)
    assert tg.last_text(ani_chat) == (
        "I can pass on only text messages to your partner; this one was not sent."
    )
    assert len(fake.sent_messages(olga_chat)) == before

    # Names: only once both agree.
    await tg.click(ani, intro, "Share my name")
    assert tg.last_text(ani_chat) == (
        "Noted. I will share your names as soon as your partner agrees too."
    )
    ask = tg.last_message(olga_chat)
    assert ask.text == translate_in(
        "ru", "Your partner would like to exchange names. Press «Share my name» if you agree."
    )
    update = await tg.click(ani, intro, "Share my name")
    assert tg.callback_answer(update)["text"] == ALREADY
    await tg.click(olga, ask, translate_in("ru", "🙋 Share my name"))
    assert tg.last_text(olga_chat) == translate_in(
        "ru",
        "You both agreed to share names. Your partner is {name} ({username}).",
        name="Ani",
        username="@ani_h",
    )
    assert tg.last_text(ani_chat) == (
        "You both agreed to share names. Your partner is Olga; they have no Telegram username, "
        "so keep writing here."
    )

    # A week later: "did you talk?" to both, in their language, counted without a person.
    runtime.clock.advance(days=7)
    counts = await run_week(app, runtime)
    assert counts["check_ins"] == 2
    check = next(
        m for m in reversed(fake.sent_messages(ani_chat)) if "Did you talk?" in (m.text or "")
    )
    assert check.text == "A week ago you were paired with someone from Azerbaijan. Did you talk?"
    assert tg.buttons(check) == ["Yes, we talked", "No"]
    yes = check.inline_keyboard[0][0]["callback_data"]
    await tg.click(ani, check, "Yes, we talked")
    assert tg.last_text(ani_chat) == "Thank you! Your answer was counted anonymously."
    assert tg.buttons(check) == []  # answered: the buttons are gone
    update = await tg.press_raw(ani, check, yes)  # an old copy of the button
    assert tg.callback_answer(update)["text"] == ALREADY
    [tally] = await rows(runtime, PairTally)
    assert str(ani.id).encode() not in (tally.sealed or b"")
    opened = unseal(tally_key(runtime.secret), place.program.id, tally.sealed)
    assert opened == [{"p": pseudonym(runtime.secret, place.program.id, ani.id), "n": 1}]
    # One answer is far below k: the report shows nothing yet.
    async with runtime.db() as db:
        figures = await pairs_service.evaluation(db, place.program.id)
        assert figures is not None and not figures.shown


async def test_next_week_new_partners_and_who_sat_out_is_told(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    people = [
        await place.add_person(name, locale="en", side=side)
        for name, side in (("A1", 0), ("A2", 0), ("A3", 0), ("B1", 1), ("B2", 1))
    ]
    for user in people:
        await tg.say(user, fake.private(user), "/pairs on")
    await run_week(app, runtime)
    first = {(p.person_a, p.person_b) for p in await rows(runtime, Pair)}
    assert len(first) == 2
    out = next(u for u in people[:3] if all(u.id not in pair for pair in first))
    assert tg.last_text(fake.private(out)) == (
        "No partner for you this week: everyone who could talk with you is already paired. You "
        "will be among the first next week."
    )
    runtime.clock.advance(days=7)
    await run_week(app, runtime)
    second = {(p.person_a, p.person_b) for p in await rows(runtime, Pair, Pair.active)}
    assert not first & second  # nobody twice while others are possible
    assert any(out.id in pair for pair in second)  # who sat out came first
    assert await count(runtime, PairRound) == 2
    # The previous conversation ended with the new introduction, which says so.
    paired_again = next(
        u for u in people if any(u.id in p for p in first) and any(u.id in p for p in second)
    )
    assert tg.last_text(fake.private(paired_again)).startswith(
        "Last week's conversation has ended.\n\n🤝 This week you are paired with someone from"
    )


async def test_the_relay_obeys_the_conduct_filters(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    before = len(fake.sent_messages(fake.private(elvin)))
    await tg.say(ani, fake.private(ani), "join my channel https://spam.example.com/x now")
    await tg.say(ani, fake.private(ani), "you are a retard")
    assert tg.last_text(fake.private(ani)) == (
        "Your message was not passed on because it breaks the program's rules (offensive or "
        "threatening words). Please rephrase it."
    )
    assert len(fake.sent_messages(fake.private(elvin))) - before <= 1  # the link may be allowed
    assert "retard" not in " ".join(tg.texts(fake.private(elvin)))


async def test_a_survey_comment_is_not_relayed(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    session = await place.closed_session("Week 1")
    await place.close(app, session, [ani, elvin])
    before = len(fake.sent_messages(fake.private(elvin)))
    await answer_all(tg, fake, ani, comment="The moderator was fair to both sides")
    assert tg.last_text(fake.private(ani)) == "Thank you! Your answers were saved anonymously."
    assert not any(
        "The moderator was fair" in (m.text or "")
        for m in fake.sent_messages(fake.private(elvin))[before:]
    )
    # Once the survey is done, typed text goes to the partner again.
    await tg.say(ani, fake.private(ani), "Did you like the session?")
    assert tg.last_text(fake.private(elvin)) == "💬 Your partner: Did you like the session?"


# ---- when things go wrong -------------------------------------------------------------------------------


async def test_a_partner_who_cannot_be_reached_ends_the_pair(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    fake.deactivate(elvin)  # a deleted account: Telegram says nothing until a send fails
    await tg.say(ani, fake.private(ani), "Are you there?")
    assert tg.last_text(fake.private(ani)) == (
        "Your partner can no longer be reached, so this conversation has ended and your last "
        "message was not delivered. You will get a new partner in the next round."
    )
    [pair] = await rows(runtime, Pair)
    assert not pair.active and pair.ended.startswith("blocked_")
    assert [m.person_id for m in await rows(runtime, PairMember)] == [ani.id]
    # No relay any more: Ani's text is the bot's ordinary "didn't understand".
    await tg.say(ani, fake.private(ani), "Hello?")
    assert tg.last_text(fake.private(ani)).startswith("I didn't understand that.")


async def test_an_introduction_to_someone_who_cannot_be_reached(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani = await place.add_person("Ani", side=0)
    elvin = await place.add_person("Elvin", side=1)
    for user in (ani, elvin):
        await tg.say(user, fake.private(user), "/pairs on")
    fake.deactivate(elvin)
    await run_week(app, runtime)
    texts = tg.texts(fake.private(ani))
    assert texts[-2].startswith("🤝 This week you are paired with someone from Azerbaijan.")
    assert texts[-1].startswith("Your partner can no longer be reached")
    [pair] = await rows(runtime, Pair)
    assert not pair.active


async def test_ending_with_the_button_or_endpair(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    intro = tg.last_message(fake.private(ani))
    elvin_intro = tg.last_message(fake.private(elvin))
    await tg.click(ani, intro, "End conversation")
    assert tg.last_text(fake.private(ani)) == (
        "This conversation has ended; I will pass nothing more on."
    )
    assert tg.last_text(fake.private(elvin)) == (
        "Your partner has ended the conversation. Thank you for talking! You will get a new "
        "partner in the next round."
    )
    # Elvin's own End button now says it was done; nothing is sent to anyone.
    before = len(fake.sent_messages(fake.private(ani)))
    update = await tg.click(elvin, elvin_intro, "End conversation")
    assert tg.callback_answer(update)["text"] == ALREADY
    assert len(fake.sent_messages(fake.private(ani))) == before
    await tg.say(elvin, fake.private(elvin), "/endpair")
    assert tg.last_text(fake.private(elvin)) == "You have no conversation to end."
    # Forged and copied buttons are refused.
    [pair] = await rows(runtime, Pair)
    forged = sign(b"not the secret" * 3, elvin.id, "pe", pair.id)
    update = await tg.press_raw(elvin, intro, forged)
    assert (
        tg.callback_answer(update)["text"]
        == "This button has expired. Please use the latest message."
    )
    copied = sign(runtime.secret, ani.id, "ps", pair.id)
    update = await tg.press_raw(elvin, intro, copied)
    assert (
        tg.callback_answer(update)["text"]
        == "This button has expired. Please use the latest message."
    )


async def test_forgetme_removes_every_pair_row_and_tells_the_partner(
    tg, fake, runtime, app
) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    runtime.clock.advance(days=7)
    await run_week(app, runtime)  # check-ins, and the same two again (nobody else)
    check = next(
        m
        for m in reversed(fake.sent_messages(fake.private(elvin)))
        if "Did you talk?" in (m.text or "")
    )
    await tg.click(elvin, check, "No")
    await tg.say(elvin, fake.private(elvin), "/forgetme")
    await tg.click(elvin, tg.last_message(fake.private(elvin)), "Yes, erase everything")
    assert await count(runtime, Pair) == 0
    assert await count(runtime, PairMember, PairMember.person_id == elvin.id) == 0
    assert tg.last_text(fake.private(ani)) == (
        "Your partner has left the program, so this conversation has ended. You will get a new "
        "partner in the next round."
    )
    [tally] = await rows(runtime, PairTally)
    assert unseal(tally_key(runtime.secret), place.program.id, tally.sealed) == []


async def test_a_partner_who_left_the_program(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    async with runtime.db() as db:
        enrolment = await db.scalar(select(Enrolment).where(Enrolment.person_id == elvin.id))
        await db.delete(enrolment)
    await tg.say(ani, fake.private(ani), "Hi!")
    assert tg.last_text(fake.private(ani)).startswith("Your partner has left the program")
    [pair] = await rows(runtime, Pair)
    assert not pair.active


# ---- the evaluation -------------------------------------------------------------------------------------


async def test_conversations_per_person_reach_the_report_from_k_people(
    tg, fake, runtime, app
) -> None:
    place = await make_place(runtime, fake)
    people = [await place.add_person(f"P{i}", side=i % 2) for i in range(12)]
    for user in people:
        await tg.say(user, fake.private(user), "/pairs on")
    await run_week(app, runtime)
    runtime.clock.advance(days=7)
    await run_week(app, runtime)
    for i, user in enumerate(people):
        check = next(
            m
            for m in reversed(fake.sent_messages(fake.private(user)))
            if "Did you talk?" in (m.text or "")
        )
        await tg.click(user, check, "Yes, we talked" if i < 8 else "No")
    async with runtime.db() as db:
        shown = await pairs_service.evaluation(db, place.program.id)
    assert shown.shown and shown.people == 10 and shown.conversations == 8
    assert shown.bins[1] == 8 or shown.bins[1] is None
    assert shown.bins[0] is None or shown.bins[0] >= 5
    # The program's report shows it in every format, hidden bins as "hidden".
    from bot.features.feedback.evaluation import Scope, build_report
    from bot.reports.csv_export import report_csv
    from bot.reports.html_export import report_html
    from bot.reports.summary import summary_messages

    async with runtime.db() as db:
        report = await build_report(db, Scope(place.program.id), now=runtime.clock())
    text = "\n".join(summary_messages(report))
    assert "Cross-border pairs (conversations per person, from «did you talk?»):" in text
    assert "10 people, 8 conversations" in text
    assert "three or more: 0" in text
    assert "Cross-border pairs" in report_csv(report).decode("utf-8-sig")
    assert '<ul id="pairs">' in report_html(report)


async def test_the_program_sets_the_interval_and_its_own_questions(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    async with runtime.db() as db:
        await pairs_service.set_settings(
            db,
            place.program.id,
            interval_days=14,
            questions=[
                {"en": "What would you cook for your partner?", "ru": "Что бы вы приготовили?"}
            ],
        )
    ani, olga = await paired(tg, fake, runtime, app, place, b=("Olga", "ru"))
    assert "A question to start with: What would you cook for your partner?" in tg.last_text(
        fake.private(ani)
    )
    assert "Что бы вы приготовили?" in tg.last_text(fake.private(olga))
    # "Did you talk?" a week later; the next round only after two weeks.
    runtime.clock.advance(days=7)
    counts = await run_week(app, runtime)
    assert counts == {"rounds": 0, "intros": 0, "sat_out": 0, "check_ins": 2}
    runtime.clock.advance(days=7)
    assert (await run_week(app, runtime))["rounds"] == 1


async def test_blocking_the_bot_ends_the_pair_at_once(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    await tg.block(elvin)  # Telegram tells the bot right away (my_chat_member: kicked)
    assert tg.last_text(fake.private(ani)) == (
        "Your partner can no longer be reached, so this conversation has ended. You will get a "
        "new partner in the next round."
    )
    [pair] = await rows(runtime, Pair)
    assert not pair.active and pair.ended == ("blocked_b" if elvin.id > ani.id else "blocked_a")
    assert [m.person_id for m in await rows(runtime, PairMember)] == [ani.id]


async def test_a_round_is_formed_once_however_often_the_job_runs(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    await paired(tg, fake, runtime, app, place)
    async with runtime.db() as db:
        # Another process waking at the same moment finds the round formed and not due again.
        assert await pairs_service.form_round(db, place.program.id, runtime.clock()) is None
    runtime.clock.advance(days=3)
    assert (await run_week(app, runtime))["rounds"] == 0
    assert await count(runtime, PairRound) == 1


async def test_an_answer_to_timezone_is_not_relayed(tg, fake, runtime, app) -> None:
    place = await make_place(runtime, fake)
    ani, elvin = await paired(tg, fake, runtime, app, place)
    before = len(fake.sent_messages(fake.private(elvin)))
    await tg.say(ani, fake.private(ani), "/timezone")
    await tg.say(ani, fake.private(ani), "Yerevan")
    assert len(fake.sent_messages(fake.private(elvin))) == before
    async with runtime.db() as db:
        from bot.db.models import Person

        assert (await db.get(Person, ani.id)).timezone == "Asia/Yerevan"
    await tg.say(ani, fake.private(ani), "Now I can talk")
    assert tg.last_text(fake.private(elvin)) == "💬 Your partner: Now I can talk"
