"""Fair shares, group sizes and per-group side quotas.

Fair share (the balance invariant, checked everywhere by ``fair_share_range``): in a group of ``n``
members drawn from a pool of ``N`` participants of whom ``N_s`` are on side ``s``, the group's count
of side ``s`` must be ``floor(n * N_s / N)`` or ``ceil(n * N_s / N)``, i.e. strictly less than one
away from the exact share. The pool is the whole program, or one role track when roles run as
separate tracks. All arithmetic is on integers, so no rounding error can flip a verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


def fair_share_range(group_size: int, side_total: int, pool_size: int) -> tuple[int, int]:
    """The allowed (lowest, highest) count of a side in a group; see the module docstring."""
    lowest, remainder = divmod(group_size * side_total, pool_size)
    return lowest, lowest + (1 if remainder else 0)


@dataclass(frozen=True, slots=True)
class SizePlan:
    sizes: tuple[int, ...]  # non-increasing, differing by at most one
    within_range: bool


def plan_group_sizes(participants: int, min_size: int, max_size: int) -> SizePlan:
    """Group sizes for ``participants`` people (who must be at least ``min_size``).

    Sizes differ by at most one. When some group count puts every size in range, the count whose
    average size is nearest the middle of the range wins (ties: fewer, larger groups). When none
    does (13 people, 8-12), the count whose sizes stray least outside the range wins (largest
    distance, then total distance, then fewer groups) and ``within_range`` is False.
    """
    fewest = -(-participants // max_size)
    most = participants // min_size
    if fewest <= most:
        middle_twice = min_size + max_size
        count = min(
            range(fewest, most + 1),
            key=lambda groups: (abs(2 * participants - middle_twice * groups), groups),
        )
        return SizePlan(_even_sizes(participants, count), within_range=True)
    candidates = [groups for groups in (most, fewest) if groups >= 1]
    count = min(
        candidates, key=lambda groups: (*_stray(participants, groups, min_size, max_size), groups)
    )
    return SizePlan(_even_sizes(participants, count), within_range=False)


def _even_sizes(participants: int, groups: int) -> tuple[int, ...]:
    base, larger = divmod(participants, groups)
    return (base + 1,) * larger + (base,) * (groups - larger)


def _stray(participants: int, groups: int, min_size: int, max_size: int) -> tuple[int, int]:
    distances = [
        max(min_size - size, size - max_size, 0) for size in _even_sizes(participants, groups)
    ]
    return max(distances), sum(distances)


def side_quotas(sizes: Sequence[int], side_totals: Sequence[int]) -> list[tuple[int, ...]]:
    """How many of each side every group gets, the groups re-ordered so that any run of
    consecutive groups holds the sides close to their overall shares.

    Returns one tuple per group, seats per side indexed like ``side_totals``, in this function's
    own order (a tuple's sum is its group's size; together they use ``sizes``). Every entry is the floor or ceiling of the fair share, each tuple sums to its
    group's size and each side's column sums to its total. Such a rounding always exists (it is
    an integral flow), and with at most two group sizes it can be built directly:

    * each group of size ``c`` gets the floor share of every side plus ``e_c`` extra seats, one
      each from distinct sides whose share is fractional;
    * side ``s`` owes ``r_s`` extra seats, split between the two size classes by rounding the
      exact split (the rounding errors cancel because the two classes' exact splits sum to r_s);
    * inside a class the extras are dealt round-robin over its groups, side after side, which gives
      every group ``e_c`` extras from distinct sides since no side owes more extras than there
      are groups in the class.
    """
    if not sizes:
        return []
    pool = sum(side_totals)
    if sum(sizes) != pool:
        raise ValueError("group sizes must add up to the side totals")
    classes = sorted(Counter(sizes).items())
    if len(classes) > 2:
        raise ValueError("side_quotas expects sizes that differ by at most one")
    sides = range(len(side_totals))

    floors = {size: [size * total // pool for total in side_totals] for size, _ in classes}
    owed = _extras_by_class(classes, side_totals, pool)

    quotas: list[tuple[int, ...]] = []
    for size, count in classes:
        extras = [[0] * len(side_totals) for _ in range(count)]
        slot = 0
        for side in sides:
            for _ in range(owed[size][side]):
                extras[slot % count][side] += 1
                slot += 1
        quotas.extend(tuple(floors[size][side] + extra[side] for side in sides) for extra in extras)
    return interleave_quotas(quotas)


def _extras_by_class(
    classes: list[tuple[int, int]], side_totals: Sequence[int], pool: int
) -> dict[int, list[int]]:
    """Extra seats (above the floor share) each side fills in each size class; see side_quotas."""
    owed = [
        total - sum(count * (size * total // pool) for size, count in classes)
        for total in side_totals
    ]
    if len(classes) == 1:
        return {classes[0][0]: owed}
    (small, small_count), (large, _) = classes
    exact = [small_count * (small * total % pool) for total in side_totals]  # over `pool`
    in_small = [value // pool for value in exact]
    shortfall = sum(exact) // pool - sum(in_small)
    by_remainder = sorted(range(len(side_totals)), key=lambda side: (-(exact[side] % pool), side))
    for side in by_remainder[:shortfall]:
        in_small[side] += 1
    return {
        small: in_small,
        large: [all_ - part for all_, part in zip(owed, in_small, strict=True)],
    }


def interleave_quotas(quotas: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The quotas in a greedy order keeping every prefix's side counts nearest the shares of the
    whole list, so any run of consecutive groups (a band of time zones, a language's groups)
    gets a fair mix of quota patterns."""
    if not quotas:
        return []
    side_totals = [sum(column) for column in zip(*quotas, strict=True)]
    pool = sum(side_totals)
    remaining = Counter(quotas)
    patterns = sorted(remaining, key=lambda quota: (-sum(quota), quota))
    prefix = [0] * len(side_totals)
    seats = 0
    ordered: list[tuple[int, ...]] = []
    for _ in range(len(quotas)):
        best = min(
            (pattern for pattern in patterns if remaining[pattern]),
            key=lambda pattern: _prefix_drift(prefix, seats, pattern, side_totals, pool),
        )
        remaining[best] -= 1
        ordered.append(best)
        seats += sum(best)
        prefix = [have + add for have, add in zip(prefix, best, strict=True)]
    return ordered


def _prefix_drift(
    prefix: list[int], seats: int, pattern: tuple[int, ...], side_totals: Sequence[int], pool: int
) -> int:
    seats_after = seats + sum(pattern)
    return max(
        abs((have + add) * pool - seats_after * total)
        for have, add, total in zip(prefix, pattern, side_totals, strict=True)
    )
