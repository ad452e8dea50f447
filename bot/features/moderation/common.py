"""What the moderation handlers share (moderation.py, moderation_rules.py, moderation_bursts.py):
callback actions, the keys of questions waiting for an answer, the cache of each group's compiled
rules, and the labels of sanctions. It imports none of them, so they import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.context import BridgeContext
from bot.domain.conduct import CompiledRules, Step, StepKind
from bot.domain.conduct.policy import ConductPolicy
from bot.domain.durations import DurationUnit, format_duration_parts
from bot.features.groups.lookup import GroupView
from bot.features.moderation import service as mod
from bot.i18n import N_, _, ngettext

# Callback actions (signed; prefix M).
APPEAL, APPEAL_ACCEPT, APPEAL_REJECT, REPORT, SETTING, LANGUAGE = (
    "Map",
    "Maa",
    "Mar",
    "Mr",
    "Ms",
    "Ml",
)
AWAIT_APPEAL = "moderation.appeal"
AWAIT_REJECT = "moderation.reject"
CACHE_KEY = "moderation.groups"

# Translators: the name of a sanction (a noun, lower case), as in the moderation log
# and in 'Sanction: {sanction}'.
SANCTION_LABELS = {
    mod.WARN: N_("warning"),
    mod.MUTE: N_("mute"),
    mod.KICK: N_("removal from the group"),
    mod.BAN: N_("ban"),
}


def duration_text(duration: timedelta) -> str:
    words = {
        DurationUnit.WEEK: lambda n: ngettext("{n} week", "{n} weeks", n),
        DurationUnit.DAY: lambda n: ngettext("{n} day", "{n} days", n),
        DurationUnit.HOUR: lambda n: ngettext("{n} hour", "{n} hours", n),
        DurationUnit.MINUTE: lambda n: ngettext("{n} minute", "{n} minutes", n),
    }
    return " ".join(words[unit](count) for unit, count in format_duration_parts(duration))


def label(labels: dict, key: object) -> str:
    return _(labels[key]) if key in labels else str(key)


def step_text(step: object) -> str:
    assert isinstance(step, Step)
    names = {
        StepKind.WARN: mod.WARN,
        StepKind.MUTE: mod.MUTE,
        StepKind.REMOVE: mod.KICK,
        StepKind.BAN: mod.BAN,
    }
    name = label(SANCTION_LABELS, names[step.kind])
    return f"{name} ({duration_text(step.duration)})" if step.duration else name


# ---- the cache of each group's rules (the filters' fast path) -----------------------------------


@dataclass
class GroupConduct:
    group: GroupView
    compiled: CompiledRules
    filters_enabled: bool
    staff: frozenset[int]
    admins: frozenset[int]
    loaded: float
    policy: ConductPolicy  # flood counters and bursts: kept across reloads


def invalidate(context: BridgeContext, chat_id: int) -> None:
    context.bot_data.get(CACHE_KEY, {}).pop(chat_id, None)


def invalidate_all(bot_data: dict) -> None:
    """Something the rules are built from changed elsewhere (bot/handlers/moderation_sync.py): every
    cached group reloads on its next message, keeping its flood counters; unbound chats are
    forgotten, in case one was just linked."""
    cache: dict[int, tuple[float, GroupConduct | None]] = bot_data.get(CACHE_KEY, {})
    for chat_id, (_loaded, conduct) in list(cache.items()):
        if conduct is None:
            cache.pop(chat_id, None)
        else:
            cache[chat_id] = (float("-inf"), conduct)


def invalidate_program(context: BridgeContext, program_id: int) -> None:
    """The program's rules changed: every cached group of it reloads on its next message. The
    entries are marked stale rather than dropped, so flood counters survive the reload."""
    cache: dict[int, tuple[float, GroupConduct | None]] = context.bot_data.get(CACHE_KEY, {})
    for chat_id, (_loaded, conduct) in list(cache.items()):
        if conduct is not None and conduct.group.program_id == program_id:
            cache[chat_id] = (float("-inf"), conduct)
