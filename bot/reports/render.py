"""A report as the reader sees it: every label and number rendered in the current locale.

Both the Telegram summary and the files (CSV, HTML, PNG) are built from these rows, so a number
that suppression hid is hidden in every format alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent

from bot.domain.anonymity import ScrubKind, relabel_placeholders
from bot.features.feedback.evaluation import Report
from bot.features.feedback.surveys import LIKERT5
from bot.features.feedback.texts import (
    LIKERT_LABELS,
    construct_label,
    item_label,
    item_text,
    role_name,
    side_name,
)
from bot.i18n import N_, _, current_locale, format_date, isolate

# What the scrubber removed, as a reader of the report sees it (stored comments keep "[name]" ...).
_PLACEHOLDER_LABELS = {
    ScrubKind.EMAIL: N_("[email]"),
    ScrubKind.LINK: N_("[link]"),
    ScrubKind.PHONE: N_("[phone]"),
    ScrubKind.ADDRESS: N_("[address]"),
    ScrubKind.USERNAME: N_("[@user]"),
    ScrubKind.NAME: N_("[name]"),
}


def comment(text: str) -> str:
    """A scrubbed comment with its placeholders in the reader's language."""
    return relabel_placeholders(text, lambda kind: _(_PLACEHOLDER_LABELS[kind]))


def number(value: float, digits: int = 2) -> str:
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=current_locale())


def signed(value: float, digits: int = 2) -> str:
    pattern = "+#,##0." + "0" * digits + ";-#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale=current_locale())


def percent(value: float) -> str:
    return format_percent(value, locale=current_locale())


def hidden() -> str:
    return _("hidden")


def count(value: int | None) -> str:
    return hidden() if value is None else number(value, 0)


def value_label(kind: str, value: int) -> str:
    if kind == LIKERT5:
        return f"{number(value, 0)} {_(LIKERT_LABELS[value])}"
    return number(value, 0)


def sample(n: int) -> str:
    """ "n = 24" as one unit: placed whole into a sentence, so a right-to-left one isolates it
    (i18n.isolate) and never shows it mirrored as "24 = n"."""
    return _("n = {n}", n=number(n, 0))


@dataclass(frozen=True)
class Heading:
    title: str
    scope_line: str
    threshold_line: str
    method_line: str


def heading(report: Report) -> Heading:
    parts = [report.program_name]
    if report.group_name:
        parts.append(report.group_name)
    if report.session_title:
        session = report.session_title
        if report.session_starts_at:
            session += " (" + format_date(report.session_starts_at.date(), width="medium") + ")"
        parts.append(session)
    return Heading(
        title=_("Feedback report"),
        # Names as organizers wrote them, in any script: each one isolated in right-to-left text, so
        # "Spring (2026)" never shows as "(Spring (2026" and the dashes stay between the names.
        scope_line=" — ".join(isolate(part) for part in parts),
        threshold_line=_(
            "Numbers resting on fewer than {k} answers (comments: {k_comments}) are hidden, with any "
            "number that would reveal them.",
            k=report.k,
            k_comments=report.k_comments,
        ),
        method_line=_(
            "Only surveys that have closed are counted, and each counts once, as it was when it "
            "closed; a session with fewer than {k} answers is counted together with other small "
            "sessions of its group once they reach {k}. A group's or the program's breakdowns "
            "add up only the sessions whose own breakdown reached {k}. A comment is shown in one "
            "report only: its session's, or else its group's, in sets of at least {k_comments}. "
            "So no combination of reports, now or later, reveals a hidden number.",
            k=report.k,
            k_comments=report.k_comments,
        ),
    )


def coarsened_line(report: Report) -> str | None:
    """How many counted answers are stored with less detail (coarsened at write time), or None."""
    if not report.coarsened_answers:
        return None
    names = {
        "side": _("side not kept"),
        "role": _("role not kept"),
        "week": _("day widened to the week"),
        "day": _("day not kept"),
    }
    details = "; ".join(
        f"{names[label]}: {number(n, 0)}" for label, n in report.coarsened.items() if label in names
    )
    return " ".join(
        (
            _(
                "Answers stored with less detail so that no one stands out: {count} ({details}).",
                count=number(report.coarsened_answers, 0),
                details=details,
            ),
            _("They count in every figure but are not broken down by what was not kept."),
        )
    )


def comments_note(report: Report) -> str:
    """Why a report shows no comments; says nothing about how many were written."""
    if report.scope.level == "program":
        return _("Comments are shown in their session's or group's report, never in the program's.")
    return _(
        "Comments are shown in sets of at least {k}: in their session's report when it has that "
        "many, otherwise with other sessions' in the group's report.",
        k=report.k_comments,
    )


def overview(report: Report) -> str:
    rate = (
        percent(report.rate)
        if report.rate is not None
        else hidden()
        if report.answered is None
        else "—"
    )
    return _(
        "Invited: {invited} · Answered: {answered} · Response rate: {rate}",
        invited=number(report.invited, 0),
        answered=count(report.answered),
        rate=rate,
    )


def mean_line(stats) -> str:
    if stats is None:
        return _("not enough answers to show")
    if stats.low is None:
        return _("mean {mean}, {n}", mean=number(stats.mean), n=sample(stats.n))
    return _(
        "mean {mean} (95% CI {low} to {high}), {n}",
        mean=number(stats.mean),
        low=number(stats.low),
        high=number(stats.high),
        n=sample(stats.n),
    )


def rest_part(rest: int) -> list[str]:
    """The answers a breakdown leaves out (their session's own breakdown did not reach k)."""
    return [_("not broken down: {n}", n=number(rest, 0))] if rest else []


def bars_line(stats) -> str:
    parts = [f"{number(bar.value, 0)}: {count(bar.count)}" for bar in stats.bars]
    return " · ".join(parts + rest_part(stats.bars_rest))


def cells_line(cells, *, roles: bool = False, rest: int = 0) -> str:
    parts = []
    for cell in cells:
        label = role_name(cell.label) if roles else side_name(cell.label)
        if cell.n is None:
            parts.append(_("{label}: hidden", label=label))
        elif cell.mean is None:
            parts.append(_("{label}: no answers", label=label))
        else:
            parts.append(
                _(
                    "{label}: {mean} ({n})",
                    label=label,
                    mean=number(cell.mean),
                    n=sample(cell.n),
                )
            )
    return " · ".join(parts + rest_part(rest))


def pre_post_line(row) -> str:
    label = construct_label(row.construct, row.item)
    if row.result is None:
        return _(
            "{construct}: not enough answers to compare (before: {n_pre}, after: {n_post})",
            construct=label,
            n_pre=count(row.n_pre),
            n_post=count(row.n_post),
        )
    d = number(row.result.cohens_d) if row.result.cohens_d is not None else "—"
    return _(
        "{construct}: {diff} (95% CI {low} to {high}), Cohen's d = {d}, n = {n_pre} before / {n_post} after",
        construct=label,
        diff=signed(row.result.diff),
        low=signed(row.result.low),
        high=signed(row.result.high),
        d=d,
        n_pre=number(row.result.n_pre, 0),
        n_post=number(row.result.n_post, 0),
    )


def balance_line(row) -> str:
    share = percent(row.message_share) if row.message_share is not None else "—"
    return _(
        "{side}: {share} of messages, {words} words; present {present} of {members}, spoke {spoke}",
        side=side_name(row.side),
        share=share,
        words=number(row.words, 0),
        present=count(row.present),
        members=number(row.members, 0),
        spoke=count(row.spoke),
    )


def trend_line(trend) -> str:
    points = []
    for point in trend.points:
        value = (
            number(point.mean) if point.mean is not None else hidden() if point.n is None else "—"
        )
        points.append(_("{session}: {mean}", session=point.label, mean=value))
    slope = signed(trend.slope) if trend.slope is not None else "—"
    return _(
        "{item}: {points} (change per session: {slope})",
        item=item_label(trend.item),
        points=" → ".join(points),
        slope=slope,
    )


__all__ = [
    "balance_line",
    "bars_line",
    "cells_line",
    "comments_note",
    "count",
    "heading",
    "hidden",
    "item_label",
    "item_text",
    "mean_line",
    "number",
    "overview",
    "percent",
    "pre_post_line",
    "rest_part",
    "sample",
    "signed",
    "trend_line",
    "value_label",
]
