from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base


class Program(Base):
    """A dialogue program (e.g. a spring exchange) with its sides, languages and code of conduct."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    default_locale: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    anonymity_k: Mapped[int] = mapped_column(default=5)
    # Whether a participant's group invitation names the other members (default: only their sides).
    show_member_names: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    # Reminder offsets in minutes before a session's start, longest first, for every session of the
    # program without its own (sessions.reminder_minutes); None means the defaults (24 h and 1 h).
    reminder_minutes: Mapped[list[Any] | None] = mapped_column(JSON)
    # Fairness and published goals (bot/domain/fairness, bot/domain/criteria): ``alert_ratio``
    # (sanctions per message between sides beyond which organizers are told) and ``goals``
    # (a list of {"kind": ..., "target": ...}); None means the defaults and no goals.
    fairness: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    sides: Mapped[list[Side]] = relationship(
        back_populates="program", order_by="Side.position", cascade="all, delete-orphan"
    )
    languages: Mapped[list[ProgramLanguage]] = relationship(
        order_by="ProgramLanguage.position", cascade="all, delete-orphan"
    )
    conduct_texts: Mapped[list[ConductText]] = relationship(cascade="all, delete-orphan")


class ProgramLanguage(Base):
    __tablename__ = "program_languages"
    __table_args__ = (UniqueConstraint("program_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]


class Side(Base):
    """One side of the program (a country or community); participants enrol on exactly one."""

    __tablename__ = "sides"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]

    program: Mapped[Program] = relationship(back_populates="sides")


class ConductText(Base):
    """The code of conduct in one language; a program has one per language it runs in."""

    __tablename__ = "conduct_texts"
    __table_args__ = (UniqueConstraint("program_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class OrganizerGrant(Base):
    __tablename__ = "organizer_grants"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
