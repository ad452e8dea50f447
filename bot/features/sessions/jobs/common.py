"""What the sessions' scheduled work shares: what a run reports, limits and keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from bot.jobs.notifier import Outcome

log = logging.getLogger(__name__)

HORIZON = timedelta(hours=6)
REFRESH = timedelta(hours=1)
CLOSED_LOOKBACK = timedelta(hours=1)
WAVE_CONCURRENCY = 8
LOCK_KEY = "sessions_run_due_lock"
POINTS_KEY = "sessions_wake_points"
# Test hook for the real `bridgebot run` process (tests/e2e): shifts this bot's clock by N seconds.


@dataclass
class DueReport:
    """What one ``run_due`` did (for logs, tests and benchmarks)."""

    sent: int = 0
    failed: int = 0
    duplicates: int = 0
    pending: int = 0  # still being retried (the notifier's sweep finishes them)
    skipped_waves: list[str] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    agenda_posts: int = 0
    half_times: list[int] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.SENT:
            self.sent += 1
        elif outcome is Outcome.FAILED:
            self.failed += 1
        elif outcome is Outcome.DUPLICATE:
            self.duplicates += 1
        elif outcome is Outcome.PENDING:
            self.pending += 1
