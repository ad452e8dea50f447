"""The suggested first question of each pair: from the program's list, one the two have not had."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

MAX_QUESTION = 300


def pick_question(
    count: int, asked_before: Collection[int], *, seed: int, pair: tuple[int, int]
) -> int:
    """Index into a list of ``count`` questions: one neither member was given before when there is
    one, chosen by (seed, pair) so the same week gives the same question again."""
    if count <= 0:
        raise ValueError("no questions")
    fresh: Sequence[int] = [i for i in range(count) if i not in asked_before] or range(count)
    return random.Random(f"{seed}:{pair[0]}:{pair[1]}").choice(list(fresh))
