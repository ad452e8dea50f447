"""The fairness section of a report: moderation per side, as organizers read it in any format."""

from __future__ import annotations

from bot.domain import fairness as fair
from bot.features.feedback.texts import side_name
from bot.i18n import N_, _
from bot.reports import render, sections
from bot.services.fairness import Fairness

RULE_LABELS = {
    "blocked_term": N_("offensive or threatening words"),
    "flood": N_("flooding"),
    "raid": N_("a burst of messages"),
    "link": N_("a link that is not allowed"),
    "forward": N_("a forwarded message"),
    "reported_message": N_("reported message"),
    fair.BY_MODERATOR: N_("a moderator's own judgement"),
}


def rule_label(code: str) -> str:
    return _(RULE_LABELS[code]) if code in RULE_LABELS else code


def actor_label(category: str) -> str:
    if category == fair.AUTOMATIC:
        return _("automatic filter")
    side = category.removeprefix(fair.MODERATOR_PREFIX)
    if not side:
        return _("moderators on no side")
    return _("moderators from {side}", side=side)


def _count(shown, side: str) -> str:
    """A side's count of one kind: 0 when there were none, hidden when a unit did not show it."""
    if side in shown.sides:
        return render.number(shown.sides[side], 0)
    return render.hidden() if side in shown.sides_seen else render.number(0, 0)


def _cell(shown, dim: str, side: str, category: str) -> str:
    if side not in shown.sides:
        return render.hidden() if side in shown.sides_seen else render.number(0, 0)
    if (side, category) in shown.dims.get(dim, {}):
        return render.number(shown.dims[dim][(side, category)], 0)
    seen = shown.rest.get((dim, side), 0)
    return render.hidden() if seen else render.number(0, 0)


def _cells(shown, dim: str, side: str, label) -> str:
    categories = sorted({c for (s, c) in shown.dims.get(dim, {}) if s == side})
    parts = [
        _("{label}: {n}", label=label(c), n=render.number(shown.dims[dim][(side, c)], 0))
        for c in categories
    ]
    return " · ".join(parts + render.rest_part(shown.rest.get((dim, side), 0)))


def _hours(value: float | None) -> str:
    return "—" if value is None else _("{hours} h", hours=render.number(value, 1))


def _mean_hours(shown, dim: str, side: str, categories) -> float | None:
    n = sum(shown.cell(dim, side, c) for c in categories)
    hours = sum(shown.hours.get((dim, side, c), 0.0) for c in categories)
    return hours / n if n else None


def side_lines(figures: Fairness, side: str) -> list[str]:
    """What the report says of one side: sanctions (rate, by rule, by who acted), reports,
    appeals, time to decide, and speaking against membership."""
    f = figures.figures
    sanctions = f[fair.SANCTIONS]
    rate = figures.rate(side)
    lines = [
        _(
            "{side}: sanctions {n}, {rate} per 1,000 messages",
            side=side_name(side),
            n=_count(sanctions, side),
            rate=render.number(rate, 1) if rate is not None else "—",
        )
    ]
    if sanctions.sides.get(side):
        lines.append(
            "   " + _("by rule: {cells}", cells=_cells(sanctions, fair.RULE, side, rule_label))
        )
        lines.append(
            "   "
            + _("by who acted: {cells}", cells=_cells(sanctions, fair.ACTOR, side, actor_label))
        )
    reports, decided = f[fair.REPORTS_FILED], f[fair.REPORTS_DECIDED]
    lines.append(
        "   "
        + _(
            "reports about them: filed {filed}; decided: acted on {acted}, dismissed {dismissed}",
            filed=_count(reports, side),
            acted=_cell(decided, fair.OUTCOME, side, fair.ACTED),
            dismissed=_cell(decided, fair.OUTCOME, side, fair.DISMISSED),
        )
    )
    appeals, answered = f[fair.APPEALS_FILED], f[fair.APPEALS_DECIDED]
    lines.append(
        "   "
        + _(
            "appeals: filed {filed}; decided: upheld {upheld}, rejected {rejected}; "
            "within {hours} h: {within}",
            filed=_count(appeals, side),
            upheld=_cell(answered, fair.OUTCOME, side, fair.UPHELD),
            rejected=_cell(answered, fair.OUTCOME, side, fair.REJECTED),
            hours=render.number(figures.appeal_hours, 0),
            within=_cell(answered, fair.TIMELY, side, fair.WITHIN),
        )
    )
    lines.append(
        "   "
        + _(
            "mean time to decide: reports {reports}, appeals {appeals}",
            reports=_hours(_mean_hours(decided, fair.OUTCOME, side, (fair.ACTED, fair.DISMISSED))),
            appeals=_hours(_mean_hours(answered, fair.OUTCOME, side, (fair.UPHELD, fair.REJECTED))),
        )
    )
    share = next((s for s in figures.shares if s.side == side), None)
    if share is not None:
        lines.append(
            "   "
            + _(
                "share of messages {messages}, share of members {members}",
                messages=render.percent(share.message_share)
                if share.message_share is not None
                else "—",
                members=render.percent(share.member_share)
                if share.member_share is not None
                else "—",
            )
        )
    return lines


def method_line(figures: Fairness) -> str:
    return _(
        "Moderation is counted by week once the week has ended; a group's weeks with fewer than "
        "{k} events of a kind are counted together once they reach {k}. Each count below {k} is "
        "hidden with any number that would reveal it, and every figure adds up those weeks' own, "
        "so no combination of reports reveals a hidden number. Rates compare with the messages "
        "written during sessions.",
        k=figures.k,
    )


def telegram(figures: Fairness) -> list[str]:
    lines = [_("⚖️ Fairness of moderation, per side:")]
    if figures.program_sides < 2:
        lines.append(
            _("Only one side has members here: there is nothing to compare between sides.")
        )
    if not figures.any_events:
        lines.append(
            _(
                "No sanctions, reports or appeals are counted yet: a week counts once it has "
                "ended, in sets of at least {k}.",
                k=figures.k,
            )
        )
    else:
        for side in figures.sides:
            lines += side_lines(figures, side)
    lines.append(method_line(figures))
    return lines


def _n(shown, side: str) -> tuple[str, str]:
    if side in shown.sides:
        return str(shown.sides[side]), ""
    if side in shown.sides_seen:
        return "", render.hidden()
    return "0", ""


def _c(shown, dim: str, side: str, category: str) -> tuple[str, str]:
    text = _cell(shown, dim, side, category)
    if text == render.hidden():
        return "", text
    return str(shown.cell(dim, side, category)), ""


def csv(figures: Fairness) -> list[list[str]]:
    """One row per number: section, label, side, n, rate or mean hours, '', '', note."""
    section = _("fairness")
    rows: list[list[str]] = []
    f = figures.figures
    for side in figures.sides:
        label = side_name(side)
        sanctions = f[fair.SANCTIONS]
        n, note = _n(sanctions, side)
        rate = figures.rate(side)
        rows.append(
            [
                section,
                _("sanctions"),
                label,
                n,
                f"{rate:.4f}" if rate is not None else "",
                "",
                "",
                note,
            ]
        )
        if side in sanctions.sides:
            for dim, name in ((fair.RULE, rule_label), (fair.ACTOR, actor_label)):
                for (s, c), count in sorted(sanctions.dims.get(dim, {}).items()):
                    if s == side:
                        rows.append(
                            [
                                section,
                                _("sanctions") + ": " + name(c),
                                label,
                                str(count),
                                "",
                                "",
                                "",
                                "",
                            ]
                        )
                rest = sanctions.rest.get((dim, side), 0)
                if rest:
                    rows.append(
                        [
                            section,
                            _("sanctions"),
                            label,
                            str(rest),
                            "",
                            "",
                            "",
                            _("not broken down"),
                        ]
                    )
        for kind, title in (
            (fair.REPORTS_FILED, _("reports filed")),
            (fair.APPEALS_FILED, _("appeals filed")),
        ):
            n, note = _n(f[kind], side)
            rows.append([section, title, label, n, "", "", "", note])
        for kind, dim, category, title in (
            (fair.REPORTS_DECIDED, fair.OUTCOME, fair.ACTED, _("reports acted on")),
            (fair.REPORTS_DECIDED, fair.OUTCOME, fair.DISMISSED, _("reports dismissed")),
            (fair.APPEALS_DECIDED, fair.OUTCOME, fair.UPHELD, _("appeals upheld")),
            (fair.APPEALS_DECIDED, fair.OUTCOME, fair.REJECTED, _("appeals rejected")),
            (fair.APPEALS_DECIDED, fair.TIMELY, fair.WITHIN, _("appeals decided in time")),
        ):
            n, note = _c(f[kind], dim, side, category)
            hours = f[kind].mean_hours(dim, side, category) if dim == fair.OUTCOME else None
            rows.append(
                [
                    section,
                    title,
                    label,
                    n,
                    f"{hours:.4f}" if hours is not None else "",
                    "",
                    "",
                    note,
                ]
            )
        share = next((s for s in figures.shares if s.side == side), None)
        if share is not None:
            rows.append(
                [
                    section,
                    _("share of messages"),
                    label,
                    str(share.messages),
                    f"{share.message_share:.4f}" if share.message_share is not None else "",
                    "",
                    "",
                    "",
                ]
            )
            rows.append(
                [
                    section,
                    _("share of members"),
                    label,
                    str(share.members),
                    f"{share.member_share:.4f}" if share.member_share is not None else "",
                    "",
                    "",
                    "",
                ]
            )
    rows.append([_("note"), method_line(figures), "", "", "", "", "", ""])
    return rows


def html(figures: Fairness) -> list[str]:
    from bot.reports.html_export import escape

    lines = telegram(figures)
    parts = [f"<h2>{escape(lines[0])}</h2>", '<ul id="fairness">']
    parts += [f"<li>{escape(line.strip())}</li>" for line in lines[1:-1]]
    parts.append("</ul>")
    parts.append(f'<p class="note" id="fairness-method">{escape(lines[-1])}</p>')
    return parts


sections.register(sections.Renderer("fairness", telegram, csv, html, 20))  # type: ignore[arg-type]
