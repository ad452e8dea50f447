"""What binding and the gate share: the values they return and link codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.features.groups.lookup import GroupView
from bot.services.people import Recipient

# The admin rights the bot needs in a dialogue group, in the order they are named to people.
REQUIRED_RIGHTS = (
    "can_delete_messages",
    "can_restrict_members",
    "can_invite_users",
    "can_pin_messages",
)


def missing_rights(status: str, rights: Mapping[str, bool | None]) -> tuple[str, ...]:
    """The required rights the bot lacks with this status (an owner has all; a non-admin none)."""
    if status == "creator":
        return ()
    if status != "administrator":
        return REQUIRED_RIGHTS
    return tuple(right for right in REQUIRED_RIGHTS if not rights.get(right))


def _encode(rights: tuple[str, ...]) -> str:
    return ",".join(rights)


def _decode(rights: str | None) -> tuple[str, ...]:
    return tuple(r for r in (rights or "").split(",") if r)


@dataclass(frozen=True)
class LinkTarget:
    group_id: int
    group_name: str
    program_id: int
    program_name: str


@dataclass(frozen=True)
class BotStatusChange:
    group: GroupView
    program_name: str
    old_status: str | None
    new_status: str
    old_missing: tuple[str, ...]
    new_missing: tuple[str, ...]
    organizers: tuple[Recipient, ...]

    @property
    def lost(self) -> bool:
        """The bot was removed, demoted, or lost a right it had."""
        gone = self.new_status in ("left", "kicked") and self.old_status not in ("left", "kicked")
        return gone or bool(set(self.new_missing) - set(self.old_missing))

    @property
    def regained(self) -> bool:
        return (
            not self.new_missing
            and bool(self.old_missing)
            and self.new_status not in ("left", "kicked")
        )


@dataclass(frozen=True)
class JoinVerdict:
    group: GroupView
    approve: bool
    reason: str  # assigned | not_assigned | other_group | removed
    person_id: int | None
    locale: str
    moderators: tuple[Recipient, ...]
    program_name: str


@dataclass(frozen=True)
class DirectJoinVerdict:
    group: GroupView
    kind: str  # staff | assigned | stranger
    moderators: tuple[Recipient, ...]
    program_name: str


@dataclass(frozen=True)
class InvitationTarget:
    member_id: int
    person_id: int
    locale: str
    group_id: int
    group_name: str
    program_name: str
    chat_id: int | None
    invite_link: str | None
    others_by_side: tuple[tuple[str, int], ...]
    # The other members' first names per side, only when the program allows naming them.
    other_names: tuple[tuple[str, tuple[str, ...]], ...] = ()
