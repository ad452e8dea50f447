"""/metrics counts what happened to owed messages, as the deliveries table records it: sent,
retried (postponed after an unknown outcome), failed (refused for good), skipped (stale)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.features.sessions import jobs as session_jobs
from bot.jobs import notifier
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)
from tests.handlers.test_sessions_delivery import REMINDER_DUE, statuses, sweep_until_done
from tests.helpers.faults import ERROR_BEFORE


@pytest.fixture(autouse=True)
def no_inline_patience(monkeypatch):
    monkeypatch.setattr(notifier, "INLINE_PATIENCE", timedelta(0))


def deliveries(runtime) -> dict[str, float]:
    registry = runtime.metrics.registry
    return {
        outcome: registry.get_sample_value("bridgebot_deliveries_total", {"outcome": outcome})
        for outcome in ("sent", "retried", "failed", "skipped")
    }


async def test_sent_retried_and_failed_deliveries_are_counted(tg, world, clock, app, runtime):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    await tg.block(world.member("Olga"))
    clock.now = REMINDER_DUE
    tg.fake.fault_next("sendMessage", ERROR_BEFORE)
    await session_jobs.run_due(app)
    await sweep_until_done(app, runtime, clock)
    assert await statuses(runtime) == {"sent": 3, "failed": 1}
    assert deliveries(runtime) == {"sent": 3.0, "retried": 1.0, "failed": 1.0, "skipped": 0.0}


async def test_stale_deliveries_are_counted_as_skipped(tg, world, clock, app, runtime):
    await world.add_session(datetime(2026, 3, 10, 19, 0), reminder_offsets=[timedelta(hours=1)])
    tg.fake.inject_faults(error_before=1.0)
    clock.now = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    await session_jobs.run_due(app)
    clock.now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    await notifier.sweep(app)
    assert await statuses(runtime) == {"skipped": 4}
    counted = deliveries(runtime)
    assert counted["skipped"] == 4.0 and counted["sent"] == 0.0 and counted["retried"] == 4.0
