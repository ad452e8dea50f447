"""Who tells and who listens, so that over a program every member tells and listens, the sides take
turns, and no pair meets twice while another pair is possible.

``history`` is every earlier turn of the program that got as far as the telling (oldest first).
Choices are deterministic given the history (ties fall to whoever told or listened longest ago,
then to the member listed first), so a round can be replayed and tested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.domain.errors import BridgeError


@dataclass(frozen=True, slots=True)
class Member:
    person_id: int
    side_id: int


@dataclass(frozen=True, slots=True)
class Turn:
    teller_id: int
    listener_id: int
    teller_side: int
    listener_side: int


@dataclass(frozen=True, slots=True)
class Pair:
    teller: Member
    listener: Member


def _last_seen(history: Sequence[Turn], attribute: str) -> dict[int, int]:
    """person -> index of the last turn in which they had that role (-1: never)."""
    seen: dict[int, int] = {}
    for index, turn in enumerate(history):
        seen[getattr(turn, attribute)] = index
    return seen


def _sides(members: Sequence[Member]) -> list[int]:
    order: list[int] = []
    for member in members:
        if member.side_id not in order:
            order.append(member.side_id)
    return order


def choose_teller(
    members: Sequence[Member],
    history: Sequence[Turn],
    exclude: Collection[int] = (),
    *,
    side: int | None = None,
) -> Member:
    """The next teller: from the side that told least (relative to its size; on a tie the side that
    did not tell last), the member of it who told least, then longest ago.

    Raises ``round_one_side`` when fewer than two sides are present, ``round_no_teller`` when
    everyone who could tell has passed. ``side``: someone of that side if anyone can (who takes
    the turn of a teller who passed)."""
    present = [m for m in members if m.person_id not in exclude]
    if len(_sides(members)) < 2:
        raise BridgeError("round_one_side")
    tells = Counter(t.teller_id for t in history)
    side_tells = Counter(t.teller_side for t in history)
    size = Counter(m.side_id for m in members)
    last_side = history[-1].teller_side if history else None
    told_last = _last_seen(history, "teller_id")
    listened_last = _last_seen(history, "listener_id")
    order = {m.person_id: i for i, m in enumerate(members)}
    # A teller needs a listener on another side who has not passed.
    sides_with_listeners = {m.side_id for m in present}
    candidates = [m for m in present if any(s != m.side_id for s in sides_with_listeners)]
    if not candidates:
        raise BridgeError("round_no_teller")
    if side is not None:
        candidates = [m for m in candidates if m.side_id == side] or candidates

    def key(m: Member) -> tuple[float | int | bool, ...]:
        return (
            side_tells[m.side_id] / size[m.side_id],
            m.side_id == last_side,
            tells[m.person_id],
            told_last.get(m.person_id, -1),
            # Who just listened tells a little later, so the same two do not simply swap.
            listened_last.get(m.person_id, -1) == len(history) - 1 and bool(history),
            order[m.person_id],
        )

    return min(candidates, key=key)


def choose_listener(
    members: Sequence[Member],
    history: Sequence[Turn],
    teller: Member,
    exclude: Collection[int] = (),
) -> Member:
    """The listener for ``teller``: a member of another side who listened least, then one who has
    not met this teller yet (either way round), from the side that listened least, then whoever
    listened longest ago."""
    candidates = [
        m
        for m in members
        if m.side_id != teller.side_id
        and m.person_id not in exclude
        and m.person_id != teller.person_id
    ]
    if not candidates:
        raise BridgeError("round_no_listener")
    listens = Counter(t.listener_id for t in history)
    side_listens = Counter(t.listener_side for t in history)
    size = Counter(m.side_id for m in members)
    met = {(t.teller_id, t.listener_id) for t in history} | {
        (t.listener_id, t.teller_id) for t in history
    }
    listened_last = _last_seen(history, "listener_id")
    order = {m.person_id: i for i, m in enumerate(members)}

    def key(m: Member) -> tuple[float | int | bool, ...]:
        return (
            listens[m.person_id],
            (teller.person_id, m.person_id) in met,
            side_listens[m.side_id] / size[m.side_id],
            listened_last.get(m.person_id, -1),
            order[m.person_id],
        )

    return min(candidates, key=key)


def choose_pair(
    members: Sequence[Member], history: Sequence[Turn], exclude: Collection[int] = ()
) -> Pair:
    teller = choose_teller(members, history, exclude)
    return Pair(teller, choose_listener(members, history, teller, exclude))
