"""Rules for what a valid program looks like (names, sides, languages, zones)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import InvalidInput

MAX_PROGRAM_NAME = 200
MAX_SIDE_NAME = 100
MAX_SIDES = 8
MIN_SIDES = 2
PARTICIPANT_ROLES = ("student", "professional")


@dataclass(frozen=True)
class ProgramDraft:
    name: str
    sides: tuple[str, ...]
    languages: tuple[str, ...]
    timezone: str
    conduct: dict[str, str] | None = None  # locale -> text; None means the shipped default


def clean_label(text: str) -> str:
    """Trim and collapse whitespace and drop control / format characters (zero-width, bidi)."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(kept.split())


def validate_name(raw: str) -> str:
    name = clean_label(raw)
    if not name:
        raise InvalidInput("empty_name")
    if len(name) > MAX_PROGRAM_NAME:
        raise InvalidInput("name_too_long", limit=MAX_PROGRAM_NAME, length=len(name))
    return name


def parse_sides(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    # Arabic keyboards type "،" and CJK ones "、": both separate names as "," does.
    parts = re.split(r"[,\n،、]", raw) if isinstance(raw, str) else list(raw)
    sides = [clean_label(p) for p in parts]
    sides = [s for s in sides if s]
    if len(sides) < MIN_SIDES:
        raise InvalidInput("too_few_sides", minimum=MIN_SIDES)
    if len(sides) > MAX_SIDES:
        raise InvalidInput("too_many_sides", maximum=MAX_SIDES)
    for side in sides:
        if len(side) > MAX_SIDE_NAME:
            raise InvalidInput("side_too_long", limit=MAX_SIDE_NAME)
    if len({s.casefold() for s in sides}) != len(sides):
        raise InvalidInput("duplicate_sides")
    return tuple(sides)


def validate_languages(
    languages: list[str] | tuple[str, ...], supported: tuple[str, ...]
) -> tuple[str, ...]:
    chosen: list[str] = []
    for lang in languages:
        if lang not in supported:
            raise InvalidInput("unsupported_language", language=lang)
        if lang not in chosen:
            chosen.append(lang)
    if not chosen:
        raise InvalidInput("no_languages")
    return tuple(chosen)


def validate_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("unknown_zone", zone=name) from None
    return name


def validate_role(role: str | None) -> str | None:
    if role is None:
        return None
    if role not in PARTICIPANT_ROLES:
        raise InvalidInput("unknown_role", role=role)
    return role
