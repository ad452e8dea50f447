"""Fault injection for the fake Bot API: the failures a real deployment meets, reproducibly.

Telegram (or the network in front of it) fails in ways a bot cannot tell apart from the inside:

- ``error_before``: a 5xx answer (502 Bad Gateway) and Telegram did nothing;
- ``error_after``: Telegram carried the call out (the message IS delivered) but the bot sees 502;
- ``timeout_before`` / ``timeout_after``: no answer in time, with the call not done / done;
- ``too_many``: a flood-wait burst: every sending call is refused with 429 and ``retry_after``
  until the burst is over (time-based, as Telegram does).

Decisions are drawn from a hash of (seed, method, chat, n-th call of that method to that chat), not
from a shared random stream, so the same seed gives the same faults whatever order concurrent
sends arrive in. ``FaultPlan`` is plain state guarded by the caller's lock (FakeTelegram's).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ERROR_BEFORE = "error_before"
ERROR_AFTER = "error_after"
TIMEOUT_BEFORE = "timeout_before"
TIMEOUT_AFTER = "timeout_after"
TOO_MANY = "too_many"
KINDS = (ERROR_BEFORE, ERROR_AFTER, TIMEOUT_BEFORE, TIMEOUT_AFTER, TOO_MANY)
# Faults after which Telegram had acted although the bot was told otherwise (or nothing).
ACTED = frozenset({ERROR_AFTER, TIMEOUT_AFTER})
DEFAULT_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "forwardMessage", "copyMessage"}
)


class NoAnswer(Exception):
    """Raised by FakeTelegram.handle() for an injected timeout: the transport must not answer in
    time (in process: PTB's TimedOut; over HTTP: the answer is held past the client's timeout)."""

    def __init__(self, acted: bool, status: int, envelope: dict[str, Any]):
        super().__init__("injected timeout")
        self.acted = acted
        self.status = status
        self.envelope = envelope


@dataclass(frozen=True)
class Injected:
    """One fault that was injected (for tests to count what they caused)."""

    kind: str
    method: str
    chat_id: int | None
    time: float
    seq: int


@dataclass
class FaultPlan:
    seed: int = 0
    methods: frozenset[str] = DEFAULT_METHODS
    rates: dict[str, float] = field(default_factory=dict)
    retry_after: int = 1  # seconds of one 429 burst
    # Deterministic faults queued per method, taken before any probabilistic draw.
    queued: dict[str, deque[str]] = field(default_factory=dict)
    flood_until: float = 0.0
    per_target: Counter[tuple[str, int | None]] = field(default_factory=Counter)
    injected: list[Injected] = field(default_factory=list)

    def configure(
        self,
        *,
        seed: int | None = None,
        methods: Iterable[str] | None = None,
        retry_after: int | None = None,
        **rates: float,
    ) -> None:
        unknown = set(rates) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if any(not 0 <= p <= 1 for p in rates.values()) or sum(rates.values()) > 1:
            raise ValueError("fault rates must be probabilities that add up to at most 1")
        if seed is not None:
            self.seed = seed
        if methods is not None:
            self.methods = frozenset(methods)
        if retry_after is not None:
            self.retry_after = max(1, int(retry_after))
        self.rates = {k: float(v) for k, v in rates.items() if v}

    def off(self) -> None:
        self.rates = {}
        self.queued.clear()
        self.flood_until = 0.0

    def queue(self, method: str, kind: str, times: int = 1) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        self.queued.setdefault(method, deque()).extend([kind] * times)

    def draw(self, method: str, params: Mapping[str, Any], now: float) -> str | None:
        """The fault for this call, if any (call it once per call, under the fake's lock)."""
        queued = self.queued.get(method)
        if queued:
            return queued.popleft()
        if method not in self.methods:
            return None
        if now < self.flood_until:
            return TOO_MANY
        chat_id = _chat_id(params)
        n = self.per_target[(method, chat_id)]
        self.per_target[(method, chat_id)] += 1
        if not self.rates:
            return None
        digest = hashlib.sha256(f"{self.seed}:{method}:{chat_id}:{n}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        for kind in KINDS:
            p = self.rates.get(kind, 0.0)
            if u < p:
                return kind
            u -= p
        return None

    def record(self, kind: str, method: str, params: Mapping[str, Any], now: float) -> int:
        """Note an injected fault; returns the 429's retry_after for TOO_MANY (starting a burst)."""
        self.injected.append(Injected(kind, method, _chat_id(params), now, len(self.injected) + 1))
        if kind != TOO_MANY:
            return 0
        if now >= self.flood_until:
            self.flood_until = now + self.retry_after
        return max(1, math.ceil(self.flood_until - now))

    def counts(self) -> Counter[str]:
        return Counter(i.kind for i in self.injected)


def _chat_id(params: Mapping[str, Any]) -> int | None:
    raw = params.get("chat_id")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def bad_gateway() -> tuple[int, dict[str, Any]]:
    return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}


def too_many(retry_after: int) -> tuple[int, dict[str, Any]]:
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }
