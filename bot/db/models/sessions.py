"""Sessions: scheduling, agenda, deliveries (exactly-once sends), participation and find-a-time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base


class SessionSeries(Base):
    """A recurrence as the creator defined it (wall-clock time in their zone)."""

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dialogue_groups.id", ondelete="CASCADE"))
    zone: Mapped[str] = mapped_column(String(64))
    freq_weeks: Mapped[int] = mapped_column(default=1)
    count: Mapped[int | None]
    until_local_date: Mapped[date | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class DialogueSession(Base):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="CASCADE"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    zone: Mapped[str] = mapped_column(String(64))  # the creator's zone, for display and recurrence
    # scheduled -> open -> closed; or cancelled.
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, bumped on every change
    agenda_position: Mapped[int | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # When the start was last set (creation or reschedule): reminders due before then are not owed.
    planned_at: Mapped[datetime | None]
    # Reminder offsets in minutes before the start; None means the defaults (24 h and 1 h).
    reminder_minutes: Mapped[list[Any] | None] = mapped_column(JSON)

    agenda: Mapped[list[AgendaItem]] = relationship(
        order_by="AgendaItem.position", cascade="all, delete-orphan"
    )


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    # "talk", or "round": a perspective round starts when the item is reached.
    kind: Mapped[str] = mapped_column(String(20), default="talk", server_default="talk")


class Delivery(Base):
    """One message the bot owes someone (a reminder, a nudge, an invitation), keyed so it is sent at
    most once across restarts, retries and a second process: the key is claimed before sending.

    The message itself (``chat_id``, ``payload``) is kept until the delivery is done, so the sweep
    in bot/jobs/notifier.py can retry it after a crash without its owner. Statuses and the rule
    for attempts whose outcome is unknown: bot/domain/delivery.py. Marker rows (a wave is done, an
    event was emitted) have no payload."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    # claimed <-> pending -> sent | failed | skipped
    status: Mapped[str] = mapped_column(String(20), index=True)
    claimed_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(40))  # bot.domain.delivery.Reason
    chat_id: Mapped[int | None]
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"text", "reply_markup"}
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    stale_at: Mapped[datetime | None]


class SessionParticipation(Base):
    """Counts only, never content: how much a person said in one session."""

    __tablename__ = "session_participation"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    messages: Mapped[int] = mapped_column(default=0)
    words: Mapped[int] = mapped_column(default=0)
    reactions: Mapped[int] = mapped_column(default=0)


class SessionSideStats(Base):
    """Per-session, per-side numbers kept for reports after the per-person counts may be erased."""

    __tablename__ = "session_side_stats"
    __table_args__ = (UniqueConstraint("session_id", "side_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    side_id: Mapped[int] = mapped_column(ForeignKey("sides.id", ondelete="CASCADE"))
    members: Mapped[int] = mapped_column(default=0)
    # Present: in the chat during the session (spoke or not). Spoke: wrote at least one message.
    # Rows from before 0005h2 counted posting or reacting as present; the migration copied it.
    present: Mapped[int] = mapped_column(default=0)
    spoke: Mapped[int] = mapped_column(default=0, server_default="0")
    messages: Mapped[int] = mapped_column(default=0)
    words: Mapped[int] = mapped_column(default=0)


class RaisedHand(Base):
    __tablename__ = "raised_hands"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    raised_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class FindTimePoll(Base):
    __tablename__ = "findtime_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int]
    slots: Mapped[list[Any]] = mapped_column(JSON)  # ISO UTC start times, in offered order
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    chosen_slot: Mapped[int | None]
    inconvenienced_sides: Mapped[list[Any] | None] = mapped_column(JSON)


class FindTimeDecline(Base):
    """A member's "None of these": an answer in its own right (they answered, no time works), kept
    apart from slot choices so that results count it and tell it from silence."""

    __tablename__ = "findtime_declines"
    __table_args__ = (UniqueConstraint("poll_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("findtime_polls.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[datetime]


class FindTimeAnswer(Base):
    __tablename__ = "findtime_answers"
    __table_args__ = (UniqueConstraint("poll_id", "person_id", "slot_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("findtime_polls.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    slot_index: Mapped[int]
