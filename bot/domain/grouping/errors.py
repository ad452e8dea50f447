"""The exception grouping raises for input it cannot work with, and its machine-readable codes."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import BridgeError


class GroupingErrorCode(StrEnum):
    """Stable codes the handlers translate into the reader's language; never rename a value."""

    BAD_SIZE_RANGE = "bad_size_range"  # params min_size, max_size
    TOO_FEW_PARTICIPANTS = (
        "too_few_participants"  # params participants, min_size, role (None = mixed)
    )
    EMPTY_SIDE = "empty_side"  # params side, role (None = mixed)
    UNKNOWN_SIDE = "unknown_side"  # params side, member_id
    DUPLICATE_MEMBER = "duplicate_member"  # params member_id
    UNKNOWN_MEMBER = "unknown_member"  # params member_id
    UNKNOWN_GROUP = "unknown_group"  # params group_index, groups
    ALREADY_IN_GROUP = "already_in_group"  # params member_id, group_index
    NO_GROUPS = "no_groups"  # a late joiner arrives before any group exists


class GroupingError(BridgeError):
    """Raised before anything is computed or changed, so the caller can simply report it."""

    def __init__(self, code: GroupingErrorCode, /, **params: object) -> None:
        super().__init__(code, **params)
        self.code: GroupingErrorCode = code
