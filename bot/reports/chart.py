"""The report as one PNG chart, labelled in the reader's language and readable on a phone.

Means with their 95% confidence intervals, one bar per item; an item whose answers are hidden gets
no bar, only the word for "hidden". Matplotlib (Agg backend) draws it; it neither shapes Arabic nor
does bidirectional layout, so right-to-left labels are shaped and put into visual order here first
(``visual``).
"""

from __future__ import annotations

import io
import textwrap
import unicodedata

import arabic_reshaper
import matplotlib

try:  # the reference algorithm: it also mirrors brackets in right-to-left runs (rule L4)
    from bidi.algorithm import get_display as _bidi_display
except ImportError:  # a python-bidi without it: the Rust implementation (no mirroring)
    from bidi import get_display as _bidi_display

matplotlib.use("Agg")

from matplotlib.figure import Figure

from bot.features.feedback.evaluation import Report
from bot.features.feedback.surveys import SCALES, THERMOMETER
from bot.i18n import _, is_rtl
from bot.reports import render

WIDTH_INCHES = 6.0  # at 180 dpi: 1,080 pixels, a phone screen's width
DPI = 180


_ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


def _classes(text: str) -> set[str]:
    return {unicodedata.bidirectional(ch) for ch in text}


def visual(text: str, locale: str | None = None) -> str:
    """Right-to-left text as matplotlib must be handed it: Arabic letters shaped into their joined
    contextual forms (arabic_reshaper), then every line put into visual order by the Unicode
    bidirectional algorithm (python-bidi), brackets mirrored. Matplotlib does neither, so without
    this Arabic is drawn as isolated letters in reverse. Text of a left-to-right reader, and text
    without any right-to-left letter, is returned unchanged (apart from invisible isolate marks)."""
    if not is_rtl(locale):
        return text
    return "\n".join(_visual_line(line, "R") for line in text.split("\n"))


_OPEN_ISOLATES = {"\u2066": "L", "\u2067": "R", "\u2068": None}
_PDI = "\u2069"
# Stand-ins for isolates while the outer text is laid out: box-drawing characters are neutral
# (ON), never mirrored or shaped, and no label uses them.
_SLOTS = [chr(c) for c in range(0x2500, 0x2580)]


def _split_isolates(line: str) -> tuple[str, dict[str, tuple[str | None, str]]]:
    """The line with each outermost isolate replaced by a neutral stand-in, and each stand-in's
    text with its own direction (L, R, or None: the first strong character's)."""
    outer: list[str] = []
    inner: dict[str, tuple[str | None, str]] = {}
    depth, kind, current = 0, None, []
    for ch in line:
        if ch in _OPEN_ISOLATES:
            if depth == 0:
                kind, current = _OPEN_ISOLATES[ch], []
            else:
                current.append(ch)
            depth += 1
        elif ch == _PDI:
            if depth == 1:
                slot = _SLOTS[len(inner) % len(_SLOTS)]
                inner[slot] = (kind, "".join(current))
                outer.append(slot)
            elif depth > 1:
                current.append(ch)
            depth = max(0, depth - 1)  # a stray PDI closes nothing
        elif depth:
            current.append(ch)
        else:
            outer.append(ch)
    if depth:  # an isolate left open runs to the end of the line
        slot = _SLOTS[len(inner) % len(_SLOTS)]
        inner[slot] = (kind, "".join(current))
        outer.append(slot)
    return "".join(outer), inner


def _first_strong(text: str) -> str:
    for ch in text.translate(_ISOLATES):
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return "L"


def _visual_line(line: str, base: str) -> str:
    """One line in visual order. The reference algorithm (python-bidi's, which mirrors brackets)
    knows no isolates, so each isolate (a name, a number, "n = 24" put into a sentence) is laid
    out on its own, in its own direction, and stands in its sentence as one neutral character, as
    Unicode's rules for isolates have it: an Arabic label never shows "(Group A (2" for the
    isolated name "Group A (2)"."""
    outer, inner = _split_isolates(line)
    shown = {
        slot: _visual_line(text, kind or _first_strong(text))
        for slot, (kind, text) in inner.items()
    }
    classes = _classes(outer)
    if "AL" in classes:
        outer = arabic_reshaper.reshape(outer)
    right_to_left = classes & {"R", "AL"} or (
        base == "R" and any(_classes(text) & {"R", "AL"} for _, text in inner.values())
    )
    if right_to_left:
        outer = _bidi_display(outer, base_dir=base)
    return "".join(shown.get(ch, ch) for ch in outer)


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(visual(line) for line in textwrap.wrap(text, width) or [text])


def chart_png(report: Report, *, footer: bool = True) -> bytes:
    """The chart; ``footer=False`` for a page that already says the counts and the threshold
    (the HTML report), so that the note is not shown twice."""
    items = report.items
    rows = max(1, len(items))
    height = 2.2 + 1.1 * rows
    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    ax = fig.add_subplot(1, 1, 1)
    head = render.heading(report)
    fig.suptitle(_wrap(head.title + ": " + head.scope_line, 48), fontsize=12, fontweight="bold")
    labels = []
    scale_max = 5.0
    for index, stats in enumerate(items):
        y = rows - 1 - index
        labels.append(_wrap(render.item_label(stats.item)))
        scale = SCALES.get(stats.item.kind, (1, 5))
        if stats.item.kind == THERMOMETER:
            scale_max = 100.0
        if stats.stats is None:
            ax.text(
                scale[0],
                y,
                visual(render.hidden() if stats.n is None else "—"),
                va="center",
                fontsize=11,
                color="#666666",
            )
            continue
        mean = stats.stats.mean
        ax.barh(y, mean - scale[0], left=scale[0], height=0.55, color="#3b7dd8")
        if stats.stats.low is not None and stats.stats.high is not None:
            ax.errorbar(
                mean,
                y,
                xerr=[[mean - stats.stats.low], [stats.stats.high - mean]],
                fmt="none",
                ecolor="#222222",
                capsize=6,
                linewidth=1.6,
            )
        span = scale[-1] - scale[0]
        label = visual(_("{mean} ({n})", mean=render.number(mean), n=render.sample(stats.stats.n)))
        if mean - scale[0] > 0.45 * span:  # inside the bar, clear of the interval's whiskers
            ax.text(
                scale[0] + 0.03 * span,
                y,
                label,
                fontsize=10,
                va="center",
                color="white",
                fontweight="bold",
            )
        else:
            ax.text(
                max(mean, stats.stats.high or mean) + 0.03 * span,
                y,
                label,
                fontsize=10,
                va="center",
            )
    ax.set_yticks(range(rows))
    ax.set_yticklabels(list(reversed(labels)) if labels else [""], fontsize=10)
    ax.set_xlim(0 if scale_max == 100 else 1, scale_max + (0.6 if scale_max == 5 else 12))
    ax.set_ylim(-0.7, rows - 0.3)
    ax.set_xlabel(visual(_("Mean with 95% confidence interval")), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    if footer:
        # Right-to-left text starts at the right edge, like the rest of an RTL report.
        rtl = is_rtl()
        fig.text(
            0.99 if rtl else 0.01,
            0.01,
            _wrap(render.overview(report) + " · " + head.threshold_line, 90),
            fontsize=7,
            color="#444444",
            ha="right" if rtl else "left",
            multialignment="right" if rtl else "left",
        )
    fig.tight_layout(rect=(0, 0.05 if footer else 0.0, 1, 0.95))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def fairness_png(report: Report) -> bytes | None:
    """Sanctions per 1,000 session messages by side, as the report's fairness section shows them
    (a side whose count is hidden gets the word for "hidden", no bar); None without the section."""
    from bot.features.feedback.texts import side_name

    figures = report.sections.get("fairness")
    if figures is None or not figures.sides:  # type: ignore[attr-defined]
        return None
    sides = list(figures.sides)  # type: ignore[attr-defined]
    fig = Figure(figsize=(WIDTH_INCHES, 1.8 + 0.7 * len(sides)), dpi=DPI)
    ax = fig.add_subplot(1, 1, 1)
    head = render.heading(report)
    fig.suptitle(
        _wrap(_("Sanctions per 1,000 messages, by side") + ": " + head.scope_line, 48),
        fontsize=12,
        fontweight="bold",
    )
    rates = [figures.rate(side) for side in sides]  # type: ignore[attr-defined]
    top = max([r for r in rates if r is not None] + [1.0])
    for index, rate in enumerate(rates):
        y = len(sides) - 1 - index
        if rate is None:
            ax.text(0, y, " " + visual(render.hidden()), va="center", fontsize=9, color="#777")
            continue
        ax.barh(y, rate, color="#4a7ab5", height=0.6)
        ax.text(rate, y, " " + visual(render.number(rate, 1)), va="center", fontsize=9)
    ax.set_yticks(range(len(sides)))
    ax.set_yticklabels([_wrap(side_name(side)) for side in reversed(sides)], fontsize=9)
    ax.set_xlim(0, top * 1.25)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
