"""Changes to confirmed groups: placing a late joiner, moving a member between groups.

Both judge the groups they touch against the formation invariants (balance, size, language and,
with separate role tracks, the track) and return every breach there after the change, each
flagged ``new`` when the change caused it, so the caller can ask the organizer to confirm.
Fair shares come from the pool the group belongs to (the program, or its role track); a late
joiner counts in the pool. Groups the change does not touch are not judged: a joiner shifts the
shares by a fraction of a seat, the same whichever group they join.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from bot.domain.grouping.errors import GroupingError, GroupingErrorCode
from bot.domain.grouping.fairness import fair_share_range
from bot.domain.grouping.model import (
    Breach,
    FormationSpec,
    Invariant,
    Member,
    MoveCheck,
    Placement,
)

Groups = Sequence[Iterable[Member]]


def place_late_joiner(groups: Groups, member: Member, spec: FormationSpec) -> Placement:
    """The group that keeps side balance best with ``member`` in it (fewest seats outside the
    fair shares, recomputed with them); among equals the one where a language is still shared by
    all, then the one whose size stays in range, then the one whose UTC offsets stretch least,
    then the smallest, then the first. So whenever some group can take them without a breach,
    the chosen one does.

    With separate role tracks only groups of the member's role (or empty groups) are considered;
    when there is none, every group is, and the result carries a ``track`` breach.
    Raises GroupingError ``no_groups`` or ``already_in_group`` (member_id, group_index).
    """
    current = [tuple(group) for group in groups]
    if not current:
        raise GroupingError(GroupingErrorCode.NO_GROUPS)
    for index, group in enumerate(current):
        if any(existing.id == member.id for existing in group):
            raise GroupingError(
                GroupingErrorCode.ALREADY_IN_GROUP, member_id=member.id, group_index=index
            )
    candidates = _candidate_groups(current, member, spec)
    totals_by_track: dict[str, Counter[str]] = {}

    def totals_with_joiner(index: int) -> Counter[str]:
        track = _group_role(current[index]) or member.role
        if track not in totals_by_track:
            totals_by_track[track] = _pool_totals(current, spec, track, extra=member)
        return totals_by_track[track]

    best = min(
        candidates,
        key=lambda index: _placement_key(
            current[index], index, member, totals_with_joiner(index), spec
        ),
    )
    after_totals = totals_with_joiner(best)
    before_totals = after_totals.copy()
    before_totals[member.side] -= 1
    breaches = _compare(
        [(best, current[best], +before_totals)],
        [(best, (*current[best], member), after_totals)],
        spec,
    )
    return Placement(best, breaches)


def move_member(groups: Groups, member_id: int, to_group: int, spec: FormationSpec) -> MoveCheck:
    """What moving ``member_id`` into group ``to_group`` would break; nothing is changed.

    Raises GroupingError ``unknown_member`` (member_id), ``unknown_group`` (group_index, groups)
    or ``already_in_group`` (member_id, group_index).
    """
    current = [tuple(group) for group in groups]
    if not 0 <= to_group < len(current):
        raise GroupingError(
            GroupingErrorCode.UNKNOWN_GROUP, group_index=to_group, groups=len(current)
        )
    found = next(
        (
            (index, member)
            for index, group in enumerate(current)
            for member in group
            if member.id == member_id
        ),
        None,
    )
    if found is None:
        raise GroupingError(GroupingErrorCode.UNKNOWN_MEMBER, member_id=member_id)
    from_group, member = found
    if from_group == to_group:
        raise GroupingError(
            GroupingErrorCode.ALREADY_IN_GROUP, member_id=member_id, group_index=to_group
        )

    source_after = tuple(m for m in current[from_group] if m.id != member_id)
    target_after = (*current[to_group], member)

    def with_totals(index: int, members: tuple[Member, ...]) -> _Judged:
        role = _group_role(members) or member.role
        return index, members, _pool_totals(current, spec, role)

    breaches = _compare(
        [with_totals(from_group, current[from_group]), with_totals(to_group, current[to_group])],
        [with_totals(from_group, source_after), with_totals(to_group, target_after)],
        spec,
    )
    return MoveCheck(member_id, from_group, to_group, breaches)


_Judged = tuple[int, tuple[Member, ...], Counter[str]]


def _candidate_groups(
    current: list[tuple[Member, ...]], member: Member, spec: FormationSpec
) -> list[int]:
    everyone = list(range(len(current)))
    if not spec.separate_role_tracks:
        return everyone
    same_track = [i for i in everyone if _group_role(current[i]) in (None, member.role)]
    return same_track or everyone


def _group_role(members: Sequence[Member]) -> str | None:
    """The role track a group belongs to: its most common role (ties: alphabetical)."""
    roles = Counter(member.role for member in members)
    if not roles:
        return None
    return min(roles, key=lambda role: (-roles[role], role))


def _pool_totals(
    current: list[tuple[Member, ...]],
    spec: FormationSpec,
    role: str,
    extra: Member | None = None,
) -> Counter[str]:
    """Side totals of the pool whose shares a group of track ``role`` is judged by; a late joiner
    (``extra``) counts in it whatever their role, being one of the group's members."""
    pool = [member for group in current for member in group]
    if spec.separate_role_tracks:
        pool = [member for member in pool if member.role == role]
    if extra is not None:
        pool.append(extra)
    return Counter(member.side for member in pool)


def _placement_key(
    group: tuple[Member, ...],
    index: int,
    member: Member,
    totals: Counter[str],
    spec: FormationSpec,
) -> tuple[int, bool, bool, int, int, int]:
    joined = (*group, member)
    stretch = 0
    if group:
        offsets = [m.utc_offset_minutes for m in group]
        low, high, own = min(offsets), max(offsets), member.utc_offset_minutes
        stretch = max(high, own) - min(low, own) - (high - low)
    return (
        _balance_excess(joined, totals),
        not _shares_language(joined),
        not spec.min_size <= len(joined) <= spec.max_size,
        stretch,
        len(group),
        index,
    )


def _balance_excess(members: Sequence[Member], totals: Counter[str]) -> int:
    """Seats by which the group's side counts fall outside their fair-share ranges, summed."""
    return sum(
        max(lowest - count, count - highest, 0)
        for _, count, lowest, highest in _side_ranges(members, totals)
    )


def _side_ranges(
    members: Sequence[Member], totals: Counter[str]
) -> list[tuple[str, int, int, int]]:
    pool_size = sum(totals.values())
    if not pool_size:  # an empty group before a joiner arrives: no shares to judge by
        return []
    counts = Counter(member.side for member in members)
    ranges = []
    for side in sorted(set(totals) | set(counts)):
        lowest, highest = fair_share_range(len(members), totals[side], pool_size)
        ranges.append((side, counts[side], lowest, highest))
    return ranges


def _shares_language(members: Sequence[Member]) -> bool:
    if not members:
        return True
    return bool(frozenset.intersection(*(member.languages for member in members)))


def _violations(
    index: int, members: tuple[Member, ...], totals: Counter[str], spec: FormationSpec
) -> list[tuple[tuple[object, ...], Breach]]:
    """Each broken invariant of one group as (identity, breach-with-new=True)."""
    found: list[tuple[tuple[object, ...], Breach]] = []
    for side, count, lowest, highest in _side_ranges(members, totals):
        if not lowest <= count <= highest:
            params = {"side": side, "count": count, "allowed_min": lowest, "allowed_max": highest}
            found.append(
                ((Invariant.BALANCE, index, side), Breach(Invariant.BALANCE, index, True, params))
            )
    if not spec.min_size <= len(members) <= spec.max_size:
        params = {"size": len(members), "min_size": spec.min_size, "max_size": spec.max_size}
        found.append(((Invariant.SIZE, index), Breach(Invariant.SIZE, index, True, params)))
    if not _shares_language(members):
        found.append(((Invariant.LANGUAGE, index), Breach(Invariant.LANGUAGE, index, True)))
    roles = sorted({member.role for member in members})
    if spec.separate_role_tracks and len(roles) > 1:
        params = {"roles": tuple(roles)}
        found.append(((Invariant.TRACK, index), Breach(Invariant.TRACK, index, True, params)))
    return found


def _compare(
    before: Sequence[_Judged], after: Sequence[_Judged], spec: FormationSpec
) -> tuple[Breach, ...]:
    already = {
        identity
        for index, members, totals in before
        for identity, _ in _violations(index, members, totals, spec)
    }
    result = []
    for index, members, totals in after:
        for identity, breach in _violations(index, members, totals, spec):
            if identity in already:
                breach = Breach(breach.invariant, breach.group_index, False, breach.params)
            result.append(breach)
    return tuple(result)
