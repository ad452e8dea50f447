"""Conversations per person, for the evaluation, without a person in the figures.

Every "did you talk?" answer adds to its person's count (0 for "no"); the counts live sealed in one
bundle per program under a pseudonym, never in a row of their own (bot/services/pairs.py). What the
evaluation shows is the distribution of those counts (how many people had 0, 1, 2, 3 or more
conversations), frozen as a snapshot that is replaced only once at least ``k`` answers have come
in since the last one, so two reports differ by ``k`` answers or more, never by one. Each shown
distribution is suppressed as one breakdown (bins under k hidden with their complements).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.domain.anonymity import suppress_breakdown

TALLY_DOMAIN = b"bridgebot/pair-tally/v1"
TOP_BIN = 3  # "3 or more"
BINS: tuple[int, ...] = tuple(range(TOP_BIN + 1))


def pseudonym(secret: bytes, program_id: int, person_id: int) -> str:
    """The key of a person's count inside the sealed bundle: an HMAC only the secret can recompute."""
    message = b"\x00".join(
        (TALLY_DOMAIN, str(int(program_id)).encode(), str(int(person_id)).encode())
    )
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def tally_key(secret: bytes) -> bytes:
    return hmac.new(secret, TALLY_DOMAIN, hashlib.sha256).digest()


def histogram(counts: Iterable[int]) -> dict[int, int]:
    """People per bin: 0, 1, 2 and TOP_BIN meaning 'TOP_BIN or more'."""
    bins = dict.fromkeys(BINS, 0)
    for count in counts:
        bins[min(max(int(count), 0), TOP_BIN)] += 1
    return bins


def due_for_release(answers_since: int, k: int) -> bool:
    """A new snapshot only once at least k answers came in since the last one."""
    return answers_since >= k


@dataclass(frozen=True)
class Distribution:
    """What a report shows: people counted, conversations, and each bin or None when hidden."""

    people: int | None
    conversations: int | None
    bins: Mapping[int, int | None]
    k: int = 5

    @property
    def shown(self) -> bool:
        return self.people is not None


def distribution(snapshot: Mapping[int, int] | None, conversations: int, k: int) -> Distribution:
    """The released snapshot as a report shows it. Fewer than k people: nothing at all."""
    if not snapshot:
        return Distribution(None, None, dict.fromkeys(BINS), k)
    bins = {b: int(snapshot.get(b, 0)) for b in BINS}
    people = sum(bins.values())
    if people < k:
        return Distribution(None, None, dict.fromkeys(BINS), k)
    hidden = suppress_breakdown(bins, k)
    return Distribution(
        people=None if hidden.total_hidden else people,
        conversations=conversations,
        bins={b: (None if b in hidden.hidden else n) for b, n in bins.items()},
        k=k,
    )
