"""Rules about people that do not depend on where their data is kept."""

from __future__ import annotations


def display_name(first_name: str | None, last_name: str | None) -> str:
    """How the bot names a person to others: first and last name as Telegram has them, either may
    be missing (an empty string when both are)."""
    return " ".join(part for part in (first_name, last_name) if part)
