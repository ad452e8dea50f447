"""Dispatch without asking every handler: commands looked up by name, service messages told apart
by their text.

python-telegram-bot asks each handler of a group in turn whether it wants an update. Bridgebot has
some fifty command handlers in one group, so every ordinary group message was offered to all of
them (each re-parsing the message's first entity) before it reached the router behind them, and
the conduct filter's "not a service message" test evaluated some forty status-update filters per
message. Profiled on bench/group_messages.py this dispatch cost more than the conduct check itself.

``index_commands`` replaces each run of consecutive ``CommandHandler``s in a group by one
``CommandIndex`` that parses the command once and asks only the handlers registered for that
name, in their original order. Runs are never merged across another kind of handler, so which
handler wins an update is exactly what it was. ``PARTICIPANT_MESSAGE`` is the conduct filter's
"a message or an edit in a group, not a service message" in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import Application, BaseHandler, CommandHandler, filters

_GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})


def command_name(update: object) -> str | None:
    """The lower-cased command a message starts with (``/Help@bot x`` → ``help``), else None;
    parsed as CommandHandler parses it."""
    if not isinstance(update, Update):
        return None
    message = update.effective_message
    if message is None or not message.entities or not message.text:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    return message.text[1 : first.length].split("@", 1)[0].lower()


class CommandIndex(BaseHandler[Update, Any, Any]):
    """Consecutive command handlers of one group, looked up by command name."""

    __slots__ = ("_by_name", "handlers")

    def __init__(self, handlers: Sequence[CommandHandler[Any, Any]]) -> None:
        blocks = {handler.block for handler in handlers}
        if len(blocks) != 1:
            raise ValueError("a command index needs handlers that all block or all do not")
        super().__init__(self._never_called, block=blocks.pop())
        self.handlers = tuple(handlers)
        self._by_name: dict[str, list[CommandHandler[Any, Any]]] = {}
        for handler in self.handlers:  # original order kept within each name
            for name in handler.commands:
                self._by_name.setdefault(name, []).append(handler)

    @staticmethod
    async def _never_called(update: object, context: object) -> None:  # pragma: no cover
        raise AssertionError("CommandIndex hands updates to the handler that matched")

    def check_update(self, update: object) -> tuple[CommandHandler[Any, Any], object] | None:
        name = command_name(update)
        if name is None:
            return None
        for handler in self._by_name.get(name, ()):
            check = handler.check_update(update)
            if check is not None and check is not False:
                return handler, check
        return None

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        check_result: tuple[CommandHandler[Any, Any], object],
        context: Any,
    ) -> Any:
        handler, check = check_result
        return await handler.handle_update(update, application, check, context)


def _runs(handlers: Sequence[BaseHandler[Any, Any, Any]]) -> list[list[BaseHandler[Any, Any, Any]]]:
    """The handlers cut into runs: consecutive, equally blocking command handlers together,
    every other handler alone."""
    runs: list[list[BaseHandler[Any, Any, Any]]] = []
    for handler in handlers:
        last = runs[-1] if runs else None
        if (
            type(handler) is CommandHandler
            and last is not None
            and type(last[0]) is CommandHandler
            and last[0].block == handler.block
        ):
            last.append(handler)
        else:
            runs.append([handler])
    return runs


def index_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Fold every run of two or more consecutive, equally blocking command handlers into a
    CommandIndex; returns how many handlers were folded. Call after every handler is added."""
    folded = 0
    for group, handlers in list(application.handlers.items()):
        rebuilt: list[BaseHandler[Any, Any, Any]] = []
        for run in _runs(handlers):
            if len(run) > 1:
                rebuilt.append(CommandIndex(run))  # type: ignore[arg-type]
                folded += len(run)
            else:
                rebuilt.extend(run)
        application.handlers[group] = rebuilt
    return folded


class _ParticipantMessage(filters.UpdateFilter):
    """A new or edited message in a group or supergroup that is not a service message.

    Same answer as ``ChatType.GROUPS & (UpdateType.MESSAGE | UpdateType.EDITED_MESSAGE) &
    ~StatusUpdate.ALL``; a message with text or a caption is never a service message, so the
    forty status filters run only for the rare message without either."""

    __slots__ = ()

    def filter(self, update: Update) -> bool:
        message = update.message or update.edited_message
        if message is None or message.chat.type not in _GROUP_TYPES:
            return False
        if message.text is not None or message.caption is not None:
            return True
        return not filters.StatusUpdate.ALL.check_update(update)


PARTICIPANT_MESSAGE = _ParticipantMessage(name="PARTICIPANT_MESSAGE")
