"""A program's conduct rules and each group's overrides of them, ready for the filters.

Settings live in ``rule_sets``: the program's row (group_id NULL) over the defaults below, then the
group's own row over that (only the keys it sets). Blocked terms are the shipped starter lists plus
the program's ``blocked_terms``. The term automaton is compiled once per distinct term list and
shared by every group that uses it (compiling takes tens of milliseconds; checking a message must
not).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import BlockedTerm, GroupLanguage, ModerationAction, ProgramLanguage, RuleSet
from bot.domain.conduct import (
    CompiledRules,
    ConductRules,
    Ladder,
    LinkMode,
    LinkPolicy,
    RateLimit,
    TermMatcher,
    program_terms,
)
from bot.domain.errors import InvalidInput

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
    program_id: int, group_id: int | None, settings: Mapping[str, Any], terms: Mapping[str, str]
) -> EffectiveRules:
    """Turn merged settings into domain rules; raises ConductError for a setting it cannot use."""
    conduct = ConductRules(
        terms=dict(terms),
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


async def for_group(db: AsyncSession, program_id: int, group_id: int) -> EffectiveRules:
    program_row = await _rule_row(db, program_id, None)
    group_row = await _rule_row(db, program_id, group_id)
    settings = _merge(
        program_row.settings if program_row else None, group_row.settings if group_row else None
    )
    return build(program_id, group_id, settings, await program_term_lists(db, program_id))


async def for_program(db: AsyncSession, program_id: int) -> EffectiveRules:
    program_row = await _rule_row(db, program_id, None)
    settings = _merge(program_row.settings if program_row else None)
    return build(program_id, None, settings, await program_term_lists(db, program_id))


async def set_program_settings(
    db: AsyncSession,
    program_id: int,
    changes: Mapping[str, Any],
    *,
    actor_id: int | None,
    now: datetime,
) -> EffectiveRules:
    """Set program-wide settings (the ladder, warning expiry, link allowlist...), validated and logged."""
    unknown = set(changes) - set(DEFAULTS)
    if unknown:
        raise InvalidInput("unknown_setting", setting=", ".join(sorted(unknown)))
    row = await _rule_row(db, program_id, None)
    merged = _merge(row.settings if row else None, changes)
    build(program_id, None, merged, {})  # validates (raises ConductError)
    if row is None:
        row = RuleSet(program_id=program_id, group_id=None, settings={}, updated_at=now)
        db.add(row)
    row.settings = {**(row.settings or {}), **dict(changes)}
    row.updated_at = now
    for key, value in changes.items():
        db.add(_settings_log(program_id, None, actor_id, key, value, now))
    await db.flush()
    return await for_program(db, program_id)


def _settings_log(
    program_id: int, group_id: int | None, actor_id: int | None, key: str, value: Any, now: datetime
) -> ModerationAction:
    return ModerationAction(
        at=now,
        program_id=program_id,
        group_id=group_id,
        actor_id=actor_id,
        action="settings",
        reason=f"{key}={value}"[:500],
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
_matchers: dict[tuple[bool, tuple[tuple[str, str], ...]], TermMatcher] = {}
_MAX_MATCHERS = 64
_builds = [0]


def compile_for(rules: EffectiveRules) -> CompiledRules:
    """The rules with their term automaton, compiled once per distinct term list (all programs
    using only the starter lists share one)."""
    conduct = rules.conduct
    key = (conduct.use_starter_lists, tuple(sorted(conduct.terms.items())))
    with _compiled_lock:
        matcher = _matchers.get(key)
    if matcher is None:
        matcher = TermMatcher(program_terms(conduct))
        _builds[0] += 1
        with _compiled_lock:
            if len(_matchers) >= _MAX_MATCHERS:
                _matchers.pop(next(iter(_matchers)))
            _matchers[key] = matcher
    return CompiledRules(rules=conduct, matcher=matcher)


def builds() -> int:
    """How many automata were built so far (tests prove that messages compile nothing)."""
    return _builds[0]
