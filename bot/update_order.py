"""Handle updates concurrently, in order where order matters.

PTB handles updates one after the other by default, so one slow chat (a gated group's burst of
joiners, each needing a restriction and a private message) held up every other chat: twelve join
requests were approved 6 s apart and someone else's private /help waited 45 s. Handling everything
concurrently would break what depends on order: a person's enrolment answers, a group's messages as
the flood and who-was-heard counters see them, a join followed by a leave.

``ChatOrderedUpdateProcessor`` runs updates of different *keys* at the same time and updates of one
key strictly in arrival order:

- membership changes and join requests are keyed by (chat, person): one person's join and leave stay
  in order, while fifty joiners of one group are handled side by side;
- everything else by its chat (or the person, where there is no chat): a group's messages, a
  person's private answers and button presses.

One chat may use at most ``per_chat`` of the ``workers`` at once, so a burst in one group always
leaves room for everybody else. The processor also tells the send rate limiter which chat a send is
made for (``SEND_LANE``), so the overall send budget is shared between chats in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.rate_limits import SEND_LANE

WORKERS = 64
PER_CHAT = 16
MAX_WAITING = 4096


def order_key(update: object) -> tuple[Hashable, Hashable]:
    """(key whose updates stay in order, chat whose share of the workers it uses)."""
    if not isinstance(update, Update):
        return ("other", None), None
    member = update.chat_join_request or update.chat_member or update.my_chat_member
    if member is not None:
        chat_id = member.chat.id
        return ("member", chat_id, member.from_user.id), chat_id
    chat = update.effective_chat
    if chat is not None:
        return ("chat", chat.id), chat.id
    user = update.effective_user
    if user is not None:
        return ("chat", user.id), user.id
    return ("other", None), None


class _Counted:
    """A lock or semaphore shared by the updates waiting for it, dropped when none is left."""

    def __init__(self, primitive: asyncio.Lock | asyncio.Semaphore) -> None:
        self.primitive = primitive
        self.users = 0


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self, workers: int = WORKERS, per_chat: int = PER_CHAT, max_waiting: int = MAX_WAITING
    ) -> None:
        # The base class's semaphore bounds how many updates may be waiting or running at all.
        super().__init__(max_waiting)
        self._workers = asyncio.Semaphore(workers)
        self._per_chat = per_chat
        self._lanes: dict[Hashable, _Counted] = {}
        self._chats: dict[Hashable, _Counted] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: updates still running finish on their own tasks."""

    @staticmethod
    def _join(table: dict[Hashable, _Counted], key: Hashable, make: Any) -> _Counted:
        entry = table.get(key)
        if entry is None:
            entry = table[key] = _Counted(make())
        entry.users += 1
        return entry

    @staticmethod
    def _leave(table: dict[Hashable, _Counted], key: Hashable, entry: _Counted) -> None:
        entry.users -= 1
        if entry.users == 0 and table.get(key) is entry:
            del table[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key, chat = order_key(update)
        # Joined before the first await, so updates of one key queue in the order they arrived.
        lane = self._join(self._lanes, key, asyncio.Lock)
        share = self._join(self._chats, chat, lambda: asyncio.Semaphore(self._per_chat))
        started = False
        try:
            async with lane.primitive, share.primitive, self._workers:
                token = SEND_LANE.set(chat)
                try:
                    started = True
                    await coroutine
                finally:
                    SEND_LANE.reset(token)
        finally:
            self._leave(self._lanes, key, lane)
            self._leave(self._chats, chat, share)
            if not started and hasattr(coroutine, "close"):
                coroutine.close()  # cancelled while waiting: never started, so never awaited
