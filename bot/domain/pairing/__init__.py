"""Cross-border pairs between sessions: matching, waking hours, questions, the anonymous tally.

Pure domain code: no telegram, no sqlalchemy; times and seeds are passed in.
"""

from bot.domain.pairing.errors import PairingError, PairingErrorCode
from bot.domain.pairing.hours import (
    DEFAULT_HOURS,
    DEFAULT_MIN_OVERLAP,
    WakingHours,
    overlap_minutes,
    parse_waking_hours,
    utc_offset_minutes,
)
from bot.domain.pairing.matching import (
    Member,
    Pairing,
    Unpaired,
    UnpairedReason,
    compatible,
    match,
    pair_key,
)
from bot.domain.pairing.questions import MAX_QUESTION, pick_question
from bot.domain.pairing.tally import (
    BINS,
    TOP_BIN,
    Distribution,
    distribution,
    due_for_release,
    histogram,
    pseudonym,
    tally_key,
)

__all__ = [
    "BINS",
    "DEFAULT_HOURS",
    "DEFAULT_MIN_OVERLAP",
    "MAX_QUESTION",
    "TOP_BIN",
    "Distribution",
    "Member",
    "Pairing",
    "PairingError",
    "PairingErrorCode",
    "Unpaired",
    "UnpairedReason",
    "WakingHours",
    "compatible",
    "distribution",
    "due_for_release",
    "histogram",
    "match",
    "overlap_minutes",
    "pair_key",
    "parse_waking_hours",
    "pick_question",
    "pseudonym",
    "tally_key",
    "utc_offset_minutes",
]
