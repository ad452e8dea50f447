"""Reading the numbers people type: one parser for every command, button and CLI argument.

Stored ids are 64-bit (BIGINT on PostgreSQL, INTEGER on SQLite), so a number beyond that cannot name
anything and must never reach the database (SQLite raises OverflowError, asyncpg a DataError). People
type digits of their own script too: Arabic-Indic ``٣`` and full-width ``３`` are read as 3, as Python's
``int()`` reads every Unicode decimal digit. ``str.isdigit()`` is not used to check: it also accepts
superscripts (``²``) and circled digits that ``int()`` refuses.
"""

from __future__ import annotations

from bot.domain.errors import BridgeError

# The largest value a stored id (BIGINT) can hold.
MAX_ID = 2**63 - 1
# Longer digit runs are refused before conversion: no id has more digits, and int() of a huge run
# costs time (and fails past Python's 4,300-digit limit).
_MAX_DIGITS = len(str(MAX_ID))
_SIGNS = {"-": -1, "\u2212": -1, "+": 1}  # ASCII minus, the typographic minus sign, plus


class NumberError(BridgeError):
    """Text that should have been a whole number: not one (``not_a_number``), or outside the range
    the command accepts (``out_of_range``, ``no_such_number``)."""


def _split(text: str) -> tuple[int, str] | None:
    cleaned = text.strip().lstrip("#")
    sign = 1
    if cleaned[:1] in _SIGNS:
        sign, cleaned = _SIGNS[cleaned[:1]], cleaned[1:]
    if not cleaned or not cleaned.isdecimal():
        return None
    return sign, cleaned.lstrip("0") or "0"


def is_number(text: str) -> bool:
    """Whether ``text`` is written as a whole number (any size, any script's decimal digits)."""
    return _split(text) is not None


def parse_int(text: str, *, minimum: int, maximum: int) -> int:
    """A whole number from ``minimum`` to ``maximum``; raises NumberError otherwise."""
    split = _split(text)
    shown = text.strip()[:24]
    if split is None:
        raise NumberError("not_a_number", text=shown)
    sign, digits = split
    if len(digits) > _MAX_DIGITS:
        raise NumberError("out_of_range", text=shown, minimum=minimum, maximum=maximum)
    value = sign * int(digits)
    if not minimum <= value <= maximum:
        raise NumberError("out_of_range", text=shown, minimum=minimum, maximum=maximum)
    return value


def parse_id(text: str) -> int:
    """The number of a stored thing (a session, a program, a person): 1 up to the largest id.

    Zero, negative and oversized numbers name nothing, so they get "there is nothing with that
    number" rather than a range nobody needs to know."""
    try:
        return parse_int(text, minimum=1, maximum=MAX_ID)
    except NumberError as error:
        if error.code == "out_of_range":
            raise NumberError("no_such_number", text=text.strip()[:24]) from None
        raise


def as_id(text: str) -> int | None:
    """The id ``text`` names, or None when it is not a number or out of range (for lookups that try
    a name when the text is not an id)."""
    try:
        return parse_id(text)
    except NumberError:
        return None


__all__ = ["MAX_ID", "NumberError", "as_id", "is_number", "parse_id", "parse_int"]
