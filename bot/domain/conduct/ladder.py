"""The escalation ladder: which sanction a participant's next offence gets.

One ladder serves manual (/warn by a moderator) and automatic (a filter hit) actions alike,
configurable per program; the default is warn, warn, mute 1 hour, mute 24 hours, remove.

What counts as a strike: every sanction recorded for the participant in the program's groups,
manual or automatic, of any kind (warn, mute, remove, ban), unless it was revoked (/unwarn, a
successful appeal). A strike is active from the moment it is issued until ``strike_expiry`` later
(default 30 days), then it no longer counts. The next offence gets the step at index "number of
active strikes"; past the end of the ladder, the last step repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.durations import (
    MAX_DURATION,
    MIN_DURATION,
    DurationError,
    format_duration,
    parse_duration,
)

DEFAULT_STRIKE_EXPIRY = timedelta(days=30)


class StepKind(StrEnum):
    """Stable codes stored in configs and the moderation log; never rename a value."""

    WARN = "warn"
    MUTE = "mute"  # needs a duration
    REMOVE = "remove"  # kicked from the group; may rejoin through an invite
    BAN = "ban"  # kept out; a duration is optional (none = until unbanned)


_DURATION_KINDS = {StepKind.MUTE: True, StepKind.BAN: False}  # kind -> duration required
_STEP_ALIASES = {"kick": StepKind.REMOVE}


@dataclass(frozen=True)
class Step:
    kind: StepKind
    duration: timedelta | None = None

    def __post_init__(self) -> None:
        required = _DURATION_KINDS.get(self.kind)
        if self.duration is None:
            valid = not required
        else:
            valid = required is not None and MIN_DURATION <= self.duration <= MAX_DURATION
        if not valid:
            raise ConductError(
                ConductErrorCode.BAD_STEP, step=f"{self.kind.value} {self.duration}", index=None
            )

    def spec(self) -> str:
        """``"mute 1h"``: the text form ``Ladder.from_spec`` reads."""
        if self.duration is None:
            return self.kind.value
        return f"{self.kind.value} {format_duration(self.duration)}"


@dataclass(frozen=True)
class Strike:
    """One sanction from the moderation log, as the ladder needs it."""

    issued_at: datetime
    revoked: bool = False


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetimes must be aware")


@dataclass(frozen=True)
class Ladder:
    steps: tuple[Step, ...]
    strike_expiry: timedelta = DEFAULT_STRIKE_EXPIRY

    def __post_init__(self) -> None:
        if not self.steps:
            raise ConductError(ConductErrorCode.EMPTY_LADDER)
        if self.strike_expiry <= timedelta(0):
            raise ConductError(ConductErrorCode.BAD_EXPIRY, expiry=self.strike_expiry)

    @classmethod
    def from_spec(cls, spec: str, strike_expiry: timedelta = DEFAULT_STRIKE_EXPIRY) -> Ladder:
        """``"warn, warn, mute 1h, mute 24h, remove"`` -> Ladder (``kick`` = ``remove``).

        Raises ConductError ``empty_ladder``, ``bad_step`` (params step, index: 0-based), or
        ``bad_expiry``; a step's bad duration raises ``bad_step`` with the DurationError as cause.
        """
        parts = [part.strip() for part in spec.split(",")]
        if parts == [""]:
            raise ConductError(ConductErrorCode.EMPTY_LADDER)
        return cls(
            tuple(_parse_step(part, index) for index, part in enumerate(parts)), strike_expiry
        )

    def spec(self) -> str:
        return ", ".join(step.spec() for step in self.steps)

    def active_strikes(self, strikes: Iterable[Strike], now: datetime) -> int:
        """Strikes that count at ``now``: not revoked, issued within (now - expiry, now]."""
        _require_aware(now)
        oldest = now - self.strike_expiry
        count = 0
        for strike in strikes:
            _require_aware(strike.issued_at)
            if not strike.revoked and oldest < strike.issued_at <= now:
                count += 1
        return count

    def step_for(self, active_strikes: int) -> Step:
        """The step for an offence committed with ``active_strikes`` strikes already counting."""
        if active_strikes < 0:
            raise ValueError("active_strikes must not be negative")
        return self.steps[min(active_strikes, len(self.steps) - 1)]

    def next_step(self, strikes: Iterable[Strike], now: datetime) -> Step:
        """The sanction a new offence at ``now`` gets, given the participant's past strikes."""
        return self.step_for(self.active_strikes(strikes, now))


def default_ladder() -> Ladder:
    return Ladder(
        steps=(
            Step(StepKind.WARN),
            Step(StepKind.WARN),
            Step(StepKind.MUTE, timedelta(hours=1)),
            Step(StepKind.MUTE, timedelta(hours=24)),
            Step(StepKind.REMOVE),
        )
    )


_STEP_SHAPE = re.compile(r"(?P<kind>[a-z]+)(?:\s+(?P<duration>\S+))?", re.IGNORECASE)


def _parse_step(text: str, index: int) -> Step:
    match = _STEP_SHAPE.fullmatch(text)
    kind_name = match["kind"].lower() if match else ""
    kind = _STEP_ALIASES.get(kind_name) or next((k for k in StepKind if k.value == kind_name), None)
    if match is None or kind is None:
        raise ConductError(ConductErrorCode.BAD_STEP, step=text, index=index)
    duration = None
    if match["duration"] is not None:
        try:
            duration = parse_duration(match["duration"])
        except DurationError as error:
            raise ConductError(ConductErrorCode.BAD_STEP, step=text, index=index) from error
    try:
        return Step(kind, duration)
    except ConductError as error:
        raise ConductError(ConductErrorCode.BAD_STEP, step=text, index=index) from error
