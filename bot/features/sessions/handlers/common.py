"""What the session handlers share: callback actions, conversation states, errors in the
reader's terms."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

from telegram import Update

from bot.context import BridgeContext
from bot.domain.errors import BridgeError
from bot.domain.scheduling import SchedulingError, SchedulingErrorCode
from bot.features.sessions import render
from bot.handlers.common import reader_zone, reply
from bot.handlers.errors import error_text

log = logging.getLogger(__name__)

# Callback actions (signed; capital S so they never meet profile's sl/sc/sz).
NEW_GROUP, NEW_AGENDA_NONE, NEW_REPEAT = "Sng", "Sna", "Snr"
NEW_CONFIRM, NEW_CANCEL = "Snc", "Snx"
REM_PROGRAM, REM_DEFAULT, REM_KEEP = "Srp", "Srd", "Srk"
HAND_NEXT = "Shn"
FT_ANSWER, FT_CONFIRM, FT_REFRESH = "Sfa", "Sfc", "Sfr"

GROUP, WHEN, LENGTH, TITLE, AGENDA, REPEAT, REPEAT_END, CONFIRM = range(8)
DRAFT = "newsession"
# Nonces of drafts already confirmed or cancelled, so a second press is answered politely.
DRAFTS_DONE = "newsession_done"


# ---- errors in the reader's terms ----------------------------------------------------------------------


async def _reader_zone(context: BridgeContext, update: Update) -> str:
    return await reader_zone(update, context)


async def readable(error: BridgeError, update: Update, context: BridgeContext) -> BridgeError:
    """Scheduling errors with instants become errors whose parameters read in the reader's zone;
    the scheduling ``bad_format`` gets its own code (the core one is about durations)."""
    if isinstance(error, SchedulingError) and error.code == SchedulingErrorCode.BAD_FORMAT:
        return BridgeError("bad_datetime", text=error.params.get("text", ""))
    if any(isinstance(v, datetime) for v in error.params.values()):
        zone = await _reader_zone(context, update)
        params = {
            k: (render.when(v, zone) if isinstance(v, datetime) else v)
            for k, v in error.params.items()
        }
        converted = BridgeError(error.code, **params)
        return converted
    return error


def translated_errors(
    handler: Callable[..., Awaitable[Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(handler)
    async def wrapper(update: Update, context: BridgeContext, *args: Any) -> Any:
        try:
            return await handler(update, context, *args)
        except BridgeError as error:
            raise await readable(error, update, context) from error

    return wrapper


async def _say_error(
    update: Update, context: BridgeContext, error: BridgeError, hint: str | None = None
) -> None:
    text = error_text(await readable(error, update, context))
    await reply(update, text + ("\n" + hint if hint else ""))


# The draft of a /newsession in progress (in memory, per person).
def _draft(context: BridgeContext) -> dict:
    return context.person_data.setdefault(DRAFT, {})
