"""The Feeling-Heard scale a teller answers in private after the listener restated.

Five points, worded as how well the teller felt understood (1 not at all ... 5 completely). An
answer of ``LOW`` or below lets the pair try once more."""

from __future__ import annotations

from bot.domain.errors import BridgeError

HEARD_SCALE: tuple[int, ...] = (1, 2, 3, 4, 5)
LOW = 2  # 1 or 2: "not at all" or "a little" understood


def validate_rating(value: int) -> int:
    if value not in HEARD_SCALE:
        raise BridgeError("stale_step")
    return value


def is_low(value: int) -> bool:
    return value <= LOW
