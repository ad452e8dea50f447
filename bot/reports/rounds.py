"""The perspective-rounds section of a report: how well tellers felt understood, in any format.

Its value is a Report of the program's ``round`` survey (bot/services/evaluation.py, built with
``kind=ROUND``): the same release rules and suppression as the session survey's answers."""

from __future__ import annotations

from bot.features.feedback.evaluation import Report
from bot.i18n import _
from bot.reports import render, sections


def _title() -> str:
    return _("Perspective rounds (the tellers' answers, 1 = not at all, 5 = completely):")


def telegram(report: Report) -> list[str]:
    from bot.reports.summary import item_lines  # summary imports sections, which loads this

    lines = [_title(), *item_lines(report)]
    if report.trends:
        across = (
            _("Across the program's sessions:")
            if report.scope.level == "program"
            else _("Across the group's sessions:")
        )
        lines += ["", across]
        lines += ["• " + render.trend_line(trend) for trend in report.trends]
    return lines


def csv(report: Report) -> list[list[str]]:
    """The report's eight columns: section, label, group, n, mean, CI low, CI high, note."""
    section = _("perspective rounds")
    rows: list[list[str]] = []
    for stats in report.items:
        label = render.item_label(stats.item)
        s = stats.stats
        note = render.hidden() if stats.n is None else ""
        rows.append(
            [
                section,
                label,
                "",
                "" if stats.n is None else str(stats.n),
                "" if s is None else f"{s.mean:.2f}",
                "" if s is None or s.low is None else f"{s.low:.2f}",
                "" if s is None or s.high is None else f"{s.high:.2f}",
                note,
            ]
        )
        for cell in stats.by_side:
            rows.append(
                [
                    section,
                    label,
                    render.side_name(cell.label),
                    "" if cell.n is None else str(cell.n),
                    "" if cell.mean is None else f"{cell.mean:.2f}",
                    "",
                    "",
                    render.hidden() if cell.n is None else "",
                ]
            )
    return rows


def html(report: Report) -> list[str]:
    from bot.reports.html_export import escape  # html_export imports sections, which loads this

    lines = [line for line in telegram(report)[1:] if line.strip()]
    parts = [f"<h2>{escape(_title())}</h2>", '<ul id="rounds">']
    parts += [f"<li>{escape(line.strip())}</li>" for line in lines]
    parts.append("</ul>")
    return parts


sections.register(sections.Renderer("rounds", telegram, csv, html))  # type: ignore[arg-type]
