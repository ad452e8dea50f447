"""Texts of the sessions part: the sentences its domain error codes turn into, in the reader's language."""

from __future__ import annotations

from bot.i18n import N_

ERROR_MESSAGES: dict[str, str] = {}

# Commands this part adds to /help and to the command menus: (command, N_(short description)).
PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = ()  # private chat, everyone enrolled
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = ()  # shown to moderators
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = ()  # private chat, organizers
GROUP_COMMANDS: tuple[tuple[str, str], ...] = ()  # dialogue group chats

__all__ = ["ERROR_MESSAGES", "N_"]
