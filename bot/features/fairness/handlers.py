"""/transparency in a group, the closing note, and the organizers' alert (thin: texts.py renders,
bot/services/fairness.py counts)."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BridgeContext
from bot.domain.errors import BridgeError
from bot.features.fairness import texts
from bot.features.feedback import surveys
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation import rules as rules_service
from bot.features.moderation import service as mod
from bot.handler_groups import GROUP_COMMANDS
from bot.handlers.group_post import render_blocks
from bot.i18n import use_locale
from bot.services import fairness, people

log = logging.getLogger(__name__)


async def transparency_text(context: BridgeContext, group: GroupView, now: datetime) -> str:
    async with context.db() as db:
        month = await fairness.group_month(db, group.id, now=now)
        k = (await surveys.settings_of(db, group.program_id)).k_ratings
        rules = await rules_service.for_group(db, group.program_id, group.id)
        zone_name = await fairness.program_zone(db, group.program_id)
    from bot.features.moderation.rules_handlers import ladder_text

    return render_blocks(
        group.languages,
        lambda: texts.transparency(
            month,
            k=k,
            program_zone=zone_name,
            ladder=ladder_text(rules.ladder),
            filters_on=rules.filters_enabled,
        ),
    )


async def transparency_command(update: Update, context: BridgeContext) -> None:
    """/transparency in a dialogue group: the rules, this month's actions by kind, appeals upheld."""
    chat = update.effective_chat
    message = update.effective_message
    assert chat is not None and message is not None
    try:
        async with context.db() as db:
            group = await mod.bound_group(db, chat.id)
        text = await transparency_text(context, group, context.clock())
    except BridgeError as error:
        from bot.handlers.errors import error_text

        await message.reply_text(error_text(error))
        return
    await context.bot.send_message(chat.id, text[:4096])


async def closing_note(application, group_id: int, now: datetime):
    """The note a session's closing message carries, as a render function for each language."""
    from bot.context import runtime_of

    runtime = runtime_of(application)
    async with runtime.db() as db:
        group = await group_lookup.by_id(db, group_id)
        if group is None:
            return lambda: ""
        month = await fairness.group_month(db, group_id, now=now)
        k = (await surveys.settings_of(db, group.program_id)).k_ratings
    return lambda: texts.closing_note(month, k=k)


async def after_sanction(context: BridgeContext, program_id: int) -> None:
    """Tell the organizers in private, once per month, when sanctions per message differ between
    sides beyond the program's threshold. Never in the way of the sanction itself."""
    now = context.clock()
    try:
        async with context.db() as db:
            alert = await fairness.due_alert(db, program_id, now=now)
            if alert is None:
                return
            locales = {}
            for person_id in alert.organizer_ids:
                person = await people.get(db, person_id)
                locales[person_id] = person.locale if person else None
    except Exception:  # the alert must never undo or delay a sanction
        log.exception("fairness alert check failed for program %s", program_id)
        return
    for person_id, locale in locales.items():
        with use_locale(locale):
            text = texts.alert(alert, now=now)
        try:
            await context.bot.send_message(person_id, text)
        except TelegramError as failure:
            log.info("could not tell organizer %s about fairness: %s", person_id, failure)


def build_handlers() -> list[tuple[int, BaseHandler]]:
    return [
        (
            GROUP_COMMANDS,
            CommandHandler(
                "transparency",
                transparency_command,
                filters=filters.ChatType.GROUPS & filters.UpdateType.MESSAGE,
            ),
        )
    ]
