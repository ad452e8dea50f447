"""What the moderation service shares: action kinds, errors, targets and the values it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.conduct import Step, StepKind
from bot.domain.errors import BridgeError
from bot.features.groups.lookup import GroupView
from bot.i18n import locale_of
from bot.services.people import PersonView

EXCERPT_LIMIT = 500
# Kinds of log rows (stable: stored and exported).
WARN, MUTE, KICK, BAN = "warn", "mute", "kick", "ban"
UNWARN, UNMUTE, UNBAN, DELETE = "unwarn", "unmute", "unban", "delete"
SANCTIONS = frozenset({WARN, MUTE, KICK, BAN})
_STEP_ACTIONS = {StepKind.WARN: WARN, StepKind.MUTE: MUTE, StepKind.REMOVE: KICK, StepKind.BAN: BAN}
# Chat statuses that mean "in the group" (restricted members are still members).
PRESENT = frozenset({"member", "restricted", "administrator", "creator"})


class ModerationError(BridgeError):
    """A moderation request that cannot be carried out; nothing was changed."""


@dataclass(frozen=True)
class Target:
    id: int
    name: str
    locale: str | None

    @classmethod
    def of(cls, person: PersonView) -> Target:
        return cls(
            person.id, person.display_name, locale_of(person.locale, person.telegram_language, None)
        )


@dataclass(frozen=True)
class Decision:
    """A sanction (or its undoing) decided and logged; the handler carries it out in the chat."""

    action_id: int
    kind: str  # warn, mute, kick, ban, unwarn, unmute, unban, delete
    group: GroupView
    target: Target
    actor_id: int | None
    actor_rule: str | None
    reason: str | None  # typed by a moderator, shown as typed
    rule: str | None
    duration: timedelta | None
    until: datetime | None
    active_strikes: int  # counting this one
    ladder_length: int
    excerpt: str | None = None
    message_id: int | None = None
    reason_code: str | None = None  # given by the bot: rendered in each reader's language

    @property
    def appealable(self) -> bool:
        return self.kind in SANCTIONS


@dataclass(frozen=True)
class StrikeView:
    action_id: int
    at: datetime
    kind: str
    reason: str | None
    rule: str | None
    expires_at: datetime | None
    reason_code: str | None = None


@dataclass(frozen=True)
class WarnsView:
    target: Target
    strikes: tuple[StrikeView, ...]
    next_step: Step


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    group_id: int | None
    group_name: str | None
    target_id: int | None
    target_name: str | None
    actor_id: int | None
    actor_name: str | None
    actor_rule: str | None
    action: str
    reason: str | None
    rule: str | None
    duration_seconds: int | None
    until: datetime | None
    failure: str | None
    appeal_outcome: str | None
    revoked: bool
    excerpt: str | None
    reason_code: str | None = None
