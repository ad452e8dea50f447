"""Scheduled work. The database is the source of truth; the job queue only wakes the bot.

``AREAS`` lists the modules whose ``async def schedule(application)`` rebuilds their jobs from the
database at start-up (called from post_init in bot/app.py).
"""

from __future__ import annotations

import importlib

from telegram.ext import Application

AREAS: tuple[str, ...] = (
    "bot.jobs.notifier",
    "bot.features.sessions.jobs",
    "bot.features.feedback.jobs",
    "bot.features.rounds.jobs",
    "bot.features.pairs.jobs",
)


async def schedule_all(application: Application) -> None:
    for name in AREAS:
        module = importlib.import_module(name)
        await module.schedule(application)
