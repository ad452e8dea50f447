"""What becomes of one owed message (a reminder, a nudge, an invitation) after each attempt.

Every delivery ends ``sent``, ``failed`` (Telegram refused it for good, with a reason a moderator
is shown) or ``skipped`` (it went stale before it could go out, with a reason); on the way it is
``claimed`` (an attempt is under way) or ``pending`` (waiting for its next attempt).

What an attempt's answer means:

- **Refused** (403, 400: blocked the bot, never started it, account deleted, chat gone): ``failed``.
  Retrying cannot help.
- **Flood wait** (429 with ``retry_after``): Telegram did nothing. ``pending`` until retry_after
  has passed, then tried again.
- **Outcome unknown** (a 5xx answer, a timeout, a broken connection, or a process killed while a
  request was out): the request may or may not have been carried out, and the Bot API offers no
  way to ask. **The rule: an unknown outcome counts as not delivered and is retried** (with
  backoff) until it goes out or goes stale. A reminder nobody gets is worse than one that arrives
  twice; so a duplicate can only come from an attempt whose outcome was unknown and which Telegram
  had in fact carried out, and each such attempt can cause at most one extra copy. A delivery
  whose every attempt was answered is never sent twice.
- **Stale**: once ``stale_at`` has passed (the session started, the next reminder superseded this
  one, or the message is a day old), nothing more is tried: ``skipped``.

Plain Python: the notifier (bot/jobs/notifier.py) maps Telegram's exceptions onto this.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

CLAIMED = "claimed"
PENDING = "pending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
OPEN_STATUSES = (CLAIMED, PENDING)
DONE_STATUSES = (SENT, FAILED, SKIPPED)

FIRST_BACKOFF = timedelta(seconds=1)
MAX_BACKOFF = timedelta(minutes=5)
# A message that could not go out within a day says nothing true any more.
DEFAULT_MAX_AGE = timedelta(days=1)


class Reason(StrEnum):
    """Why a delivery failed or was skipped (stored; shown translated to moderators)."""

    # failed: Telegram refused
    BLOCKED = "blocked"
    NOT_STARTED = "not_started"
    DEACTIVATED = "deactivated"
    CHAT_GONE = "chat_gone"
    REFUSED = "refused"
    # skipped: stale
    SESSION_STARTED = "session_started"
    SUPERSEDED = "superseded"
    SESSION_OVER = "session_over"
    SESSION_CANCELLED = "session_cancelled"
    TOO_OLD = "too_old"
    NOT_KEPT = "not_kept"  # in flight before the upgrade that stores messages: nothing to resend


_REFUSALS: tuple[tuple[str, Reason], ...] = (
    ("bot was blocked by the user", Reason.BLOCKED),
    ("user is deactivated", Reason.DEACTIVATED),
    ("bot can't initiate conversation", Reason.NOT_STARTED),
    ("bot can't send messages to the user", Reason.NOT_STARTED),
    ("chat not found", Reason.CHAT_GONE),
    ("bot was kicked", Reason.CHAT_GONE),
    ("bot is not a member", Reason.CHAT_GONE),
    ("group chat was deactivated", Reason.CHAT_GONE),
    ("have no rights to send", Reason.CHAT_GONE),
)


def refusal_reason(description: str) -> Reason:
    """The reason behind Telegram's refusal text (``Forbidden: bot was blocked by the user``)."""
    text = description.lower()
    for fragment, reason in _REFUSALS:
        if fragment in text:
            return reason
    return Reason.REFUSED


def backoff(attempts: int, retry_after: timedelta | None = None) -> timedelta:
    """How long to wait before attempt ``attempts + 1``: doubling from one second to five minutes,
    never less than Telegram's ``retry_after``."""
    exponent = min(max(attempts - 1, 0), 16)
    delay = min(FIRST_BACKOFF * (1 << exponent), MAX_BACKOFF)
    return max(delay, retry_after) if retry_after is not None else delay


def stale_deadline(now: datetime, stale_at: datetime | None) -> datetime:
    """When a delivery first claimed at ``now`` goes stale (a day later unless its owner says)."""
    return stale_at if stale_at is not None else now + DEFAULT_MAX_AGE


def is_stale(now: datetime, stale_at: datetime | None) -> bool:
    return stale_at is not None and now >= stale_at
