"""Balanced group formation: every participant in exactly one group, sizes in range, sides at
their fair share, one working language per group, time zones close together.

Priorities, highest first (a lower one gives way and a note says so): everyone placed once;
sizes within [min_size, max_size] (when no group count allows it, the nearest sizes and a
``size_out_of_range`` note); each side at its fair share in every group (fairness.py; always
achieved); a language every member speaks (languages.py; ``no_shared_language`` and
``language_isolated`` notes name the members who prevent it); small spread of UTC offsets.

Time zones: within one working language's groups, every side's members are sorted by UTC offset
and dealt out in that order, each group taking its quota of the side. Every group so covers the
same quantile band of every side, and groups never interleave along the offset axis (members who
do not speak the language are dealt apart, see ``_deal_by_offset``). The seed shuffles members
whose offsets are equal, which is what makes another seed give other, equally valid groups.

Groups come out language by language (most spoken first), each language's groups by offset,
and with separate role tracks, track by track (roles sorted).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.domain.grouping.errors import GroupingError, GroupingErrorCode
from bot.domain.grouping.fairness import plan_group_sizes, side_quotas
from bot.domain.grouping.languages import LanguageBlock, SortKey, plan_languages
from bot.domain.grouping.model import (
    Formation,
    FormationSpec,
    Member,
    Note,
    NoteCode,
    ProposedGroup,
)
from bot.domain.grouping.windows import local_time_windows


def form_groups(
    members: Iterable[Member], sides: Sequence[str], spec: FormationSpec | None = None
) -> Formation:
    """Propose groups for ``members`` of a program whose sides are ``sides``.

    The result depends only on the set of members and on ``spec`` (not on input order).
    Raises GroupingError, before any work: ``duplicate_member`` (member_id), ``unknown_side``
    (side, member_id), ``too_few_participants`` (participants, min_size, role) when a pool cannot
    fill one group, ``empty_side`` (side, role) when a side has nobody in a pool. The pool is the
    program, or each role when ``spec.separate_role_tracks`` (then ``role`` names it).
    """
    spec = spec or FormationSpec()
    everyone = tuple(sorted(members, key=lambda member: member.id))
    program_sides = tuple(dict.fromkeys(sides))
    _check_members(everyone, program_sides)
    tracks = _tracks(everyone, spec.separate_role_tracks)
    for role, pool in tracks:
        _check_pool(pool, program_sides, spec, role)

    order = _sort_keys(everyone, spec.seed)
    groups: list[ProposedGroup] = []
    notes: list[Note] = []
    for role, pool in tracks:
        track_groups, track_notes = _form_track(pool, program_sides, spec, order, role, len(groups))
        groups.extend(track_groups)
        notes.extend(track_notes)
    return Formation(tuple(groups), tuple(notes), spec.seed)


def describe_group(
    members: Iterable[Member],
    sides: Sequence[str],
    track: str | None = None,
    working_language: str | None = None,
) -> ProposedGroup:
    """The preview of one group (counts, shared languages, meeting windows) for any members,
    e.g. to show a group again after a move."""
    ordered = tuple(sorted(members, key=lambda m: (m.utc_offset_minutes, m.id)))
    side_counts = Counter(member.side for member in ordered)
    shared = frozenset.intersection(*(m.languages for m in ordered)) if ordered else frozenset()
    return ProposedGroup(
        members=ordered,
        track=track,
        working_language=working_language,
        side_counts={side: side_counts[side] for side in dict.fromkeys((*sides, *side_counts))},
        role_counts=dict(sorted(Counter(member.role for member in ordered).items())),
        shared_languages=tuple(sorted(shared)),
        meeting_windows=local_time_windows(member.utc_offset_minutes for member in ordered),
    )


def _check_members(everyone: Sequence[Member], sides: Sequence[str]) -> None:
    seen: set[int] = set()
    known_sides = set(sides)
    for member in everyone:
        if member.id in seen:
            raise GroupingError(GroupingErrorCode.DUPLICATE_MEMBER, member_id=member.id)
        seen.add(member.id)
        if member.side not in known_sides:
            raise GroupingError(
                GroupingErrorCode.UNKNOWN_SIDE, side=member.side, member_id=member.id
            )


def _tracks(
    everyone: Sequence[Member], separate_roles: bool
) -> list[tuple[str | None, tuple[Member, ...]]]:
    if not separate_roles:
        return [(None, tuple(everyone))]
    roles = sorted({member.role for member in everyone})
    return [(role, tuple(m for m in everyone if m.role == role)) for role in roles]


def _check_pool(
    pool: Sequence[Member], sides: Sequence[str], spec: FormationSpec, role: str | None
) -> None:
    if len(pool) < spec.min_size:
        raise GroupingError(
            GroupingErrorCode.TOO_FEW_PARTICIPANTS,
            participants=len(pool),
            min_size=spec.min_size,
            role=role,
        )
    present = {member.side for member in pool}
    for side in sides:
        if side not in present:
            raise GroupingError(GroupingErrorCode.EMPTY_SIDE, side=side, role=role)


def _sort_keys(everyone: Sequence[Member], seed: int) -> SortKey:
    """Members sort by UTC offset; the seed shuffles members whose offsets are equal."""
    rng = random.Random(seed)
    return {m.id: (m.utc_offset_minutes, rng.random(), m.id) for m in everyone}


def _form_track(
    pool: Sequence[Member],
    sides: Sequence[str],
    spec: FormationSpec,
    order: SortKey,
    role: str | None,
    first_index: int,
) -> tuple[list[ProposedGroup], list[Note]]:
    side_totals = [sum(1 for member in pool if member.side == side) for side in sides]
    size_plan = plan_group_sizes(len(pool), spec.min_size, spec.max_size)
    quotas = side_quotas(size_plan.sizes, side_totals)
    plan = plan_languages(pool, sides, quotas, order, spec.seed)

    groups = [
        describe_group(members, sides, role, block.language)
        for block in plan.blocks
        for members in _deal_by_offset(block, sides, order)
    ]
    notes = []
    if not size_plan.within_range:
        notes.append(
            Note(
                NoteCode.SIZE_OUT_OF_RANGE,
                {
                    "participants": len(pool),
                    "groups": len(size_plan.sizes),
                    "sizes": size_plan.sizes,
                    "min_size": spec.min_size,
                    "max_size": spec.max_size,
                    "role": role,
                },
            )
        )
    if plan.isolated:
        notes.append(Note(NoteCode.LANGUAGE_ISOLATED, {"members": plan.isolated, "role": role}))
    for index, group in enumerate(groups, start=first_index):
        if not group.shared_languages:
            lacking = tuple(
                sorted(m.id for m in group.members if group.working_language not in m.languages)
            )
            notes.append(
                Note(
                    NoteCode.NO_SHARED_LANGUAGE,
                    {
                        "group_index": index,
                        "language": group.working_language,
                        "members": lacking,
                        "role": role,
                    },
                )
            )
    return groups, notes


def _deal_by_offset(
    block: LanguageBlock, sides: Sequence[str], order: SortKey
) -> list[list[Member]]:
    """Each side's members of the block, by offset, dealt group after group by quota.

    Members who do not speak the block's language are packed into as few groups as possible
    (every side from the same end of the block, the end nearer their offsets) so that the other
    groups keep their shared language; they too are dealt by offset.
    """
    silent = [member for member in block.members if block.language not in member.languages]
    pack_from_end = bool(silent) and _mean_offset(silent) > _mean_offset(block.members)
    groups: list[list[Member]] = [[] for _ in block.quotas]
    for side_index, side in enumerate(sides):
        seats = [quota[side_index] for quota in block.quotas]
        side_silent = sorted((m for m in silent if m.side == side), key=lambda m: order[m.id])
        silent_seats = _pack(seats, len(side_silent), pack_from_end)
        speaking = sorted(
            (m for m in block.members if m.side == side and block.language in m.languages),
            key=lambda m: order[m.id],
        )
        speaking_seats = [total - packed for total, packed in zip(seats, silent_seats, strict=True)]
        for queue, counts in ((speaking, speaking_seats), (side_silent, silent_seats)):
            taken = 0
            for position, count in enumerate(counts):
                groups[position].extend(queue[taken : taken + count])
                taken += count
    return groups


def _mean_offset(members: Sequence[Member]) -> float:
    return sum(member.utc_offset_minutes for member in members) / len(members)


def _pack(seats: Sequence[int], amount: int, from_end: bool) -> list[int]:
    """Spread ``amount`` over the seats filling whole groups first, from one end of the run."""
    packed = [0] * len(seats)
    positions = range(len(seats) - 1, -1, -1) if from_end else range(len(seats))
    for position in positions:
        packed[position] = min(seats[position], amount)
        amount -= packed[position]
    return packed
