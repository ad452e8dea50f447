"""What the scrubber removed from a comment reads in the report reader's language, in every format."""

from __future__ import annotations

from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import Scope
from bot.i18n import translate_in, use_locale
from bot.reports.csv_export import report_csv
from bot.reports.html_export import report_html
from bot.reports.summary import summary_messages
from tests.services.feedback_fixtures import (
    AFTER_CLOSE,
    add_people,
    add_session,
    close_and_answer,
    make_program,
)


async def test_placeholders_are_shown_in_the_readers_language(runtime) -> None:
    program = await make_program(runtime)
    ids = await add_people(runtime, program, 12, names=[f"Person{i}" for i in range(11)] + ["Юлия"])
    session = await add_session(runtime, program)
    comment = "Yuliya: four one five five five five two three four eight, ул. Ленина, д. 5"
    await close_and_answer(
        runtime,
        program,
        session,
        {pid: (4, 4, 4, 4) for pid in ids},
        comments={pid: comment for pid in ids},
    )
    async with runtime.db() as db:
        # A session's comments are shown in its own report, once its survey has closed.
        report = await evaluation.build_report(
            db,
            Scope(program.view.id, program.group_ids[0], session),
            now=runtime.clock() + AFTER_CLOSE,
        )
    assert report.comments  # 12 comments reach the comment threshold

    for locale in ("ru", "ar", "en"):
        expected = [translate_in(locale, p) for p in ("[name]", "[phone]", "[address]")]
        with use_locale(locale):
            outputs = {
                "telegram": "\n".join(summary_messages(report)),
                "html": report_html(report, None),
                "csv": report_csv(report).decode("utf-8-sig"),
            }
        for fmt, text in outputs.items():
            for label in expected:
                assert label in text, (locale, fmt, label)
            assert "Yuliya" not in text and "Ленина" not in text and "4155552348" not in text
            if locale != "en":
                assert "[name]" not in text and "[phone]" not in text, (locale, fmt)
