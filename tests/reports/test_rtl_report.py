"""Right-to-left reports, checked on what a reader gets rather than by eye: the HTML report's DOM
(direction and language of the page, every name and number run of a sentence in a <bdi>), and the
PNG chart's texts as handed to matplotlib, in visual order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from bot.features.feedback import evaluation
from bot.features.feedback.evaluation import Scope
from bot.i18n import use_locale
from bot.reports import chart, render
from bot.reports.chart import chart_png, visual
from bot.reports.html_export import report_html
from tests.services.feedback_fixtures import (
    AFTER_CLOSE,
    add_people,
    add_session,
    close_and_answer,
    make_program,
)

PROGRAM = "Spring (2026)"  # a Latin name ending in a bracket: the hardest case in RTL text
ISOLATES = re.compile("[\u2066-\u2069]")
VOID = {"meta", "img", "br", "hr", "link", "input"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def ancestors(self) -> list[str]:
        out, node = [], self
        while node is not None:
            out.append(node.tag)
            node = node.parent
        return out


class Dom(HTMLParser):
    """A small DOM: elements, text nodes and each text node's element."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.texts: list[tuple[str, Node]] = []
        self.unbalanced: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.unbalanced.append(f"</{tag}> closes <{self.current.tag}>")
            return
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)
        self.texts.append((data, self.current))

    def find(self, tag: str) -> list[Node]:
        found, stack = [], [self.root]
        while stack:
            node = stack.pop()
            if node.tag == tag:
                found.append(node)
            stack += [c for c in node.children if isinstance(c, Node)]
        return found


def text_of(node: Node) -> str:
    return "".join(c if isinstance(c, str) else text_of(c) for c in node.children)


async def _report(runtime):
    program = await make_program(runtime, name=PROGRAM, languages=("en", "ar", "he", "ru"))
    ids = await add_people(runtime, program, 6, side=0)
    ids += await add_people(runtime, program, 6, side=1, role="professional")
    session = await add_session(runtime, program)
    await close_and_answer(
        runtime,
        program,
        session,
        {pid: (4 + i % 2, 4, 3 + i % 3, 5) for i, pid in enumerate(ids)},
    )
    async with runtime.db() as db:
        return await evaluation.build_report(
            db, Scope(program.view.id), now=runtime.clock() + AFTER_CLOSE
        )


@pytest.mark.parametrize(("locale", "direction"), [("ar", "rtl"), ("he", "rtl"), ("en", "ltr")])
async def test_the_html_report_dom_isolates_names_and_numbers(runtime, locale, direction) -> None:
    report = await _report(runtime)
    with use_locale(locale):
        dom = Dom(report_html(report))
    assert dom.unbalanced == []
    (html,) = dom.find("html")
    assert html.attrs == {"lang": locale, "dir": direction}
    body_texts = [(t, n) for t, n in dom.texts if "title" not in n.ancestors()]
    # Every isolate became an element: no invisible control character is left in the page's body.
    assert not [t for t, _ in body_texts if ISOLATES.search(t)]
    # The program's Latin name and every "n = 24" sit in a <bdi> wherever they appear.
    # (In a left-to-right report the Latin ones need none: a text in its own direction.)
    runs = [(t, n) for t, n in body_texts if PROGRAM in t or re.search(r"\bn = (\d|$)", t)]
    assert len(runs) >= 3
    for text, node in runs:
        assert ("bdi" in node.ancestors()) == (direction == "rtl"), (text, node.ancestors())
    # Names and labels alone in table cells (each row's first: group, item): a <bdi> per cell.
    named = [
        next(c for c in tr.children if isinstance(c, Node) and c.tag == "td")
        for tr in dom.find("tr")
        if any(isinstance(c, Node) and c.tag == "td" for c in tr.children)
    ]
    assert named and all(
        any(isinstance(c, Node) and c.tag == "bdi" for c in td.children) for td in named
    )
    assert any(text_of(td) == "Group 1" for td in named)


def test_isolated_names_keep_their_order_in_a_right_to_left_chart_label() -> None:
    with use_locale("ar"):
        # Without the isolate the reference algorithm the chart uses breaks the name: "(Group A (2".
        broken = chart._bidi_display("المجموعة Group A (2)", base_dir="R")
        assert broken.startswith("(Group A (2 ")
        shown = visual("المجموعة \u2068Group A (2)\u2069")
        assert shown.startswith("Group A (2) ")
        assert not ISOLATES.search(shown)
        # An Arabic name isolated inside Arabic text is shaped and reversed on its own.
        assert visual("عن \u2068شكرا\u2069") == "\ufe8d\ufeae\ufedc\ufeb7 \ufee6\ufecb"
        # Nested: "n = 24" inside a name inside a sentence.
        assert visual("x \u2068a \u2068n = 24\u2069\u2069 ش").endswith("a n = 24 x")
    with use_locale("he"):
        assert visual("קבוצה \u2068Group A (2)\u2069").startswith("Group A (2) ")


@pytest.fixture
def drawn(monkeypatch) -> list:
    figures: list = []

    class Recording(chart.Figure):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            figures.append(self)

    monkeypatch.setattr(chart, "Figure", Recording)
    return figures


@pytest.mark.parametrize("locale", ["ar", "he"])
async def test_the_chart_draws_names_and_samples_in_reading_order(runtime, drawn, locale) -> None:
    report = await _report(runtime)
    with use_locale(locale):
        chart_png(report)
        sample = render.sample(report.items[0].stats.n)
    figure = drawn[-1]
    title = figure._suptitle.get_text()
    texts = [t.get_text() for t in figure.axes[0].texts] + [t.get_text() for t in figure.texts]
    # The program's name is drawn whole, in its own order, never as "(Spring (2026".
    assert PROGRAM in title.replace("\n", " ") or "Spring" not in title
    assert "(Spring" not in title
    # Each bar's "n = 12" reads left to right; no control character reaches the renderer.
    values = [t for t in texts if "n = " in t or "n\u00a0=" in t]
    assert values and all(re.search(r"n = \d+", t) for t in values)
    assert not any(re.search(r"\d+ = n", t) for t in values)
    assert not any(ISOLATES.search(t) for t in [title, *texts])
    assert sample.replace("\u2068", "").replace("\u2069", "") in "".join(values)
