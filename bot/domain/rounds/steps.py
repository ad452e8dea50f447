"""The steps of one perspective round and what moves it from one to the next.

    TELLING --(teller done | time up | skip)--> RESTATING
    RESTATING --(listener restated | time up | skip)--> RATING
    RATING --(rated high | rated low on the 2nd try | no answer in time | skip)--> DONE
    RATING --(rated low on the 1st try)--> REPEAT_OFFER
    REPEAT_OFFER --(teller: once more)--> TELLING (2nd try) ; --(no | time up | skip)--> DONE
    any open step --(moderator stops)--> STOPPED

Each step has a deadline; the job queue only wakes the bot, and ``advance(state, TIMEOUT, now)``
with a deadline in the past is what moves the round on (so a restart loses nothing: the deadline is
in the database). An event that does not fit the step (a second press, an old button) raises
RoundError ``round_wrong_step`` and changes nothing.

Why a round moved is kept in ``note`` so the group can be told in plain words (time up, no
restatement came, skipped by a moderator...).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import BridgeError
from bot.domain.rounds.scale import is_low, validate_rating

TELLING, RESTATING, RATING, REPEAT_OFFER = "telling", "restating", "rating", "repeat_offer"
DONE, STOPPED = "done", "stopped"
OPEN_STEPS = (TELLING, RESTATING, RATING, REPEAT_OFFER)
MAX_ATTEMPTS = 2  # the first telling and one repeat


class RoundError(BridgeError):
    """A round cannot do what was asked (wrong step, one side only, nobody left to tell...)."""


class Event(StrEnum):
    TELLER_DONE = "teller_done"
    RESTATED = "restated"
    RATED = "rated"
    REPEAT = "repeat"
    NO_REPEAT = "no_repeat"
    TIMEOUT = "timeout"
    SKIP = "skip"
    STOP = "stop"
    GONE = "gone"  # the teller or listener left the group (or cannot be reached) mid-round


# Notes: why the round is where it is.
NOTE_TIME_UP = "time_up"
NOTE_NO_RESTATEMENT = "no_restatement"
NOTE_NO_RATING = "no_rating"
NOTE_SKIPPED = "skipped"
NOTE_STOPPED = "stopped"
NOTE_GONE = "gone"


@dataclass(frozen=True, slots=True)
class Timing:
    tell: timedelta = timedelta(minutes=3)
    restate: timedelta = timedelta(minutes=3)
    rate: timedelta = timedelta(minutes=10)
    repeat: timedelta = timedelta(minutes=5)

    def of(self, step: str) -> timedelta:
        return {TELLING: self.tell, RESTATING: self.restate, RATING: self.rate}.get(
            step, self.repeat
        )


MIN_TELL = timedelta(minutes=1)
MAX_TELL = timedelta(minutes=15)


def validate_tell(length: timedelta) -> timedelta:
    if not MIN_TELL <= length <= MAX_TELL:
        raise RoundError("round_bad_length", minimum=1, maximum=15)
    return length


@dataclass(frozen=True, slots=True)
class RoundState:
    step: str
    attempt: int
    deadline: datetime | None
    note: str | None = None
    rating: int | None = None  # the answer just given (never stored with the round)

    @property
    def open(self) -> bool:
        return self.step in OPEN_STEPS

    @property
    def told(self) -> bool:
        """The telling happened (or its time ran): the turn counts in the rotation."""
        return self.step != TELLING or self.attempt > 1


def start(now: datetime, timing: Timing) -> RoundState:
    return RoundState(TELLING, 1, now + timing.tell)


def _to(
    state: RoundState,
    step: str,
    now: datetime,
    timing: Timing,
    note: str | None,
    attempt: int | None = None,
) -> RoundState:
    deadline = now + timing.of(step) if step in OPEN_STEPS else None
    return replace(
        state,
        step=step,
        deadline=deadline,
        note=note,
        rating=None,
        attempt=state.attempt if attempt is None else attempt,
    )


def advance(
    state: RoundState,
    event: Event,
    now: datetime,
    timing: Timing,
    *,
    value: int | None = None,
) -> RoundState:
    """The state after ``event``; raises RoundError ``round_wrong_step`` if it does not apply."""
    step = state.step
    if not state.open:
        raise RoundError("round_wrong_step")
    if event is Event.STOP:
        return _to(state, STOPPED, now, timing, NOTE_STOPPED)
    if event is Event.GONE:
        return _to(state, DONE, now, timing, NOTE_GONE)
    if event is Event.TIMEOUT:
        if state.deadline is None or now < state.deadline:
            raise RoundError("round_wrong_step")
        if step == TELLING:
            return _to(state, RESTATING, now, timing, NOTE_TIME_UP)
        if step == RESTATING:
            return _to(state, RATING, now, timing, NOTE_NO_RESTATEMENT)
        if step == RATING:
            return _to(state, DONE, now, timing, NOTE_NO_RATING)
        return _to(state, DONE, now, timing, None)
    if event is Event.SKIP:
        following = {TELLING: RESTATING, RESTATING: RATING}.get(step, DONE)
        return _to(state, following, now, timing, NOTE_SKIPPED)
    if event is Event.TELLER_DONE and step == TELLING:
        return _to(state, RESTATING, now, timing, None)
    if event is Event.RESTATED and step == RESTATING:
        return _to(state, RATING, now, timing, None)
    if event is Event.RATED and step == RATING:
        rating = validate_rating(value if value is not None else -1)
        if is_low(rating) and state.attempt < MAX_ATTEMPTS:
            return replace(_to(state, REPEAT_OFFER, now, timing, None), rating=rating)
        return replace(_to(state, DONE, now, timing, None), rating=rating)
    if event is Event.REPEAT and step == REPEAT_OFFER:
        return _to(state, TELLING, now, timing, None, attempt=state.attempt + 1)
    if event is Event.NO_REPEAT and step == REPEAT_OFFER:
        return _to(state, DONE, now, timing, None)
    raise RoundError("round_wrong_step")
