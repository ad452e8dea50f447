"""ChatOrderedUpdateProcessor: chats side by side, each chat's updates in the order they came."""

from __future__ import annotations

import asyncio
import gc
import warnings
from datetime import UTC, datetime

from telegram import Chat, ChatJoinRequest, Message, Update, User

from bot.rate_limits import SEND_LANE
from bot.update_order import ChatOrderedUpdateProcessor, order_key

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUP = Chat(-100, Chat.SUPERGROUP, title="Bridge")


def message(update_id: int, chat: Chat, user_id: int) -> Update:
    user = User(user_id, f"u{user_id}", False)
    return Update(update_id, message=Message(update_id, WHEN, chat, from_user=user, text="hi"))


def private(update_id: int, user_id: int) -> Update:
    return message(update_id, Chat(user_id, Chat.PRIVATE), user_id)


def join_request(update_id: int, user_id: int) -> Update:
    user = User(user_id, f"u{user_id}", False)
    return Update(
        update_id, chat_join_request=ChatJoinRequest(GROUP, user, WHEN, user_chat_id=user_id)
    )


class Log:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        self.running = 0
        self.most = 0
        self.lanes: dict[int, object] = {}

    async def handle(self, update_id: int, hold: float = 0.05) -> None:
        self.events.append(("start", update_id))
        self.lanes[update_id] = SEND_LANE.get()
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(hold)
        self.running -= 1
        self.events.append(("end", update_id))


async def feed(processor, updates, log: Log, hold: float = 0.05) -> None:
    # As Application does: one task per update, created in arrival order.
    tasks = [
        asyncio.create_task(processor.process_update(u, log.handle(u.update_id, hold)))
        for u in updates
    ]
    await asyncio.gather(*tasks)


async def test_one_chats_updates_run_one_after_the_other_in_order() -> None:
    log = Log()
    await feed(ChatOrderedUpdateProcessor(), [message(i, GROUP, 10 + i) for i in range(5)], log)
    assert log.events == [(kind, i) for i in range(5) for kind in ("start", "end")]


async def test_different_chats_run_at_the_same_time() -> None:
    log = Log()
    await feed(ChatOrderedUpdateProcessor(), [private(i, 500 + i) for i in range(10)], log)
    assert log.most == 10


async def test_join_requests_of_one_group_run_side_by_side_within_its_share() -> None:
    log = Log()
    processor = ChatOrderedUpdateProcessor(per_chat=4)
    updates = [join_request(i, 700 + i) for i in range(12)] + [private(99, 42)]
    await feed(processor, updates, log)
    assert log.most == 5  # four joiners at a time, and the private message beside them
    assert log.events.index(("start", 99)) < log.events.index(("end", 0))
    assert processor._lanes == {} and processor._chats == {}  # nothing kept once idle


async def test_one_persons_membership_changes_stay_in_order() -> None:
    assert order_key(join_request(1, 7)) == order_key(join_request(2, 7))
    assert order_key(join_request(1, 7)) != order_key(join_request(1, 8))
    log = Log()
    await feed(ChatOrderedUpdateProcessor(), [join_request(1, 7), join_request(2, 7)], log)
    assert log.events == [("start", 1), ("end", 1), ("start", 2), ("end", 2)]


async def test_sends_are_attributed_to_the_chat_of_the_update() -> None:
    log = Log()
    await feed(ChatOrderedUpdateProcessor(), [private(1, 42), message(2, GROUP, 5)], log, 0)
    assert log.lanes == {1: 42, 2: GROUP.id}
    assert SEND_LANE.get() is None  # set only while an update is handled


async def test_an_update_cancelled_while_waiting_is_never_started_and_leaves_no_warning() -> None:
    log = Log()
    processor = ChatOrderedUpdateProcessor()
    first = asyncio.create_task(processor.process_update(message(1, GROUP, 5), log.handle(1, 0.2)))
    second = asyncio.create_task(processor.process_update(message(2, GROUP, 5), log.handle(2)))
    await asyncio.sleep(0.05)
    second.cancel()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await asyncio.gather(first, second, return_exceptions=True)
        gc.collect()
    assert log.events == [("start", 1), ("end", 1)]
    assert not [w for w in caught if "never awaited" in str(w.message)]
    assert processor._lanes == {} and processor._chats == {}
