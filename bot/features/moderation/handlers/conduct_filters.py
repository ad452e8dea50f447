"""The conduct filters on every participant message of a bound group (GROUP_FILTERS).

Their fast path touches no database: the group's rules, compiled automaton and staff are cached
per chat for ``CACHE_TTL`` seconds (and dropped at once when /settings changes them); flood
counters live in memory per chat. Only a message that breaks a rule costs database work."""

from __future__ import annotations

import time
from datetime import datetime

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BridgeContext
from bot.domain.conduct import ConductError
from bot.domain.conduct.policy import Action, ConductPolicy, Verdict
from bot.features.groups import lookup as group_lookup
from bot.features.moderation import ops
from bot.features.moderation import rules as rules_service
from bot.features.moderation import service as mod
from bot.features.moderation.common import CACHE_KEY, GroupConduct
from bot.features.moderation.handlers.common import CACHE_TTL, QUOTE_LIMIT, RULE_LABELS, log
from bot.features.moderation.handlers.render import group_line, person_line, rule_text
from bot.features.moderation.handlers.sending import (
    _appeal_markup,
    _dm,
    _post,
    _target_locale,
    carry_out,
    tell_moderators,
)
from bot.handlers.common import identity
from bot.handlers.group_post import render_blocks
from bot.i18n import _
from bot.services.people import TelegramIdentity

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
    assert verdict.violation is not None  # a verdict other than ALLOW names the rule broken
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
