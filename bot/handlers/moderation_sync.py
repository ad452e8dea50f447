"""Conduct rules changed by another process reach the running bot at once (PostgreSQL).

The filters' cache (bot/handlers/moderation_common.py) keeps each group's rules, terms and staff
for 60 seconds. Changes made through the bot drop it themselves; changes made elsewhere (the
`bridgebot rules` command line, `program apply`, a restore, another tool) fire triggers that send
``NOTIFY bridgebot_conduct`` (migration 0008c). This listener, on a connection of its own, marks
every cached group stale, so the next message is checked against the new rules. Whenever it
(re)connects it does the same, covering anything sent while it was not listening. On SQLite there
is no listener: the cache's minute is the bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram.ext import Application

from bot.context import runtime_of
from bot.db.instance import asyncpg_params
from bot.features.moderation.common import invalidate_all

log = logging.getLogger(__name__)

CHANNEL = "bridgebot_conduct"
TASK_KEY = "moderation_sync.task"
CHECK_SECONDS = 5.0


def start(application: Application) -> None:
    """Start listening (PostgreSQL only); the task ends with the application's event loop."""
    url = runtime_of(application).settings.database_url
    if not url.startswith("postgresql"):
        return
    application.bot_data[TASK_KEY] = asyncio.get_running_loop().create_task(
        _listen(application, url), name="moderation-sync"
    )


async def stop(application: Application) -> None:
    task = application.bot_data.pop(TASK_KEY, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _listen(application: Application, url: str) -> None:
    import asyncpg

    def changed(_conn: Any, _pid: int, _channel: str, table: str) -> None:
        invalidate_all(application.bot_data)
        log.debug("conduct data changed elsewhere (%s): cached rules reload", table)

    warned = False
    while True:
        conn = None
        try:
            conn = await asyncpg.connect(**asyncpg_params(url), timeout=10)
            await conn.add_listener(CHANNEL, changed)
            invalidate_all(application.bot_data)  # whatever changed while nobody listened
            warned = False
            while not conn.is_closed():
                await asyncio.sleep(CHECK_SECONDS)
                await asyncio.wait_for(conn.fetchval("SELECT 1"), CHECK_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # reconnect; meanwhile the 60-second cache is the bound
            if not warned:
                log.warning("not listening for conduct changes (%s); retrying", exc)
                warned = True
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), 5)
        await asyncio.sleep(CHECK_SECONDS)
