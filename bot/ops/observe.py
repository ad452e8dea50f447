"""What the bot knows about the update it is handling, for metrics and logs.

``BridgeApplication.process_update`` opens a record for each update (its id, chat, person, kind),
the instrumented handler callbacks add their names, the error handler its outcome; at the end the
update is counted by kind, its handling time goes to the latency histogram, and one log line
("update handled") carries the record as fields. Log lines written while the update is handled
carry the same fields (``bot/ops/logs.py`` reads ``current()``).

Person ids are never logged as such: ``person`` is a keyed hash (HMAC with the bot's secret), the
same person giving the same value across lines and restarts, and nobody can turn it back into an id
without the secret.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, ConversationHandler

from bot._aliases import legacy_name

log = logging.getLogger("bot.updates")

UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "chat_member",
    "my_chat_member",
    "chat_join_request",
    "message_reaction",
    "inline_query",
    "poll_answer",
)


@dataclass
class UpdateRecord:
    update_id: int | None
    kind: str
    chat_id: int | None
    person: str | None
    started: float = field(default_factory=time.perf_counter)
    handlers: list[str] = field(default_factory=list)
    outcome: str = "ok"

    def fields(self) -> dict[str, Any]:
        return {
            "update_id": self.update_id,
            "update_kind": self.kind,
            "chat_id": self.chat_id,
            "person": self.person,
            "handler": ",".join(self.handlers) or None,
        }


_CURRENT: contextvars.ContextVar[UpdateRecord | None] = contextvars.ContextVar(
    "bridgebot_update", default=None
)


def current() -> UpdateRecord | None:
    return _CURRENT.get()


def update_failed(outcome: str) -> None:
    """Called by the error handler: how the update being handled ended."""
    record = _CURRENT.get()
    if record is not None:
        record.outcome = outcome


def person_hash(secret: bytes, person_id: int) -> str:
    """A stable pseudonym for log lines: 12 hex digits of HMAC-SHA256(secret, "log-person:<id>")."""
    digest = hmac.new(secret, f"log-person:{person_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def kind_of(update: object) -> str:
    if not isinstance(update, Update):
        return "other"
    for kind in UPDATE_KINDS:
        if getattr(update, kind, None) is not None:
            if kind == "message" and (update.message.text or "").startswith("/"):
                return "command"
            return kind
    return "other"


class BridgeApplication(Application):
    """PTB's Application, measuring and describing every update it processes."""

    async def process_update(self, update: object) -> None:
        runtime = self.bot_data.get("runtime")
        if runtime is None or not isinstance(update, Update):
            await super().process_update(update)
            return
        user = update.effective_user
        chat = update.effective_chat
        record = UpdateRecord(
            update_id=update.update_id,
            kind=kind_of(update),
            chat_id=chat.id if chat is not None else None,
            person=person_hash(runtime.secret, user.id) if user is not None else None,
        )
        token = _CURRENT.set(record)
        try:
            await super().process_update(update)
        finally:
            seconds = time.perf_counter() - record.started
            metrics = runtime.metrics
            metrics.updates.labels(kind=record.kind).inc()
            metrics.update_seconds.labels(kind=record.kind).observe(seconds)
            log.info(
                "update handled",
                extra={"duration_ms": round(seconds * 1000, 1), "outcome": record.outcome},
            )
            _CURRENT.reset(token)


def _name(callback: Callable[..., Any]) -> str:
    # Named by the module's path before the re-housing, so log fields keep their values.
    module = legacy_name(getattr(callback, "__module__", "") or "")
    return f"{module.rsplit('.', 1)[-1]}.{getattr(callback, '__qualname__', repr(callback))}"


def _wrap(callback: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(callback, "_bridgebot_named", False):
        return callback
    name = _name(callback)

    @functools.wraps(callback)
    async def named(update: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        record = _CURRENT.get()
        if record is not None:
            record.handlers.append(name)
        return await callback(update, context, *args, **kwargs)

    named._bridgebot_named = True  # type: ignore[attr-defined]
    return named


def _instrument(handler: BaseHandler) -> None:
    if isinstance(handler, ConversationHandler):
        for inner in handler.entry_points + handler.fallbacks:
            _instrument(inner)
        for handlers in handler.states.values():
            for inner in handlers:
                _instrument(inner)
        return
    inner_handlers = getattr(handler, "handlers", None)  # bot.dispatch_index.CommandIndex
    if isinstance(inner_handlers, tuple | list):
        for inner in inner_handlers:
            _instrument(inner)
        return
    callback = getattr(handler, "callback", None)
    if callback is not None:
        handler.callback = _wrap(callback)


def instrument_handlers(application: Application, *, skip_groups: tuple[int, ...] = ()) -> None:
    """Make every registered handler callback add its name to the update's record."""
    for group, handlers in application.handlers.items():
        if group in skip_groups:
            continue
        for handler in handlers:
            _instrument(handler)
