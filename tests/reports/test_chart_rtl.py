"""Right-to-left chart labels: matplotlib neither shapes Arabic nor reorders bidirectional text, so
the chart hands it Arabic already shaped (joined contextual forms) and in visual order, Hebrew in
visual order, and Latin or Cyrillic labels exactly as they are."""

from __future__ import annotations

import textwrap
import warnings

import pytest

from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import Scope
from bot.i18n import use_locale
from bot.reports import chart, render
from bot.reports.chart import chart_png, visual
from tests.services.feedback_fixtures import (
    AFTER_CLOSE,
    add_people,
    add_session,
    close_and_answer,
    make_program,
)

ARABIC_LETTERS = range(0x0621, 0x064B)  # the base (unshaped) letters
PRESENTATION_FORMS = range(0xFE70, 0xFF00)  # Arabic Presentation Forms-B


def test_arabic_is_shaped_and_reversed_hebrew_reversed_latin_kept() -> None:
    with use_locale("ar"):
        # ش initial, ك medial, ر final, ا isolated (ر does not join to the left), right to left.
        assert visual("شكرا") == "\ufe8d\ufeae\ufedc\ufeb7"
        # An LTR run inside keeps its order; brackets in the RTL run are mirrored.
        assert visual("متوسط (n = 5)") == "(n = 5) \ufec2\ufeb3\ufeee\ufe98\ufee3"
        assert visual("Mean: 4.2") == "Mean: 4.2"
        assert visual("\u2068Group A\u2069") == "Group A"  # invisible isolates are not drawn
        assert visual("شكرا\nشكرا") == "\ufe8d\ufeae\ufedc\ufeb7\n\ufe8d\ufeae\ufedc\ufeb7"
    with use_locale("he"):
        assert visual("שלום (42)") == "(42) םולש"
    for locale in ("ru", "en"):
        with use_locale(locale):
            assert visual("Привет (42) שלום") == "Привет (42) שלום"
            assert visual("hello") == "hello"


@pytest.fixture
def drawn(monkeypatch) -> list:
    """Every Figure the chart builds, to read back the text it handed to matplotlib."""
    figures: list = []

    class Recording(chart.Figure):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            figures.append(self)

    monkeypatch.setattr(chart, "Figure", Recording)
    return figures


async def _report(runtime):
    program = await make_program(runtime, languages=("en", "ar", "ru"))
    ids = await add_people(runtime, program, 6, side=0)
    ids += await add_people(runtime, program, 6, side=1, role="professional")
    session = await add_session(runtime, program)
    await close_and_answer(
        runtime, program, session, {pid: (4 + i % 2, 4, 3 + i % 3, 5) for i, pid in enumerate(ids)}
    )
    async with runtime.db() as db:
        return await evaluation.build_report(
            db, Scope(program.view.id), now=runtime.clock() + AFTER_CLOSE
        )


def _labels(figure) -> list[str]:
    ax = figure.axes[0]
    return [t.get_text() for t in ax.get_yticklabels()]


async def test_an_arabic_chart_hands_matplotlib_shaped_visual_labels(runtime, drawn) -> None:
    from arabic_reshaper import reshape
    from bidi.algorithm import get_display

    report = await _report(runtime)
    with use_locale("ar"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart_png(report)
        logical = [render.item_label(s.item) for s in report.items]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [w for w in caught if "missing from font" in str(w.message)]
    labels = list(reversed(_labels(drawn[-1])))  # the chart lists items top-down
    assert len(labels) == len(logical) >= 4
    for shown, text in zip(labels, logical, strict=True):
        assert any(ord(ch) in ARABIC_LETTERS for ch in text)  # the item really is in Arabic
        assert not any(ord(ch) in ARABIC_LETTERS for ch in shown), shown
        assert any(ord(ch) in PRESENTATION_FORMS for ch in shown), shown
        assert shown == "\n".join(
            get_display(reshape(line), base_dir="R") for line in textwrap.wrap(text, 34)
        )
    title = drawn[-1]._suptitle.get_text()
    assert not any(ord(ch) in ARABIC_LETTERS for ch in title)


async def test_russian_and_english_chart_labels_are_untouched(runtime, drawn) -> None:
    report = await _report(runtime)
    for locale in ("ru", "en"):
        with use_locale(locale):
            chart_png(report)
            logical = [render.item_label(s.item) for s in report.items]
        labels = list(reversed(_labels(drawn[-1])))
        assert labels == ["\n".join(textwrap.wrap(text, 34)) for text in logical]
        if locale == "ru":
            assert any("\u0400" <= ch <= "\u04ff" for ch in "".join(labels))


async def test_the_chart_footer_starts_where_the_reports_language_starts(runtime, drawn) -> None:
    report = await _report(runtime)
    for locale, x, align in (("ar", 0.99, "right"), ("he", 0.99, "right"), ("ru", 0.01, "left")):
        with use_locale(locale):
            chart_png(report)
        (footer,) = [t for t in drawn[-1].texts if t.get_position()[1] == 0.01]
        assert footer.get_position()[0] == x and footer.get_horizontalalignment() == align
    # The HTML page says the counts and the threshold itself: its chart has no footer to repeat.
    with use_locale("ar"):
        chart_png(report, footer=False)
    assert [t for t in drawn[-1].texts if t.get_position()[1] == 0.01] == []
