"""Scheduled work of the sessions part."""

from __future__ import annotations

from telegram.ext import Application


async def schedule(application: Application) -> None:
    """Rebuild this part's jobs from the database at start-up."""
