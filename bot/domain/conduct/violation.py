"""What a conduct check reports: which rule a message broke, and what to quote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Rule(StrEnum):
    """Stable codes the handlers translate and the moderation log stores; never rename a value."""

    BLOCKED_TERM = "blocked_term"
    FLOOD = "flood"  # one person sent more than the limit within the window
    RAID = "raid"  # the whole group received more than the burst limit within the window
    LINK = "link"
    FORWARD = "forward"


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    ``match`` is the blocked term as listed (blocked_term) or the link's host (link).
    ``span`` is [start, end) in the checked text, to quote what was written; None when there is
    nothing to quote (flood, raid, forward, or a link from a Telegram entity's hidden URL).
    ``count`` and ``window`` describe a flood or raid: messages counted within the window.
    """

    rule: Rule
    match: str | None = None
    language: str | None = None
    span: tuple[int, int] | None = None
    count: int | None = None
    window: timedelta | None = None
