"""The exception pairing raises for input it cannot work with, and its machine-readable codes."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import BridgeError


class PairingErrorCode(StrEnum):
    """Stable codes the handlers translate into the reader's language; never rename a value."""

    BAD_WAKING_HOURS = "pairs_bad_waking_hours"  # params text
    BAD_INTERVAL = "pairs_bad_interval"  # params minimum, maximum (days)
    DUPLICATE_MEMBER = "pairs_duplicate_member"  # params member_id
    BAD_QUESTION = "pairs_bad_question"  # params limit


class PairingError(BridgeError):
    def __init__(self, code: PairingErrorCode, /, **params: object) -> None:
        super().__init__(code, **params)
        self.code: PairingErrorCode = code
