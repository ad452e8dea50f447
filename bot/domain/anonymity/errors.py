"""Errors of the anonymity domain and their machine-readable codes."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import BridgeError


class AnonymityErrorCode(StrEnum):
    """Stable codes the handlers translate into the reader's language; never rename a value."""

    K_TOO_SMALL = "k_too_small"  # params: k, minimum, kind
    TOO_LONG = "too_long"  # params: length, limit
    SECRET_TOO_SHORT = "secret_too_short"  # params: length, minimum
    SECRET_FILE_INVALID = "secret_file_invalid"  # params: path
    EMPTY_INSTANCE_KEY = "empty_instance_key"


class AnonymityError(BridgeError):
    """Input that would weaken the anonymity guarantees; raised before anything is computed."""

    def __init__(self, code: AnonymityErrorCode, /, **params: object) -> None:
        super().__init__(code, **params)
        self.code = code


class ScrubError(AnonymityError):
    """Free text that cannot be scrubbed (too long)."""
