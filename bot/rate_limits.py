"""Pace only what Telegram limits, and share the overall budget fairly between chats.

Telegram limits *sending* (about 30 messages a second per bot, 20 a minute into one group); it does
not limit restricting, banning, approving a join request or reading a member. PTB's AIORateLimiter
paces every call that names a chat, so a gated group whose outsiders must be restricted waited 3 s
per call behind the group's message budget, and one FIFO for the whole bot let a reminder wave or a
burst of joiners hold up everybody else's replies.

``SendRateLimiter`` therefore:

- paces only ``SENDING_METHODS``; every other call goes straight out;
- keeps a sliding window of 20 per 60 s for each group (first come, first served inside it), so a
  group's messages never draw a 429 and never wait for another group;
- grants the overall 30 per second round-robin between *lanes*: the chat whose update is being
  handled (set by the update processor through ``SEND_LANE``), or one background lane for jobs
  such as a reminder wave, so a private ``/help`` waits for at most one turn of each busy lane,
  never for the whole queue;
- on a 429 closes only what Telegram closed: the group's window for a group send, the overall
  window for a private send (the bot-wide limit), nothing else for other methods, which simply wait
  out their own ``retry_after``; then retries, ``max_retries`` times unless ``Pacing`` says
  otherwise (``Pacing(retries=0)`` hands the 429 straight back to a caller that reschedules itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine, Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "sendAnimation",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendSticker",
        "sendPoll",
        "sendLocation",
        "sendContact",
        "sendVenue",
        "sendDice",
        "forwardMessage",
        "forwardMessages",
        "copyMessage",
        "copyMessages",
    }
)
OVERALL_RATE = 30
OVERALL_PERIOD = 1.0
GROUP_RATE = 20
GROUP_PERIOD = 60.0
# Our windows end a little after Telegram's would, so a send at the edge is never counted twice.
WINDOW_MARGIN = 0.02
BACKGROUND_LANE = "background"
# Groups whose window is empty are forgotten past this many, so the table cannot grow forever.
GROUPS_REMEMBERED = 512

SEND_LANE: ContextVar[Hashable | None] = ContextVar("bridgebot_send_lane", default=None)


@dataclass(frozen=True)
class Pacing:
    """Per-call ``rate_limit_args``: how often to retry a 429 here (None: the limiter's default),
    and whether the call is background work that takes turns with the other background sends."""

    retries: int | None = None
    background: bool = False


def retry_after_seconds(error: RetryAfter) -> float:
    value = error._retry_after  # a timedelta in PTB >= 22.2, without the deprecated int access
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Window:
    """At most ``rate`` grants in any ``period`` seconds, plus a gate a 429 can close."""

    def __init__(self, rate: int, period: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.period = period
        self._clock = clock
        self._granted: deque[float] = deque()
        self.closed_until = 0.0

    def wait_needed(self) -> float:
        now = self._clock()
        while self._granted and self._granted[0] <= now - self.period - WINDOW_MARGIN:
            self._granted.popleft()
        gate = self.closed_until - now
        if len(self._granted) < self.rate:
            return max(gate, 0.0)
        return max(gate, self._granted[0] + self.period + WINDOW_MARGIN - now, 0.0)

    def grant(self) -> None:
        self._granted.append(self._clock())

    def close_for(self, seconds: float) -> None:
        self.closed_until = max(self.closed_until, self._clock() + seconds)

    @property
    def idle(self) -> bool:
        return self.wait_needed() == 0.0 and not self._granted


class _GroupPace:
    """One group's window; waiters are served in arrival order."""

    def __init__(self, rate: int, period: float, clock: Callable[[], float]) -> None:
        self.window = _Window(rate, period, clock)
        self.lock = asyncio.Lock()
        self.users = 0

    async def acquire(self) -> None:
        async with self.lock:
            # A window frees at a known instant, so sleeping until then is exact; no one signals.
            while (wait := self.window.wait_needed()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            self.window.grant()


class _FairPace:
    """The bot-wide window, granted round-robin between lanes (first come first served inside one)."""

    def __init__(self, rate: int, period: float, clock: Callable[[], float]) -> None:
        self.window = _Window(rate, period, clock)
        self._lanes: OrderedDict[Hashable, deque[asyncio.Future[None]]] = OrderedDict()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def acquire(self, lane: Hashable) -> None:
        loop = asyncio.get_running_loop()
        granted: asyncio.Future[None] = loop.create_future()
        self._lanes.setdefault(lane, deque()).append(granted)
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._grant_in_turn(), name="bridgebot:send-pace")
        self._wake.set()
        await granted

    def _next(self) -> asyncio.Future[None] | None:
        while self._lanes:
            lane, waiting = next(iter(self._lanes.items()))
            granted = waiting.popleft()
            if waiting:
                self._lanes.move_to_end(lane)
            else:
                del self._lanes[lane]
            if not granted.done():  # a caller that gave up (cancelled) loses its turn
                return granted
        return None

    async def _grant_in_turn(self) -> None:
        while True:
            if not self._lanes:
                self._wake.clear()
                await self._wake.wait()
                continue
            if (wait := self.window.wait_needed()) > 0:
                await asyncio.sleep(wait)
                continue
            granted = self._next()
            if granted is not None:
                self.window.grant()
                granted.set_result(None)

    async def shutdown(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task
        self._task = None


def _group_of(data: dict[str, Any]) -> int | str | None:
    """The group or channel a send goes to; None for a private chat."""
    chat_id = data.get("chat_id")
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            chat_id = int(chat_id)
    if isinstance(chat_id, str):
        return chat_id  # "@channel"
    if isinstance(chat_id, int) and chat_id < 0:
        return chat_id
    return None


class SendRateLimiter(BaseRateLimiter[Pacing | int]):
    def __init__(
        self,
        *,
        max_retries: int = 5,
        overall_rate: int = OVERALL_RATE,
        overall_period: float = OVERALL_PERIOD,
        group_rate: int = GROUP_RATE,
        group_period: float = GROUP_PERIOD,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._max_retries = max_retries
        self._clock = clock or (lambda: asyncio.get_running_loop().time())
        self._overall = _FairPace(overall_rate, overall_period, self._clock)
        self._group_rate = group_rate
        self._group_period = group_period
        self._groups: dict[int | str, _GroupPace] = {}
        self.retry_after_waits = 0  # 429s met, for the benchmark and the logs
        # Told of every 429: its scope ("group" or "bot") and the wait (the /metrics counters).
        self.observer: Callable[[str, float], None] | None = None

    async def initialize(self) -> None:
        """Nothing to set up: the pacing task starts with the first send."""

    async def shutdown(self) -> None:
        await self._overall.shutdown()

    def _group(self, group: int | str) -> _GroupPace:
        pace = self._groups.get(group)
        if pace is None:
            if len(self._groups) > GROUPS_REMEMBERED:
                for key, old in list(self._groups.items()):
                    if old.users == 0 and old.window.idle:
                        del self._groups[key]
            pace = self._groups[group] = _GroupPace(
                self._group_rate, self._group_period, self._clock
            )
        return pace

    async def _pace(self, group: int | str | None, lane: Hashable) -> None:
        if group is not None:
            pace = self._group(group)
            pace.users += 1
            try:
                await pace.acquire()
            finally:
                pace.users -= 1
        await self._overall.acquire(lane)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Pacing | int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        pacing = rate_limit_args if isinstance(rate_limit_args, Pacing) else Pacing(rate_limit_args)
        retries = self._max_retries if pacing.retries is None else pacing.retries
        sending = endpoint in SENDING_METHODS
        group = _group_of(data) if sending else None
        lane = BACKGROUND_LANE if pacing.background else (SEND_LANE.get() or BACKGROUND_LANE)
        for attempt in range(retries + 1):
            if sending:
                await self._pace(group, lane)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.retry_after_waits += 1
                wait = retry_after_seconds(error) + WINDOW_MARGIN
                if self.observer is not None:
                    self.observer("group" if group is not None else "bot", wait)
                # Closed even when this caller gives up, so the next sends do not meet it too.
                if sending and group is not None:
                    self._group(group).window.close_for(wait)
                elif sending:
                    self._overall.window.close_for(wait)
                if attempt == retries:
                    raise
                log.info("%s: flood limit, retrying in %.1f s", endpoint, wait)
                if not sending:
                    await asyncio.sleep(wait)
        raise AssertionError("unreachable")
