"""In-process events between parts that must not import each other (sessions -> feedback).

bot/app.py subscribes each part (``wire_events``), in one place; the emitter awaits every
subscriber in order, each with its own error isolation, so a failing survey invitation never undoes
a session closing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram.ext import Application

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionClosed:
    session_id: int
    group_id: int
    program_id: int
    closed_at: datetime
    attendee_ids: tuple[int, ...]
    last_of_program: bool = False


SessionClosedHandler = Callable[[Application, SessionClosed], Awaitable[None]]
_session_closed: list[SessionClosedHandler] = []


def on_session_closed(handler: SessionClosedHandler) -> SessionClosedHandler:
    if handler not in _session_closed:
        _session_closed.append(handler)
    return handler


async def emit_session_closed(application: Application, event: SessionClosed) -> None:
    for handler in list(_session_closed):
        try:
            await handler(application, event)
        except Exception:
            log.exception("a session-closed subscriber failed for session %s", event.session_id)


@dataclass(frozen=True)
class AgendaItemReached:
    """A session moved to agenda item ``position`` (its cue came, or a moderator said /next)."""

    session_id: int
    group_id: int
    position: int
    kind: str  # "talk" or "round" (bot/domain/scheduling/agenda.py)


AgendaItemReachedHandler = Callable[[Application, AgendaItemReached], Awaitable[None]]
_agenda_item_reached: list[AgendaItemReachedHandler] = []


def on_agenda_item_reached(handler: AgendaItemReachedHandler) -> AgendaItemReachedHandler:
    if handler not in _agenda_item_reached:
        _agenda_item_reached.append(handler)
    return handler


async def emit_agenda_item_reached(application: Application, event: AgendaItemReached) -> None:
    for handler in list(_agenda_item_reached):
        try:
            await handler(application, event)
        except Exception:
            log.exception("an agenda subscriber failed for session %s", event.session_id)
