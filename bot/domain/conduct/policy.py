"""What the filters do about a participant message: who is exempt, which broken rule counts, and
bursts (one sanction per flood, none for a raid, one summary for the moderators per burst).

``check_message`` says which rules a message breaks; this module turns that into one verdict per
message, with the per-chat memory that needs (in memory like the flood counters: a restart
forgetting the last seconds of a burst is harmless). Pure: ``now`` is passed in.

- Staff (the group's moderators, the program's organizers, chat administrators, bot admins) are
  exempt: their messages are not checked and do not count towards flood or raid limits.
- When a message breaks several rules, the one a person is most responsible for counts:
  blocked term, link, forward, flood, raid (``PRIORITY``).
- A flood is one offence per burst: the first message over the limit is sanctioned, later ones
  of the same burst are only removed. A burst lasts while removals follow each other within the
  limit's window.
- A raid (the whole group over its limit) is nobody's offence: messages are removed, the group is
  told at the start of the burst (at most once a minute).
- Every flood or raid burst is summarised once, after it ended (a window without removals):
  ``finished_bursts`` hands each one over exactly once, for the moderators' private notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.conduct.flood import FloodState
from bot.domain.conduct.rules import CompiledRules, check_message
from bot.domain.conduct.violation import Rule, Violation

PRIORITY: tuple[Rule, ...] = (Rule.BLOCKED_TERM, Rule.LINK, Rule.FORWARD, Rule.FLOOD, Rule.RAID)
RAID_NOTICE_EVERY = timedelta(minutes=1)


class Action(StrEnum):
    ALLOW = "allow"  # nothing to do
    REMOVE = "remove"  # delete the message, sanction nobody (raid, or a flood already sanctioned)
    SANCTION = "sanction"  # delete the message and apply the next step of the sender's ladder


@dataclass(frozen=True)
class Verdict:
    action: Action
    violation: Violation | None = None
    tell_group: bool = False  # a raid starts: the group hears why messages disappear


@dataclass
class Burst:
    """Removals of one flood (one sender) or one raid (the whole group), for the summary."""

    rule: Rule
    started: datetime
    last: datetime
    window: timedelta
    removed: dict[int, int] = field(default_factory=dict)  # sender id -> messages removed
    names: dict[int, str] = field(default_factory=dict)  # sender id -> name when removed
    sanctioned: int | None = None  # the sender sanctioned for it (a flood's first message)

    @property
    def count(self) -> int:
        return sum(self.removed.values())

    def add(self, sender_id: int, name: str, now: datetime) -> None:
        self.removed[sender_id] = self.removed.get(sender_id, 0) + 1
        self.names[sender_id] = name
        self.last = max(self.last, now)

    def ended(self, now: datetime) -> bool:
        return now - self.last > self.window


def pick(violations: Iterable[Violation]) -> Violation | None:
    """The violation that counts (see PRIORITY), or None."""
    return min(violations, key=lambda v: PRIORITY.index(v.rule), default=None)


class ConductPolicy:
    """One chat's filter memory: flood counters, open bursts, the last raid notice."""

    def __init__(self) -> None:
        self.flood = FloodState()
        self._floods: dict[int, Burst] = {}  # per sender
        self._raid: Burst | None = None
        self._finished: list[Burst] = []
        self._last_raid_notice: datetime | None = None

    def review(
        self,
        compiled: CompiledRules,
        text: str,
        *,
        sender_id: int,
        sender_name: str,
        exempt: bool,
        now: datetime,
        is_forward: bool = False,
        is_edit: bool = False,
        extra_urls: Iterable[str] = (),
    ) -> Verdict:
        """The verdict on one participant message (``check_message`` arguments, plus who sent
        it and whether they are staff)."""
        if exempt:
            return Verdict(Action.ALLOW)
        violation = pick(
            check_message(
                compiled,
                text,
                sender_id=sender_id,
                now=now,
                flood_state=self.flood,
                is_forward=is_forward,
                is_edit=is_edit,
                extra_urls=extra_urls,
            )
        )
        if violation is None:
            return Verdict(Action.ALLOW)
        rules = compiled.rules
        if violation.rule == Rule.RAID:
            tell = self._last_raid_notice is None or now - self._last_raid_notice > (
                RAID_NOTICE_EVERY
            )
            if tell:
                self._last_raid_notice = now
            self._raid = self._continue(self._raid, Rule.RAID, rules.group_limit.window, now)
            self._raid.add(sender_id, sender_name, now)
            return Verdict(Action.REMOVE, violation, tell_group=tell)
        if violation.rule == Rule.FLOOD:
            burst = self._floods.get(sender_id)
            if burst is not None and not burst.ended(now):
                burst.add(sender_id, sender_name, now)
                return Verdict(Action.REMOVE, violation)
            burst = self._continue(burst, Rule.FLOOD, rules.person_limit.window, now)
            burst.sanctioned = sender_id
            burst.add(sender_id, sender_name, now)
            self._floods[sender_id] = burst
            return Verdict(Action.SANCTION, violation)
        return Verdict(Action.SANCTION, violation)

    def _continue(self, burst: Burst | None, rule: Rule, window: timedelta, now: datetime) -> Burst:
        """The open burst, or a new one (an ended one goes to the finished list first)."""
        if burst is not None and not burst.ended(now):
            return burst
        if burst is not None:
            self._finished.append(burst)
        return Burst(rule=rule, started=now, last=now, window=window)

    def finished_bursts(self, now: datetime) -> list[Burst]:
        """Every burst that ended by ``now`` and was not handed over yet, oldest first."""
        done, self._finished = self._finished, []
        if self._raid is not None and self._raid.ended(now):
            done.append(self._raid)
            self._raid = None
        for sender_id, burst in list(self._floods.items()):
            if burst.ended(now):
                done.append(burst)
                del self._floods[sender_id]
        return sorted(done, key=lambda burst: burst.started)
