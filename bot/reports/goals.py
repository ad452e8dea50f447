"""The goals section of a program's report: each published goal, its figure and interval, and
whether it is met, not yet met or not measurable yet."""

from __future__ import annotations

from bot.domain import criteria
from bot.domain.criteria import Goal, Status, Verdict
from bot.i18n import N_, _
from bot.reports import render, sections
from bot.services.criteria import Goals

STATUS_LABELS = {
    Status.MET: N_("met"),
    Status.NOT_YET: N_("not yet met"),
    Status.NOT_MEASURABLE: N_("not measurable yet (too few answers)"),
}
SHARES = (criteria.ATTENDANCE, criteria.SPEAKING_BALANCE, criteria.APPEALS_ANSWERED)


def value_text(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    if kind in SHARES:
        return render.percent(value)
    if kind == criteria.TRUST_CHANGE:
        return render.signed(value)
    return render.number(value)


def goal_label(goal: Goal) -> str:
    target = value_text(goal.kind, goal.target)
    if goal.kind == criteria.ATTENDANCE:
        label = _("Attendance at least {target}", target=target)
    elif goal.kind == criteria.FELT_HEARD:
        label = _("Felt heard at least {target}", target=target)
    elif goal.kind == criteria.TRUST_CHANGE:
        label = _("Trust after minus before above {target}", target=target)
    elif goal.kind == criteria.SPEAKING_BALANCE:
        label = _("Largest side's share of messages at most {target}", target=target)
    else:
        label = _(
            "Appeals decided within {hours} h: at least {target}",
            hours=render.number(goal.hours or criteria.DEFAULT_HOURS, 0),
            target=target,
        )
    if goal.confidence:
        label = _("{goal}, with 95% confidence", goal=label)
    return label


def figure_text(verdict: Verdict) -> str:
    m = verdict.measure
    if m.value is None:
        return _(STATUS_LABELS[Status.NOT_MEASURABLE])
    value = value_text(verdict.goal.kind, m.value)
    if m.low is not None and m.high is not None:
        figure = _(
            "{value} (95% CI {low} to {high})",
            value=value,
            low=value_text(verdict.goal.kind, m.low),
            high=value_text(verdict.goal.kind, m.high),
        )
    else:
        figure = value
    return _(
        "{figure}, {n}: {status}",
        figure=figure,
        n=render.sample(m.n),
        status=_(STATUS_LABELS[verdict.status]),
    )


def goal_line(verdict: Verdict) -> str:
    return _("{goal}: {result}", goal=goal_label(verdict.goal), result=figure_text(verdict))


def telegram(goals: Goals) -> list[str]:
    lines = [_("🎯 Goals published in advance:")]
    if not goals.verdicts:
        lines.append(
            _("This program has published no goals (program file [[goals]], or /newprogram).")
        )
    lines += ["• " + goal_line(v) for v in goals.verdicts]
    return lines


def csv(goals: Goals) -> list[list[str]]:
    rows = []
    for v in goals.verdicts:
        m = v.measure
        rows.append(
            [
                _("goal"),
                goal_label(v.goal),
                _(STATUS_LABELS[v.status]),
                str(m.n) if m.value is not None else "",
                f"{m.value:.4f}" if m.value is not None else "",
                f"{m.low:.4f}" if m.low is not None else "",
                f"{m.high:.4f}" if m.high is not None else "",
                "",
            ]
        )
    return rows


def html(goals: Goals) -> list[str]:
    from bot.reports.html_export import escape

    lines = telegram(goals)
    return [
        f"<h2>{escape(lines[0])}</h2>",
        '<ul id="goals">',
        *(f"<li>{escape(line.removeprefix('• '))}</li>" for line in lines[1:]),
        "</ul>",
    ]


sections.register(sections.Renderer("goals", telegram, csv, html, 10))  # type: ignore[arg-type]
