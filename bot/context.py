"""Typed CallbackContext giving handlers the runtime without reaching into bot_data by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.runtime import Runtime

RUNTIME_KEY = "runtime"


class BridgeContext(CallbackContext[ExtBot[None], dict[str, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def person_data(self) -> dict[str, Any]:
        """What the bot keeps in memory for the person this update comes from (PTB's user_data:
        a question asked and waiting for its answer, a flow in progress). For handlers of what a
        person did; an update that comes from no person (a channel post) has none."""
        data = self.user_data
        if data is None:
            raise RuntimeError("this update comes from no person, so it has no person_data")
        return data

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data[RUNTIME_KEY]

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def clock(self) -> datetime:
        return self.runtime.clock()

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        async with self.runtime.db() as session:
            yield session


def runtime_of(application: Application) -> Runtime:
    return application.bot_data[RUNTIME_KEY]
