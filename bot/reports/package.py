"""The evaluator export: the report's released, suppressed figures as a Frictionless Data package.

``datapackage.json`` (Tabular Data Package) describes every CSV resource with a Table Schema whose
field descriptions are in the organizer's language; the CSV files hold only numbers the report
itself shows (hidden cells are left out, never written), one row per figure, with stable keys
(item keys, construct keys, side names, goal kinds) so an external evaluator can analyse them
without the database. ``codebook.csv`` gives each item's wording and scale.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.domain import fairness as fair
from bot.features.feedback.evaluation import Report
from bot.features.feedback.surveys import SCALES
from bot.features.feedback.texts import item_text
from bot.i18n import _, current_locale
from bot.reports import render
from bot.reports.goals import STATUS_LABELS

COUNT_FIELDS = frozenset({"n", "count", "n_pre", "n_post"})  # counts of answers or events


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, integer, number
    description: str


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    fields: tuple[Field, ...]
    rows: list[list[object]]


def _f(value: float | None) -> object:
    return "" if value is None else round(value, 6)


def _item_rows(report: Report) -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    items, bars, cells = [], [], []
    for stats in report.items:
        if stats.n is None or stats.stats is None:
            continue  # hidden or unanswered: nothing to write
        s = stats.stats
        items.append([stats.item.key, stats.n, _f(s.mean), _f(s.low), _f(s.high)])
        for bar in stats.bars:
            if bar.count is not None:
                bars.append([stats.item.key, bar.value, bar.count])
        for dimension, breakdown in (("side", stats.by_side), ("role", stats.by_role)):
            for cell in breakdown:
                if cell.n is not None and cell.mean is not None:
                    cells.append([stats.item.key, dimension, cell.label, cell.n, _f(cell.mean)])
    return items, bars, cells


def resources(report: Report) -> list[Resource]:
    """Every resource of the package, labelled in the current locale."""
    n = Field("n", "integer", _("Number of answers counted; never between 1 and k - 1"))
    item = Field("item", "string", _("Survey item key, the same in every language"))
    items, bars, cells = _item_rows(report)
    out = [
        Resource(
            "codebook",
            _("Codebook: each survey item's wording and scale"),
            (
                item,
                Field("construct", "string", _("What the item measures (construct key)")),
                Field("scale", "string", _("Possible answers (lowest to highest)")),
                Field("text", "string", _("The item's wording in this package's language")),
            ),
            [
                [
                    s.item.key,
                    s.item.construct or "",
                    "-".join(str(v) for v in (SCALES[s.item.kind][0], SCALES[s.item.kind][-1])),
                    item_text(s.item),
                ]
                for s in report.items
            ]
            + [
                [
                    row.item.key if row.item else row.construct,
                    row.construct,
                    "-".join(str(v) for v in (SCALES[row.item.kind][0], SCALES[row.item.kind][-1]))
                    if row.item
                    else "",
                    item_text(row.item) if row.item else "",
                ]
                for row in report.pre_post
            ],
        ),
        Resource(
            "items",
            _("Answers per survey item (released sessions)"),
            (
                item,
                n,
                Field("mean", "number", _("Mean answer")),
                Field("ci_low", "number", _("Lower bound of the 95% confidence interval")),
                Field("ci_high", "number", _("Upper bound of the 95% confidence interval")),
            ),
            items,
        ),
        Resource(
            "distribution",
            _("Answers per value of each item, where the whole distribution is shown"),
            (
                item,
                Field("value", "integer", _("Answer value on the item's scale")),
                Field(
                    "count", "integer", _("Number of answers counted; never between 1 and k - 1")
                ),
            ),
            bars,
        ),
        Resource(
            "breakdowns",
            _("Answers per side and per role, where the cell is shown"),
            (
                item,
                Field("dimension", "string", _("Breakdown: side or role")),
                Field("category", "string", _("The side's name or the role's key")),
                n,
                Field("mean", "number", _("Mean answer")),
            ),
            cells,
        ),
        Resource(
            "pre_post",
            _("Before and after the program, per construct"),
            (
                Field("construct", "string", _("What the item measures (construct key)")),
                Field("n_pre", "integer", _("Answers before the program")),
                Field("n_post", "integer", _("Answers after the program")),
                Field("difference", "number", _("After minus before")),
                Field("ci_low", "number", _("Lower bound of the 95% confidence interval")),
                Field("ci_high", "number", _("Upper bound of the 95% confidence interval")),
                Field("cohens_d", "number", _("Cohen's d")),
            ),
            [
                [
                    row.construct,
                    row.result.n_pre,
                    row.result.n_post,
                    _f(row.result.diff),
                    _f(row.result.low),
                    _f(row.result.high),
                    _f(row.result.cohens_d),
                ]
                for row in report.pre_post
                if row.result is not None
            ],
        ),
        Resource(
            "balance",
            _("Participation during sessions, per side (counts of messages, not answers)"),
            (
                Field("side", "string", _("The side's name")),
                Field("member_sessions", "integer", _("Members summed over the sessions counted")),
                Field("messages", "integer", _("Messages written during sessions")),
                Field("words", "integer", _("Words written during sessions")),
                Field("message_share", "number", _("Share of all messages (0 to 1)")),
            ),
            [
                [row.side, row.members, row.messages, row.words, _f(row.message_share)]
                for row in report.balance
            ],
        ),
    ]
    fairness = report.sections.get("fairness")
    if fairness is not None:
        out.append(_fairness_resource(fairness))
    goals = report.sections.get("goals")
    if goals is not None:
        out.append(
            Resource(
                "goals",
                _("Goals published in advance and how they stand"),
                (
                    Field("goal", "string", _("Goal kind")),
                    Field("target", "number", _("The published target")),
                    Field("status", "string", _("met, not yet met, or not measurable yet")),
                    Field("value", "number", _("The figure the goal is judged by")),
                    Field("ci_low", "number", _("Lower bound of the 95% confidence interval")),
                    Field("ci_high", "number", _("Upper bound of the 95% confidence interval")),
                    Field(
                        "n",
                        "integer",
                        _("What the figure rests on (answers, member-sessions or events)"),
                    ),
                ),
                [
                    [
                        v.goal.kind,
                        _f(v.goal.target),
                        _(STATUS_LABELS[v.status]),
                        _f(v.measure.value),
                        _f(v.measure.low),
                        _f(v.measure.high),
                        v.measure.n if v.measure.value is not None else "",
                    ]
                    for v in goals.verdicts
                ],
            )
        )
    return out


def _fairness_resource(fairness) -> Resource:
    rows: list[list[object]] = []
    for side in fairness.sides:
        for kind in fair.KINDS:
            shown = fairness.figures[kind]
            if side not in shown.sides:
                continue
            rate = fairness.rate(side) if kind == fair.SANCTIONS else None
            rows.append([side, kind, "", "", shown.sides[side], _f(rate)])
            for dim, cells in shown.dims.items():
                for (s, category), count in sorted(cells.items()):
                    if s == side:
                        rows.append([side, kind, dim, category, count, ""])
    return Resource(
        "fairness",
        _("Moderation per side (sanctions, reports, appeals), released by whole weeks"),
        (
            Field("side", "string", _("The side of the sanctioned or reported person")),
            Field(
                "measure",
                "string",
                _(
                    "What is counted: sanctions, reports_filed, reports_decided, appeals_filed, appeals_decided"
                ),
            ),
            Field(
                "dimension",
                "string",
                _("Breakdown: rule, actor, outcome or timely (empty: the side's total)"),
            ),
            Field("category", "string", _("The category within the breakdown")),
            Field("count", "integer", _("Number of events; never between 1 and k - 1")),
            Field("per_1000_messages", "number", _("Sanctions per 1,000 messages of the side")),
        ),
        rows,
    )


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "program"


def _csv(fields: Sequence[Field], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields])
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue().encode("utf-8")


def write_package(report: Report, folder: Path, *, now: datetime) -> list[Path]:
    """Write datapackage.json and one CSV per resource into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    head = render.heading(report)
    written = []
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"bridgebot-{_slug(report.program_name)}-{report.scope.level}",
        "title": f"{head.title} — {head.scope_line}",
        "description": " ".join((head.threshold_line, head.method_line)),
        "created": now.isoformat(),
        "language": current_locale(),
        "bridgebot:k": report.k,
        "resources": [],
    }
    for resource in resources(report):
        path = folder / f"{resource.name}.csv"
        path.write_bytes(_csv(resource.fields, resource.rows))
        written.append(path)
        descriptor["resources"].append(
            {
                "name": resource.name,
                "path": path.name,
                "profile": "tabular-data-resource",
                "title": resource.title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": f.name, "type": f.type, "description": f.description}
                        for f in resource.fields
                    ],
                    "missingValues": [""],
                },
            }
        )
    meta = folder / "datapackage.json"
    meta.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return [meta, *written]
