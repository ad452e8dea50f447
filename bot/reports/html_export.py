"""The report as one self-contained HTML file: inline CSS, the chart embedded as a data URI, no
script and nothing fetched from elsewhere, so it opens offline and can be mailed to a funder.

Bidirectional text: the rendered sentences carry Unicode isolates around their parameters in
right-to-left languages (bot.i18n.isolate); here they become ``<bdi>`` elements, which browsers
lay out as isolated runs reliably. Free text (comments) gets ``dir="auto"``, so an Arabic
comment in an English report (or the reverse) keeps its full stop at its own end. A name or a
label alone in a table cell (a group, an item: any script, whatever the page's direction) is a
``<bdi>`` too: "Group A (2)" in an Arabic table would otherwise show as "(Group A (2".
"""

from __future__ import annotations

import base64
from html import escape as _escape_html

from bot.features.feedback.evaluation import Report
from bot.i18n import _, current_locale, is_rtl
from bot.reports import render, sections

_OPENERS = {"\u2066": '<bdi dir="ltr">', "\u2067": '<bdi dir="rtl">', "\u2068": "<bdi>"}
_PDI = "\u2069"


def escape(text: str) -> str:
    """HTML-escaped text with its bidi isolates turned into balanced ``<bdi>`` elements."""
    out: list[str] = []
    depth = 0
    for ch in _escape_html(text):
        if ch in _OPENERS:
            out.append(_OPENERS[ch])
            depth += 1
        elif ch == _PDI:
            if depth:  # a stray PDI closes nothing
                out.append("</bdi>")
                depth -= 1
        else:
            out.append(ch)
    out.append("</bdi>" * depth)
    return "".join(out)


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;margin:1.5rem auto;
max-width:60rem;padding:0 1rem;color:#1d1d1d;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:start;vertical-align:top}th{background:#f2f4f7}td.num{text-align:end;font-variant-numeric:tabular-nums}
.hidden{color:#777;font-style:italic}.note{color:#555;font-size:.9rem}img{max-width:100%;height:auto}
ul.comments li{margin:.4rem 0}footer{margin-top:2rem;border-top:1px solid #ddd}
"""


def _name(text: str) -> str:
    """A name or label as a table cell: isolated, in the direction of its own first letter."""
    return f"<td><bdi>{escape(text)}</bdi></td>"


def _num(value: int | None) -> str:
    if value is None:
        return f'<td class="num hidden">{escape(render.hidden())}</td>'
    return f'<td class="num">{escape(render.number(value, 0))}</td>'


def _mean(value: float | None, hidden: bool = False) -> str:
    if hidden:
        return f'<td class="num hidden">{escape(render.hidden())}</td>'
    return f'<td class="num">{escape(render.number(value)) if value is not None else "—"}</td>'


def report_html(report: Report, chart: bytes | None = None) -> str:
    head = render.heading(report)
    locale = current_locale()
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(locale)}" dir="{"rtl" if is_rtl() else "ltr"}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        # No elements in a title or an attribute: the isolates stay as characters there.
        f"<title>{_escape_html(head.title)} — {_escape_html(head.scope_line)}</title>"
        f"<style>{STYLE}</style></head><body>",
        f'<h1 id="title">{escape(head.title)}</h1><p id="scope">{escape(head.scope_line)}</p>',
        f'<p id="overview">{escape(render.overview(report))}</p>',
    ]
    if chart:
        encoded = base64.b64encode(chart).decode("ascii")
        parts.append(
            f'<img id="chart" alt="{_escape_html(_("Chart of the mean answers"))}" src="data:image/png;base64,{encoded}">'
        )
    answers_heading = escape(_("Answers"))
    parts.append(f'<h2>{answers_heading}</h2><table id="items"><thead><tr>')
    for heading in (_("Item"), _("n"), _("Mean"), _("95% CI"), _("Distribution")):
        parts.append(f"<th>{escape(heading)}</th>")
    parts.append("</tr></thead><tbody>")
    for stats in report.items:
        s = stats.stats
        ci = (
            f"{render.number(s.low)} – {render.number(s.high)}"
            if s is not None and s.low is not None and s.high is not None
            else (render.hidden() if stats.n is None else "—")
        )
        bars = render.bars_line(stats) if stats.bars else ""
        parts.append(
            f"<tr>{_name(render.item_text(stats.item))}{_num(stats.n)}"
            f"{_mean(s.mean if s else None, hidden=stats.n is None)}"
            f'<td class="num">{escape(ci)}</td><td>{escape(bars)}</td></tr>'
        )
    parts.append("</tbody></table>")
    breakdowns = [(stats, "side") for stats in report.items if len(stats.by_side) > 1] + [
        (stats, "role") for stats in report.items if len(stats.by_role) > 1
    ]
    if breakdowns:
        breakdown_heading = escape(_("By side and role"))
        parts.append(f'<h2>{breakdown_heading}</h2><table id="breakdowns"><tbody>')
        for stats, axis in breakdowns:
            cells = stats.by_side if axis == "side" else stats.by_role
            rest = stats.side_rest if axis == "side" else stats.role_rest
            line = render.cells_line(cells, roles=axis == "role", rest=rest)
            parts.append(f"<tr>{_name(render.item_label(stats.item))}<td>{escape(line)}</td></tr>")
        parts.append("</tbody></table>")
    if report.pre_post:
        parts.append(
            f'<h2>{escape(_("Before and after the program (after minus before):"))}</h2><ul id="prepost">'
        )
        parts += [f"<li>{escape(render.pre_post_line(row))}</li>" for row in report.pre_post]
        parts.append("</ul>")
    if report.trends:
        title = _("Across the group's sessions:")
        parts.append(f'<h2>{escape(title)}</h2><ul id="trends">')
        parts += [f"<li>{escape(render.trend_line(trend))}</li>" for trend in report.trends]
        parts.append("</ul>")
    if report.groups:
        parts.append(f'<h2>{escape(_("Groups:"))}</h2><table id="groups"><thead><tr>')
        for heading in (_("Group"), _("Invited"), _("Answered")):
            parts.append(f'<th scope="col">{escape(heading)}</th>')
        parts.append("</tr></thead><tbody>")
        for row in report.groups:
            parts.append(f"<tr>{_name(row.name)}{_num(row.invited)}{_num(row.answered)}</tr>")
        parts.append("</tbody></table>")
    if report.balance:
        balance_heading = escape(_("Participation balance:"))
        parts.append(f'<h2>{balance_heading}</h2><ul id="balance">')
        parts += [f"<li>{escape(render.balance_line(row))}</li>" for row in report.balance]
        parts.append("</ul>")
    parts += sections.html_parts(report)
    comments_heading = escape(_("Comments"))
    parts.append(f"<h2>{comments_heading}</h2>")
    if report.comment_count is None:
        note = escape(render.comments_note(report))
        parts.append(f'<p class="hidden" id="comments-hidden">{note}</p>')
    elif report.comments:
        parts.append('<ul class="comments" id="comments">')
        # dir="auto": each comment takes the direction of its own script, whatever the page's.
        parts += [
            f'<li dir="auto">{escape(render.comment(comment))}</li>' for comment in report.comments
        ]
        parts.append("</ul>")
    else:
        no_comments = escape(_("No comments."))
        parts.append(f"<p>{no_comments}</p>")
    # The footnote, once: what is hidden, and the method that keeps it hidden across reports.
    parts.append(
        f'<footer id="method"><p class="note">{escape(head.threshold_line)}</p>'
        f'<p class="note">{escape(head.method_line)}</p>'
        + (
            f'<p class="note" id="coarsened">{escape(coarsened)}</p>'
            if (coarsened := render.coarsened_line(report))
            else ""
        )
        + "</footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)
