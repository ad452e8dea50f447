"""Which working language each group runs in, and which members go to which language.

The side quotas are fixed first (balance outranks language); groups with equal quotas are
interchangeable, so the question is how many groups of each quota pattern each language gets.
For such a choice, the number of members who can sit in a group whose language they speak is,
side by side, a maximum flow from "kinds of speakers" (members with the same set of useful
languages) to languages, capped by the seats that side has in that language's groups. A local
search moves groups between languages (chunks first, then single groups, then swaps of two
groups of different patterns) while that number grows.

A language is useful when members of at least two sides speak it (one side only, when the pool
has one side): a group needing several sides cannot work in a language only one side speaks.
Members with no useful language are "isolated"; like everyone the flow cannot seat, they fill the
free seats of their side, and the formation reports the groups they leave without a shared
language.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.grouping.fairness import interleave_quotas
from bot.domain.grouping.model import Member
from bot.domain.grouping.transport import max_transport

# The local search stops after this many distinct evaluations at the latest; each is a handful of
# sub-millisecond flows, and the search rarely needs a tenth of it.
MAX_PLAN_EVALUATIONS = 2000

SortKey = Mapping[int, tuple[int, float, int]]  # member id -> (offset, seeded tie-break, id)
Quota = tuple[int, ...]  # seats per side, in the program's side order
State = tuple[tuple[int, ...], ...]  # per candidate language, groups per quota pattern


@dataclass(frozen=True, slots=True)
class LanguageBlock:
    """The groups sharing one working language, and the members they hold."""

    language: str | None  # None when nobody in the pool shares a useful language
    quotas: tuple[Quota, ...]  # per group, in an order fit for dealing by time zone
    members: tuple[Member, ...]  # exactly the blocks' seats of every side


@dataclass(frozen=True, slots=True)
class LanguagePlan:
    blocks: tuple[LanguageBlock, ...]
    isolated: tuple[int, ...]  # ids of members with no useful language, sorted


def plan_languages(
    members: Sequence[Member],
    sides: Sequence[str],
    quotas: Sequence[Quota],
    order: SortKey,
    seed: int,
) -> LanguagePlan:
    """Split ``members`` (one pool) over groups with the given ``quotas`` (seats per side in
    ``sides`` order). Every member lands in exactly one block. ``seed`` steers the search's
    sideways steps, so another seed may find another (sometimes better) plan."""
    useful = _useful_languages(members)
    isolated = tuple(sorted(member.id for member in members if not member.languages & useful))
    candidates = sorted(useful, key=lambda language: (-_speakers(members, language), language))
    by_side = [[m for m in members if m.side == side] for side in sides]
    if not candidates:
        return LanguagePlan((LanguageBlock(None, tuple(quotas), tuple(members)),), isolated)

    search = _PlanSearch(by_side, quotas, candidates)
    state = search.best_state(seed)
    seats = search.seats(state)
    assigned: list[list[Member]] = [[] for _ in candidates]
    for side_index, side_members in enumerate(by_side):
        side_seats = [seats[language][side_index] for language in range(len(candidates))]
        for language, chosen in enumerate(_seat_side(side_members, side_seats, candidates, order)):
            assigned[language].extend(chosen)

    blocks = []
    for language, counts in enumerate(state):
        block_quotas = [
            pattern
            for pattern, count in zip(search.patterns, counts, strict=True)
            for _ in range(count)
        ]
        if block_quotas:
            blocks.append(
                LanguageBlock(
                    candidates[language],
                    tuple(interleave_quotas(block_quotas)),
                    tuple(assigned[language]),
                )
            )
    return LanguagePlan(tuple(blocks), isolated)


def _useful_languages(members: Sequence[Member]) -> frozenset[str]:
    sides_speaking: dict[str, set[str]] = {}
    for member in members:
        for language in member.languages:
            sides_speaking.setdefault(language, set()).add(member.side)
    needed = min(2, len({member.side for member in members}))
    return frozenset(lang for lang, sides in sides_speaking.items() if len(sides) >= needed)


def _speakers(members: Sequence[Member], language: str) -> int:
    return sum(1 for member in members if language in member.languages)


class _PlanSearch:
    """Chooses how many groups of each quota pattern each candidate language gets."""

    def __init__(
        self, by_side: list[list[Member]], quotas: Sequence[Quota], candidates: list[str]
    ) -> None:
        self.candidates = candidates
        self.ordered_quotas = list(quotas)
        available = Counter(quotas)
        self.patterns: list[Quota] = sorted(available)
        self.available = [available[pattern] for pattern in self.patterns]
        index = {language: position for position, language in enumerate(candidates)}
        self.kinds = [
            Counter(
                frozenset(index[lang] for lang in member.languages if lang in index)
                for member in side_members
            )
            for side_members in by_side
        ]
        self.side_totals = [len(side_members) for side_members in by_side]
        self.seatable = sum(count for kinds in self.kinds for kind, count in kinds.items() if kind)
        self.cache: dict[State, int] = {}

    def seats(self, state: State) -> list[list[int]]:
        """Per language, per side: seats in that language's groups."""
        return [
            [
                sum(
                    count * pattern[side]
                    for count, pattern in zip(counts, self.patterns, strict=True)
                )
                for side in range(len(self.side_totals))
            ]
            for counts in state
        ]

    def seated(self, state: State) -> int:
        if state not in self.cache:
            seats = self.seats(state)
            active = [sum(counts) > 0 for counts in state]
            total = 0
            for side, kinds in enumerate(self.kinds):
                sources, supplies = _kinds_on(kinds, active)
                capacities = [seats[language][side] for language in range(len(state))]
                shipped = max_transport(supplies, capacities, sources)
                total += sum(sum(row.values()) for row in shipped)
            self.cache[state] = total
        return self.cache[state]

    def best_state(self, seed: int) -> State:
        starts = [self._demand_start()] + [
            self._single(language) for language in range(len(self.candidates))
        ]
        current = max(starts, key=self.seated)  # first of equals: demand-driven, then popular
        value = self.seated(current)
        visited = {current}
        wander = random.Random(seed)
        step = _largest_power_of_two(max(1, len(self.ordered_quotas) // 4))
        while value < self.seatable and len(self.cache) < MAX_PLAN_EVALUATIONS:
            moves = list(self._moves(current, step) if step else self._swaps(current))
            # max() keeps the first of equals, so the search is deterministic
            better = max(moves, key=self.seated, default=None)
            if better is not None and self.seated(better) > value:
                current, value = better, self.seated(better)
            elif step:
                step //= 2  # step 0 means: try swaps
            else:
                # Stuck on a plateau: an improvement may need a chain of swaps, each on its own
                # changing nothing (a seat shifted from language A to B, then from B to C), so
                # walk sideways to an unvisited state of equal value and look again.
                sideways = [m for m in moves if self.seated(m) == value and m not in visited]
                if not sideways:
                    break
                current = wander.choice(sideways)
            visited.add(current)
        return current

    def _single(self, language: int) -> State:
        empty = tuple(0 for _ in self.patterns)
        return tuple(
            tuple(self.available) if index == language else empty
            for index in range(len(self.candidates))
        )

    def _demand_start(self) -> State:
        """Each language gets the groups its one-language speakers need, the rest go to the most
        spoken language (scaled down when the needs exceed the groups); groups are handed out as
        consecutive runs of the fairly mixed group order."""
        group_count = len(self.ordered_quotas)
        needs = []
        for language in range(len(self.candidates)):
            only = frozenset((language,))
            needs.append(
                max(
                    -(-kinds[only] * group_count // total)
                    for kinds, total in zip(self.kinds, self.side_totals, strict=True)
                    if total
                )
            )
        if sum(needs) > group_count:
            needs = _apportion(needs, group_count)
        needs[0] += group_count - sum(needs)
        state = []
        start = 0
        for need in needs:
            run = Counter(self.ordered_quotas[start : start + need])
            state.append(tuple(run[pattern] for pattern in self.patterns))
            start += need
        return tuple(state)

    def _moves(self, state: State, step: int) -> Iterator[State]:
        """Move ``step`` groups from one language to another: a cross-section of the giver's
        groups, or groups of a single pattern."""
        for giver, counts in enumerate(state):
            if sum(counts) < step:
                continue
            chunk = _apportion(counts, step)
            for taker in range(len(state)):
                if taker == giver:
                    continue
                yield _moved(state, giver, taker, chunk)
                for pattern, count in enumerate(counts):
                    if count >= step and chunk[pattern] != step:
                        single = [0] * len(counts)
                        single[pattern] = step
                        yield _moved(state, giver, taker, single)

    def _swaps(self, state: State) -> Iterator[State]:
        """Exchange one group of one pattern for one of another between two languages: shifts
        a seat from one side to another without changing group counts."""
        patterns = range(len(self.patterns))
        for first in range(len(state)):
            for second in range(first + 1, len(state)):
                for given in patterns:
                    if not state[first][given]:
                        continue
                    for taken in patterns:
                        if taken != given and state[second][taken]:
                            out = [0] * len(patterns)
                            out[given] = 1
                            moved = _moved(state, first, second, out)
                            back = [0] * len(patterns)
                            back[taken] = 1
                            yield _moved(moved, second, first, back)


def _moved(state: State, giver: int, taker: int, counts: Sequence[int]) -> State:
    result = [list(row) for row in state]
    for pattern, count in enumerate(counts):
        result[giver][pattern] -= count
        result[taker][pattern] += count
    return tuple(tuple(row) for row in result)


def _kinds_on(
    kinds: Counter[frozenset[int]], active: Sequence[bool]
) -> tuple[list[list[int]], list[int]]:
    """Speaker kinds restricted to the languages that have groups, merged when they coincide."""
    merged: Counter[tuple[int, ...]] = Counter()
    for kind, count in kinds.items():
        usable = tuple(sorted(language for language in kind if active[language]))
        if usable:
            merged[usable] += count
    ordered = sorted(merged)
    return [list(kind) for kind in ordered], [merged[kind] for kind in ordered]


def _apportion(weights: Sequence[int], total: int) -> list[int]:
    """Largest-remainder shares of ``total`` proportional to ``weights`` (earlier wins ties)."""
    weight_sum = sum(weights)
    exact = [weight * total for weight in weights]
    shares = [value // weight_sum for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] % weight_sum), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _largest_power_of_two(limit: int) -> int:
    return 1 << (limit.bit_length() - 1)


def _seat_side(
    side_members: list[Member],
    seats: list[int],
    candidates: list[str],
    order: SortKey,
) -> list[list[Member]]:
    """One side's members per language: as many as possible in a language they speak, each
    language getting a cross-section of every kind's time zones; the rest fill free seats."""
    index = {language: position for position, language in enumerate(candidates)}
    by_kind: dict[tuple[int, ...], list[Member]] = {}
    leftovers: list[Member] = []
    for member in side_members:
        kind = tuple(sorted(index[lang] for lang in member.languages if lang in index))
        usable = tuple(language for language in kind if seats[language])
        if usable:
            by_kind.setdefault(usable, []).append(member)
        else:
            leftovers.append(member)
    kinds = sorted(by_kind)
    shipped = max_transport([len(by_kind[kind]) for kind in kinds], seats, [list(k) for k in kinds])

    chosen: list[list[Member]] = [[] for _ in candidates]
    room = list(seats)
    for kind, shipments in zip(kinds, shipped, strict=True):
        people = sorted(by_kind[kind], key=lambda member: order[member.id])
        targets = sorted(shipments)
        amounts = [shipments[target] for target in targets]
        unseated = len(people) - sum(amounts)
        for person, slot in zip(people, _deal([*amounts, unseated]), strict=True):
            if slot < len(targets):
                chosen[targets[slot]].append(person)
                room[targets[slot]] -= 1
            else:
                leftovers.append(person)

    # Fill free seats language after language, in the same order on every side, so the members
    # without a seat in their language crowd into as few languages' groups as possible.
    leftovers.sort(key=lambda member: order[member.id])
    taken = 0
    for language, free in enumerate(room):
        chosen[language].extend(leftovers[taken : taken + free])
        taken += free
    return chosen


def _deal(amounts: Sequence[int]) -> list[int]:
    """A sequence using index ``i`` exactly ``amounts[i]`` times, spread evenly (each index's
    uses stay proportional along the sequence), so a sorted list dealt by it gives every
    recipient a cross-section."""
    total = sum(amounts)
    given = [0] * len(amounts)
    sequence = []
    for position in range(1, total + 1):
        recipient = max(
            range(len(amounts)),
            key=lambda i: (amounts[i] * position - given[i] * total, -i),
        )
        given[recipient] += 1
        sequence.append(recipient)
    return sequence
