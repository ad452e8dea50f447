"""Reasons the bot itself gives for a moderation action are stored as codes, never as text.

A sanction is read by many people in many languages: the group notice has one block per group
language, the sanctioned person reads a private message in theirs, and each moderator reads the log
and the appeals in theirs. When the bot stored the reason it wrote in the language of whoever
pressed the button (a Russian moderator pressing Warn on a report stored "сообщение с жалобой"),
every one of those readers got that language (issue #12).

So a moderation log row keeps two things apart: ``reason_code`` (one of ``ReasonCode``: what the bot
wrote, in no language) and ``reason`` (what a moderator typed, exactly as typed, shown as is to
everyone). ``reason_text`` turns them into what one reader sees, translating the code with the
``translate`` it is given (the reader's ``_``), at display time.

Where the bot writes no reason text it needs no code: the automatic filters record their rule in
``actor_rule`` (``filter:<rule>``) and what they matched in ``rule``, raids write no row, the ladder
only picks the sanction, and appeal decisions carry the reviewer's own words. Settings changes
record ``key=value``, which is the same in every language.

Pure: no Telegram, no database, no catalogs (the msgids are marked for extraction only).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


def N_(message: str) -> str:
    """Mark a msgid for extraction (translated where it is shown, in the reader's language)."""
    return message


class ReasonCode(StrEnum):
    """Stable: stored in ``moderation_actions.reason_code`` and exported."""

    # A moderator upheld a participant's report with Warn, Mute 1h or Remove.
    REPORTED_MESSAGE = "reported_message"


MSGIDS: dict[ReasonCode, str] = {
    ReasonCode.REPORTED_MESSAGE: N_("reported message"),
}


def reason_text(code: str | None, text: str | None, translate: Callable[[str], str]) -> str | None:
    """What a reader sees as the reason: the code in their language, the typed text as typed
    (both, when a row has both); None when there is no reason. A code this version does not know
    (written by a newer one) is shown as the code itself rather than hidden."""
    parts = []
    if code:
        try:
            parts.append(translate(MSGIDS[ReasonCode(code)]))
        except ValueError:
            parts.append(code)
    if text:
        parts.append(text)
    return ": ".join(parts) or None
