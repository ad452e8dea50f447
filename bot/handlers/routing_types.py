from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import BridgeContext
from bot.handlers.callbacks import Payload

ButtonHandler = Callable[[Update, BridgeContext, Payload], Awaitable[None]]
