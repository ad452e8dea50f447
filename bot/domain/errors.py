"""The one exception type that crosses from services to handlers.

A domain error carries a machine-readable ``code`` and the parameters needed to explain it; the
handlers turn the code into a sentence in the reader's language (bot/handlers/errors.py). Nothing
below the handlers writes prose for people.
"""

from __future__ import annotations


class BridgeError(Exception):
    code: str = "error"

    def __init__(self, code: str | None = None, /, **params: object) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(self.code, params)


class NotAllowed(BridgeError):
    """The person lacks the role this action needs (organizer, moderator, admin)."""

    code = "not_allowed"


class NotFound(BridgeError):
    code = "not_found"


class InvalidInput(BridgeError):
    code = "invalid_input"


class InviteError(BridgeError):
    """An invite code that cannot be used: unknown, expired, revoked or used up."""


class EnrolmentError(BridgeError):
    pass
