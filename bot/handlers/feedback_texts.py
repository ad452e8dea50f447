"""Texts of the feedback part: the sentences its domain error codes turn into, in the reader's language."""

from __future__ import annotations

from bot.i18n import N_

ERROR_MESSAGES: dict[str, str] = {}

__all__ = ["ERROR_MESSAGES", "N_"]
