"""Further report sections (fairness, and whatever else a program measures), in every format.

A section is a value in ``Report.sections`` under its name, with a renderer registered here that
gives its Telegram lines, its CSV rows (the report's eight columns) and its HTML. Each format
calls ``telegram_lines`` / ``csv_rows`` / ``html_parts`` once, after the answers and before the
comments, so a new section is one module and one ``register`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from bot.features.feedback.evaluation import Report


@dataclass(frozen=True)
class Renderer:
    name: str
    telegram: Callable[[object], Sequence[str]]
    csv: Callable[[object], Sequence[Sequence[str]]]
    html: Callable[[object], Sequence[str]]
    position: int = 100  # sections are shown in this order (goals 10, fairness 20)


_RENDERERS: dict[str, Renderer] = {}


def register(renderer: Renderer) -> None:
    _RENDERERS[renderer.name] = renderer


def _present(report: Report) -> Iterator[tuple[Renderer, object]]:
    _load()
    for name, renderer in sorted(_RENDERERS.items(), key=lambda item: item[1].position):
        value = report.sections.get(name)
        if value is not None:
            yield renderer, value


def telegram_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for renderer, value in _present(report):
        lines += ["", *renderer.telegram(value)]
    return lines


def csv_rows(report: Report) -> list[list[str]]:
    return [list(row) for renderer, value in _present(report) for row in renderer.csv(value)]


def html_parts(report: Report) -> list[str]:
    return [part for renderer, value in _present(report) for part in renderer.html(value)]


def _load() -> None:
    # The sections' modules register themselves on import.
    from bot.reports import fairness, goals, pairs, rounds  # noqa: F401
