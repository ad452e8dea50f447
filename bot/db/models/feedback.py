"""Surveys and anonymous feedback.

A response row has no person and no precise time (a day), and a random id; whether someone answered
is a separate HMAC receipt with no link to the response. See DESIGN.md, "Privacy of feedback".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("program_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # post_session, pre_program, post_program
    created_at: Mapped[datetime]


class SurveyItem(Base):
    __tablename__ = "survey_items"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # likert5, thermometer, text
    construct: Mapped[str | None] = mapped_column(String(40))
    optional: Mapped[bool] = mapped_column(default=False)


class SurveyItemText(Base):
    __tablename__ = "survey_item_texts"
    __table_args__ = (UniqueConstraint("item_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class SurveyInstance(Base):
    """One occasion to answer a survey: after one session, or once per program (pre / post)."""

    __tablename__ = "survey_instances"
    __table_args__ = (UniqueConstraint("survey_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue_groups.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    invited: Mapped[int] = mapped_column(default=0)


class SurveyInvitation(Base):
    """That a person was invited (needed to send and remind); it says nothing about answering."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("instance_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("survey_instances.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]


class Receipt(Base):
    """HMAC(secret, person, instance): "this person answered", unlinkable without the secret."""

    __tablename__ = "receipts"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("survey_instances.id", ondelete="CASCADE"))


class Response(Base):
    __tablename__ = "responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, carries no order
    instance_id: Mapped[int] = mapped_column(ForeignKey("survey_instances.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue_groups.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(String(20))
    day: Mapped[date]


class Answer(Base):
    """One item's answer. Keyed by (response, item) and no serial id, which would record order."""

    __tablename__ = "answers"

    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("survey_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
