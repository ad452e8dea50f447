"""SendRateLimiter paces what Telegram limits, only that, and shares the budget between chats.

Windows are shrunk (a few sends per fraction of a second) so the properties show in real time.
"""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise

import pytest
from telegram.error import RetryAfter

from bot.rate_limits import SEND_LANE, Pacing, SendRateLimiter

GROUP = -1001
OTHER_GROUP = -1002


class Telegram:
    """Records when each call went out; answers 429 when told to."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, object]] = []
        self.refuse: dict[tuple[str, object], list[int]] = {}

    def callback(self, endpoint: str, data: dict):
        async def call(*_args, **_kwargs):
            self.calls.append((time.monotonic(), endpoint, data.get("chat_id")))
            waits = self.refuse.get((endpoint, data.get("chat_id")))
            if waits:
                raise RetryAfter(waits.pop(0))
            return True

        return call

    def times(self, endpoint: str | None = None, chat=None) -> list[float]:
        return [
            t
            for t, e, c in self.calls
            if (endpoint is None or e == endpoint) and (chat is None or c == chat)
        ]


async def call(limiter, telegram, endpoint, chat_id, rate_limit_args=None, **data):
    data = {"chat_id": chat_id, **data}
    return await limiter.process_request(
        callback=telegram.callback(endpoint, data),
        args=(),
        kwargs={},
        endpoint=endpoint,
        data=data,
        rate_limit_args=rate_limit_args,
    )


def most_in_any_window(times: list[float], period: float) -> int:
    return max((sum(1 for u in times if t <= u < t + period) for t in times), default=0)


async def test_moderation_calls_are_never_held_back_by_a_groups_send_budget() -> None:
    limiter = SendRateLimiter(group_rate=2, group_period=5.0)
    telegram = Telegram()
    started = time.monotonic()
    for method in (
        "restrictChatMember",
        "banChatMember",
        "approveChatJoinRequest",
        "getChatMember",
    ):
        await asyncio.gather(*(call(limiter, telegram, method, GROUP) for _ in range(10)))
    await asyncio.gather(*(call(limiter, telegram, "sendMessage", GROUP) for _ in range(2)))
    assert len(telegram.calls) == 42
    assert time.monotonic() - started < 1.0  # nothing waited for the 5-second window
    await limiter.shutdown()


async def test_a_group_gets_no_more_than_its_budget_in_any_window_and_nothing_is_lost() -> None:
    limiter = SendRateLimiter(group_rate=3, group_period=0.4)
    telegram = Telegram()
    await asyncio.gather(*(call(limiter, telegram, "sendMessage", GROUP, text=i) for i in range(9)))
    sent = telegram.times("sendMessage", GROUP)
    assert len(sent) == 9
    assert most_in_any_window(sent, 0.4) <= 3
    await limiter.shutdown()


async def test_a_busy_group_does_not_slow_another_group() -> None:
    limiter = SendRateLimiter(group_rate=2, group_period=1.0)
    telegram = Telegram()
    busy = [asyncio.create_task(call(limiter, telegram, "sendMessage", GROUP)) for _ in range(6)]
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await call(limiter, telegram, "sendMessage", OTHER_GROUP)
    assert time.monotonic() - started < 0.2
    await asyncio.gather(*busy)
    await limiter.shutdown()


async def test_the_overall_budget_holds_across_all_chats() -> None:
    limiter = SendRateLimiter(overall_rate=5, overall_period=0.25)
    telegram = Telegram()
    await asyncio.gather(*(call(limiter, telegram, "sendMessage", 1000 + i) for i in range(20)))
    sent = telegram.times("sendMessage")
    assert len(sent) == 20
    assert most_in_any_window(sent, 0.25) <= 5
    await limiter.shutdown()


async def test_one_chats_queue_does_not_make_another_person_wait_their_turn_at_the_end() -> None:
    limiter = SendRateLimiter(overall_rate=4, overall_period=0.2)
    telegram = Telegram()

    async def from_lane(lane, chat_id):
        SEND_LANE.set(lane)
        await call(limiter, telegram, "sendMessage", chat_id)

    # A group's burst: forty private messages to forty people, all made for the group's updates.
    burst = [asyncio.create_task(from_lane(GROUP, 2000 + i)) for i in range(40)]
    await asyncio.sleep(0.05)
    await from_lane(7, 7)  # someone's private /help
    order = [c for _t, _e, c in telegram.calls]
    assert order.index(7) <= 8  # served in the next turns, not after the 40 (FIFO would be ~40)
    await asyncio.gather(*burst)
    assert len(telegram.calls) == 41
    await limiter.shutdown()


async def test_background_work_takes_turns_with_people() -> None:
    limiter = SendRateLimiter(overall_rate=4, overall_period=0.2)
    telegram = Telegram()
    wave = [
        asyncio.create_task(
            call(limiter, telegram, "sendMessage", 3000 + i, Pacing(background=True))
        )
        for i in range(40)
    ]
    await asyncio.sleep(0.05)
    SEND_LANE.set(9)
    await call(limiter, telegram, "sendMessage", 9)
    assert [c for _t, _e, c in telegram.calls].index(9) <= 8
    await asyncio.gather(*wave)
    await limiter.shutdown()


async def test_a_429_in_a_group_closes_that_group_only() -> None:
    limiter = SendRateLimiter()
    telegram = Telegram()
    telegram.refuse[("sendMessage", GROUP)] = [1]
    retried = asyncio.create_task(call(limiter, telegram, "sendMessage", GROUP))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await call(limiter, telegram, "sendMessage", OTHER_GROUP)
    await call(limiter, telegram, "sendMessage", 42)
    assert time.monotonic() - started < 0.2
    await retried
    first, second = telegram.times("sendMessage", GROUP)
    assert second - first >= 1.0
    await limiter.shutdown()


async def test_a_429_on_a_private_send_pauses_every_send_but_not_moderation() -> None:
    limiter = SendRateLimiter()
    telegram = Telegram()
    telegram.refuse[("sendMessage", 42)] = [1]
    retried = asyncio.create_task(call(limiter, telegram, "sendMessage", 42))
    await asyncio.sleep(0.05)
    before = time.monotonic()
    await call(limiter, telegram, "restrictChatMember", GROUP)
    assert time.monotonic() - before < 0.2
    await call(limiter, telegram, "sendMessage", 43)
    assert time.monotonic() - before >= 0.9  # Telegram's bot-wide wait applies to every send
    await retried
    assert len(telegram.times("sendMessage", 42)) == 2
    await limiter.shutdown()


async def test_other_methods_wait_out_their_own_429() -> None:
    limiter = SendRateLimiter()
    telegram = Telegram()
    telegram.refuse[("restrictChatMember", GROUP)] = [1]
    await call(limiter, telegram, "restrictChatMember", GROUP)
    first, second = telegram.times("restrictChatMember")
    assert second - first >= 1.0
    await limiter.shutdown()


async def test_retries_are_bounded_and_a_caller_can_take_the_429_itself() -> None:
    limiter = SendRateLimiter(max_retries=2)
    telegram = Telegram()
    telegram.refuse[("sendMessage", 42)] = [0, 0, 0, 0]
    with pytest.raises(RetryAfter):
        await call(limiter, telegram, "sendMessage", 42)
    assert len(telegram.times("sendMessage", 42)) == 3
    telegram.refuse[("sendMessage", 43)] = [1]
    started = time.monotonic()
    with pytest.raises(RetryAfter):
        await call(limiter, telegram, "sendMessage", 43, Pacing(retries=0))
    assert time.monotonic() - started < 0.2 and len(telegram.times("sendMessage", 43)) == 1
    assert limiter.retry_after_waits == 4
    await limiter.shutdown()


async def test_a_caller_that_gives_up_while_waiting_does_not_block_the_others() -> None:
    limiter = SendRateLimiter(overall_rate=1, overall_period=0.2)
    telegram = Telegram()
    await call(limiter, telegram, "sendMessage", 1)
    waiting = asyncio.create_task(call(limiter, telegram, "sendMessage", 2))
    await asyncio.sleep(0.01)
    waiting.cancel()
    await call(limiter, telegram, "sendMessage", 3)
    assert [c for _t, _e, c in telegram.calls] == [1, 3]
    gaps = [b - a for a, b in pairwise(telegram.times())]
    assert all(gap >= 0.2 for gap in gaps)
    await limiter.shutdown()


async def test_each_429_is_told_to_the_metrics_with_its_scope_and_wait() -> None:
    from bot.ops.metrics import Metrics

    metrics = Metrics()
    limiter = SendRateLimiter()
    limiter.observer = metrics.retry_after
    telegram = Telegram()
    telegram.refuse[("sendMessage", GROUP)] = [1]
    telegram.refuse[("sendMessage", 42)] = [1]
    await call(limiter, telegram, "sendMessage", GROUP)
    await call(limiter, telegram, "sendMessage", 42)
    sample = metrics.registry.get_sample_value
    assert sample("bridgebot_retry_after_waits_total", {"scope": "group"}) == 1.0
    assert sample("bridgebot_retry_after_waits_total", {"scope": "bot"}) == 1.0
    assert sample("bridgebot_retry_after_wait_seconds_total") >= 2.0
    await limiter.shutdown()
