"""Maximum flow from supplies to capacities along allowed pairs (a transportation problem).

Hand-written because no graph library is a dependency and the graphs here are tiny (kinds of
speakers x working languages, a few dozen nodes): a greedy start plus breadth-first augmenting
paths (Edmonds-Karp) is exact and takes well under a millisecond.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence


def max_transport(
    supplies: Sequence[int], capacities: Sequence[int], allowed: Sequence[Sequence[int]]
) -> list[dict[int, int]]:
    """Ship as much as possible: source ``i`` may send to ``j in allowed[i]``, at most
    ``supplies[i]`` out of ``i`` and ``capacities[j]`` into ``j``. Returns the shipments,
    ``result[i][j]``; ties between equally large solutions go to earlier targets in ``allowed``."""
    left = list(supplies)
    room = list(capacities)
    shipped: list[dict[int, int]] = [{} for _ in supplies]
    # Fewest-options-first fills most of the flow without search; augmenting fixes the rest.
    for source in sorted(range(len(supplies)), key=lambda i: (len(allowed[i]), i)):
        for target in allowed[source]:
            amount = min(left[source], room[target])
            if amount:
                _ship(shipped, left, room, source, target, amount)
    while _augment(shipped, left, room, allowed):
        pass
    return shipped


def _ship(
    shipped: list[dict[int, int]],
    left: list[int],
    room: list[int],
    source: int,
    target: int,
    amount: int,
) -> None:
    shipped[source][target] = shipped[source].get(target, 0) + amount
    left[source] -= amount
    room[target] -= amount


def _augment(
    shipped: list[dict[int, int]],
    left: list[int],
    room: list[int],
    allowed: Sequence[Sequence[int]],
) -> bool:
    """Find one shortest augmenting path from any source with supply left and push along it."""
    reached_from_source: dict[int, int] = {}  # target -> source it was reached from
    reached_from_target: dict[int, int | None] = {}  # source -> target (None: a starting source)
    queue = deque(source for source, amount in enumerate(left) if amount > 0)
    for source in queue:
        reached_from_target[source] = None
    end: int | None = None
    while queue and end is None:
        source = queue.popleft()
        for target in allowed[source]:
            if target in reached_from_source:
                continue
            reached_from_source[target] = source
            if room[target] > 0:
                end = target
                break
            for other, sent in enumerate(shipped):
                if other not in reached_from_target and sent.get(target, 0) > 0:
                    reached_from_target[other] = target
                    queue.append(other)
    if end is None:
        return False

    forward: list[tuple[int, int]] = []
    backward: list[tuple[int, int]] = []
    target = end
    while True:
        source = reached_from_source[target]
        forward.append((source, target))
        previous = reached_from_target[source]
        if previous is None:
            break
        backward.append((source, previous))
        target = previous
    amount = min(room[end], left[source], *(shipped[src][tgt] for src, tgt in backward))
    for src, tgt in forward:
        shipped[src][tgt] = shipped[src].get(tgt, 0) + amount
    for src, tgt in backward:
        shipped[src][tgt] -= amount
        if not shipped[src][tgt]:
            del shipped[src][tgt]
    left[source] -= amount
    room[end] -= amount
    return True
