"""When waiting answers are written, and which: batches no smaller than k, chosen at random.

Every answer written leaves the sealed waiting bundle in a batch; an attacker who knows who pressed
"send" when can narrow an answer down to the people who answered while it waited, no further. So:

* while the instance is open, nothing is written until 2k answers wait; then all but k of them,
  drawn at random, are written. The k kept back are a random subset, so the next batch mixes them
  with newer answers, and the last batch (written when the survey closes) also holds at least k,
  whenever at least k people answered at all;
* when the instance closes (its end, every invitation expired, or everyone invited answered),
  everything waiting is written.

Each write rewrites all of the instance's rows in one fresh random order (bot/services/
feedback_store.py), so neither the batches nor the order inside them survive in the files.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_system = random.SystemRandom()


def split_batch(
    waiting: Sequence[T], k: int, *, closing: bool, rng: random.Random = _system
) -> tuple[list[T], list[T]]:
    """(to write now, to keep waiting), both in random order."""
    shuffled = list(waiting)
    rng.shuffle(shuffled)
    if closing:
        return shuffled, []
    if len(shuffled) < 2 * k:
        return [], shuffled
    return shuffled[k:], shuffled[:k]
