"""Conduct rules, the moderation (audit) log, reports and appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


class RuleSet(Base):
    """A program's rule set (group_id NULL) or one group's overrides of it (only the keys it sets).

    ``settings`` keys: filters_enabled, flood_messages, flood_seconds, raid_messages, raid_seconds,
    link_policy (allow|deny|allowlist), allowed_domains, forwards_allowed, ladder, warning_expiry_days.
    """

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("program_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="CASCADE")
    )
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class BlockedTerm(Base):
    """A program's own blocked term, on top of the shipped starter list for its language."""

    __tablename__ = "blocked_terms"
    __table_args__ = (UniqueConstraint("program_id", "locale", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    term: Mapped[str] = mapped_column(String(200))
    stem: Mapped[bool] = mapped_column(default=False)


class ModerationAction(Base):
    """One row of the audit log: every sanction, report, appeal and settings change."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="CASCADE"), index=True
    )
    # SET NULL: /forgetme removes the person, the log keeps that a sanction happened.
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_rule: Mapped[str | None] = mapped_column(
        String(40)
    )  # set when a filter acted, not a person
    action: Mapped[str] = mapped_column(String(30))
    # What the bot gave as the reason, in no language (bot.domain.conduct.reasons.ReasonCode);
    # rendered in each reader's language. ``reason`` is what a person typed, as typed (settings
    # rows: the ``key=value`` changed, the same in every language).
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(500))
    rule: Mapped[str | None] = mapped_column(String(200))
    duration_seconds: Mapped[int | None]
    until: Mapped[datetime | None]
    # Counts toward the escalation ladder until it expires or is undone.
    strike: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    message_id: Mapped[int | None]
    failure: Mapped[str | None] = mapped_column(String(200))
    appeal_outcome: Mapped[str | None] = mapped_column(String(20))
    # The sides of the sanctioned person and of the acting moderator when the row was written, so
    # fairness figures stay as they were when a person is erased or their enrolment goes
    # (bot/domain/fairness); NULL: no side (staff, an automatic filter, not enrolled).
    target_side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))
    actor_side_id: Mapped[int | None] = mapped_column(ForeignKey("sides.id", ondelete="SET NULL"))


class Report(Base):
    """A participant's report of one message; repeated reports of it are merged into this row."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dialogue_groups.id", ondelete="CASCADE"))
    chat_id: Mapped[int]
    message_id: Mapped[int]
    reported_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    reporters: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    # The reported person's side when the report was filed (fairness figures; see above).
    reported_side_id: Mapped[int | None] = mapped_column(
        ForeignKey("sides.id", ondelete="SET NULL")
    )


class ReportReporter(Base):
    __tablename__ = "report_reporters"
    __table_args__ = (UniqueConstraint("report_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    reported_at: Mapped[datetime]


class ReportNotice(Base):
    """The DM a moderator got about a report, so it can be edited to say who handled it."""

    __tablename__ = "report_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    message_id: Mapped[int]


class Appeal(Base):
    __tablename__ = "appeals"
    __table_args__ = (UniqueConstraint("action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_actions.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, accepted, rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))


class Excerpt(Base):
    """Words a person wrote that the moderation records keep: the sanctioned or reported message,
    or the text of their appeal. Owned by the person (CASCADE), so /forgetme removes them while
    the log rows they belong to stay (without the words)."""

    __tablename__ = "moderation_excerpts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_actions.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    appeal_id: Mapped[int | None] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)


class AppealNotice(Base):
    """The DM a reviewer got about an appeal, so it can be edited once someone has decided."""

    __tablename__ = "appeal_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    message_id: Mapped[int]


class FairnessAlert(Base):
    """An organizer alert about sanctions per message differing between sides: one per period."""

    __tablename__ = "fairness_alerts"
    __table_args__ = (UniqueConstraint("program_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))  # e.g. 2026-03 (the program's month)
    sent_at: Mapped[datetime]
