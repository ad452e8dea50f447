"""What /readyz asks: is the database reachable and at the migrations' head, did Telegram answer
lately, does the job loop still run? And the hooks that feed those answers and the metrics."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

log = logging.getLogger(__name__)

# The job loop counts as stalled when no scheduled job started for this many sweep intervals (the
# delivery sweep alone runs every BRIDGEBOT_DELIVERY_SWEEP_SECONDS), and never sooner than this.
STALL_INTERVALS = 3
STALL_MINIMUM_SECONDS = 60.0
DATABASE_TIMEOUT_SECONDS = 5.0


def watch_jobs(application: Application) -> None:
    """Measure each scheduled job's lateness (job lag) and remember when the loop last ran one."""
    job_queue = application.job_queue
    runtime = application.bot_data.get("runtime")
    if job_queue is None or runtime is None:
        return
    from apscheduler.events import EVENT_JOB_SUBMITTED

    metrics = runtime.metrics

    def submitted(event: Any) -> None:
        times = getattr(event, "scheduled_run_times", None) or []
        if times:
            metrics.job_started(times[-1].timestamp())

    job_queue.scheduler.add_listener(submitted, EVENT_JOB_SUBMITTED)
    metrics.last_job_at = time.time()  # the loop starts now; the first sweep runs at once


@dataclass
class Readiness:
    ready: bool
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def reason(self) -> str | None:
        failed = [
            f"{name}: {check['detail']}" for name, check in self.checks.items() if not check["ok"]
        ]
        return "; ".join(failed) or None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ready": self.ready, "checks": self.checks}
        if not self.ready:
            body["reason"] = self.reason
        return body


_HEADS: set[str] | None = None


def migration_heads() -> set[str]:
    global _HEADS
    if _HEADS is None:
        from alembic.script import ScriptDirectory

        from bot.db.migrate import alembic_config

        _HEADS = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return _HEADS


async def _database(runtime: Any) -> dict[str, Any]:
    from alembic.runtime.migration import MigrationContext

    async def current() -> set[str]:
        async with runtime.engine.connect() as conn:
            return await conn.run_sync(
                lambda c: set(MigrationContext.configure(c).get_current_heads())
            )

    try:
        heads = await asyncio.wait_for(current(), DATABASE_TIMEOUT_SECONDS)
    except Exception as exc:  # unreachable, timed out, refused: all mean "not ready"
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return {"ok": False, "detail": f"database unreachable ({type(exc).__name__}: {detail})"}
    if heads != migration_heads():
        return {"ok": False, "detail": "database schema is not at the migrations' head"}
    return {"ok": True, "detail": "reachable, migrations at head"}


async def readiness(application: Application, *, now: float | None = None) -> Readiness:
    runtime = application.bot_data["runtime"]
    settings = runtime.settings
    metrics = runtime.metrics
    now = time.time() if now is None else now
    checks: dict[str, dict[str, Any]] = {"database": await _database(runtime)}

    limit = settings.ready_bot_api_seconds
    last = metrics.last_bot_api_at
    if last is None:
        checks["bot_api"] = {"ok": False, "detail": "Telegram has not answered yet"}
    else:
        age = now - last
        checks["bot_api"] = {
            "ok": age <= limit,
            "detail": f"last answer {age:.0f} s ago (limit {limit:.0f} s)",
        }

    stall = max(STALL_MINIMUM_SECONDS, STALL_INTERVALS * settings.delivery_sweep_seconds)
    last_job = metrics.last_job_at
    if last_job is None:
        checks["jobs"] = {"ok": False, "detail": "the job loop has not started"}
    else:
        age = now - last_job
        checks["jobs"] = {
            "ok": age <= stall,
            "detail": f"last job started {age:.0f} s ago (stalled after {stall:.0f} s)",
        }
    return Readiness(ready=all(c["ok"] for c in checks.values()), checks=checks)


async def heartbeat(application: Application, every: float) -> None:
    """Ask Telegram who we are whenever it has not answered for ``every`` seconds (in webhook mode
    an idle bot makes no calls), so /readyz tells a cut-off bot from a quiet one."""
    metrics = application.bot_data["runtime"].metrics
    while True:
        await asyncio.sleep(every / 2)
        last = metrics.last_bot_api_at
        if last is not None and time.time() - last < every:
            continue
        try:
            await application.bot.get_me()
        except Exception as exc:
            log.warning("Telegram did not answer getMe: %s", exc)
