"""Dialogue groups: each bound to one Telegram group chat, with members and moderators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base


class DialogueGroup(Base):
    __tablename__ = "dialogue_groups"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # The code an organizer types as /link CODE in the Telegram group to bind it (random, single use).
    link_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    chat_id: Mapped[int | None] = mapped_column(unique=True)
    chat_title: Mapped[str | None] = mapped_column(String(255))
    bound_at: Mapped[datetime | None]
    # Last known status of the bot in the chat (administrator, member, left, kicked) and the admin
    # rights it lacks, comma-separated; kept current from my_chat_member updates.
    bot_status: Mapped[str | None] = mapped_column(String(20))
    missing_rights: Mapped[str | None] = mapped_column(String(255))
    track: Mapped[str | None] = mapped_column(String(20))
    # The size range the group was formed with, so later moves and late joiners are judged by it.
    min_size: Mapped[int | None]
    max_size: Mapped[int | None]
    quiet_between_sessions: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    languages: Mapped[list[GroupLanguage]] = relationship(
        order_by="GroupLanguage.position", cascade="all, delete-orphan"
    )


class GroupLanguage(Base):
    __tablename__ = "group_languages"
    __table_args__ = (UniqueConstraint("group_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dialogue_groups.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]


class GroupMember(Base):
    """A participant assigned to a group. One group per person per program."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_groups.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # assigned -> invited -> joined; left / removed when they go.
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    invite_link: Mapped[str | None] = mapped_column(String(255))
    assigned_at: Mapped[datetime]
    joined_at: Mapped[datetime | None]


class GroupModerator(Base):
    __tablename__ = "group_moderators"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dialogue_groups.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
