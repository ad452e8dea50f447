"""A program's conduct rules and each group's overrides of them, ready for the filters.

Settings live in ``rule_sets``: the program's row (group_id NULL) over the defaults below, then the
group's own row over that (only the keys it sets). Blocked terms are the shipped starter lists plus
the program's ``blocked_terms``. The term automaton is compiled once per distinct term list and
shared by every group that uses it (compiling takes tens of milliseconds; checking a message must
not).

Organizers edit the program's rule set from Telegram (/conduct) and the command line (``bridgebot
rules``); both go through the same parsers below (``changes_from_text``, the term functions), so a
value is read, validated by the domain and logged the same way wherever it was typed.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import (
    BlockedTerm,
    DialogueGroup,
    GroupLanguage,
    ModerationAction,
    ProgramLanguage,
    RuleSet,
)
from bot.domain.conduct import (
    SHIPPED_LANGUAGES,
    CompiledRules,
    ConductRules,
    Ladder,
    LinkMode,
    LinkPolicy,
    RateLimit,
    TermMatcher,
    parse_terms,
    program_terms,
)
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.numbers import NumberError, is_number, parse_int

DEFAULTS: dict[str, Any] = {
    "filters_enabled": True,
    "flood_messages": 5,
    "flood_seconds": 10,
    "raid_messages": 20,
    "raid_seconds": 10,
    "link_policy": "allow",
    "allowed_domains": [],
    "forwards_allowed": True,
    "ladder": "warn, warn, mute 1h, mute 24h, remove",
    "warning_expiry_days": 30,
    "use_starter_lists": True,
}

# What a moderator may change from /settings (the ladder and term lists are the program's).
GROUP_KEYS = frozenset(
    {
        "filters_enabled",
        "flood_messages",
        "flood_seconds",
        "raid_messages",
        "raid_seconds",
        "link_policy",
        "allowed_domains",
        "forwards_allowed",
    }
)
# The choices /settings cycles through.
FLOOD_PRESETS: tuple[tuple[int, int], ...] = ((3, 10), (5, 10), (10, 10), (10, 30))
RAID_PRESETS: tuple[tuple[int, int], ...] = ((10, 10), (20, 10), (40, 10))
LINK_MODES: tuple[str, ...] = ("allow", "allowlist", "deny")


@dataclass(frozen=True)
class EffectiveRules:
    program_id: int
    group_id: int | None
    settings: Mapping[str, Any]
    conduct: ConductRules
    ladder: Ladder

    @property
    def filters_enabled(self) -> bool:
        return bool(self.settings["filters_enabled"])


def _merge(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(DEFAULTS)
    for layer in layers:
        for key, value in (layer or {}).items():
            if key in DEFAULTS:
                merged[key] = value
    return merged


def build(
    program_id: int,
    group_id: int | None,
    settings: Mapping[str, Any],
    terms: Mapping[str, str],
    languages: Sequence[str] = (),
) -> EffectiveRules:
    """Turn merged settings into domain rules; raises ConductError for a setting it cannot use.
    ``languages`` are the program's: their ordinary words are never another language's term."""
    conduct = ConductRules(
        terms=dict(terms),
        languages=tuple(languages),
        use_starter_lists=bool(settings["use_starter_lists"]),
        person_limit=RateLimit(
            int(settings["flood_messages"]), timedelta(seconds=int(settings["flood_seconds"]))
        ),
        group_limit=RateLimit(
            int(settings["raid_messages"]), timedelta(seconds=int(settings["raid_seconds"]))
        ),
        links=LinkPolicy(
            LinkMode(settings["link_policy"]), tuple(settings["allowed_domains"] or ())
        ),
        forwards_allowed=bool(settings["forwards_allowed"]),
    )
    ladder = Ladder.from_spec(
        str(settings["ladder"]), strike_expiry=timedelta(days=int(settings["warning_expiry_days"]))
    )
    return EffectiveRules(program_id, group_id, dict(settings), conduct, ladder)


async def _rule_row(db: AsyncSession, program_id: int, group_id: int | None) -> RuleSet | None:
    query = select(RuleSet).where(RuleSet.program_id == program_id)
    query = query.where(
        RuleSet.group_id.is_(None) if group_id is None else RuleSet.group_id == group_id
    )
    return await db.scalar(query)


async def program_term_lists(db: AsyncSession, program_id: int) -> dict[str, str]:
    rows = (
        await db.execute(
            select(BlockedTerm.locale, BlockedTerm.term, BlockedTerm.stem)
            .where(BlockedTerm.program_id == program_id)
            .order_by(BlockedTerm.locale, BlockedTerm.id)
        )
    ).all()
    lists: dict[str, list[str]] = {}
    for locale, term, stem in rows:
        lists.setdefault(locale, []).append(term + ("*" if stem and not term.endswith("*") else ""))
    return {locale: "\n".join(lines) for locale, lines in lists.items()}


async def _languages(db: AsyncSession, program_id: int) -> tuple[str, ...]:
    query = select(ProgramLanguage.locale).where(ProgramLanguage.program_id == program_id)
    rows = (await db.execute(query.order_by(ProgramLanguage.position))).scalars()
    return tuple(rows)


async def for_group(db: AsyncSession, program_id: int, group_id: int) -> EffectiveRules:
    program_row = await _rule_row(db, program_id, None)
    group_row = await _rule_row(db, program_id, group_id)
    settings = _merge(
        program_row.settings if program_row else None, group_row.settings if group_row else None
    )
    terms, languages = await program_term_lists(db, program_id), await _languages(db, program_id)
    return build(program_id, group_id, settings, terms, languages)


async def for_program(db: AsyncSession, program_id: int) -> EffectiveRules:
    program_row = await _rule_row(db, program_id, None)
    settings = _merge(program_row.settings if program_row else None)
    terms, languages = await program_term_lists(db, program_id), await _languages(db, program_id)
    return build(program_id, None, settings, terms, languages)


async def set_program_settings(
    db: AsyncSession,
    program_id: int,
    changes: Mapping[str, Any],
    *,
    actor_id: int | None,
    now: datetime,
) -> EffectiveRules:
    """Set program-wide settings (the ladder, warning expiry, link allowlist...), validated and logged.

    Values are checked and put in their stored form first (``normalize_settings``); a bad one raises
    a domain error and nothing is written. Only keys whose value actually changes are written and
    logged, one "settings" row each.
    """
    unknown = set(changes) - set(DEFAULTS)
    if unknown:
        raise InvalidInput("unknown_setting", setting=", ".join(sorted(unknown)))
    changes = normalize_settings(changes)
    row = await _rule_row(db, program_id, None)
    merged = _merge(row.settings if row else None, changes)
    build(program_id, None, merged, {})  # validates (raises ConductError)
    before = _merge(row.settings if row else None)
    changed = {key: value for key, value in changes.items() if before.get(key) != value}
    if row is None:
        row = RuleSet(program_id=program_id, group_id=None, settings={}, updated_at=now)
        db.add(row)
    if changed or not row.settings:
        row.settings = {**(row.settings or {}), **changes}
        row.updated_at = now
    for key, value in changed.items():
        db.add(_settings_log(program_id, None, actor_id, key, value, now))
    await db.flush()
    return await for_program(db, program_id)


def _log_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    return str(value)


def _settings_log(
    program_id: int, group_id: int | None, actor_id: int | None, key: str, value: Any, now: datetime
) -> ModerationAction:
    return ModerationAction(
        at=now,
        program_id=program_id,
        group_id=group_id,
        actor_id=actor_id,
        action="settings",
        reason=f"{key}={_log_value(value)}"[:500],
    )


# ---- reading typed values (Telegram and the command line share these) --------------------------------

MAX_RATE_COUNT = 1000
MAX_RATE_SECONDS = 3600
MAX_EXPIRY_DAYS = 366
MAX_DOMAINS = 100
MAX_TERM_LENGTH = 200
MAX_TERMS_PER_LANGUAGE = 10_000
MAX_TERMS_FILE_BYTES = 512 * 1024

_INT_KEYS = ("flood_messages", "flood_seconds", "raid_messages", "raid_seconds")
_BOOL_KEYS = ("filters_enabled", "forwards_allowed", "use_starter_lists")
_RATE = re.compile(
    r"(?P<count>\d+)\s*(?:messages?\s*)?(?:/|in|per)\s*(?P<window>\d+)\s*"
    r"(?P<unit>s|secs?|seconds?|m|mins?|minutes?)?",
    re.IGNORECASE,
)
_SWITCH = {
    **dict.fromkeys(("yes", "y", "on", "true", "1", "allow", "allowed"), True),
    **dict.fromkeys(("no", "n", "off", "false", "0", "deny", "denied"), False),
}
_LIST_SEPARATORS = re.compile(r"[\s,;\u060c\u3001]+")  # blanks, commas (also Arabic and CJK ones)
_CLEAR = frozenset({"-", "—", "none"})


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_ladder(text: str) -> str:
    """``"warn, warn, mute 1h"`` -> the stored (canonical) spec; raises ConductError on a bad step."""
    return Ladder.from_spec(_clean(text)).spec()


def parse_expiry_days(text: str) -> int:
    """``30d``, ``4w`` or a bare ``30`` (days) -> 30. Whole days from 1 to 366."""
    cleaned = _clean(text)
    if is_number(cleaned):
        try:
            return parse_int(cleaned, minimum=1, maximum=MAX_EXPIRY_DAYS)
        except NumberError:
            raise InvalidInput("expiry_whole_days", text=cleaned, maximum=MAX_EXPIRY_DAYS) from None
    duration = parse_duration(cleaned)  # raises DurationError for 30x, 0d, -1d, 999d
    if duration % timedelta(days=1):
        raise InvalidInput("expiry_whole_days", text=cleaned, maximum=MAX_EXPIRY_DAYS)
    return duration.days


def check_rate(count: int, seconds: int) -> tuple[int, int]:
    if not (1 <= count <= MAX_RATE_COUNT and 1 <= seconds <= MAX_RATE_SECONDS):
        raise InvalidInput(
            "rate_out_of_range",
            count=count,
            seconds=seconds,
            max_count=MAX_RATE_COUNT,
            max_seconds=MAX_RATE_SECONDS,
        )
    return count, seconds


def parse_rate(text: str) -> tuple[int, int]:
    """``5/10s``, ``5/10``, ``5 in 10 seconds``, ``20/1m`` -> (messages, seconds)."""
    cleaned = _clean(text)
    match = _RATE.fullmatch(cleaned)
    if match is None or len(match["count"]) > 6 or len(match["window"]) > 6:
        raise InvalidInput("bad_rate", text=cleaned[:40])
    unit = (match["unit"] or "s").lower()
    seconds = int(match["window"]) * (60 if unit.startswith("m") else 1)
    return check_rate(int(match["count"]), seconds)


def parse_link_mode(text: str) -> str:
    cleaned = _clean(text).casefold()
    if cleaned not in LINK_MODES:
        raise InvalidInput("bad_link_mode", text=cleaned[:40])
    return cleaned


def parse_switch(text: str) -> bool:
    cleaned = _clean(text).casefold()
    if cleaned not in _SWITCH:
        raise InvalidInput("bad_switch", text=cleaned[:40])
    return _SWITCH[cleaned]


def check_domains(domains: Sequence[str]) -> list[str]:
    """Normalised (lower case, IDNA, no ``www.``), duplicates dropped; raises ``bad_domain``."""
    normalised = list(LinkPolicy(LinkMode.ALLOWLIST, tuple(domains)).domains)
    if len(normalised) > MAX_DOMAINS:
        raise InvalidInput("too_many_domains", limit=MAX_DOMAINS)
    return normalised


def parse_domains(text: str) -> list[str]:
    """Domains separated by blanks or commas; ``-`` (or ``none``) clears the list."""
    cleaned = _clean(text)
    if cleaned.casefold() in _CLEAR:
        return []
    return check_domains([part for part in _LIST_SEPARATORS.split(cleaned) if part])


# The values an organizer types, by the name the handlers and the command line use.
TYPED_KEYS = ("ladder", "expiry", "flood", "raid", "links", "domains", "forwards")


def changes_from_text(key: str, text: str) -> dict[str, Any]:
    """One typed value -> the settings it changes (``flood`` sets two keys)."""
    if key == "ladder":
        return {"ladder": parse_ladder(text)}
    if key == "expiry":
        return {"warning_expiry_days": parse_expiry_days(text)}
    if key in ("flood", "raid"):
        count, seconds = parse_rate(text)
        return {f"{key}_messages": count, f"{key}_seconds": seconds}
    if key == "links":
        return {"link_policy": parse_link_mode(text)}
    if key == "domains":
        return {"allowed_domains": parse_domains(text)}
    if key == "forwards":
        return {"forwards_allowed": parse_switch(text)}
    raise InvalidInput("unknown_setting", setting=key)


def normalize_settings(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as callers give them (a program file, the handlers) -> the stored form.

    Raises ``bad_setting_value`` for a value of the wrong type, and the parsers' errors for a value
    the domain refuses; never lets a bad value reach the database.
    """
    result: dict[str, Any] = {}
    for key, value in changes.items():
        if key in _INT_KEYS or key == "warning_expiry_days":
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput("bad_setting_value", setting=key)
            if key == "warning_expiry_days" and not 1 <= value <= MAX_EXPIRY_DAYS:
                raise InvalidInput("expiry_whole_days", text=str(value), maximum=MAX_EXPIRY_DAYS)
            result[key] = value
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise InvalidInput("bad_setting_value", setting=key)
            result[key] = value
        elif key == "ladder":
            if not isinstance(value, str):
                raise InvalidInput("bad_setting_value", setting=key)
            result[key] = parse_ladder(value)
        elif key == "link_policy":
            if not isinstance(value, str):
                raise InvalidInput("bad_setting_value", setting=key)
            result[key] = parse_link_mode(value)
        elif key == "allowed_domains":
            if isinstance(value, str) or not all(isinstance(d, str) for d in value or ()):
                raise InvalidInput("bad_setting_value", setting=key)
            result[key] = check_domains(list(value or ()))
        else:
            result[key] = value
    for prefix in ("flood", "raid"):
        count, seconds = result.get(f"{prefix}_messages"), result.get(f"{prefix}_seconds")
        if count is not None:
            check_rate(count, seconds if seconds is not None else 1)
        if seconds is not None:
            check_rate(count if count is not None else 1, seconds)
    return result


async def set_program_from_text(
    db: AsyncSession, program_id: int, key: str, text: str, *, actor_id: int | None, now: datetime
) -> EffectiveRules:
    """One value typed by an organizer (``/conduct`` or ``bridgebot rules set``)."""
    return await set_program_settings(
        db, program_id, changes_from_text(key, text), actor_id=actor_id, now=now
    )


async def set_group_domains(
    db: AsyncSession,
    program_id: int,
    group_id: int,
    domains: Sequence[str],
    *,
    actor_id: int | None,
    now: datetime,
) -> EffectiveRules:
    """A group's own allowlist (from /settings), replacing the program's list for that group."""
    normalised = check_domains(domains)
    row = await _rule_row(db, program_id, group_id)
    if row is None:
        row = RuleSet(program_id=program_id, group_id=group_id, settings={}, updated_at=now)
        db.add(row)
    row.settings = {**(row.settings or {}), "allowed_domains": normalised}
    row.updated_at = now
    db.add(_settings_log(program_id, group_id, actor_id, "allowed_domains", normalised, now))
    await db.flush()
    return await for_group(db, program_id, group_id)


# ---- the program's own blocked terms -----------------------------------------------------------------


@dataclass(frozen=True)
class TermsChange:
    language: str
    changed: tuple[str, ...]  # added (or removed), as the lists write them (stems end in *)
    unchanged: tuple[str, ...]  # already there (or not there)
    total: int  # the program's own terms of that language afterwards


# Serbian has one list for both scripts (its terms match in Cyrillic and in Latin).
_LIST_OF = {"sr_latn": "sr", "sr_cyrl": "sr"}
_LANGUAGE_IDS = {language.casefold(): language for language in SHIPPED_LANGUAGES}


def check_language(language: str) -> str:
    """The shipped language id for what was typed: ``ru``, ``sr-Latn`` -> ``sr``, ``zh-hans`` ->
    ``zh_Hans``."""
    cleaned = _clean(language).casefold().replace("-", "_")
    shipped = _LANGUAGE_IDS.get(_LIST_OF.get(cleaned, cleaned))
    if shipped is None:
        raise InvalidInput("unknown_language", language=language[:20])
    return shipped


def split_terms(text: str) -> list[str]:
    """Terms typed in one message: separated by commas or new lines."""
    return [part.strip() for part in re.split(r"[,\n\u060c]", text) if part.strip()]


def terms_from_file(content: bytes) -> list[str]:
    """Lines of an uploaded list (UTF-8, a byte order mark allowed); ``#`` comments stay for
    ``parse_terms`` to skip, so refused lines are reported with their line number."""
    if len(content) > MAX_TERMS_FILE_BYTES:
        raise InvalidInput("terms_file_unreadable", limit=MAX_TERMS_FILE_BYTES // 1024)
    try:
        return content.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InvalidInput("terms_file_unreadable", limit=MAX_TERMS_FILE_BYTES // 1024) from None


def _written(term: str, stem: bool) -> str:
    return term + "*" if stem else term


async def _own_terms(db: AsyncSession, program_id: int, language: str) -> list[BlockedTerm]:
    return list(
        (
            await db.scalars(
                select(BlockedTerm)
                .where(BlockedTerm.program_id == program_id, BlockedTerm.locale == language)
                .order_by(BlockedTerm.id)
            )
        ).all()
    )


def _log_terms(
    program_id: int,
    actor_id: int | None,
    language: str,
    sign: str,
    terms: Sequence[str],
    now: datetime,
) -> ModerationAction:
    return ModerationAction(
        at=now,
        program_id=program_id,
        actor_id=actor_id,
        action="settings",
        reason=f"blocked_terms.{language}{sign}{len(terms)}: {', '.join(terms)}"[:500],
    )


async def add_terms(
    db: AsyncSession,
    program_id: int,
    language: str,
    entries: Sequence[str],
    *,
    actor_id: int | None,
    now: datetime,
) -> TermsChange:
    """Add terms (one per entry, ``*`` marks a stem, ``#`` starts a comment) to the program's list.

    Every entry is validated by the domain first (``empty_term``, ``term_too_short`` with its line,
    ``term_too_long``); one bad entry refuses the whole batch.
    """
    language = check_language(language)
    for line, entry in enumerate(entries, start=1):
        if len(entry.split("#", 1)[0].strip().removesuffix("*").strip()) > MAX_TERM_LENGTH:
            raise InvalidInput("term_too_long", line=line, limit=MAX_TERM_LENGTH)
    parsed = parse_terms(list(entries), language)
    if not parsed:
        raise InvalidInput("no_terms")
    existing = {row.term.casefold(): row for row in await _own_terms(db, program_id, language)}
    added: list[str] = []
    unchanged: list[str] = []
    for term in parsed:
        key = term.text.casefold()
        row = existing.get(key)
        if row is not None and row.stem == term.stem:
            unchanged.append(_written(row.term, row.stem))
            continue
        if row is not None:
            row.stem = term.stem  # "idiot" became "idiot*" (or back)
        else:
            row = BlockedTerm(
                program_id=program_id, locale=language, term=term.text, stem=term.stem
            )
            db.add(row)
            existing[key] = row
        added.append(_written(term.text, term.stem))
    if len(existing) > MAX_TERMS_PER_LANGUAGE:
        raise InvalidInput("too_many_terms", limit=MAX_TERMS_PER_LANGUAGE, language=language)
    if added:
        db.add(_log_terms(program_id, actor_id, language, "+", added, now))
    await db.flush()
    return TermsChange(language, tuple(added), tuple(unchanged), len(existing))


async def remove_terms(
    db: AsyncSession,
    program_id: int,
    language: str,
    entries: Sequence[str],
    *,
    actor_id: int | None,
    now: datetime,
) -> TermsChange:
    """Remove terms from the program's list (compared without case and without the ``*``)."""
    language = check_language(language)
    wanted = [entry.split("#", 1)[0].strip().removesuffix("*").strip() for entry in entries]
    wanted = [entry for entry in dict.fromkeys(wanted) if entry]
    if not wanted:
        raise InvalidInput("no_terms")
    rows = {row.term.casefold(): row for row in await _own_terms(db, program_id, language)}
    removed: list[str] = []
    missing: list[str] = []
    for entry in wanted:
        row = rows.pop(entry.casefold(), None)
        if row is None:
            missing.append(entry)
            continue
        removed.append(_written(row.term, row.stem))
        await db.delete(row)
    if removed:
        db.add(_log_terms(program_id, actor_id, language, "-", removed, now))
    await db.flush()
    return TermsChange(language, tuple(removed), tuple(missing), len(rows))


async def list_terms(
    db: AsyncSession, program_id: int, language: str | None = None
) -> dict[str, list[str]]:
    """The program's own terms by language, as written in lists (stems end in ``*``)."""
    query = select(BlockedTerm).where(BlockedTerm.program_id == program_id)
    if language is not None:
        query = query.where(BlockedTerm.locale == check_language(language))
    found: dict[str, list[str]] = {}
    for row in (await db.scalars(query.order_by(BlockedTerm.locale, BlockedTerm.id))).all():
        found.setdefault(row.locale, []).append(_written(row.term, row.stem))
    return found


async def term_counts(db: AsyncSession, program_id: int) -> dict[str, int]:
    rows = (
        await db.execute(
            select(BlockedTerm.locale, func.count())
            .where(BlockedTerm.program_id == program_id)
            .group_by(BlockedTerm.locale)
        )
    ).all()
    order = {loc: i for i, loc in enumerate(SHIPPED_LANGUAGES)}
    return dict(sorted(((loc, n) for loc, n in rows), key=lambda item: order.get(item[0], 99)))


# ---- what an organizer sees -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupOverride:
    group_id: int
    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class ProgramRules:
    """The program's rule set as /conduct and ``bridgebot rules show`` present it."""

    program_id: int
    settings: Mapping[str, Any]
    ladder: Ladder
    term_counts: Mapping[str, int]
    overrides: tuple[GroupOverride, ...]  # groups whose /settings change some of these

    @property
    def expiry_days(self) -> int:
        return int(self.settings["warning_expiry_days"])


async def program_rules(db: AsyncSession, program_id: int) -> ProgramRules:
    rules = await for_program(db, program_id)
    rows = (
        await db.execute(
            select(DialogueGroup.id, DialogueGroup.name, RuleSet.settings)
            .join(RuleSet, RuleSet.group_id == DialogueGroup.id)
            .where(RuleSet.program_id == program_id)
            .order_by(DialogueGroup.name)
        )
    ).all()
    overrides = tuple(
        GroupOverride(group_id, name, tuple(sorted(k for k in (settings or {}) if k in DEFAULTS)))
        for group_id, name, settings in rows
        if any(k in DEFAULTS for k in (settings or {}))
    )
    return ProgramRules(
        program_id=program_id,
        settings=rules.settings,
        ladder=rules.ladder,
        term_counts=await term_counts(db, program_id),
        overrides=overrides,
    )


def next_setting_value(rules: EffectiveRules, key: str) -> dict[str, Any]:
    """The change one press of a /settings button makes (toggle or next preset)."""
    s = rules.settings
    if key == "filters_enabled":
        return {"filters_enabled": not s["filters_enabled"]}
    if key == "forwards_allowed":
        return {"forwards_allowed": not s["forwards_allowed"]}
    if key == "flood":
        return _next_preset(FLOOD_PRESETS, (s["flood_messages"], s["flood_seconds"]), "flood")
    if key == "raid":
        return _next_preset(RAID_PRESETS, (s["raid_messages"], s["raid_seconds"]), "raid")
    if key == "link_policy":
        current = s["link_policy"]
        index = LINK_MODES.index(current) if current in LINK_MODES else -1
        return {"link_policy": LINK_MODES[(index + 1) % len(LINK_MODES)]}
    raise InvalidInput("unknown_setting", setting=key)


def _next_preset(
    presets: tuple[tuple[int, int], ...], current: tuple[int, int], prefix: str
) -> dict[str, Any]:
    index = presets.index(current) if current in presets else -1
    count, seconds = presets[(index + 1) % len(presets)]
    return {f"{prefix}_messages": count, f"{prefix}_seconds": seconds}


async def change_group_setting(
    db: AsyncSession, program_id: int, group_id: int, key: str, *, actor_id: int, now: datetime
) -> EffectiveRules:
    """Apply one /settings press to the group's overrides; every changed key is logged."""
    current = await for_group(db, program_id, group_id)
    changes = next_setting_value(current, key)
    row = await _rule_row(db, program_id, group_id)
    if row is None:
        row = RuleSet(program_id=program_id, group_id=group_id, settings={}, updated_at=now)
        db.add(row)
    row.settings = {**(row.settings or {}), **changes}
    row.updated_at = now
    for name, value in changes.items():
        db.add(_settings_log(program_id, group_id, actor_id, name, value, now))
    await db.flush()
    return await for_group(db, program_id, group_id)


async def program_languages(db: AsyncSession, program_id: int) -> tuple[str, ...]:
    return tuple(
        (
            await db.scalars(
                select(ProgramLanguage.locale)
                .where(ProgramLanguage.program_id == program_id)
                .order_by(ProgramLanguage.position)
            )
        ).all()
    )


async def toggle_group_language(
    db: AsyncSession,
    program_id: int,
    group_id: int,
    locale: str,
    current: tuple[str, ...],
    *,
    actor_id: int,
    now: datetime,
) -> tuple[str, ...]:
    """Add or remove one of the program's languages from the group's; a group keeps at least one."""
    offered = await program_languages(db, program_id)
    if locale not in offered or locale not in SUPPORTED_LOCALES:
        raise InvalidInput("unsupported_language", language=locale)
    chosen = [loc for loc in current if loc != locale] if locale in current else [*current, locale]
    if not chosen:
        raise InvalidInput("no_languages")
    ordered = [loc for loc in offered if loc in chosen]
    existing = (
        await db.scalars(select(GroupLanguage).where(GroupLanguage.group_id == group_id))
    ).all()
    for row in existing:
        await db.delete(row)
    await db.flush()
    for position, loc in enumerate(ordered):
        db.add(GroupLanguage(group_id=group_id, locale=loc, position=position))
    db.add(_settings_log(program_id, group_id, actor_id, "languages", ",".join(ordered), now))
    await db.flush()
    return tuple(ordered)


# ---- compiled automata, shared ----------------------------------------------------------------------

_compiled_lock = threading.Lock()
_matchers: dict[tuple[bool, tuple[tuple[str, str], ...], tuple[str, ...]], TermMatcher] = {}
_MAX_MATCHERS = 64
_builds = [0]


def compile_for(rules: EffectiveRules) -> CompiledRules:
    """The rules with their term automaton, compiled once per distinct term list (all programs
    using only the starter lists share one)."""
    conduct = rules.conduct
    key = (conduct.use_starter_lists, tuple(sorted(conduct.terms.items())), conduct.languages)
    with _compiled_lock:
        matcher = _matchers.get(key)
    if matcher is None:
        matcher = TermMatcher(program_terms(conduct), innocent_languages=conduct.languages)
        _builds[0] += 1
        with _compiled_lock:
            if len(_matchers) >= _MAX_MATCHERS:
                _matchers.pop(next(iter(_matchers)))
            _matchers[key] = matcher
    return CompiledRules(rules=conduct, matcher=matcher)


def builds() -> int:
    """How many automata were built so far (tests prove that messages compile nothing)."""
    return _builds[0]
