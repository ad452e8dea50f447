"""The report as CSV: one row per number, labelled in the reader's language; hidden numbers are
empty with the word for "hidden" beside them, never the value."""

from __future__ import annotations

import csv
import io

from bot.features.feedback.evaluation import Report
from bot.i18n import _
from bot.reports import render, sections


def _n(value: int | None) -> str:
    return "" if value is None else str(value)


def _f(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (comments are free text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("section"),
            _("label"),
            _("group"),
            _("n"),
            _("mean"),
            _("CI low"),
            _("CI high"),
            _("note"),
        ]
    )
    note = render.hidden()
    head = render.heading(report)
    writer.writerow([_("scope"), head.scope_line, "", "", "", "", "", ""])
    writer.writerow([_("invited"), "", "", str(report.invited), "", "", "", ""])
    writer.writerow(
        [
            _("answered"),
            "",
            "",
            _n(report.answered),
            "",
            "",
            "",
            note if report.answered is None else "",
        ]
    )
    for stats in report.items:
        label = render.item_label(stats.item)
        s = stats.stats
        writer.writerow(
            [
                _("item"),
                label,
                "",
                _n(stats.n),
                _f(s.mean if s else None),
                _f(s.low if s else None),
                _f(s.high if s else None),
                note if stats.n is None else "",
            ]
        )
        for bar in stats.bars:
            writer.writerow(
                [
                    _("answer"),
                    label,
                    str(bar.value),
                    _n(bar.count),
                    "",
                    "",
                    "",
                    note if bar.count is None else "",
                ]
            )
        for cell in stats.by_side:
            writer.writerow(
                [
                    _("side"),
                    label,
                    cell.label,
                    _n(cell.n),
                    _f(cell.mean),
                    "",
                    "",
                    note if cell.n is None else "",
                ]
            )
        for cell in stats.by_role:
            writer.writerow(
                [
                    _("role"),
                    label,
                    cell.label,
                    _n(cell.n),
                    _f(cell.mean),
                    "",
                    "",
                    note if cell.n is None else "",
                ]
            )
        # Answers a breakdown leaves out: their session's own breakdown did not reach k.
        for section, rest in (
            (_("answer"), stats.bars_rest),
            (_("side"), stats.side_rest),
            (_("role"), stats.role_rest),
        ):
            if rest:
                writer.writerow([section, label, _("not broken down"), str(rest), "", "", "", ""])
    for pre_post in report.pre_post:
        r = pre_post.result
        writer.writerow(
            [
                _("pre/post"),
                pre_post.construct,
                "",
                f"{_n(pre_post.n_pre)}/{_n(pre_post.n_post)}",
                _f(r.diff if r else None),
                _f(r.low if r else None),
                _f(r.high if r else None),
                (_("Cohen's d") + f" {r.cohens_d:.3f}") if r and r.cohens_d is not None else "",
            ]
        )
    for trend in report.trends:
        for point in trend.points:
            writer.writerow(
                [
                    _("trend"),
                    render.item_label(trend.item),
                    point.label,
                    _n(point.n),
                    _f(point.mean),
                    "",
                    "",
                    note if point.n is None else "",
                ]
            )
    for group in report.groups:
        writer.writerow(
            [
                _("group"),
                group.name,
                "",
                _n(group.answered),
                "",
                "",
                "",
                note if group.answered is None else "",
            ]
        )
    for row in report.balance:
        writer.writerow(
            [_("balance"), row.side, "", str(row.messages), _f(row.message_share), "", "", ""]
        )
    for row in sections.csv_rows(report):
        writer.writerow(row)
    if report.comment_count is not None:
        for comment in report.comments:
            writer.writerow([_("comment"), _safe(render.comment(comment)), "", "", "", "", "", ""])
    if report.comment_count is None:
        writer.writerow([_("comment"), "", "", "", "", "", "", render.comments_note(report)])
    writer.writerow([_("note"), head.threshold_line, "", "", "", "", "", ""])
    writer.writerow([_("note"), head.method_line, "", "", "", "", "", ""])
    if coarsened := render.coarsened_line(report):
        writer.writerow([_("note"), coarsened, "", "", "", "", "", ""])
    # UTF-8 with a byte-order mark, so spreadsheet programs read every script correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
