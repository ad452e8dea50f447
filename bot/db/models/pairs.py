"""Cross-border pairs between sessions (bot/services/pairs.py; docs in README "Cross-border pairs").

Rows that name people (opt-ins, pairs) refer to ``people`` with ON DELETE CASCADE, so /forgetme
removes them; the per-person conversation counts are not rows at all but one sealed bundle per
program (``pair_tallies``) keyed by a pseudonym, and the report reads only its frozen snapshot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, true
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


class PairSettings(Base):
    """How a program pairs: set by its program file ([pairs]); no row means the defaults."""

    __tablename__ = "pair_settings"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    interval_days: Mapped[int] = mapped_column(default=7)
    waking_hours: Mapped[str] = mapped_column(String(16), default="08:00-22:00")
    min_overlap_minutes: Mapped[int] = mapped_column(default=120)
    # The program's own questions: a list of {locale: text}; None: the shipped, translated ones.
    questions: Mapped[list[Any] | None] = mapped_column(JSON)
    next_round_at: Mapped[datetime | None]


class PairMember(Base):
    """Someone who wants a cross-border partner each week (opt-in; /pairs off deletes the row)."""

    __tablename__ = "pair_members"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True, unique=True
    )
    # The languages they can talk in (locale codes of the program); their own language at first.
    languages: Mapped[list[Any]] = mapped_column(JSON)
    opted_in_at: Mapped[datetime]
    # Left without a partner in the last round: served first in the next one.
    sat_out: Mapped[bool] = mapped_column(default=False)


class PairRound(Base):
    __tablename__ = "pair_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    seed: Mapped[int]
    formed_at: Mapped[datetime]
    # When both are asked "did you talk?" (a week after the introduction, or at the next round).
    check_at: Mapped[datetime]
    checked_at: Mapped[datetime | None]


class Pair(Base):
    """Two people of different sides introduced for a week. ``a`` has the smaller Telegram id."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("pair_rounds.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    person_a: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    person_b: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    question: Mapped[int]  # index into the program's questions
    active: Mapped[bool] = mapped_column(default=True)
    # Why it ended: a / b (pressed End or /endpair), blocked_a / blocked_b, left, next_round.
    ended: Mapped[str | None] = mapped_column(String(16))
    ended_at: Mapped[datetime | None]
    share_a: Mapped[bool] = mapped_column(default=False)
    share_b: Mapped[bool] = mapped_column(default=False)
    introduced_a: Mapped[bool] = mapped_column(default=False)
    introduced_b: Mapped[bool] = mapped_column(default=False)
    asked_a: Mapped[bool] = mapped_column(default=False)
    asked_b: Mapped[bool] = mapped_column(default=False)
    # That (not what) each answered "did you talk?": the answer itself is in the sealed tally.
    answered_a: Mapped[bool] = mapped_column(default=False)
    answered_b: Mapped[bool] = mapped_column(default=False)


class PairTally(Base):
    """Conversations per person of one program, sealed (AES-GCM under the server secret) as one
    bundle of {pseudonym: count}; ``released`` is the distribution reports show, replaced only
    once ``answers_since`` reaches k (bot/domain/pairing/tally.py)."""

    __tablename__ = "pair_tallies"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    answers_since: Mapped[int] = mapped_column(default=0)
    # {"0": people, "1": people, "2": people, "3": people (3 or more)} and the "yes" answers in it.
    released: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    released_conversations: Mapped[int] = mapped_column(default=0)
