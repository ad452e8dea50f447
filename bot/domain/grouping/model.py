"""Values that go into group formation and come out of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.grouping.errors import GroupingError, GroupingErrorCode

DEFAULT_MIN_SIZE = 8
DEFAULT_MAX_SIZE = 12
SMALLEST_GROUP = 2  # a dialogue needs two people


@dataclass(frozen=True, slots=True)
class Member:
    """An enrolled participant as grouping sees them.

    ``utc_offset_minutes`` is the member's UTC offset at one reference instant the caller picks
    (normally the program's first session), e.g.
    ``int(ZoneInfo(zone).utcoffset(at).total_seconds()) // 60``. Grouping takes the number rather
    than a zone so the same input gives the same groups whatever day it runs and whatever tzdata
    is installed; the caller owns the choice of instant (and so of DST).
    """

    id: int
    side: str
    role: str
    languages: frozenset[str]
    utc_offset_minutes: int

    def __post_init__(self) -> None:
        # Accept any collection of language codes but store the frozen set the type promises.
        if not isinstance(self.languages, frozenset):
            object.__setattr__(self, "languages", frozenset(self.languages))


@dataclass(frozen=True, slots=True)
class FormationSpec:
    """How to form groups. Raises GroupingError ``bad_size_range`` when the range cannot hold.

    ``seed`` only breaks ties (members with equal keys), so each seed gives an equally valid
    assignment and the same seed always gives the same one.
    """

    min_size: int = DEFAULT_MIN_SIZE
    max_size: int = DEFAULT_MAX_SIZE
    separate_role_tracks: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        sizes_are_ints = all(
            isinstance(size, int) and not isinstance(size, bool)
            for size in (self.min_size, self.max_size)
        )
        if not sizes_are_ints or self.min_size < SMALLEST_GROUP or self.min_size > self.max_size:
            raise GroupingError(
                GroupingErrorCode.BAD_SIZE_RANGE, min_size=self.min_size, max_size=self.max_size
            )


class NoteCode(StrEnum):
    """Why a formation deviates from the ideal; stable codes for translation."""

    # params: participants, groups, sizes (tuple), min_size, max_size, role
    SIZE_OUT_OF_RANGE = "size_out_of_range"
    # params: group_index, language (the group's planned working language, or None),
    # members (ids of members who do not speak it), role
    NO_SHARED_LANGUAGE = "no_shared_language"
    # params: members (ids whose languages no member of another side speaks), role
    LANGUAGE_ISOLATED = "language_isolated"


@dataclass(frozen=True, slots=True)
class Note:
    code: NoteCode
    params: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ProposedGroup:
    """One group of a formation, with what the organizer's preview shows about it."""

    members: tuple[Member, ...]  # by UTC offset, then id
    track: str | None  # the role of a separate role track; None when roles are mixed
    working_language: str | None  # the language the formation planned the group around
    side_counts: Mapping[str, int]  # every side of the program, in the program's order
    role_counts: Mapping[str, int]  # roles present, sorted
    shared_languages: tuple[str, ...]  # spoken by every member, sorted
    # Daily UTC windows in which every member's local clock reads 08:00-22:00; see windows.py.
    meeting_windows: tuple[tuple[int, int], ...]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def member_ids(self) -> tuple[int, ...]:
        return tuple(member.id for member in self.members)

    @property
    def offset_spread_minutes(self) -> int:
        offsets = [member.utc_offset_minutes for member in self.members]
        return max(offsets) - min(offsets) if offsets else 0


@dataclass(frozen=True, slots=True)
class Formation:
    """A proposal the organizer previews, re-runs with another seed, or confirms."""

    groups: tuple[ProposedGroup, ...]
    notes: tuple[Note, ...]
    seed: int

    def group_index_of(self, member_id: int) -> int | None:
        for index, group in enumerate(self.groups):
            if member_id in group.member_ids:
                return index
        return None


class Invariant(StrEnum):
    BALANCE = "balance"  # params: side, count, allowed_min, allowed_max
    SIZE = "size"  # params: size, min_size, max_size
    LANGUAGE = "language"  # params: none (the group has no language every member speaks)
    TRACK = "track"  # params: role, group_roles (a member outside their role track)


@dataclass(frozen=True, slots=True)
class Breach:
    """An invariant that does not hold for a group after a change.

    ``new`` is True when the change caused it; False when the group was already in that state
    (the change keeps or worsens it), so the caller can word the confirmation accordingly.
    """

    invariant: Invariant
    group_index: int
    new: bool
    params: Mapping[str, object] = field(default_factory=dict)


def _invariants(breaches: tuple[Breach, ...]) -> tuple[Invariant, ...]:
    return tuple(sorted({breach.invariant for breach in breaches}))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a late joiner goes; ``breaches`` empty means every invariant still holds there."""

    group_index: int
    breaches: tuple[Breach, ...]

    @property
    def ok(self) -> bool:
        return not self.breaches

    @property
    def broken(self) -> tuple[Invariant, ...]:
        return _invariants(self.breaches)


@dataclass(frozen=True, slots=True)
class MoveCheck:
    """What moving one member would do; ask the organizer to confirm unless ``ok``."""

    member_id: int
    from_group: int
    to_group: int
    breaches: tuple[Breach, ...]

    @property
    def ok(self) -> bool:
        return not self.breaches

    @property
    def broken(self) -> tuple[Invariant, ...]:
        return _invariants(self.breaches)
