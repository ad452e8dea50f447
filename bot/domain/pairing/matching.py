"""A week's cross-border pairs: who talks to whom.

Two members can be paired when they are on different sides, share a language and are awake at the
same time for at least ``min_overlap`` minutes (hours.py). Among those, the rules in order:

1. as many pairs as possible (every unpaired member is a conversation lost);
2. never the same pair twice while another partner is possible: a member is given someone they
   have not talked to before whenever one is free, and a repeated pair is swapped with another
   pair when that makes both new;
3. who sat out last time is served first, and people with few possible partners before people
   with many (so the easy ones do not take the only partner of a hard one);
4. everything else is decided by ``seed``: the same members, history and seed give the same pairs,
   whatever order the members come in.

An odd number of members (or an unbalanced program) leaves someone out; ``Unpaired`` says whether
nobody at all was compatible (``no_match``) or every compatible partner was taken (``taken``).

Members are grouped by profile (side, languages, UTC offset): compatibility is decided once per
pair of profiles, so 2,000 members cost a few thousand checks, not two million (bench/pairs.py).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.pairing.errors import PairingError, PairingErrorCode
from bot.domain.pairing.hours import (
    DEFAULT_HOURS,
    DEFAULT_MIN_OVERLAP,
    WakingHours,
    overlap_minutes,
)


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    side: int | str
    languages: frozenset[str]
    offset: int = 0  # minutes east of UTC at the time of pairing


class UnpairedReason(StrEnum):
    NO_MATCH = "no_match"  # nobody opted in is on another side, shares a language and is awake
    TAKEN = "taken"  # compatible partners exist, but all of them were paired with someone else


@dataclass(frozen=True, slots=True)
class Unpaired:
    id: int
    reason: UnpairedReason


@dataclass(frozen=True)
class Pairing:
    pairs: tuple[tuple[int, int], ...]  # (smaller id, larger id), sorted
    unpaired: tuple[Unpaired, ...] = ()
    repeats: int = 0  # pairs that talked before (only when nobody new was possible)
    shared: Mapping[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)

    def partner_of(self, member_id: int) -> int | None:
        for a, b in self.pairs:
            if a == member_id:
                return b
            if b == member_id:
                return a
        return None


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def compatible(
    a: Member,
    b: Member,
    hours: WakingHours = DEFAULT_HOURS,
    min_overlap: int = DEFAULT_MIN_OVERLAP,
) -> bool:
    return (
        a.side != b.side
        and bool(a.languages & b.languages)
        and overlap_minutes(a.offset, b.offset, hours) >= min_overlap
    )


Profile = tuple[int | str, tuple[str, ...], int]  # side, languages, UTC offset


class _Matcher:
    def __init__(
        self,
        members: list[Member],
        history: Mapping[tuple[int, int], int],
        priority: Collection[int],
        rng: random.Random,
        hours: WakingHours,
        min_overlap: int,
    ) -> None:
        self.members = {m.id: m for m in members}
        self.history = history
        self.priority = frozenset(priority)
        self.rng = rng
        self.key = {m.id: rng.random() for m in members}
        profiles: dict[Profile, list[int]] = {}
        self.profile_of: dict[int, Profile] = {}
        for m in members:
            profile: Profile = (m.side, tuple(sorted(m.languages)), m.offset)
            profiles.setdefault(profile, []).append(m.id)
            self.profile_of[m.id] = profile
        names = sorted(profiles, key=repr)
        reps = {p: self.members[profiles[p][0]] for p in names}
        self.neighbours: dict[Profile, list[Profile]] = {
            p: [q for q in names if compatible(reps[p], reps[q], hours, min_overlap)] for p in names
        }
        self.degree = {p: sum(len(profiles[q]) for q in self.neighbours[p]) for p in names}
        # Each profile's members, the ones to serve first at the front.
        self.queue = {
            p: sorted(ids, key=lambda i: (i not in self.priority, self.key[i]))
            for p, ids in profiles.items()
        }
        self.front = dict.fromkeys(self.queue, 0)
        self.all_by_profile = {p: list(ids) for p, ids in self.queue.items()}
        self.partner: dict[int, int] = {}

    def repeats(self, a: int, b: int) -> int:
        return self.history.get(pair_key(a, b), 0)

    def best_partner(self, member: int) -> int | None:
        best, best_rank = None, None
        for q in self.neighbours[self.profile_of[member]]:
            queue = self.queue[q]
            # Skip the already paired at the front, so each profile is walked once overall.
            start = self.front[q]
            while start < len(queue) and queue[start] in self.partner:
                start += 1
            self.front[q] = start
            for index in range(start, len(queue)):
                other = queue[index]
                if other == member or other in self.partner:
                    continue
                rank = (
                    self.repeats(member, other),
                    other not in self.priority,
                    self.degree[q],
                    self.key[other],
                )
                if best_rank is None or rank < best_rank:
                    best, best_rank = other, rank
                if rank[0] == 0:
                    break  # the rest of this profile ranks the same or lower
        return best

    def link(self, a: int, b: int) -> None:
        self.partner[a] = b
        self.partner[b] = a

    def greedy(self) -> None:
        order = sorted(
            self.members,
            key=lambda i: (i not in self.priority, self.degree[self.profile_of[i]], self.key[i]),
        )
        for member in order:
            if member in self.partner:
                continue
            other = self.best_partner(member)
            if other is not None:
                self.link(member, other)

    def compatible_ids(self, a: int, b: int) -> bool:
        return a != b and self.profile_of[b] in self.neighbours[self.profile_of[a]]

    def augment(self) -> None:
        """Pair the left-over through one existing pair: u-(v=w)-x becomes u=v, w=x."""
        free: dict[Profile, set[int]] = {}
        for i in self.members:
            if i not in self.partner:
                free.setdefault(self.profile_of[i], set()).add(i)
        left = sorted((i for i in self.members if i not in self.partner), key=self.key.__getitem__)
        for u in left:
            if u in self.partner:
                continue
            mine = self.profile_of[u]
            free[mine].discard(u)
            # Profiles whose members could take a free partner (u itself set aside).
            takers = {p for p in self.neighbours if any(free.get(q) for q in self.neighbours[p])}
            found: tuple[int, int | None, int | None] | None = None
            for q in self.neighbours[mine]:
                if free.get(q):
                    found = (min(free[q], key=self.key.__getitem__), None, None)
                    break
                for v in self.all_by_profile[q]:
                    w = self.partner.get(v)
                    if w is not None and self.profile_of[w] in takers:
                        x = min(
                            (
                                x
                                for p in self.neighbours[self.profile_of[w]]
                                for x in free.get(p, ())
                            ),
                            key=self.key.__getitem__,
                        )
                        found = (v, w, x)
                        break
                if found:
                    break
            if found is None:
                free[mine].add(u)
                continue
            taken, moved, fresh = found
            self.link(u, taken)
            free.get(self.profile_of[taken], set()).discard(taken)
            if moved is not None and fresh is not None:
                self.link(moved, fresh)
                free.get(self.profile_of[fresh], set()).discard(fresh)

    def untangle(self, rounds: int = 3) -> None:
        """Swap repeated pairs with other pairs when both new pairs are compatible and new."""
        for _ in range(rounds):
            changed = False
            repeated = sorted(
                {pair_key(a, b) for a, b in self.partner.items() if self.repeats(a, b)},
                key=lambda p: (self.key[p[0]], p),
            )
            for u, v in repeated:
                if self.partner.get(u) != v:
                    continue
                swapped = self._swap(u, v)
                changed = changed or swapped
            if not changed:
                return

    def _swap(self, u: int, v: int) -> bool:
        for q in self.neighbours[self.profile_of[u]]:
            for x in self.all_by_profile[q]:
                y = self.partner.get(x)
                if y is None or x in (u, v) or y in (u, v) or self.repeats(u, x):
                    continue
                if self.compatible_ids(v, y) and not self.repeats(v, y):
                    self.link(u, x)
                    self.link(v, y)
                    return True
        return False

    def result(self) -> Pairing:
        pairs = sorted({pair_key(a, b) for a, b in self.partner.items()})
        unpaired = tuple(
            Unpaired(
                i,
                UnpairedReason.TAKEN
                if self.degree[self.profile_of[i]]
                else UnpairedReason.NO_MATCH,
            )
            for i in sorted(self.members)
            if i not in self.partner
        )
        shared = {
            (a, b): tuple(sorted(self.members[a].languages & self.members[b].languages))
            for a, b in pairs
        }
        repeats = sum(1 for a, b in pairs if self.repeats(a, b))
        return Pairing(tuple(pairs), unpaired, repeats, shared)


def match(
    members: Iterable[Member],
    *,
    history: Mapping[tuple[int, int], int] | None = None,
    priority: Collection[int] = (),
    seed: int = 0,
    hours: WakingHours = DEFAULT_HOURS,
    min_overlap: int = DEFAULT_MIN_OVERLAP,
) -> Pairing:
    """This week's pairs. ``history`` counts how often each pair (``pair_key``) talked before;
    ``priority`` are the members who sat out last time. Raises PairingError
    ``pairs_duplicate_member`` when a member comes twice."""
    ordered = sorted(members, key=lambda m: m.id)
    for before, after in itertools.pairwise(ordered):
        if before.id == after.id:
            raise PairingError(PairingErrorCode.DUPLICATE_MEMBER, member_id=after.id)
    if not ordered:
        return Pairing(())
    matcher = _Matcher(ordered, history or {}, priority, random.Random(seed), hours, min_overlap)
    matcher.greedy()
    matcher.augment()
    matcher.untangle()
    return matcher.result()
