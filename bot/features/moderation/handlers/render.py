"""Small renderers of the moderation part, called inside the reader's locale."""

from __future__ import annotations

from bot.domain.conduct import Rule, Violation
from bot.domain.conduct.reasons import reason_text
from bot.features.moderation import service as mod
from bot.features.moderation.common import duration_text
from bot.features.moderation.service import Decision
from bot.i18n import _

# ---- small renderers (called inside the reader's locale) -------------------------------------------


def _with_reason(text: str, reason: str | None) -> str:
    return text + "\n" + _("Reason: {reason}", reason=reason) if reason else text


def _reason(code: str | None, typed: str | None) -> str | None:
    """A logged reason as the current reader sees it: the bot's code in their language, a
    moderator's own words as written (bot/domain/conduct/reasons.py)."""
    return reason_text(code, typed, _)


def group_line(decision: Decision) -> str:
    """What the group is told about a sanction, briefly."""
    name = decision.target.name
    kind = decision.kind
    if kind == mod.WARN:
        text = _(
            "⚠️ {name} was warned ({count}/{limit}).",
            name=name,
            count=decision.active_strikes,
            limit=decision.ladder_length,
        )
    elif kind == mod.MUTE and decision.duration:
        text = _(
            "🔇 {name} is muted for {duration}.",
            name=name,
            duration=duration_text(decision.duration),
        )
    elif kind == mod.MUTE:
        text = _("🔇 {name} is muted until a moderator unmutes them.", name=name)
    elif kind == mod.KICK:
        text = _("👋 {name} was removed from the group.", name=name)
    elif kind == mod.BAN and decision.duration:
        text = _(
            "⛔ {name} is banned for {duration}.",
            name=name,
            duration=duration_text(decision.duration),
        )
    elif kind == mod.BAN:
        text = _("⛔ {name} is banned.", name=name)
    elif kind == mod.UNWARN:
        text = _(
            "↩️ A warning of {name} was withdrawn ({count}/{limit}).",
            name=name,
            count=decision.active_strikes,
            limit=decision.ladder_length,
        )
    elif kind == mod.UNMUTE:
        text = _("🔊 {name} can write again.", name=name)
    elif kind == mod.UNBAN:
        text = _("✅ {name} is no longer banned and may rejoin.", name=name)
    else:
        text = _("🗑 A message from {name} was deleted.", name=name)
    return _with_reason(text, _reason(decision.reason_code, decision.reason))


def person_line(decision: Decision, *, show_excerpt: bool = True) -> str:
    """The sanction as its target reads it in a private message."""
    group = decision.group.name
    kind = decision.kind
    if kind == mod.WARN:
        text = _(
            "⚠️ You received a warning in {group} ({count} of {limit}). Warnings are the first steps of the "
            "same published ladder for everyone; further ones lead to a mute and then removal.",
            group=group,
            count=decision.active_strikes,
            limit=decision.ladder_length,
        )
    elif kind == mod.MUTE and decision.duration:
        text = _(
            "🔇 You are muted in {group} for {duration}: you can read but not write.",
            group=group,
            duration=duration_text(decision.duration),
        )
    elif kind == mod.MUTE:
        text = _(
            "🔇 You are muted in {group} until a moderator unmutes you: you can read but not write.",
            group=group,
        )
    elif kind == mod.KICK:
        text = _("👋 You were removed from {group}.", group=group)
    elif kind == mod.BAN and decision.duration:
        text = _(
            "⛔ You are banned from {group} for {duration}.",
            group=group,
            duration=duration_text(decision.duration),
        )
    elif kind == mod.BAN:
        text = _("⛔ You are banned from {group}.", group=group)
    elif kind == mod.UNWARN:
        text = _("↩️ A warning you received in {group} was withdrawn.", group=group)
    elif kind == mod.UNMUTE:
        text = _("🔊 You can write in {group} again.", group=group)
    elif kind == mod.UNBAN:
        text = _("✅ Your ban from {group} was lifted; you may rejoin.", group=group)
    else:
        text = _("🗑 A message of yours in {group} was deleted by a moderator.", group=group)
    text = _with_reason(text, _reason(decision.reason_code, decision.reason))
    if show_excerpt and decision.excerpt and kind != mod.DELETE:
        text += "\n" + _("Your message: «{excerpt}»", excerpt=_clip(decision.excerpt))
    if decision.appealable:
        text += "\n\n" + _(
            "If you think this was a mistake, press Appeal: other moderators will review it."
        )
    return text


def rule_text(violation: Violation, limit: int | None = None) -> str:
    """The rule as the person reads it: quoted, in their language (``limit``: the flood limit in
    force, which the violation's own count exceeds)."""
    if violation.rule == Rule.BLOCKED_TERM:
        return _(
            "Respect people even when you disagree with them: no insults, slurs, dehumanising words or threats, in any language."
        )
    if violation.rule == Rule.LINK:
        return _("Links are not allowed in this group, except to the sites its moderators allow.")
    if violation.rule == Rule.FORWARD:
        return _("Forwarded messages are not allowed in this group.")
    count = violation.count or 0
    seconds = int(violation.window.total_seconds()) if violation.window else 0
    if violation.rule == Rule.FLOOD:
        return _(
            "No flooding: at most {count} messages in {seconds} seconds.",
            count=limit if limit is not None else max(count - 1, 1),
            seconds=seconds,
        )
    return _(
        "The group received too many messages at once ({count} in {seconds} seconds).",
        count=count,
        seconds=seconds,
    )


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
