"""Perspective rounds: one member of a side tells, one member of another side restates in their own
words, and the teller says privately how well they felt understood.

Pure logic (no telegram, no sqlalchemy): who tells and who listens (``pairing``), the steps of a
round and what moves them on (``steps``), and the Feeling-Heard scale (``scale``). The service
(bot/features/rounds/service.py) keeps the state in the database; the Telegram part
(bot/features/rounds/) shows each step in the group's languages and asks the teller in private.
"""

from bot.domain.rounds.pairing import (
    Member,
    Pair,
    Turn,
    choose_listener,
    choose_pair,
    choose_teller,
)
from bot.domain.rounds.scale import HEARD_SCALE, LOW, is_low, validate_rating
from bot.domain.rounds.steps import (
    DONE,
    RATING,
    REPEAT_OFFER,
    RESTATING,
    STOPPED,
    TELLING,
    Event,
    RoundError,
    RoundState,
    Timing,
    advance,
    start,
)

__all__ = [
    "DONE",
    "HEARD_SCALE",
    "LOW",
    "RATING",
    "REPEAT_OFFER",
    "RESTATING",
    "STOPPED",
    "TELLING",
    "Event",
    "Member",
    "Pair",
    "RoundError",
    "RoundState",
    "Timing",
    "Turn",
    "advance",
    "choose_listener",
    "choose_pair",
    "choose_teller",
    "is_low",
    "start",
    "validate_rating",
]
