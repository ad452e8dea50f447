"""Organizers read reports through Telegram; programs start surveys only when translated."""

from __future__ import annotations

import csv
import io
import struct

import pytest

from bot.features.feedback import jobs as feedback_jobs
from bot.features.feedback import surveys
from bot.features.feedback.surveys import ItemSpec
from bot.features.feedback.texts import ERROR_MESSAGES
from bot.handlers.errors import MESSAGES
from bot.i18n import translate_in
from tests.handlers.feedback_fixtures import make_place
from tests.handlers.test_feedback_answering import answer_all


@pytest.fixture
async def place(runtime, fake, app):
    return await make_place(runtime, fake, languages=("en", "he", "ru"))


async def _answered_session(
    tg, fake, app, place, n: int = 6, locale: str = "en", comments: bool = False
):
    people = [await place.add_person(f"P{i}", locale=locale, side=i % 2) for i in range(n)]
    session = await place.closed_session("Week 1")
    await place.close(app, session, people)
    for i, person in enumerate(people):
        await answer_all(
            tg,
            fake,
            person,
            values=(5, 4, 4, 5),
            comment=f"Useful session number {i}" if comments else None,
        )
    # Reports count a survey once it has closed (and the answer store has settled).
    place.runtime.clock.advance(days=8)
    return people, session


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


async def test_organizer_gets_summary_and_chart_in_english(tg, fake, app, runtime, place) -> None:
    await _answered_session(tg, fake, app, place)
    org = await place.add_organizer("Olivia")
    chat = fake.private(org)
    await tg.say(org, chat, "/report")
    assert tg.last_text(chat) == "Report on Spring Exchange: the whole program, or one group?"
    await tg.click(org, tg.last_message(chat), "Group A")
    await tg.click(org, tg.last_message(chat), "Week 1")
    texts = tg.texts(chat)
    summary = next(t for t in texts if t.startswith("📊 Feedback report"))
    assert "Spring Exchange — Group A — Week 1" in summary
    assert "Invited: 6 · Answered: 6 · Response rate: 100%" in summary
    assert (
        "I felt heard.\n   mean 5.00 (95% CI 5.00 to 5.00), n = 6\n   1: 0 · 2: 0 · 3: 0 · 4: 0 · 5: 6"
        in summary
    )
    # 3 invited on each side, below k: sides were never stored.
    assert "By side:" not in summary
    assert "Comments (" not in summary
    photo = tg.calls("sendPhoto")[-1]
    assert photo.ok
    width, height = _png_size(fake.last_message(chat).file.content)
    assert width >= 1000 and height > 400  # readable on a phone


async def test_report_in_hebrew_and_export_files(tg, fake, app, runtime, place) -> None:
    _, session = await _answered_session(tg, fake, app, place, n=11, comments=True)
    org = await place.add_organizer("Noa", locale="he")
    chat = fake.private(org)
    await tg.say(org, chat, "/report Spring Exchange")
    # A session's comments are shown in its own report (and in no other).
    await tg.click(org, tg.last_message(chat), "Group A")
    await tg.click(org, tg.last_message(chat), "Week 1")
    summary = next(t for t in tg.texts(chat) if t.startswith("📊"))
    assert translate_in("he", "Feedback report") in summary
    assert (
        translate_in(
            "he",
            "Invited: {invited} · Answered: {answered} · Response rate: {rate}",
            invited="11",
            answered="11",
            rate="100%",
        )
        in summary
    )
    comment_messages = [t for t in tg.texts(chat) if t.startswith("💬")]
    assert comment_messages and all(
        f"Useful session number {i}" in "\n".join(comment_messages) for i in range(11)
    )
    files_button = tg.last_message(chat)
    await tg.click(org, files_button, translate_in("he", "CSV and HTML files"))
    # The same button again (a double tap, an old copy) sends nothing more and says why.
    data = next(
        b["callback_data"]
        for row in files_button.inline_keyboard
        for b in row
        if b["text"] == translate_in("he", "CSV and HTML files")
    )
    update = await tg.press_raw(org, files_button, data)
    assert tg.callback_answer(update)["text"] == translate_in("he", "This was already done.")
    documents = [
        m for m in fake.messages(chat) if m.file is not None and m.method == "sendDocument"
    ]
    names = sorted(m.data["document"]["file_name"] for m in documents)
    stem = f"feedback-session-{session}"
    assert names == [f"{stem}.csv", f"{stem}.html"]
    csv_doc = next(m for m in documents if m.data["document"]["file_name"].endswith(".csv"))
    rows = list(csv.reader(io.StringIO(csv_doc.file.content.decode("utf-8-sig"))))
    assert rows[0][0] == translate_in("he", "section")
    html_doc = next(m for m in documents if m.data["document"]["file_name"].endswith(".html"))
    html = html_doc.file.content.decode()
    assert 'dir="rtl"' in html and 'lang="he"' in html and "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html  # self-contained


async def test_export_command_sends_files_directly(tg, fake, app, runtime, place) -> None:
    await _answered_session(tg, fake, app, place)
    org = await place.add_organizer("Olivia")
    chat = fake.private(org)
    await tg.say(org, chat, "/export")
    await tg.click(org, tg.last_message(chat), "The whole program")
    assert len(tg.calls("sendDocument")) == 2


async def test_small_cells_are_hidden_in_the_telegram_summary(
    tg, fake, app, runtime, place
) -> None:
    await _answered_session(tg, fake, app, place, n=3, locale="ru")
    org = await place.add_organizer("Олег", locale="ru")
    chat = fake.private(org)
    await tg.say(org, chat, "/report")
    await tg.click(org, tg.last_message(chat), translate_in("ru", "The whole program"))
    summary = next(t for t in tg.texts(chat) if t.startswith("📊"))
    hidden = translate_in("ru", "hidden")
    assert (
        translate_in(
            "ru",
            "Invited: {invited} · Answered: {answered} · Response rate: {rate}",
            invited="3",
            answered=hidden,
            rate=hidden,
        )
        in summary
    )
    assert translate_in("ru", "not enough answers to show") in summary
    assert "5,00" not in summary and "5.00" not in summary  # no mean of three people leaks


async def test_organizer_of_another_program_is_refused(tg, fake, app, runtime, place) -> None:
    await _answered_session(tg, fake, app, place)
    other = await make_place(runtime, fake, name="Autumn Exchange", languages=("en",))
    stranger = await other.add_organizer("Sam", locale="ru")
    chat = fake.private(stranger)
    await tg.say(stranger, chat, "/report Spring Exchange")
    assert tg.last_text(chat) == translate_in("ru", MESSAGES["needs_organizer"])
    # A signed button for the other program (a tampered client) is refused the same way.
    from bot.handlers.callbacks import sign

    data = sign(runtime.secret, stranger.id, "Fr", "r", "P", place.program.id)
    update = await tg.press_raw(stranger, tg.last_message(chat), data)
    assert tg.callback_answer(update)["text"] == translate_in("ru", MESSAGES["needs_organizer"])
    assert tg.calls("sendPhoto") == []


async def test_participants_cannot_ask_for_reports(tg, fake, app, runtime, place) -> None:
    people, _ = await _answered_session(tg, fake, app, place)
    await tg.say(people[0], fake.private(people[0]), "/report")
    assert tg.last_text(fake.private(people[0])) == MESSAGES["needs_organizer"]


async def test_pre_program_survey_offered_at_enrolment_and_post_program_after_last_session(
    tg, fake, app, runtime, place
) -> None:
    ani = await place.add_person("Ani", locale="ru")
    await feedback_jobs.offer_pre_program(app, ani.id, place.program.id)
    expected = translate_in(
        "ru",
        "Welcome to {program}! Before it begins, would you answer a few short questions?",
        program="Spring Exchange",
    )
    assert tg.last_text(fake.private(ani)).startswith(expected)
    await tg.click(ani, tg.last_message(fake.private(ani)), translate_in("ru", "Start the survey"))
    for value in ("2", "3", "4", "2"):
        await tg.click(ani, tg.last_message(fake.private(ani)), value)
    assert translate_in("ru", "0 = very cold · 50 = neutral · 100 = very warm") in tg.last_text(
        fake.private(ani)
    )
    await tg.click(ani, tg.last_message(fake.private(ani)), "40")
    await tg.click(
        ani, tg.last_message(fake.private(ani)), translate_in("ru", "Finish without a comment")
    )
    assert tg.last_text(fake.private(ani)) == translate_in(
        "ru", "Thank you! Your answers were saved anonymously."
    )
    # Offering again (e.g. enrolment retried) sends nothing new.
    await feedback_jobs.offer_pre_program(app, ani.id, place.program.id)
    assert tg.last_text(fake.private(ani)) == translate_in(
        "ru", "Thank you! Your answers were saved anonymously."
    )

    session = await place.closed_session("Final")
    await place.close(app, session, [ani], last=True)
    texts = tg.texts(fake.private(ani))
    assert any(
        t.startswith(
            translate_in(
                "ru",
                "{program} has ended. Would you answer a few short questions about how it went for you?",
                program="Spring Exchange",
            )
        )
        for t in texts
    )


async def test_untranslated_custom_survey_cannot_start_and_organizers_are_told(
    tg, fake, app, runtime, place
) -> None:
    org = await place.add_organizer("Olivia")
    async with runtime.db() as db:
        survey = await surveys.replace_items(
            db,
            place.program.id,
            surveys.POST_SESSION,
            [
                ItemSpec(
                    "useful",
                    surveys.LIKERT5,
                    "useful",
                    texts={"en": "The session was useful.", "ru": "Встреча была полезной."},
                )
            ],
            runtime.clock(),
        )
    assert survey.missing_translations(("en", "he", "ru")) == [("useful", "he")]
    ani = await place.add_person("Ani")
    session = await place.closed_session()
    await place.close(app, session, [ani])
    assert tg.last_text(fake.private(ani)) is None  # no survey went out
    assert tg.last_text(fake.private(org)) == translate_in(
        "en",
        ERROR_MESSAGES["survey_untranslated"],
        kind="post_session",
        program="Spring Exchange",
        item="useful",
        language="he",
    )
    # With the Hebrew wording added, the next session's survey starts with the organizer's item.
    async with runtime.db() as db:
        await surveys.replace_items(
            db,
            place.program.id,
            surveys.POST_SESSION,
            [
                ItemSpec(
                    "useful",
                    surveys.LIKERT5,
                    "useful",
                    texts={
                        "en": "The session was useful.",
                        "ru": "Встреча была полезной.",
                        "he": "המפגש היה מועיל.",
                    },
                )
            ],
            runtime.clock(),
        )
    second = await place.closed_session("Week 2")
    await place.close(app, second, [ani])
    await tg.click(ani, tg.last_message(fake.private(ani)), "Start the survey")
    assert "The session was useful." in tg.last_text(fake.private(ani))
