"""Invite codes and the rules for whether one can still be used."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import InviteError

# 16 random bytes = 128 bits, above the 96 the threat model asks for; url-safe base64 without padding
# (22 characters) so "join_<code>" fits Telegram's 64-character /start payload limit.
CODE_BYTES = 16
START_PREFIX = "join_"
_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{16,48}$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={START_PREFIX}{code}"


def code_from_start_payload(payload: str) -> str | None:
    """The invite code inside a /start payload, or None if the payload is not an invite."""
    if not payload.startswith(START_PREFIX):
        return None
    code = payload[len(START_PREFIX) :]
    return code if _CODE_RE.match(code) else None


@dataclass(frozen=True)
class InviteState:
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    revoked_at: datetime | None


def check_usable(state: InviteState, now: datetime) -> None:
    """Raise InviteError with the reason the invite cannot be used at ``now``."""
    if state.revoked_at is not None:
        raise InviteError("invite_revoked")
    if state.expires_at is not None and state.expires_at <= now:
        raise InviteError("invite_expired")
    if state.max_uses is not None and state.uses >= state.max_uses:
        raise InviteError("invite_used_up")
