"""Perspective rounds as the group, the teller, the listener and the moderator see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db.models import Answer, PendingAnswers, PerspectiveRound, Response
from bot.features.rounds import jobs as round_jobs
from bot.features.sessions import jobs as session_jobs
from bot.i18n import translate_in
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world)

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 19:00 in Yerevan


async def _open(world, clock, app):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = START
    await session_jobs.run_due(app)


def _group_posts(tg, world) -> list[str]:
    return tg.texts(world.chat)


async def test_a_round_from_round_to_rating_as_everyone_sees_it(tg, world, clock, app, runtime):
    await _open(world, clock, app)
    before = len(tg.calls("sendMessage"))
    await tg.say(world.moderator, world.chat, "/round")
    post = tg.last_message(world.chat)
    ani, olga = world.member("Ani"), world.member("Olga")
    # The first teller is Ani (Armenia), listening is Olga (Azerbaijan); each group language reads it.
    assert "🔁 Perspective round: Ani (Armenia) tells, Olga (Azerbaijan) listens" in post.text
    assert (
        translate_in(
            "ru",
            "Prompt: {prompt}",
            prompt=translate_in(
                "ru",
                "Tell about a moment when the conflict touched your life or the life of your family.",
            ),
        )
        in post.text
    )
    assert any("Ani: I have finished" in b for b in tg.buttons(post))
    # Olga's own button is in Russian.
    assert translate_in("ru", "Pass ({name})", name="Olga") in tg.buttons(post)

    # Someone else pressing Ani's button is refused; Ani's press moves on to the restatement.
    pressed = await tg.click(olga, post, "Ani: I have finished")
    assert tg.callback_answer(pressed)["text"] == translate_in(
        "ru", "This button has expired. Please use the latest message."
    )
    assert len(_group_posts(tg, world)) == 2  # the opening and the round
    await tg.click(ani, post, "Ani: I have finished")
    restate = tg.last_text(world.chat)
    assert "Olga, please restate here in your own words what Ani told (up to 3 minutes)." in restate
    # Olga restates by writing in the group.
    await tg.say(olga, world.chat, "You said your grandmother had to leave her village.")
    assert "Ani, I have asked you in private how well you felt understood." in tg.last_text(
        world.chat
    )
    question = tg.last_message(tg.private(ani))
    assert question.text.startswith("How well did you feel understood by Olga?")
    assert tg.buttons(question) == [
        "1 · Not at all",
        "2 · A little",
        "3 · Partly",
        "4 · Mostly",
        "5 · Completely",
    ]
    mostly = question.inline_keyboard[3][0]["callback_data"]
    await tg.click(ani, question, "4 · Mostly")
    assert tg.last_text(tg.private(ani)) == "Thank you. Your answer is stored anonymously."
    assert tg.last_text(world.chat).startswith("✅ The round is over. Thank you, Ani and Olga.")
    # The answer waits sealed: no response row yet, no person anywhere near it.
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Response)) == 0
        assert await db.scalar(select(func.count()).select_from(PendingAnswers)) == 1
        row = await db.scalar(select(PerspectiveRound))
        assert row.step == "done" and row.deadline is None
    # A second press of the same answer changes nothing.
    again = await tg.press_raw(ani, question, mostly)
    assert tg.callback_answer(again)["text"] == "This was already done."
    sent = len(tg.calls("sendMessage")) - before
    assert sent == 5  # start, restate, "asked in private", the private question, the end


async def _start_round(tg, world, clock, app):
    await _open(world, clock, app)
    await tg.say(world.moderator, world.chat, "/round")
    return tg.last_message(world.chat)


async def test_time_runs_out_at_each_step_and_the_group_is_told(tg, world, clock, app, runtime):
    await _start_round(tg, world, clock, app)
    clock.advance(minutes=3)
    assert await round_jobs.run_due(app) == 1
    text = tg.last_text(world.chat)
    assert text.startswith("⏱ Time is up.\nOlga, please restate here")
    # The listener never answers: the round moves on to the teller's answer, saying why.
    clock.advance(minutes=3)
    assert await round_jobs.run_due(app) == 1
    text = tg.last_text(world.chat)
    assert text.startswith(
        "⏱ No restatement came in time, so the round moves on.\n"
        "Ani, I have asked you in private how well you felt understood."
    )
    assert tg.last_text(tg.private(world.member("Ani"))).startswith("How well did you feel")
    # Nothing more is due until the answer's own time runs out; then the round ends.
    assert await round_jobs.run_due(app) == 0
    clock.advance(minutes=10)
    assert await round_jobs.run_due(app) == 1
    assert tg.last_text(world.chat).startswith("✅ The round is over.")
    # A late answer is refused and stores nothing.
    question = tg.last_message(tg.private(world.member("Ani")))
    pressed = await tg.click(world.member("Ani"), question, "5 · Completely")
    assert tg.callback_answer(pressed)["text"] == "This step of the round is over."
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(PendingAnswers)) == 0


async def test_a_low_answer_lets_the_pair_try_once_more_and_only_once(tg, world, clock, app):
    post = await _start_round(tg, world, clock, app)
    ani, olga = world.member("Ani"), world.member("Olga")
    await tg.click(ani, post, "I have finished")
    await tg.say(olga, world.chat, "You said it was hard.")
    await tg.click(ani, tg.last_message(tg.private(ani)), "2 · A little")
    offer = tg.last_message(tg.private(ani))
    assert offer.text == "Would you like to tell once more, so that Olga can try again?"
    assert tg.buttons(offer) == ["🔁 Once more", "No, thank you"]
    await tg.click(ani, offer, "Once more")
    again = tg.last_message(world.chat)
    assert again.text.startswith("🔁 Ani and Olga try once more.\nPrompt: ")
    await tg.click(ani, again, "I have finished")
    await tg.click(olga, tg.last_message(world.chat), "✅ Olga")  # in Russian
    await tg.click(ani, tg.last_message(tg.private(ani)), "1 · Not at all")
    # No third try: the round ends.
    assert tg.last_text(tg.private(ani)) == "Thank you. Your answer is stored anonymously."
    assert tg.last_text(world.chat).startswith("✅ The round is over. Thank you, Ani and Olga.")


async def test_a_member_may_pass_and_someone_of_the_same_side_takes_the_turn(tg, world, clock, app):
    post = await _start_round(tg, world, clock, app)
    await tg.click(world.member("Ani"), post, "Pass (Ani)")
    text = tg.last_text(world.chat)
    assert text.startswith("Ani passes.\n🔁 Perspective round: Ravi (Armenia) tells, Olga")
    post = tg.last_message(world.chat)
    await tg.click(world.member("Olga"), post, "Olga")  # Olga's pass button, in Russian
    text = tg.last_text(world.chat)
    assert text.startswith(
        "Olga passes.\n🔁 Perspective round: Ravi (Armenia) tells, Noa (Azerbaijan)"
    )
    post = tg.last_message(world.chat)
    await tg.click(world.member("Noa"), post, "Noa")
    assert tg.last_text(world.chat).startswith(
        "Noa passes.\nNobody is left who could take this turn, so the round ends."
    )


async def test_only_moderators_skip_or_stop_and_an_old_button_changes_nothing(
    tg, world, clock, app
):
    post = await _start_round(tg, world, clock, app)
    pressed = await tg.click(world.member("Ravi"), post, "Skip step")
    assert tg.callback_answer(pressed)["text"] == "Only this group's moderators can do that."
    await tg.click(world.moderator, post, "Skip step")
    assert tg.last_text(world.chat).startswith(
        "A moderator skipped this step.\nOlga, please restate"
    )
    # The first post's Skip belongs to the telling, which is over.
    pressed = await tg.press_raw(
        world.moderator, post, post.inline_keyboard[-1][0]["callback_data"]
    )
    assert tg.callback_answer(pressed)["text"] == "This was already done."
    restate = tg.last_message(world.chat)
    await tg.click(world.moderator, restate, "Stop round")
    assert tg.last_text(world.chat).startswith("A moderator stopped the round.")
    pressed = await tg.click(world.moderator, restate, "Skip step")
    assert tg.callback_answer(pressed)["text"] == "This step of the round is over."
    # A forged button is refused like any other.
    pressed = await tg.press_raw(world.moderator, restate, "Ros|1|s|1~AAAAAAAAAAAA")
    assert (
        tg.callback_answer(pressed)["text"]
        == "This button has expired. Please use the latest message."
    )


async def test_round_needs_a_moderator_an_open_session_and_two_sides(
    tg, world, clock, app, runtime
):
    await tg.say(world.moderator, world.chat, "/round")
    assert tg.last_text(world.chat) == "No session is open in this group right now."
    await _open(world, clock, app)
    await tg.say(world.member("Ani"), world.chat, "/round")
    assert tg.last_text(world.chat) == (
        "Only this group's moderators and the program's organizers can do that."
    )
    await tg.say(world.moderator, world.chat, "/round 30m")
    assert tg.last_text(world.chat) == (
        "A telling lasts from 1 to 15 minutes, for example /round 5m."
    )
    await tg.say(world.moderator, world.chat, "/round 5m")
    assert "(up to 5 minutes)" in tg.last_text(world.chat)
    await tg.say(world.moderator, world.chat, "/round")
    assert tg.last_text(world.chat) == "A perspective round is already running in this group."


async def test_a_group_of_one_side_gets_a_clear_answer(tg, app, runtime, fake, clock):
    world = await build_world(  # noqa: F405
        runtime,
        fake,
        members=(("Ani", "en", "Asia/Yerevan", 0), ("Ravi", "en", "Asia/Kathmandu", 0)),
    )
    await _open(world, clock, app)
    await tg.say(world.moderator, world.chat, "/round")
    assert tg.last_text(world.chat) == (
        "A perspective round needs members of at least two sides in this group, and this group "
        "has members of one side only."
    )


async def test_a_teller_who_blocked_the_bot_ends_the_round_with_a_note(
    tg, world, clock, app, runtime
):
    post = await _start_round(tg, world, clock, app)
    ani = world.member("Ani")
    await tg.click(ani, post, "I have finished")
    await tg.block(ani)
    await tg.say(world.member("Olga"), world.chat, "You told us about your street.")
    assert tg.last_text(world.chat).startswith(
        "I could not write to Ani in private, so the round ends without an answer."
    )
    async with runtime.db() as db:
        row = await db.scalar(select(PerspectiveRound))
    assert row.step == "done"


async def test_a_listener_who_leaves_mid_round_is_replaced_then_a_teller_who_leaves_ends_it(
    tg, world, clock, app
):
    await _start_round(tg, world, clock, app)
    await tg.leave(world.member("Olga"), world.chat)
    assert tg.last_text(world.chat).startswith(
        "Olga has left the group.\n🔁 Perspective round: Ani (Armenia) tells, Noa (Azerbaijan)"
    )
    await tg.click(world.member("Ani"), tg.last_message(world.chat), "I have finished")
    await tg.leave(world.member("Ani"), world.chat)
    assert tg.last_text(world.chat).startswith("Ani has left the group.\n✅ The round is over.")


async def test_a_restart_mid_round_keeps_its_deadline_and_its_listener(tg, world, clock, app):
    post = await _start_round(tg, world, clock, app)
    await tg.click(world.member("Ani"), post, "I have finished")
    # The bot restarts: in-memory state is gone and rebuilt from the database.
    round_jobs.listening(app).clear()
    app.bot_data.pop(round_jobs.POINTS_KEY, None)
    await round_jobs.schedule(app)
    assert [j.name for j in app.job_queue.jobs() if (j.name or "").startswith("rounds:20")]
    await tg.say(world.member("Olga"), world.chat, "You said the border closed.")
    assert "how well you felt understood" in tg.last_text(world.chat)


async def test_the_session_closing_stops_an_open_round(tg, world, clock, app):
    await _start_round(tg, world, clock, app)
    await tg.say(world.moderator, world.chat, "/close")
    texts = tg.texts(world.chat)
    assert any(t.startswith("The session has closed, so the round ends.") for t in texts)


TWELVE_SIDES = {}
TWELVE = tuple(
    (name, locale, zone, side)
    for name, locale, zone, side in (
        ("Ani", "en", "Asia/Yerevan", 0),
        ("Aram", "en", "Asia/Yerevan", 0),
        ("Lilit", "ru", "Asia/Yerevan", 0),
        ("Gor", "en", "Asia/Yerevan", 0),
        ("Mane", "he", "Asia/Yerevan", 0),
        ("Tigran", "en", "Asia/Yerevan", 0),
        ("Elvin", "ru", "Asia/Baku", 1),
        ("Leyla", "en", "Asia/Baku", 1),
        ("Nigar", "ru", "Asia/Baku", 1),
        ("Rashad", "en", "Asia/Baku", 1),
        ("Aysel", "he", "Asia/Baku", 1),
        ("Murad", "en", "Asia/Baku", 1),
    )
)
TWELVE_SIDES.update({name: side for name, _l, _z, side in TWELVE})


async def play_round(tg, world, rating: int) -> tuple[str, str]:
    """One round from /round to the teller's answer; returns (teller, listener)."""
    await tg.say(world.moderator, world.chat, "/round")
    post = tg.last_message(world.chat)
    head = post.text.split("\n")[0]
    teller = head.split(": ", 1)[1].split(" (")[0]
    listener = head.split("tells, ", 1)[1].split(" (")[0]
    await tg.click(world.member(teller), post, "✅ " + teller)
    await tg.say(world.member(listener), world.chat, "What I heard is this.")
    question = tg.last_message(tg.private(world.member(teller)))
    await tg.click(world.member(teller), question, str(rating) + " · ")
    return teller, listener


async def test_the_report_shows_understanding_by_side_only_from_k_answers_and_after_close(
    tg, app, runtime, fake, clock
):
    from bot.features.feedback import evaluation, surveys
    from bot.features.feedback import jobs as feedback_jobs
    from bot.reports.summary import summary_messages

    world = await build_world(runtime, fake, members=TWELVE)  # noqa: F405
    async with runtime.db() as db:
        await surveys.update_settings(db, world.program_id, k_ratings=3)
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = START
    await session_jobs.run_due(app)
    pairs = [await play_round(tg, world, rating) for rating in (5, 4, 3, 4, 5, 2)]
    # Sides take turns; six different tellers, each heard by someone of the other side.
    assert len({t for t, _ in pairs}) == 6
    for teller, listener in pairs:
        assert (world.members[teller], world.members[listener]) and (
            TWELVE_SIDES[teller] != TWELVE_SIDES[listener]
        )

    async def report_text() -> str:
        async with runtime.db() as db:
            report = await evaluation.build_report(
                db, evaluation.Scope(world.program_id), now=clock.now
            )
        reports.append(report)
        return "\n".join(summary_messages(report))

    reports: list = []

    # While the session's answers can still come, the report shows none of them.
    text = await report_text()
    assert "Perspective rounds (the tellers' answers, 1 = not at all, 5 = completely):" in text
    assert (
        "As a teller in a perspective round, I felt understood by the listener.\n"
        "   not enough answers to show"
    ) in text
    clock.now = START + timedelta(minutes=90) + timedelta(hours=8)
    await session_jobs.run_due(app)
    await feedback_jobs.flush(app)
    async with runtime.db() as db:
        stored = await db.scalar(select(func.count()).select_from(Answer))
    assert stored == 6  # the low answer counts too (the offer to try again came after it)
    clock.advance(hours=2)
    text = await report_text()
    assert (
        "As a teller in a perspective round, I felt understood by the listener.\n"
        "   mean 3.83 (95% CI 2.61 to 5.06), n = 6\n"
        # Each bar rests on fewer than k = 3 answers: hidden, like every small cell.
        "   1: hidden · 2: hidden · 3: hidden · 4: hidden · 5: hidden\n"
        "   By side: Armenia: 4.33 (n = 3) · Azerbaijan: 3.33 (n = 3)"
    ) in text
    assert (
        "Across the program's sessions:\n"
        "• Felt understood in rounds: Group A · Listening circle: 3.83 (change per session: —)"
    ) in text
    # A group's report follows understanding across its sessions.
    async with runtime.db() as db:
        group_report = await evaluation.build_report(
            db, evaluation.Scope(world.program_id, world.group_id), now=clock.now
        )
    group_text = "\n".join(summary_messages(group_report))
    assert (
        "Across the group's sessions:\n"
        "• Felt understood in rounds: Listening circle: 3.83 (change per session: —)"
    ) in group_text
    # The same figures in the CSV and HTML exports.
    from bot.reports.csv_export import report_csv
    from bot.reports.html_export import report_html

    exported = report_csv(reports[-1]).decode("utf-8-sig")
    assert "perspective rounds,Felt understood in rounds,,6,3.83,2.61,5.06," in exported
    assert "perspective rounds,Felt understood in rounds,Armenia,3,4.33,,," in exported
    page = report_html(reports[-1])
    assert '<ul id="rounds">' in page and "Armenia: 4.33 (n = 3)" in page
    # No row of the answers names anyone or says when: a random id, a side, a day.
    async with runtime.db() as db:
        columns = set(Response.__table__.columns.keys())
    assert columns == {
        "id",
        "instance_id",
        "program_id",
        "group_id",
        "session_id",
        "side_id",
        "role",
        "day",
        "coarsened",
    }


async def test_an_agenda_round_starts_by_itself_with_the_programs_own_prompt_in_each_language(
    tg, world, clock, app, runtime
):
    from bot.domain.scheduling import AgendaItem, SessionDraft
    from bot.features.rounds import service as rounds_service
    from bot.features.sessions import service as sessions_service

    async with runtime.db() as db:
        await rounds_service.replace_prompts(
            db,
            world.program_id,
            [
                {
                    "en": "What does home mean to you?",
                    "ru": "Что для вас значит дом?",
                    "he": "מה המשמעות של בית בשבילך?",
                }
            ],
        )
        await sessions_service.create(
            db,
            group_id=world.group_id,
            actor_id=None,
            admin_ids=(),
            draft=SessionDraft(
                title="Listening circle",
                start_local=datetime(2026, 3, 10, 19, 0),
                zone="Asia/Yerevan",
                duration=timedelta(minutes=90),
                agenda=(
                    AgendaItem("Welcome", 10),
                    AgendaItem("🔁 Perspective round", 20, "round"),
                ),
            ),
            now=clock(),
        )
    clock.now = START
    await session_jobs.run_due(app)
    clock.now = START + timedelta(minutes=10)
    await session_jobs.run_due(app)
    texts = tg.texts(world.chat)
    assert texts[-2].startswith("➡️ Next on the agenda (2 of 2): 🔁 Perspective round")
    post = texts[-1]
    assert "Prompt: What does home mean to you?" in post
    assert "Что для вас значит дом?" in post and "מה המשמעות של בית בשבילך?" in post
    # Waking again at the same moment starts nothing more.
    await session_jobs.run_due(app)
    assert len(tg.texts(world.chat)) == len(texts)


async def test_newsession_agenda_line_with_the_round_mark_is_a_round():
    from bot.features.sessions.handlers import parse_agenda

    items = parse_agenda("Welcome 10\n🔁 Perspective round 20\nround: Second round 15")
    assert [(i.title, i.minutes, i.kind) for i in items] == [
        ("Welcome", 10, "talk"),
        ("🔁 Perspective round", 20, "round"),
        ("🔁 Second round", 15, "round"),
    ]


async def test_the_teller_may_still_answer_after_the_session_closed(tg, world, clock, app, runtime):
    post = await _start_round(tg, world, clock, app)
    ani = world.member("Ani")
    await tg.click(ani, post, "I have finished")
    await tg.say(world.member("Olga"), world.chat, "You told us about the river.")
    question = tg.last_message(tg.private(ani))
    await tg.say(world.moderator, world.chat, "/close")
    # The session's survey invitation arrives too; the round's question still takes an answer.
    assert tg.last_text(tg.private(ani)) != question.text
    await tg.click(ani, question, "5 · Completely")
    assert "Thank you. Your answer is stored anonymously." in tg.texts(tg.private(ani))
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(PendingAnswers)) == 1


async def test_once_more_after_the_session_closed_ends_the_round_instead(tg, world, clock, app):
    post = await _start_round(tg, world, clock, app)
    ani = world.member("Ani")
    await tg.click(ani, post, "I have finished")
    await tg.say(world.member("Olga"), world.chat, "You said it was far.")
    await tg.click(ani, tg.last_message(tg.private(ani)), "1 · Not at all")
    offer = tg.last_message(tg.private(ani))
    await tg.say(world.moderator, world.chat, "/close")
    await tg.click(ani, offer, "Once more")
    assert tg.last_text(world.chat).startswith("✅ The round is over. Thank you, Ani and Olga.")


def test_a_long_post_of_many_languages_is_split_between_language_blocks():
    from bot.features.rounds.jobs import split_blocks

    blocks = ["a" * 1500, "b" * 1500, "c" * 1500, "d" * 5000]
    parts = split_blocks("\n\n".join(blocks))
    assert parts == ["a" * 1500 + "\n\n" + "b" * 1500, "c" * 1500, "d" * 4096]
    assert split_blocks("short\n\nтекст") == ["short\n\nтекст"]
