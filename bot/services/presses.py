"""One-shot buttons: a press that changes something is used up in the same transaction as the change.

A press is named by an HMAC of (chat, message, presser, callback data) under the server secret, so
the row says nothing readable about who pressed what. While a button handler runs, the press is
*pending* (a ContextVar set by the router): the first unit of work of that press which writes
anything adds the ``ButtonPress`` row before it commits (``Runtime.db`` calls ``attach_pending``).
So the change and the use of the button commit or roll back together: a failure leaves the button
usable, a success makes it used for good, across restarts. A press that writes nothing (a file sent
again, a question asked again) is recorded once its handler has succeeded, and so is a press of a
kind whose effect is what it sends (``with_changes=False``: a report, a list), whatever it writes.

Two presses at the same moment in one process are serialised by a per-press lock, so the second
sees the first one's row; across processes (a second instance) the primary key refuses the second
row and its whole transaction rolls back.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import weakref
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from bot.db.models import ButtonPress

_WROTE = "bridgebot.wrote"


@dataclass
class Press:
    key: str
    action: str
    pressed_at: datetime
    recorded: bool = False  # the row was added to a unit of work (committed if that one commits)
    committed: bool = False  # ... and that unit of work has committed: what the press did is saved
    open: bool = True  # False once the handler has returned: later units of work are not its
    # False for kinds whose effect is what they send (a report, a list): their writes are incidental,
    # so the button is used up only once everything went out.
    with_changes: bool = True


_pending: ContextVar[Press | None] = ContextVar("pending_press", default=None)
_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def press_key(secret: bytes, chat_id: int, message_id: int, presser_id: int, data: str) -> str:
    body = f"press:{chat_id}:{message_id}:{presser_id}:{data}".encode()
    digest = hmac.new(secret, body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def lock_for(key: str) -> asyncio.Lock:
    lock = _locks.get(key)
    if lock is None:
        lock = _locks[key] = asyncio.Lock()
    return lock


def begin(press: Press) -> object:
    """Make ``press`` pending for the current task; returns the token for ``end``."""
    return _pending.set(press)


def end(press: Press, token: object) -> None:
    press.open = False
    _pending.reset(token)  # type: ignore[arg-type]


async def is_used(db: AsyncSession, key: str) -> bool:
    return await db.scalar(select(ButtonPress.key).where(ButtonPress.key == key)) is not None


async def record(db: AsyncSession, press: Press) -> None:
    """Use the button up in ``db``'s transaction (IntegrityError if it already was)."""
    db.add(ButtonPress(key=press.key, action=press.action[:8], pressed_at=press.pressed_at))
    await db.flush()
    press.recorded = True


async def attach_pending(db: AsyncSession) -> Press | None:
    """Called at the end of every unit of work, before it commits: the press it used up, if any."""
    press = _pending.get()
    if press is None or press.recorded or not press.open or not press.with_changes:
        return None
    if not _wrote(db.sync_session):
        return None
    await record(db, press)
    return press


def _wrote(session: Session) -> bool:
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _flush: UOWTransaction) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _reset(session: Session) -> None:
    session.info.pop(_WROTE, None)
