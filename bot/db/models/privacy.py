from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


class ErasureRecord(Base):
    """That an erasure happened, and what kinds of rows it removed: never who asked for it."""

    __tablename__ = "erasure_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(32))
    enrolments_removed: Mapped[int] = mapped_column(default=0)
    grants_removed: Mapped[int] = mapped_column(default=0)
