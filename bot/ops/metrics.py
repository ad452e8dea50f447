"""The bot's Prometheus metrics, one registry per Runtime (so tests in one process do not mix).

Everything is counted where it happens (the update loop, the notifier, the rate limiter, the
conduct filter, the error handler); values that are cheaper to read than to track (open sessions,
seconds since Telegram last answered) are read when /metrics is scraped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

# Handler latency: most updates take milliseconds; a group burst or a report takes seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LAG_BUCKETS = (0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)
DELIVERY_OUTCOMES = ("sent", "retried", "failed", "skipped")
ERROR_KINDS = ("unexpected", "storage", "telegram", "job")


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.started_at = time.time()
        self.updates = Counter(
            "bridgebot_updates", "Updates handled, by kind.", ["kind"], registry=registry
        )
        self.update_seconds = Histogram(
            "bridgebot_update_handling_seconds",
            "Time spent handling one update (from its first handler to its last), by kind.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.deliveries = Counter(
            "bridgebot_deliveries",
            "Owed messages (reminders, invitations, nudges) by outcome of an attempt: sent, "
            "retried (postponed after a 429, 5xx or timeout), failed (refused for good), skipped "
            "(stale).",
            ["outcome"],
            registry=registry,
        )
        self.retry_after_waits = Counter(
            "bridgebot_retry_after_waits",
            "429 answers (RetryAfter) from Telegram, by scope (one group or bot-wide).",
            ["scope"],
            registry=registry,
        )
        self.retry_after_seconds = Counter(
            "bridgebot_retry_after_wait_seconds",
            "Seconds Telegram asked the bot to wait (RetryAfter), summed.",
            registry=registry,
        )
        self.filter_hits = Counter(
            "bridgebot_conduct_filter_hits",
            "Messages the conduct filter acted on, by rule.",
            ["rule"],
            registry=registry,
        )
        self.job_lag = Histogram(
            "bridgebot_job_lag_seconds",
            "How late a scheduled job (reminder, sweep, survey step) started after its due time.",
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.last_job_lag = Gauge(
            "bridgebot_job_last_lag_seconds",
            "Lateness of the most recently started scheduled job.",
            registry=registry,
        )
        self.errors = Counter(
            "bridgebot_errors",
            "Failures while handling updates, by kind (unexpected: a bug; storage; telegram; job: a scheduled job failed).",
            ["kind"],
            registry=registry,
        )
        self.open_sessions = Gauge(
            "bridgebot_open_sessions",
            "Dialogue sessions open right now (read from the database when scraped).",
            registry=registry,
        )
        for outcome in DELIVERY_OUTCOMES:
            self.deliveries.labels(outcome=outcome)
        for kind in ERROR_KINDS:
            self.errors.labels(kind=kind)
        for scope in ("group", "bot"):
            self.retry_after_waits.labels(scope=scope)
        # Read at scrape time: (name, help, function) gauges set by whoever knows the value.
        self._scraped = _ScrapeGauges()
        registry.register(self._scraped)
        self.last_job_at: float | None = None
        self.last_bot_api_at: float | None = None
        self.gauge(
            "bridgebot_bot_api_last_answer_age_seconds",
            "Seconds since the Telegram Bot API last answered a call.",
            self._bot_api_age,
        )
        self.gauge(
            "bridgebot_job_loop_last_run_age_seconds",
            "Seconds since the job loop last started a scheduled job.",
            self._job_age,
        )

    def job_started(self, scheduled: float, now: float | None = None) -> None:
        now = time.time() if now is None else now
        lag = max(0.0, now - scheduled)
        self.job_lag.observe(lag)
        self.last_job_lag.set(lag)
        self.last_job_at = now

    def bot_api_answered(self, now: float | None = None) -> None:
        self.last_bot_api_at = time.time() if now is None else now

    def retry_after(self, scope: str, seconds: float) -> None:
        self.retry_after_waits.labels(scope=scope).inc()
        self.retry_after_seconds.inc(seconds)

    def _bot_api_age(self) -> float | None:
        if self.last_bot_api_at is None:
            return None
        return max(0.0, time.time() - self.last_bot_api_at)

    def _job_age(self) -> float | None:
        if self.last_job_at is None:
            return None
        return max(0.0, time.time() - self.last_job_at)

    def gauge(self, name: str, documentation: str, read: Callable[[], float | None]) -> None:
        """A gauge read when scraped (None: not exposed this time)."""
        self._scraped.gauges[name] = (documentation, read)

    def counter(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        self._scraped.counters[name] = (documentation, read)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _ScrapeGauges(Collector):
    def __init__(self) -> None:
        self.gauges: dict[str, tuple[str, Callable[[], float | None]]] = {}
        self.counters: dict[str, tuple[str, Callable[[], float]]] = {}

    def collect(self) -> Iterable[GaugeMetricFamily | CounterMetricFamily]:
        for name, (documentation, read) in list(self.gauges.items()):
            value = read()
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)
        for name, (documentation, read) in list(self.counters.items()):
            yield CounterMetricFamily(name, documentation, value=read())

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return []
