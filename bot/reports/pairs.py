"""The cross-border pairs section of a program's report: conversations per person, in any format.

The figures are the released snapshot of the sealed tally (bot/domain/pairing/tally.py): shown
only from k people, each bin under k hidden with its complement, and replaced only once at least
k answers have come in since the last release.
"""

from __future__ import annotations

from bot.domain.pairing import Distribution
from bot.i18n import _
from bot.reports import render, sections


def _n(value: int | None) -> str:
    return render.hidden() if value is None else render.number(value, 0)


def _title() -> str:
    return _("Cross-border pairs (conversations per person, from «did you talk?»):")


def telegram(figures: Distribution) -> list[str]:
    if not figures.shown:
        return [
            _title(),
            "   "
            + _(
                "Not shown yet: fewer than {k} people have answered.",
                k=render.number(figures.k, 0),
            ),
        ]
    bins = figures.bins
    return [
        _title(),
        "   "
        + _(
            "{people} people, {conversations} conversations",
            people=_n(figures.people),
            conversations=_n(figures.conversations),
        ),
        "   "
        + _(
            "none: {none} · one: {one} · two: {two} · three or more: {more}",
            none=_n(bins[0]),
            one=_n(bins[1]),
            two=_n(bins[2]),
            more=_n(bins[3]),
        ),
    ]


def csv(figures: Distribution) -> list[list[str]]:
    label = _title().rstrip(":")
    if not figures.shown:
        return [[label, "", "", "", "", "", "", render.hidden()]]
    rows = [[label, _n(figures.people), "", "", "", "", "", ""]]
    rows += [
        [
            label,
            f"{b}+" if b == 3 else str(b),
            "",
            _n(n),
            "",
            "",
            "",
            "" if n is not None else render.hidden(),
        ]
        for b, n in figures.bins.items()
    ]
    return rows


def html(figures: Distribution) -> list[str]:
    from bot.reports.html_export import escape

    lines = telegram(figures)
    parts = [f"<h2>{escape(lines[0])}</h2>", '<ul id="pairs">']
    parts += [f"<li>{escape(line.strip())}</li>" for line in lines[1:]]
    parts.append("</ul>")
    return parts


sections.register(sections.Renderer("pairs", telegram, csv, html))  # type: ignore[arg-type]
