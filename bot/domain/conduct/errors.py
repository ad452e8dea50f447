"""The exception the conduct domain raises for rules it cannot use, and its machine-readable codes."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import BridgeError


class ConductErrorCode(StrEnum):
    """Stable codes the handlers translate into the reader's language; never rename a value."""

    EMPTY_TERM = "empty_term"  # a blocked term that folds to nothing (params term, language, line)
    TERM_TOO_SHORT = "term_too_short"  # folds to fewer than 2 letters (params term, language, line)
    UNKNOWN_LANGUAGE = "unknown_language"  # no starter list for it (params language)
    BAD_FLOOD_LIMIT = "bad_flood_limit"  # count < 1 or window not positive (params count, window)
    BAD_DOMAIN = "bad_domain"  # an allowlist entry that is not a host name (params domain)
    EMPTY_LADDER = "empty_ladder"
    BAD_STEP = "bad_step"  # a ladder step it cannot read (params step, index)
    BAD_EXPIRY = "bad_expiry"  # strike expiry not positive (params expiry)


class ConductError(BridgeError):
    """Raised while rules are being built, before anything is checked or changed."""

    def __init__(self, code: ConductErrorCode, /, **params: object) -> None:
        super().__init__(code, **params)
        self.code: ConductErrorCode = code
