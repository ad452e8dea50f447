"""Telegram handlers of the moderation part: filters, moderator commands, reports, appeals, settings.

The filters run on every participant message of a bound group (GROUP_FILTERS). Their fast path
touches no database: the group's rules, compiled automaton and staff are cached per chat for
``CACHE_TTL`` seconds (and dropped at once when /settings changes them); flood counters live in
memory per chat. Only a message that breaks a rule costs database work.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BridgeContext
from bot.dispatch_index import PARTICIPANT_MESSAGE
from bot.domain.conduct import ConductError, Rule, Violation
from bot.domain.conduct.policy import Action, ConductPolicy, Verdict
from bot.domain.conduct.reasons import ReasonCode, reason_text
from bot.domain.durations import parse_duration
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation import appeals, ops, reports
from bot.features.moderation import rules as rules_service
from bot.features.moderation import rules_handlers as moderation_rules
from bot.features.moderation import service as mod
from bot.features.moderation.common import (
    APPEAL,
    APPEAL_ACCEPT,
    APPEAL_REJECT,
    AWAIT_APPEAL,
    AWAIT_REJECT,
    CACHE_KEY,
    LANGUAGE,
    REPORT,
    SANCTION_LABELS,
    SETTING,
    GroupConduct,
    duration_text,
    invalidate,
)
from bot.features.moderation.common import label as _label
from bot.features.moderation.common import step_text as _step_text
from bot.features.moderation.rules_handlers import setting_state
from bot.features.moderation.rules_handlers import settings_view as _settings_view
from bot.features.moderation.service import Decision, ModerationError, Target
from bot.features.programs import service as programs
from bot.handler_groups import GROUP_COMMANDS, GROUP_FILTERS
from bot.handlers.callbacks import Payload, sign, version_tag
from bot.handlers.common import ALREADY_DONE, answer_once, identity, reader_zone, reply
from bot.handlers.errors import error_text
from bot.handlers.group_post import GroupPost, render_blocks
from bot.handlers.routing_types import ButtonHandler
from bot.handlers.texts import DEFAULT_CONDUCT, group_label
from bot.i18n import N_, _, current_locale, format_datetime, ngettext, use_locale
from bot.services.people import TelegramIdentity

log = logging.getLogger(__name__)

REPORT_CODES = {"d": "dismiss", "w": "warn", "m": "mute", "r": "remove"}
CACHE_TTL = 60.0
MAX_MESSAGE = 4096
QUOTE_LIMIT = 120
MODLOG_ROWS = 15
REPORT_MUTE = timedelta(hours=1)
_DURATION_LIKE = re.compile(r"^[-−–+]?\d")

RIGHT_LABELS = {ops.RIGHT_DELETE: N_("Delete messages"), ops.RIGHT_RESTRICT: N_("Ban users")}
# Translators: which conduct rule a removed message broke, after 'was removed:'
# (a noun phrase, lower case).
RULE_LABELS = {
    Rule.BLOCKED_TERM: N_("offensive or threatening words"),
    Rule.FLOOD: N_("flooding"),
    Rule.RAID: N_("a burst of messages"),
    Rule.LINK: N_("a link that is not allowed"),
    Rule.FORWARD: N_("a forwarded message"),
}
# Translators: what happened, as one line of the moderation log (/modlog) reads;
# short, lower case.
ACTION_LABELS = {
    **SANCTION_LABELS,
    mod.UNWARN: N_("warning withdrawn"),
    mod.UNMUTE: N_("unmuted"),
    mod.UNBAN: N_("unbanned"),
    mod.DELETE: N_("message deleted"),
    "report": N_("report"),
    "report_dismiss": N_("report dismissed"),
    "report_warn": N_("report: warned"),
    "report_mute": N_("report: muted"),
    "report_remove": N_("report: removed"),
    "appeal": N_("appeal"),
    "appeal_accepted": N_("appeal accepted"),
    "appeal_rejected": N_("appeal rejected"),
    "settings": N_("settings changed"),
}
# Translators: how a moderator decided on a report (past participle, lower case),
# after 'Already decided by {name}:'.
OUTCOME_LABELS = {
    "dismiss": N_("dismissed"),
    "warn": N_("warned"),
    "mute": N_("muted for 1 hour"),
    "remove": N_("removed from the group"),
}

# How an appeal ended, as the moderation log shows it.
APPEAL_OUTCOMES = {"accepted": N_("appeal accepted"), "rejected": N_("appeal rejected")}
APPEAL_PENDING = N_("appeal pending")


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


# ---- sending --------------------------------------------------------------------------------------


def _appeal_markup(context: BridgeContext, decision: Decision) -> InlineKeyboardMarkup | None:
    if not decision.appealable:
        return None
    data = sign(context.runtime.secret, decision.target.id, APPEAL, decision.action_id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("⚖️ Appeal"), callback_data=data)]])


async def _dm(
    context: BridgeContext,
    person_id: int,
    locale: str | None,
    render: Callable[[], tuple[str, InlineKeyboardMarkup | None]],
) -> Message | None:
    """A private message in the person's language; None if they cannot be reached (logged)."""
    with use_locale(locale):
        text, markup = render()
    try:
        return await ops.attempt(
            lambda: context.bot.send_message(person_id, text[:MAX_MESSAGE], reply_markup=markup),
            right=None,
        )
    except (ops.ActionFailed, Forbidden) as failure:
        log.info("could not write to %s privately: %s", person_id, failure)
        return None


async def _post(context: BridgeContext, chat_id: int, text: str) -> Message | None:
    for chunk in _chunks(text):
        try:
            sent = await ops.attempt(
                functools.partial(context.bot.send_message, chat_id, chunk), right=None
            )
        except ops.ActionFailed as failure:
            log.warning("could not post in %s: %s", chat_id, failure.log_text)
            return None
    return sent


def _chunks(text: str) -> list[str]:
    """Split at block boundaries so every message stays within Telegram's 4,096 characters."""
    if len(text) <= MAX_MESSAGE:
        return [text]
    if isinstance(text, GroupPost):
        return text.chunks(MAX_MESSAGE)  # each part keeps its languages folded
    chunks: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= MAX_MESSAGE:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(block) > MAX_MESSAGE:
            chunks.append(block[:MAX_MESSAGE])
            block = block[MAX_MESSAGE:]
        current = block
    if current:
        chunks.append(current)
    return chunks


def _target_locale(target: Target, group: GroupView) -> str:
    return target.locale or (group.languages[0] if group.languages else "en")


async def announce(context: BridgeContext, decision: Decision) -> None:
    """Brief notice in the group (every group language) and the explanation in the person's DM."""
    group = decision.group
    if group.chat_id is not None:
        await _post(
            context, group.chat_id, render_blocks(group.languages, lambda: group_line(decision))
        )
    await _dm(
        context,
        decision.target.id,
        _target_locale(decision.target, group),
        lambda: (person_line(decision), _appeal_markup(context, decision)),
    )


async def carry_out(context: BridgeContext, decision: Decision) -> ops.ActionFailed | None:
    """Do in the chat what was decided; on refusal the log row records why (and stops counting)."""
    chat_id = decision.group.chat_id
    assert chat_id is not None
    target = decision.target.id
    try:
        if decision.kind == mod.MUTE:
            await ops.mute(context.bot, chat_id, target, decision.until)
        elif decision.kind == mod.KICK:
            await ops.kick(context.bot, chat_id, target)
        elif decision.kind == mod.BAN:
            await ops.ban(context.bot, chat_id, target, decision.until)
        elif decision.kind == mod.UNMUTE:
            await ops.unmute(context.bot, chat_id, target)
        elif decision.kind == mod.UNBAN:
            await ops.unban(context.bot, chat_id, target)
    except ops.ActionFailed as failure:
        async with context.db() as db:
            await mod.record_failure(db, decision.action_id, failure.log_text)
        return failure
    if decision.kind in mod.SANCTIONS:
        from bot.features.fairness.handlers import after_sanction

        await after_sanction(context, decision.group.program_id)
    return None


def failure_error(failure: ops.ActionFailed) -> ModerationError:
    if failure.code == "missing_right":
        return ModerationError(
            "missing_right", right=_(RIGHT_LABELS.get(failure.right or "", N_("Ban users")))
        )
    if failure.code == "flood":
        return ModerationError("telegram_flood")
    if failure.code == "gone":
        return ModerationError("message_gone")
    return ModerationError("telegram_refused")


async def tell_moderators(
    context: BridgeContext, group: GroupView, failure: ops.ActionFailed
) -> None:
    """A filter could not act: every moderator hears which right is missing, in their language."""
    async with context.db() as db:
        recipients = await reports.recipients_for(db, group, exclude=set())
    for recipient in recipients:

        def render() -> tuple[str, None]:
            error = failure_error(failure)
            return _("In {group}: ", group=group.name) + error_text(error), None

        await _dm(context, recipient.person_id, recipient.locale or group.languages[0], render)


# ---- filters ------------------------------------------------------------------------------------------


async def conduct_for(context: BridgeContext, chat_id: int) -> GroupConduct | None:
    cache: dict[int, tuple[float, GroupConduct | None]] = context.bot_data.setdefault(CACHE_KEY, {})
    now = time.monotonic()
    cached = cache.get(chat_id)
    if cached is not None and now - cached[0] < CACHE_TTL:
        return cached[1]
    async with context.db() as db:
        group = await group_lookup.by_chat(db, chat_id)
        if group is None:
            cache[chat_id] = (now, None)
            return None
        try:
            rules = await rules_service.for_group(db, group.program_id, group.id)
        except ConductError:
            log.exception(
                "the conduct rules of group %s cannot be used; falling back to the defaults",
                group.id,
            )
            rules = rules_service.build(group.program_id, group.id, rules_service.DEFAULTS, {})
        staff = await mod.staff_ids(db, group)
    previous = cached[1] if cached else None
    conduct = GroupConduct(
        group=group,
        compiled=rules_service.compile_for(rules),
        filters_enabled=rules.filters_enabled,
        staff=staff | context.settings.admin_ids,
        admins=await ops.admin_ids(context.bot, chat_id),
        loaded=now,
        policy=previous.policy if previous else ConductPolicy(),
    )
    cache[chat_id] = (now, conduct)
    return conduct


def _hidden_urls(message: Message) -> list[str]:
    entities = message.entities or message.caption_entities or ()
    return [e.url for e in entities if e.type == MessageEntity.TEXT_LINK and e.url]


async def on_group_message(update: Update, context: BridgeContext) -> None:
    """Every participant message (new or edited, text or caption) of a bound group."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.sender_chat is not None:
        return
    user = message.from_user
    if user is None or user.id == context.bot.id:
        return
    conduct = await conduct_for(context, chat.id)
    if conduct is None or not conduct.filters_enabled:
        return
    text = message.text or message.caption or ""
    now = context.clock()
    sender = identity(user)
    verdict = conduct.policy.review(
        conduct.compiled,
        text,
        sender_id=user.id,
        sender_name=user.full_name,
        exempt=user.id in conduct.staff or user.id in conduct.admins,
        now=now,
        is_forward=message.forward_origin is not None,
        is_edit=update.edited_message is not None,
        extra_urls=_hidden_urls(message),
    )
    if verdict.action == Action.ALLOW:
        return
    context.runtime.metrics.filter_hits.labels(rule=verdict.violation.rule.value).inc()
    await enforce(context, conduct, message, sender, text, verdict, now)
    raise ApplicationHandlerStop


async def enforce(
    context: BridgeContext,
    conduct: GroupConduct,
    message: Message,
    sender: TelegramIdentity,
    text: str,
    verdict: Verdict,
    now: datetime,
) -> None:
    group = conduct.group
    violation = verdict.violation
    assert violation is not None  # a verdict other than ALLOW names the rule broken
    try:
        await ops.delete(context.bot, message.chat_id, message.message_id)
    except ops.ActionFailed as failure:
        if failure.code != "gone":
            async with context.db() as db:
                await mod.log_event(
                    db,
                    program_id=group.program_id,
                    group_id=group.id,
                    action=mod.DELETE,
                    now=now,
                    target_id=None,
                    reason=None,
                    rule=f"filter:{violation.rule}",
                    failure=failure.log_text,
                )
            await tell_moderators(context, group, failure)
            return
    rule_name = f"filter:{violation.rule.value}"
    if verdict.action == Action.REMOVE:
        # A raid, or a flood already sanctioned: removed, nobody climbs the ladder (policy.py).
        if verdict.tell_group:
            await _post(
                context,
                message.chat_id,
                render_blocks(
                    group.languages,
                    lambda: _(
                        "🛡 Too many messages at once: I am removing new messages for a moment."
                    ),
                ),
            )
        return
    detail = violation.match or (
        f"{violation.count}/{int(violation.window.total_seconds())}s" if violation.window else None
    )
    quote = text[slice(*violation.span)][:QUOTE_LIMIT] if violation.span else None
    async with context.db() as db:
        target = await mod.known_target(db, sender, None, now)
        decision = await mod.offence(
            db,
            group,
            target,
            actor_id=None,
            actor_rule=rule_name,
            reason=None,
            rule=detail,
            excerpt=text or None,
            message_id=message.message_id,
            now=now,
        )
    not_carried = await carry_out(context, decision)
    if not_carried is not None:
        await tell_moderators(context, group, not_carried)
    label = RULE_LABELS[violation.rule]
    await _post(
        context,
        message.chat_id,
        render_blocks(
            group.languages,
            lambda: (
                _("🛡 A message from {name} was removed: {rule}.", name=target.name, rule=_(label))
                + ("" if decision.kind == mod.WARN or not_carried else "\n" + group_line(decision))
            ),
        ),
    )

    def render() -> tuple[str, InlineKeyboardMarkup | None]:
        lines = [
            _("Your message in {group} was removed because it broke this rule:", group=group.name),
            "«" + rule_text(violation, conduct.compiled.rules.person_limit.count) + "»",
        ]
        if quote:
            lines.append(_("What was found: «{quote}»", quote=quote))
        lines.append("")
        lines.append(person_line(decision, show_excerpt=False))
        return "\n".join(lines), _appeal_markup(context, decision)

    await _dm(context, target.id, _target_locale(target, group), render)


# ---- moderator commands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    who: TelegramIdentity | None
    ref: str | None
    duration: timedelta | None
    reason: str | None
    replied: Message | None


def _replied(message: Message) -> Message | None:
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None or replied.from_user is None:
        return None
    return replied


def parse(message: Message, args: list[str], *, command: str, timed: bool) -> Parsed:
    tokens = list(args)
    replied = _replied(message)
    who: TelegramIdentity | None = None
    ref: str | None = None
    if replied is not None:
        assert replied.from_user is not None
        who = identity(replied.from_user)
    else:
        mention = next(
            (e for e in message.entities or () if e.type == MessageEntity.TEXT_MENTION and e.user),
            None,
        )
        if mention is not None and mention.user is not None:
            who = identity(mention.user)
            mentioned = message.parse_entity(mention)
            words = mentioned.split()
            tokens = tokens[len(words) :] if tokens[: len(words)] == words else tokens[1:]
        elif tokens:
            ref = tokens.pop(0)
        else:
            raise ModerationError("no_target_timed" if timed else "no_target", command=command)
    duration = None
    if timed and tokens and _DURATION_LIKE.match(tokens[0]):
        duration = parse_duration(tokens.pop(0))
    reason = " ".join(tokens).strip()[:300] or None
    return Parsed(who, ref, duration, reason, replied)


@dataclass(frozen=True)
class Prepared:
    group: GroupView
    target: Target
    parsed: Parsed
    actor_id: int


async def prepare(
    update: Update,
    context: BridgeContext,
    command: str,
    *,
    timed: bool = False,
    presence: bool = True,
) -> tuple[Prepared, str | None]:
    """Checks every moderator command shares; returns the target's chat status too."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    now = context.clock()
    admin_ids = context.settings.admin_ids
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, admin_ids)
    parsed = parse(message, list(context.args or []), command=command, timed=timed)
    if parsed.who is not None and parsed.who.id == context.bot.id:
        raise ModerationError("target_is_bot")
    async with context.db() as db:
        target = await mod.known_target(db, parsed.who, parsed.ref, now)
    status = await ops.member_status(context.bot, chat.id, target.id)
    async with context.db() as db:
        await mod.check_target(
            db,
            group,
            actor_id=user.id,
            target=target,
            bot_id=context.bot.id,
            admin_ids=admin_ids,
            chat_status=status,
            needs_presence=presence,
        )
    return Prepared(group, target, parsed, user.id), status


async def _finish(context: BridgeContext, decision: Decision) -> None:
    failure = await carry_out(context, decision)
    if failure is not None:
        raise failure_error(failure)
    await announce(context, decision)


def _excerpt(parsed: Parsed) -> tuple[str | None, int | None]:
    if parsed.replied is None:
        return None, None
    return (parsed.replied.text or parsed.replied.caption or None), parsed.replied.message_id


async def warn(update: Update, context: BridgeContext) -> None:
    """/warn [reply | @user | id] [reason]: an offence; the ladder decides the sanction."""
    prepared, _status = await prepare(update, context, "warn")
    excerpt, message_id = _excerpt(prepared.parsed)
    async with context.db() as db:
        decision = await mod.offence(
            db,
            prepared.group,
            prepared.target,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            excerpt=excerpt,
            message_id=message_id,
            now=context.clock(),
        )
    await _finish(context, decision)


async def _explicit(
    update: Update, context: BridgeContext, command: str, kind: str, timed: bool
) -> None:
    prepared, _status = await prepare(update, context, command, timed=timed)
    excerpt, message_id = _excerpt(prepared.parsed)
    async with context.db() as db:
        decision = await mod.sanction(
            db,
            prepared.group,
            prepared.target,
            kind,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            duration=prepared.parsed.duration,
            excerpt=excerpt,
            message_id=message_id,
            now=context.clock(),
        )
    await _finish(context, decision)


async def mute(update: Update, context: BridgeContext) -> None:
    """/mute [reply | @user | id] [duration] [reason]."""
    await _explicit(update, context, "mute", mod.MUTE, True)


async def kick(update: Update, context: BridgeContext) -> None:
    """/kick [reply | @user | id] [reason]: removed, may rejoin through an invite."""
    await _explicit(update, context, "kick", mod.KICK, False)


async def ban(update: Update, context: BridgeContext) -> None:
    """/ban [reply | @user | id] [duration] [reason]."""
    await _explicit(update, context, "ban", mod.BAN, True)


async def unmute(update: Update, context: BridgeContext) -> None:
    prepared, _status = await prepare(update, context, "unmute")
    await _lift(context, prepared, mod.UNMUTE)


async def unban(update: Update, context: BridgeContext) -> None:
    prepared, status = await prepare(update, context, "unban", presence=False)
    if status != "kicked":
        raise ModerationError("not_banned", name=prepared.target.name)
    await _lift(context, prepared, mod.UNBAN)


async def _lift(context: BridgeContext, prepared, kind: str) -> None:
    async with context.db() as db:
        decision = await mod.lift(
            db,
            prepared.group,
            prepared.target,
            kind,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            now=context.clock(),
        )
    await _finish(context, decision)


async def unwarn(update: Update, context: BridgeContext) -> None:
    prepared, _status = await prepare(update, context, "unwarn", presence=False)
    async with context.db() as db:
        decision = await mod.unwarn(
            db,
            prepared.group,
            prepared.target,
            actor_id=prepared.actor_id,
            reason=prepared.parsed.reason,
            now=context.clock(),
        )
    await announce(context, decision)


async def warns(update: Update, context: BridgeContext) -> None:
    prepared, _status = await prepare(update, context, "warns", presence=False)
    zone = await reader_zone(update, context)
    async with context.db() as db:
        view = await mod.warns(db, prepared.group, prepared.target, context.clock())
    if not view.strikes:
        await reply(update, _("{name} has no active warnings.", name=view.target.name))
        return
    lines = [
        ngettext(
            "{name} has {n} active strike:",
            "{name} has {n} active strikes:",
            len(view.strikes),
            name=view.target.name,
        )
    ]
    for strike in view.strikes:
        line = f"• {format_datetime(strike.at, zone, width='short')} — {_label(SANCTION_LABELS, strike.kind)}"
        shown = _reason(strike.reason_code, strike.reason) or strike.rule
        if shown:
            line += f": {shown}"
        lines.append(line)
    lines.append(_("Next step on the ladder: {step}", step=_step_text(view.next_step)))
    await reply(update, "\n".join(lines))


async def delete(update: Update, context: BridgeContext) -> None:
    """/del (reply): delete the message; logged with its excerpt."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
    replied = _replied(message)
    if replied is None:
        raise ModerationError("del_needs_reply")
    assert replied.from_user is not None
    reason = " ".join(context.args or []).strip()[:300] or None
    if replied.from_user.id != context.bot.id:
        async with context.db() as db:
            target = await mod.known_target(db, identity(replied.from_user), None, context.clock())
            await mod.check_target(
                db,
                group,
                actor_id=None,
                target=target,
                bot_id=context.bot.id,
                admin_ids=context.settings.admin_ids,
                chat_status=None,
                needs_presence=False,
            )
    try:
        await ops.delete(context.bot, chat.id, replied.message_id)
    except ops.ActionFailed as failure:
        if failure.code != "gone":
            async with context.db() as db:
                await mod.log_event(
                    db,
                    program_id=group.program_id,
                    group_id=group.id,
                    action=mod.DELETE,
                    now=context.clock(),
                    actor_id=user.id,
                    failure=failure.log_text,
                )
        raise failure_error(failure) from None
    if replied.from_user.id == context.bot.id:
        return
    async with context.db() as db:
        decision = await mod.deleted(
            db,
            group,
            target,
            actor_id=user.id,
            reason=reason,
            excerpt=replied.text or replied.caption or None,
            message_id=replied.message_id,
            now=context.clock(),
        )
    # Remove the command too, so the chat shows nothing of it; the log keeps the record.
    try:
        await ops.delete(context.bot, chat.id, message.message_id)
    except ops.ActionFailed:
        pass
    await _dm(
        context, target.id, _target_locale(target, group), lambda: (person_line(decision), None)
    )


async def modlog(update: Update, context: BridgeContext) -> None:
    """/modlog: the group's latest log rows, sent privately to the moderator who asked."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        rows = await mod.log_rows(db, group_id=group.id, limit=MODLOG_ROWS)
    locale = current_locale()
    zone = await reader_zone(update, context)

    def render() -> tuple[str, None]:
        if not rows:
            return _("The moderation log of {group} is empty.", group=group.name), None
        lines = [_("Moderation log of {group}, newest first:", group=group.name)]
        for row in rows:
            actor = row.actor_name or (_("automatic filter") if row.actor_rule else "—")
            parts = [
                format_datetime(row.at, zone, width="short"),
                _label(ACTION_LABELS, row.action),
            ]
            if row.target_name:
                parts.append(row.target_name)
            parts.append(_("by {actor}", actor=actor))
            if row.duration_seconds:
                parts.append(duration_text(timedelta(seconds=row.duration_seconds)))
            shown = _reason(row.reason_code, row.reason) or row.rule
            if shown:
                parts.append(shown)
            if row.failure:
                parts.append(_("FAILED: {failure}", failure=row.failure))
            if row.revoked:
                parts.append(_("revoked"))
            if row.appeal_outcome:
                parts.append(_(APPEAL_OUTCOMES.get(row.appeal_outcome, APPEAL_PENDING)))
            lines.append("• " + " · ".join(parts))
        return "\n".join(lines), None

    sent = await _dm(context, user.id, locale, render)
    if sent is None:
        await reply(
            update, _("Please open a private chat with me (press Start), then try /modlog again.")
        )
    else:
        await reply(update, _("I sent you the moderation log in a private message."))


# ---- /rules in a group ---------------------------------------------------------------------------------


async def rules(update: Update, context: BridgeContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        own = {
            loc: await programs.conduct_text(db, group.program_id, loc) for loc in group.languages
        }
    text = render_blocks(group.languages, lambda: own.get(current_locale()) or _(DEFAULT_CONDUCT))
    await _post(context, chat.id, text)


# ---- reports ---------------------------------------------------------------------------------------------


def _message_link(chat_id: int, username: str | None, message_id: int) -> str | None:
    if username:
        return f"https://t.me/{username}/{message_id}"
    text = str(chat_id)
    if text.startswith("-100"):
        return f"https://t.me/c/{text[4:]}/{message_id}"
    return None


def _report_text(
    filed_name: str,
    group: GroupView,
    reporters: int,
    reason: str | None,
    excerpt: str | None,
    link: str | None,
) -> str:
    lines = [
        _("🚩 Report in {group} about {name}", group=group.name, name=filed_name),
        ngettext("Reported by {n} person.", "Reported by {n} people.", reporters),
    ]
    if reason:
        lines.append(_("Reason: {reason}", reason=reason))
    if excerpt:
        lines.append(_("Message: «{excerpt}»", excerpt=_clip(excerpt)))
    if link:
        lines.append(link)
    return "\n".join(lines)


def _report_keyboard(
    context: BridgeContext, moderator_id: int, report_id: int
) -> InlineKeyboardMarkup:
    secret = context.runtime.secret

    def button(text: str, code: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text, callback_data=sign(secret, moderator_id, REPORT, report_id, code)
        )

    return InlineKeyboardMarkup(
        [
            [button(_("Dismiss"), "d"), button(_("Warn"), "w")],
            [button(_("Mute 1h"), "m"), button(_("Remove"), "r")],
        ]
    )


async def report(update: Update, context: BridgeContext) -> None:
    """/report [reason], as a reply to the message being reported."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None and user is not None
    now = context.clock()
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
    replied = _replied(message)
    if replied is None:
        raise ModerationError("report_needs_reply")
    assert replied.from_user is not None
    if replied.from_user.id == context.bot.id:
        raise ModerationError("report_bot_message")
    if replied.from_user.id == user.id:
        raise ModerationError("report_own_message")
    reason = " ".join(context.args or []).strip()[:300] or None
    excerpt = replied.text or replied.caption or None
    async with context.db() as db:
        filed = await reports.file(
            db,
            group,
            reporter=identity(user),
            reported=identity(replied.from_user),
            chat_id=chat.id,
            message_id=replied.message_id,
            excerpt=excerpt,
            reason=reason,
            now=now,
        )
    link = _message_link(chat.id, chat.username, replied.message_id)
    for recipient in filed.recipients:
        locale = recipient.locale or group.languages[0]
        sent = await _dm(
            context,
            recipient.person_id,
            locale,
            functools.partial(
                lambda r: (
                    _report_text(filed.reported.name, group, 1, reason, filed.excerpt, link),
                    _report_keyboard(context, r.person_id, filed.report_id),
                ),
                recipient,
            ),
        )
        if sent is not None:
            async with context.db() as db:
                await reports.add_notice(db, filed.report_id, recipient.person_id, sent.message_id)
    if filed.merged and not filed.already_reported_by_you and not filed.handled:
        async with context.db() as db:
            notes = await reports.notices(db, filed.report_id)
        for note in notes:
            await _edit_notice(
                context,
                note.person_id,
                note.message_id,
                note.locale or group.languages[0],
                functools.partial(
                    lambda n: (
                        _report_text(
                            filed.reported.name, group, filed.reporters, None, filed.excerpt, link
                        ),
                        _report_keyboard(context, n.person_id, filed.report_id),
                    ),
                    note,
                ),
            )
    # The report stays discreet: the /report message disappears from the group.
    try:
        await ops.delete(context.bot, chat.id, message.message_id)
    except ops.ActionFailed:
        pass
    if filed.handled:
        ack = _("Thank you. The moderators have already dealt with this message.")
    elif filed.merged:
        ack = _("Thank you. This message had already been reported; your report was added to it.")
    else:
        ack = _(
            "Thank you for your report about a message in {group}. The moderators have been told and will look at it.",
            group=group.name,
        )
    sent = await _dm(context, user.id, current_locale(), lambda: (ack, None))
    if sent is None:
        await _post(context, chat.id, _("Thank you, the moderators have been told."))


async def _edit_notice(
    context: BridgeContext,
    chat_id: int,
    message_id: int,
    locale: str,
    render: Callable[[], tuple[str, InlineKeyboardMarkup | None]],
) -> None:
    with use_locale(locale):
        text, markup = render()
    try:
        await ops.attempt(
            lambda: context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            ),
            right=None,
        )
    except (ops.ActionFailed, TelegramError) as failure:
        log.info("could not update notice %s/%s: %s", chat_id, message_id, failure)


async def on_report_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    report_id = payload.number(0)
    outcome = REPORT_CODES[payload.arg(1)]
    now = context.clock()
    admin_ids = context.settings.admin_ids
    async with context.db() as db:
        peek = await reports.peek(db, report_id)
    if peek is None:
        raise ModerationError("report_gone")
    group, reported, message_id = peek
    status = None
    if outcome != "dismiss" and reported is not None and group.chat_id is not None:
        status = await ops.member_status(context.bot, group.chat_id, reported.id)
    decision: Decision | None = None
    async with context.db() as db:
        claim = await reports.claim(
            db, report_id, moderator_id=user.id, outcome=outcome, admin_ids=admin_ids, now=now
        )
        if claim.won and outcome != "dismiss" and reported is not None:
            await mod.check_target(
                db,
                group,
                actor_id=user.id,
                target=reported,
                bot_id=context.bot.id,
                admin_ids=admin_ids,
                chat_status=status,
                needs_presence=outcome != "warn",
            )
            # A code, not this moderator's words: each reader sees it in their own language.
            if outcome == "warn":
                decision = await mod.offence(
                    db,
                    group,
                    reported,
                    actor_id=user.id,
                    reason=None,
                    reason_code=ReasonCode.REPORTED_MESSAGE,
                    excerpt=claim.excerpt,
                    message_id=message_id,
                    now=now,
                )
            else:
                kind = mod.MUTE if outcome == "mute" else mod.KICK
                decision = await mod.sanction(
                    db,
                    group,
                    reported,
                    kind,
                    actor_id=user.id,
                    reason=None,
                    reason_code=ReasonCode.REPORTED_MESSAGE,
                    duration=REPORT_MUTE if outcome == "mute" else None,
                    excerpt=claim.excerpt,
                    message_id=message_id,
                    now=now,
                )
    if not claim.won:
        await reply(
            update,
            _(
                "Already handled by {name}: {outcome}.",
                name=claim.handler_name,
                outcome=_label(OUTCOME_LABELS, claim.outcome),
            ),
            alert=True,
        )
        await query.edit_message_reply_markup(reply_markup=None)
        return
    await query.answer()
    if decision is not None and group.chat_id is not None:
        try:
            await ops.delete(context.bot, group.chat_id, message_id)
        except ops.ActionFailed:
            pass  # already deleted, or the right is missing: the sanction itself still applies
        failure = await carry_out(context, decision)
        if failure is not None:
            await _dm(context, user.id, current_locale(), lambda: (_from_failure(failure), None))
        else:
            await announce(context, decision)
    async with context.db() as db:
        notes = await reports.notices(db, report_id)
    name = reported.name if reported else "?"
    for note in notes:
        await _edit_notice(
            context,
            note.person_id,
            note.message_id,
            note.locale or group.languages[0],
            lambda: (
                _("🚩 Report in {group} about {name}", group=group.name, name=name)
                + "\n"
                + _(
                    "Handled by {moderator}: {outcome}.",
                    moderator=claim.handler_name,
                    outcome=_label(OUTCOME_LABELS, outcome),
                ),
                None,
            ),
        )


def _from_failure(failure: ops.ActionFailed) -> str:
    return error_text(failure_error(failure))


# ---- appeals -------------------------------------------------------------------------------------------


def _appeal_keyboard(
    context: BridgeContext, reviewer_id: int, appeal_id: int
) -> InlineKeyboardMarkup:
    secret = context.runtime.secret
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Accept"),
                    callback_data=sign(secret, reviewer_id, APPEAL_ACCEPT, appeal_id),
                ),
                InlineKeyboardButton(
                    _("❌ Reject"),
                    callback_data=sign(secret, reviewer_id, APPEAL_REJECT, appeal_id),
                ),
            ]
        ]
    )


async def on_appeal_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    """The sanctioned person pressed Appeal: ask why, in one message."""
    user = update.effective_user
    assert user is not None
    action_id = payload.number(0)
    async with context.db() as db:
        await appeals.check(db, action_id, user.id, context.clock())
    context.person_data[AWAIT_APPEAL] = action_id
    context.person_data.pop(AWAIT_REJECT, None)
    await reply(
        update,
        _(
            "Please write in one message why this sanction should be lifted. Moderators who did not take part in it will review your appeal."
        ),
    )


async def appeal_command(update: Update, context: BridgeContext) -> None:
    """/appeal in private: the person's sanctions that can still be appealed, each with a button."""
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        found = await appeals.open_sanctions(db, user.id, context.clock())
    zone = await reader_zone(update, context)
    if not found:
        await reply(update, _("You have no sanctions that can be appealed."))
        return
    secret = context.runtime.secret
    rows = [
        [
            InlineKeyboardButton(
                _(
                    "{sanction} in {group}, {date}",
                    sanction=_label(SANCTION_LABELS, item.kind),
                    group=item.group_name,
                    date=format_datetime(item.at, zone, width="short"),
                ),
                callback_data=sign(secret, user.id, APPEAL, item.action_id),
            )
        ]
        for item in found
    ]
    await reply(
        update, _("Which sanction do you want to appeal?"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def _file_appeal(update: Update, context: BridgeContext, action_id: int, text: str) -> None:
    user = update.effective_user
    assert user is not None
    now = context.clock()
    async with context.db() as db:
        filed = await appeals.file(db, action_id, user.id, text, now)
        excerpt = await mod.excerpt_of(db, action_id)
    for reviewer in filed.reviewers:

        def render(r=reviewer) -> tuple[str, InlineKeyboardMarkup]:
            lines = [
                _(
                    "⚖️ Appeal from {name} ({group})",
                    name=filed.person.name,
                    group=group_label(filed.action.group_name),
                ),
                _(
                    "Sanction: {sanction}, {date}",
                    sanction=_label(SANCTION_LABELS, filed.action.kind),
                    date=format_datetime(filed.action.at, "UTC", width="long"),
                ),
            ]
            shown = _reason(filed.action.reason_code, filed.action.reason) or filed.action.rule
            if shown:
                lines.append(_("Reason: {reason}", reason=shown))
            if excerpt:
                lines.append(_("Message: «{excerpt}»", excerpt=_clip(excerpt)))
            lines.append(_("Their appeal: «{text}»", text=_clip(filed.text, 1000)))
            return "\n".join(lines), _appeal_keyboard(context, r.person_id, filed.appeal_id)

        sent = await _dm(context, reviewer.person_id, reviewer.locale, render)
        if sent is not None:
            async with context.db() as db:
                await appeals.add_notice(db, filed.appeal_id, reviewer.person_id, sent.message_id)
    await reply(update, _("Your appeal was sent. You will get a message once it has been decided."))


async def on_appeal_decision(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    assert user is not None
    appeal_id = payload.number(0)
    if payload.action == APPEAL_REJECT:
        async with context.db() as db:
            appeal = await appeals.require_reviewer(
                db, appeal_id, user.id, context.settings.admin_ids
            )
            status = appeal.status
        if status != "open":
            await _decide(update, context, appeal_id, accept=False, reason=None)
            return
        context.person_data[AWAIT_REJECT] = appeal_id
        context.person_data.pop(AWAIT_APPEAL, None)
        await reply(
            update,
            _("Please write in one message why the appeal is rejected; the person will read it."),
        )
        return
    await _decide(update, context, appeal_id, accept=True, reason=None)


async def _decide(
    update: Update, context: BridgeContext, appeal_id: int, *, accept: bool, reason: str | None
) -> None:
    user = update.effective_user
    assert user is not None
    now = context.clock()
    async with context.db() as db:
        decided = await appeals.decide(
            db,
            appeal_id,
            reviewer_id=user.id,
            accept=accept,
            reason=reason,
            admin_ids=context.settings.admin_ids,
            now=now,
        )
    verdict = lambda: _("accepted") if decided.accepted else _("rejected")  # noqa: E731
    if not decided.won:
        await reply(
            update,
            _(
                "Already decided by {name}: {outcome}.",
                name=decided.reviewer_name,
                outcome=verdict(),
            ),
            alert=True,
        )
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    group = decided.group
    person = decided.person
    if accept and person is not None and group.chat_id is not None:
        try:
            if decided.kind == mod.MUTE:
                await ops.unmute(context.bot, group.chat_id, person.id)
            elif decided.kind in (mod.BAN, mod.KICK):
                await ops.unban(context.bot, group.chat_id, person.id)
        except ops.ActionFailed as failure:
            async with context.db() as db:
                await mod.log_event(
                    db,
                    program_id=group.program_id,
                    group_id=group.id,
                    action="appeal_undo",
                    now=now,
                    target_id=person.id,
                    actor_id=user.id,
                    failure=failure.log_text,
                )
            await _dm(
                context,
                user.id,
                current_locale(),
                functools.partial(lambda f: (_from_failure(f), None), failure),
            )
    if person is not None:

        def told() -> tuple[str, None]:
            sanction = _label(SANCTION_LABELS, decided.kind)
            if decided.accepted:
                return _(
                    "✅ Your appeal about the {sanction} in {group} was accepted: it has been lifted.",
                    sanction=sanction,
                    group=group.name,
                ), None
            text = _(
                "Your appeal about the {sanction} in {group} was rejected.",
                sanction=sanction,
                group=group.name,
            )
            return _with_reason(text, decided.reason), None

        await _dm(context, person.id, _target_locale(person, group), told)
    async with context.db() as db:
        notes = await appeals.notices(db, appeal_id)
    for note in notes:
        await _edit_notice(
            context,
            note.person_id,
            note.message_id,
            note.locale or group.languages[0],
            lambda: (
                _(
                    "⚖️ Appeal from {name} ({group})",
                    name=person.name if person else "?",
                    group=group_label(group.name),
                )
                + "\n"
                + _("Decided by {name}: {outcome}.", name=decided.reviewer_name, outcome=verdict()),
                None,
            ),
        )
    if update.callback_query is None:
        await reply(
            update, _("Done: the appeal was {outcome} and the person was told.", outcome=verdict())
        )


async def on_private_text(update: Update, context: BridgeContext) -> bool:
    """Typed answers to the questions this part asks: an appeal's text, a rejection's reason."""
    data = context.user_data
    message = update.effective_message
    if data is None or message is None:
        return False
    if AWAIT_REJECT in data:
        appeal_id = data.pop(AWAIT_REJECT)
        await _decide(
            update,
            context,
            appeal_id,
            accept=False,
            reason=(message.text or "").strip()[:500] or None,
        )
        return True
    if AWAIT_APPEAL in data:
        action_id = data.pop(AWAIT_APPEAL)
        await _file_appeal(update, context, action_id, message.text or "")
        return True
    return await moderation_rules.on_private_text(update, context)


# ---- /settings -----------------------------------------------------------------------------------------


async def settings_command(update: Update, context: BridgeContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        current = await rules_service.for_group(db, group.program_id, group.id)
        offered = await rules_service.program_languages(db, group.program_id)
    text, keyboard = _settings_view(
        context, user.id, group, dict(current.settings), group.languages, offered
    )
    await reply(update, text, reply_markup=keyboard)


async def on_settings_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    chat, user, query = update.effective_chat, update.effective_user, update.callback_query
    assert chat is not None and user is not None and query is not None
    now = context.clock()
    tag = payload.arg(1)  # the state the button was drawn with ("" on buttons older than tags)
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        current = await rules_service.for_group(db, group.program_id, group.id)
        languages = group.languages
        if payload.action == SETTING:
            drawn = version_tag(setting_state(dict(current.settings), payload.arg(0)))
        else:
            drawn = version_tag(payload.arg(0) in languages)
        if tag and tag != drawn:
            # Pressed on an older state (a double tap, an old copy): this change was made already.
            # Show the state as it is now instead of changing it again.
            offered = await rules_service.program_languages(db, group.program_id)
            text, keyboard = _settings_view(
                context, user.id, group, dict(current.settings), languages, offered
            )
            await answer_once(query, _(ALREADY_DONE))
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        if payload.action == SETTING:
            current = await rules_service.change_group_setting(
                db, group.program_id, group.id, payload.arg(0), actor_id=user.id, now=now
            )
        else:
            languages = await rules_service.toggle_group_language(
                db,
                group.program_id,
                group.id,
                payload.arg(0),
                group.languages,
                actor_id=user.id,
                now=now,
            )
            current = await rules_service.for_group(db, group.program_id, group.id)
        offered = await rules_service.program_languages(db, group.program_id)
    invalidate(context, chat.id)
    text, keyboard = _settings_view(
        context, user.id, group, dict(current.settings), languages, offered
    )
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)  # unchanged is fine (bot_api)


# ---- wiring ------------------------------------------------------------------------------------------

BUTTONS: dict[str, ButtonHandler] = {
    APPEAL: on_appeal_button,
    APPEAL_ACCEPT: on_appeal_decision,
    APPEAL_REJECT: on_appeal_decision,
    REPORT: on_report_button,
    SETTING: on_settings_button,
    LANGUAGE: on_settings_button,
    **moderation_rules.BUTTONS,
}


def build_handlers() -> list[tuple[int, BaseHandler]]:
    """(handler group, handler) pairs; the groups are the constants in bot/handler_groups.py."""
    groups = filters.ChatType.GROUPS
    new_only = filters.UpdateType.MESSAGE
    group_commands = {
        "warn": warn,
        "unwarn": unwarn,
        "warns": warns,
        "mute": mute,
        "unmute": unmute,
        "kick": kick,
        "ban": ban,
        "unban": unban,
        "del": delete,
        "modlog": modlog,
        "settings": settings_command,
        "rules": rules,
        "report": report,
    }
    handlers: list[tuple[int, BaseHandler]] = [
        (
            GROUP_FILTERS,
            MessageHandler(PARTICIPANT_MESSAGE, on_group_message),
        )
    ]
    handlers += [
        (GROUP_COMMANDS, CommandHandler(name, callback, filters=groups & new_only))
        for name, callback in group_commands.items()
    ]
    private = filters.ChatType.PRIVATE
    handlers += [
        (GROUP_COMMANDS, CommandHandler("appeal", appeal_command, filters=private & new_only)),
        (
            GROUP_COMMANDS,
            CommandHandler("conduct", moderation_rules.conduct_command, filters=private & new_only),
        ),
        # A .txt list of blocked terms answering /conduct's question (nothing else takes files).
        (
            GROUP_COMMANDS,
            MessageHandler(private & new_only & filters.Document.ALL, moderation_rules.on_document),
        ),
    ]
    return handlers


__all__ = ["BUTTONS", "build_handlers", "on_private_text"]
