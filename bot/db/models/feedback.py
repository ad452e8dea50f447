"""Surveys and anonymous feedback.

A response row has no person and no precise time (a day), and a random id; whether someone answered
is a separate HMAC receipt with no link to the response. See DESIGN.md, "Privacy of feedback".

A submitted answer first waits, sealed, in ``pending_answers`` (one encrypted bundle per survey
instance, no time, no person) and is written to ``responses`` / ``answers`` only in shuffled
batches, each rewriting the instance's rows in a fresh random order (bot/services/feedback_store.py,
docs/PRIVACY.md).

On SQLite the tables that hold answers are WITHOUT ROWID: an ordinary SQLite table keeps a
hidden, increasing rowid, which would record the order (and so, with the invitation times, who)
of the answers. Stored by their random keys instead, they carry no order. PostgreSQL has no such
column; its physical order and transaction ids are erased by ``feedback.erase_order`` (jobs).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base

NO_ROWID = {"sqlite_with_rowid": False}


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("program_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # post_session, pre_program, post_program
    created_at: Mapped[datetime]
    # Bumped when organizers replace the items; an instance keeps the version it opened with, so
    # answers already given keep their items and a replacement never rewrites them.
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class SurveyItem(Base):
    __tablename__ = "survey_items"
    __table_args__ = (UniqueConstraint("survey_id", "version", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # likert5, thermometer, text
    construct: Mapped[str | None] = mapped_column(String(40))
    optional: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class SurveyItemText(Base):
    """An organizer's wording of an item in one language. Shipped items have none: their text is
    a gettext message, translated in every shipped language."""

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
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="SET NULL")
    )
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    invited: Mapped[int] = mapped_column(default=0)
    survey_version: Mapped[int] = mapped_column(default=1, server_default="1")


class SurveyInvitation(Base):
    """That a person was invited (needed to send and remind); it says nothing about answering.

    ``reminded_at`` marks that the reminder step was processed for this invitation, for everyone
    alike (answered or not), so it cannot tell who had answered by then.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("instance_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("survey_instances.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class Receipt(Base):
    """HMAC(secret, person, instance): "this person answered", unlinkable without the secret."""

    __tablename__ = "receipts"
    __table_args__ = NO_ROWID

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("survey_instances.id", ondelete="CASCADE"), index=True
    )


class PendingAnswers(Base):
    """The answers of one survey instance not yet written as responses: one sealed bundle
    (AES-GCM under a key derived from the server secret), in random order, rewritten whole on
    each answer. No time, no person, no per-answer row whose position could date it."""

    __tablename__ = "pending_answers"
    __table_args__ = NO_ROWID

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("survey_instances.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = NO_ROWID

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, carries no order
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("survey_instances.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True
    )
    side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(String(20))
    day: Mapped[date]
    # What was coarsened so that no stored combination matches fewer than k invitees: "" none,
    # else "+"-joined of role, side (dropped), week (day widened to its week), day (dropped).
    coarsened: Mapped[str] = mapped_column(String(40), default="", server_default=text("''"))


class Answer(Base):
    """One item's answer. Keyed by (response, item) and no serial id, which would record order."""

    __tablename__ = "answers"
    __table_args__ = NO_ROWID

    response_id: Mapped[str] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("survey_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)


class FeedbackSettings(Base):
    """A program's feedback settings beyond ``Program.anonymity_k`` (the k of ratings)."""

    __tablename__ = "feedback_settings"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    k_comments: Mapped[int] = mapped_column(default=10)
    reminder_after_minutes: Mapped[int] = mapped_column(default=48 * 60)
    expiry_days: Mapped[int] = mapped_column(default=7)


class ReleasedFigures(Base):
    """The last released figures of a growing program survey (pre / post), per construct.

    A program survey stays open for the whole program, so its report cannot wait for it to close.
    Its figures are released in steps instead: reports show this snapshot, replaced only when at
    least k answers have arrived since (``responses`` is the count it was taken at). Two
    reports therefore differ by k answers or more, never by one. See docs/PRIVACY-reports.md.
    """

    __tablename__ = "released_figures"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("survey_instances.id", ondelete="CASCADE"), primary_key=True
    )
    construct: Mapped[str] = mapped_column(String(40), primary_key=True)
    responses: Mapped[int]
    n: Mapped[int]
    total: Mapped[float]
    total_sq: Mapped[float]


class RespondentTally(Base):
    """How many responses an instance has per stored attribute combination.

    Kept beside the responses so that a report reads a few rows per survey instead of grouping
    every answer of a program (a cold program report over 100,000 responses grouped 400,000 rows).
    Rewritten whole, with fresh random keys, in the same transaction as the instance's responses
    (bot/services/feedback_tallies.py), so it holds nothing the responses do not and no order.
    """

    __tablename__ = "respondent_tallies"
    __table_args__ = NO_ROWID

    # Keyed by instance first, so that an instance's rows lie together (a report reads them as
    # ranges); the random id orders them within it by nothing.
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("survey_instances.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(String(20))
    coarsened: Mapped[str] = mapped_column(String(40), default="", server_default=text("''"))
    n: Mapped[int]


class AnswerTally(Base):
    """How many answers an instance has per item, attribute combination and value (value NULL:
    comments, counted, never their text). Maintained with RespondentTally."""

    __tablename__ = "answer_tallies"
    __table_args__ = NO_ROWID

    # Keyed by instance first, so that an instance's rows lie together (a report reads them as
    # ranges); the random id orders them within it by nothing.
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("survey_instances.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id", ondelete="CASCADE"))
    side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))
    role: Mapped[str | None] = mapped_column(String(20))
    coarsened: Mapped[str] = mapped_column(String(40), default="", server_default=text("''"))
    value: Mapped[int | None]
    n: Mapped[int]
