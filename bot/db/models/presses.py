from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base


class ButtonPress(Base):
    """A button that has been used: one row per (message, button, person), written in the same
    transaction as what the press did, so the primary key refuses a replay across restarts and a
    failed action leaves the button usable. The key is an HMAC under the server secret: it names no
    person, chat or message in the clear."""

    __tablename__ = "button_presses"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    action: Mapped[str] = mapped_column(String(8))
    pressed_at: Mapped[datetime]
