"""Typed CallbackContext giving handlers the runtime without reaching into bot_data by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.runtime import Runtime

RUNTIME_KEY = "runtime"


class BridgeContext(CallbackContext[ExtBot, dict, dict, dict]):
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
