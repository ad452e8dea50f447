"""The report as Telegram messages in the organizer's language (each under Telegram's 4,096)."""

from __future__ import annotations

from bot.features.feedback.evaluation import Report
from bot.i18n import _
from bot.reports import render, sections

MAX_MESSAGE = 4000


def summary_messages(report: Report) -> list[str]:
    """The summary first, then the comments (if their cell reaches k), split to fit messages."""
    head = render.heading(report)
    lines = [f"📊 {head.title}", head.scope_line, "", render.overview(report)]
    lines += item_lines(report)
    if report.pre_post:
        lines += ["", _("Before and after the program (after minus before):")]
        lines += ["• " + render.pre_post_line(row) for row in report.pre_post]
    if report.trends:
        lines += ["", _("Across the group's sessions:")]
        lines += ["• " + render.trend_line(trend) for trend in report.trends]
    if report.groups:
        lines += ["", _("Groups:")]
        lines += [
            "• "
            + _(
                "{group}: invited {invited}, answered {answered}",
                group=row.name,
                invited=render.number(row.invited, 0),
                answered=render.count(row.answered),
            )
            for row in report.groups
        ]
    if report.balance:
        lines += ["", _("Participation balance:")]
        lines += ["• " + render.balance_line(row) for row in report.balance]
    lines += sections.telegram_lines(report)
    lines.append("")
    if report.comment_count is None:
        lines.append(render.comments_note(report))
    elif report.comments:
        lines.append(
            _("Comments ({n}), in random order, follow.", n=render.number(report.comment_count, 0))
        )
    # The footnote: what is hidden and why no combination of reports reveals it.
    lines += ["", head.threshold_line, head.method_line]
    if coarsened := render.coarsened_line(report):
        lines.append(coarsened)
    messages = _split("\n".join(lines))
    if report.comments:
        messages += _split(
            "\n\n".join(f"💬 {render.comment(comment)}" for comment in report.comments)
        )
    return messages


def item_lines(report: Report) -> list[str]:
    """Each rated item: its mean, distribution and breakdowns (also the rounds section's)."""
    lines: list[str] = []
    for stats in report.items:
        lines.append("")
        lines.append(f"▪ {render.item_text(stats.item)}")
        lines.append("   " + render.mean_line(stats.stats))
        if stats.bars:
            lines.append("   " + render.bars_line(stats))
        if len(stats.by_side) > 1:
            cells = render.cells_line(stats.by_side, rest=stats.side_rest)
            lines.append("   " + _("By side: {cells}", cells=cells))
        if len(stats.by_role) > 1:
            cells = render.cells_line(stats.by_role, roles=True, rest=stats.role_rest)
            lines.append("   " + _("By role: {cells}", cells=cells))
    return lines


def _split(text: str) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > MAX_MESSAGE:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:MAX_MESSAGE])
            line = line[MAX_MESSAGE:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_MESSAGE:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return chunks
