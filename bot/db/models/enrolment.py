from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base
from bot.db.models.programs import Program, Side


class Invite(Base):
    """An invite link for one side (and optionally one role) of a program."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    side_id: Mapped[int] = mapped_column(ForeignKey("sides.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship()
    side: Mapped[Side] = relationship()


class Enrolment(Base):
    """A participant's place in a program: one side, one role, after accepting the code of conduct."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    side_id: Mapped[int] = mapped_column(ForeignKey("sides.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(20))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    accepted_conduct_at: Mapped[datetime]
    enrolled_at: Mapped[datetime]

    program: Mapped[Program] = relationship()
    side: Mapped[Side] = relationship()


class EnrolmentDraft(Base):
    """An enrolment in progress. Kept in the database so a restart never loses a half-done enrolment
    and a failure mid-conversation leaves nothing half-written in ``enrolments``."""

    __tablename__ = "enrolment_drafts"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    invite_id: Mapped[int] = mapped_column(ForeignKey("invites.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(20))
    role: Mapped[str | None] = mapped_column(String(20))
    # Bumped on every step so a button from an earlier step is recognisably stale.
    nonce: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]

    invite: Mapped[Invite] = relationship()
