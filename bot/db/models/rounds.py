"""Perspective rounds: the program's prompts (one text per language) and each round's state.

A round row says who was asked to tell and to listen (the group saw it) and where the round is;
it never says how the teller felt understood: that answer goes to the anonymous feedback store
(a ``round`` survey of the program, one instance per session), like every other answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


class RoundPrompt(Base):
    """Prompt ``position`` of a program in one language."""

    __tablename__ = "round_prompts"
    __table_args__ = (UniqueConstraint("program_id", "position", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    position: Mapped[int]
    locale: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class PerspectiveRound(Base):
    __tablename__ = "perspective_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    # Started by an agenda item of the session (so it starts once), or None (/round).
    agenda_position: Mapped[int | None]
    teller_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    listener_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    teller_side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))
    listener_side_id: Mapped[int | None] = mapped_column(
        ForeignKey("sides.id", ondelete="SET NULL")
    )
    prompt_position: Mapped[int]
    # telling, restating, rating, repeat_offer, done, stopped (bot/domain/rounds/steps.py)
    step: Mapped[str] = mapped_column(String(20), index=True)
    attempt: Mapped[int] = mapped_column(default=1)
    deadline: Mapped[datetime | None] = mapped_column(index=True)
    note: Mapped[str | None] = mapped_column(String(20))
    told: Mapped[bool] = mapped_column(default=False)  # counts in the rotation
    tell_seconds: Mapped[int]
    # How many messages the round has sent (each one's delivery key is round:<id>:<n>).
    posts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]


class RoundPass(Base):
    """Someone chosen for this round passed (or left); they are not chosen again in it."""

    __tablename__ = "round_passes"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("perspective_rounds.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
