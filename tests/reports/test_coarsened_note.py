"""A report says how many of its answers were stored with less detail, in every format and locale.

Answers whose side or role was coarsened away at write time (bot/domain/anonymity/coarsening.py)
must never show as a "no side" cell; the reader is told instead how many there are.
"""

from __future__ import annotations

from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import Scope
from bot.i18n import translate_in, use_locale
from bot.reports import render
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


def _plain(text: str) -> str:
    """Without the bidi isolates placeholders are wrapped in (bot/i18n; <bdi> in HTML)."""
    text = text.replace("<bdi>", "").replace("</bdi>", "")
    return "".join(ch for ch in text if ch not in "\u2066\u2067\u2068\u2069")


def _no_side() -> str:
    from bot.features.feedback.texts import side_name

    return side_name("")


NOTE = "Answers stored with less detail so that no one stands out: {count} ({details})."
ALSO = "They count in every figure but are not broken down by what was not kept."


async def _report(runtime, sides: tuple[int, int]):
    program = await make_program(runtime)
    ids = await add_people(runtime, program, sides[0], side=0)
    ids += await add_people(runtime, program, sides[1], side=1)
    session = await add_session(runtime, program)
    await close_and_answer(runtime, program, session, {pid: (4, 4, 4, 4) for pid in ids})
    async with runtime.db() as db:
        return await evaluation.build_report(
            db,
            Scope(program.view.id, program.group_ids[0], session),
            now=runtime.clock() + AFTER_CLOSE,
        )


async def test_a_session_of_4_and_3_says_seven_sides_not_stored(runtime) -> None:
    report = await _report(runtime, (4, 3))
    assert report.answered == 7
    assert report.coarsened == {"side": 7} and report.coarsened_answers == 7
    assert all(cell.label for stats in report.items for cell in stats.by_side)
    assert report.items[0].by_side == ()
    for locale in ("en", "ru", "ar", "hy"):
        part = translate_in(locale, "side not kept") + ": 7"
        note = translate_in(locale, NOTE).format(count="7", details=part)
        note += " " + translate_in(locale, ALSO)
        assert translate_in(locale, ALSO) != ALSO or locale == "en", locale  # shipped translated
        with use_locale(locale):
            assert _plain(render.coarsened_line(report)) == note
            no_side = _no_side()
            outputs = {
                "telegram": "\n".join(summary_messages(report)),
                "html": report_html(report, None),
                "csv": report_csv(report).decode("utf-8-sig"),
            }
        for fmt, text in outputs.items():
            text = _plain(text)
            assert part in text, (locale, fmt)
            assert no_side not in text, (locale, fmt)
        assert 'id="coarsened"' in outputs["html"]


async def test_a_session_with_sides_of_k_says_nothing_about_coarsening(runtime) -> None:
    report = await _report(runtime, (6, 6))
    assert report.coarsened == {}
    with use_locale("en"):
        assert render.coarsened_line(report) is None
        assert "with less detail" not in "\n".join(summary_messages(report))
        assert 'id="coarsened"' not in report_html(report, None)
