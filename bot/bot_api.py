"""The Bot API client every handler and job talks through (PTB's ExtBot with two Telegram rules).

1. Editing a message into the state it already has is refused by Telegram ("message is not
   modified"). For us that is success: the message already says what we wanted (a second
   moderator's press removing buttons that are gone, a "None of these" tap on an untouched
   keyboard). Handled here, every edit in every handler and job is covered.
2. A callback query can be answered once; a second answer fails. The client remembers which
   queries it answered, so whichever path answers first (a handler, the error handler) is the
   only answer, and ``was_answered`` lets a late path send its text as a message instead.
3. A group post (bot/handlers/group_post.py) is sent and edited with its entities: the group's
   other languages folded into expandable quotes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, RetryAfter
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

# Query ids live for minutes; remembering the last few thousand covers every one still answerable.
_REMEMBERED_QUERIES = 4096


def is_not_modified(error: BaseException) -> bool:
    return isinstance(error, BadRequest) and "message is not modified" in str(error).lower()


def _with_post_entities(text: object, kwargs: dict[str, Any]) -> dict[str, Any]:
    from bot.handlers.group_post import entities_of

    entities = entities_of(text)
    if (
        entities
        and kwargs.get("entities") is None
        and not isinstance(kwargs.get("parse_mode"), str)
    ):
        kwargs = {**kwargs, "entities": entities}
    return kwargs


class BridgeBot(ExtBot):
    """ExtBot that treats an unchanged edit as done and answers each callback query once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answered_queries: OrderedDict[str, None] = OrderedDict()
        # Told each time Telegram answers (even with a refusal): /readyz's "Bot API reached".
        self._on_answer: Callable[[], None] | None = None

    async def _do_post(self, endpoint: str, data: Any, **kwargs: Any) -> Any:
        try:
            result = await super()._do_post(endpoint, data, **kwargs)
        except (BadRequest, Forbidden, RetryAfter, ChatMigrated, Conflict):
            self._answered()
            raise
        self._answered()
        return result

    def _answered(self) -> None:
        if self._on_answer is not None:
            self._on_answer()

    def was_answered(self, query_id: str) -> bool:
        return query_id in self._answered_queries

    async def answer_callback_query(
        self, callback_query_id: str, *args: Any, **kwargs: Any
    ) -> bool:
        if self.was_answered(callback_query_id):
            log.debug("callback query %s was answered already", callback_query_id)
            return True
        self._answered_queries[callback_query_id] = None
        while len(self._answered_queries) > _REMEMBERED_QUERIES:
            self._answered_queries.popitem(last=False)
        try:
            return await super().answer_callback_query(callback_query_id, *args, **kwargs)
        except BaseException:
            # Not answered after all (a network failure): a later attempt may still answer it.
            self._answered_queries.pop(callback_query_id, None)
            raise

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        text = kwargs["text"] if "text" in kwargs else args[1] if len(args) > 1 else None
        return await super().send_message(*args, **_with_post_entities(text, kwargs))

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Any:
        text = kwargs["text"] if "text" in kwargs else args[0] if args else None
        kwargs = _with_post_entities(text, kwargs)
        try:
            return await super().edit_message_text(*args, **kwargs)
        except BadRequest as error:
            if not is_not_modified(error):
                raise
            return True

    async def edit_message_reply_markup(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().edit_message_reply_markup(*args, **kwargs)
        except BadRequest as error:
            if not is_not_modified(error):
                raise
            return True

    async def edit_message_caption(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().edit_message_caption(*args, **kwargs)
        except BadRequest as error:
            if not is_not_modified(error):
                raise
            return True
