"""/conduct: the question waiting for a typed value, the program's panel and its buttons."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.domain.errors import BridgeError
from bot.features.moderation import rules as rules_service
from bot.features.moderation.common import AWAIT_APPEAL, AWAIT_REJECT, invalidate_program
from bot.features.moderation.rules_handlers.render import (
    AWAIT,
    CYCLE,
    CYCLE_KEYS,
    CYCLE_SETTINGS,
    EDIT_KEYS,
    MAX_MESSAGE,
    PICK,
    panel_keyboard,
    panel_text,
    prompt,
)
from bot.features.programs import service as programs
from bot.handlers.callbacks import Payload, sign, version_tag
from bot.handlers.common import ALREADY_DONE, answer_once, reply
from bot.i18n import _
from bot.services import access

# ---- state ------------------------------------------------------------------------------------------


def _awaiting(context: BridgeContext) -> dict[str, Any] | None:
    data = context.user_data
    return data.get(AWAIT) if data is not None else None


def _clear(context: BridgeContext) -> None:
    if context.user_data is not None:
        context.person_data.pop(AWAIT, None)


def _invalidate_program(context: BridgeContext, program_id: int) -> None:
    invalidate_program(context, program_id)


async def _load(
    context: BridgeContext, user_id: int, program_id: int
) -> tuple[str, rules_service.ProgramRules]:
    async with context.db() as db:
        await access.require_organizer(db, user_id, context.settings.admin_ids, program_id)
        program = await programs.get(db, program_id)
        view = await rules_service.program_rules(db, program_id)
    return program.name, view


async def show_panel(
    update: Update, context: BridgeContext, program_id: int, *, before: str | None = None
) -> None:
    user = update.effective_user
    assert user is not None
    name, view = await _load(context, user.id, program_id)
    text = panel_text(name, view)
    if before:
        text = before + "\n\n" + text
    await reply(
        update, text[:MAX_MESSAGE], reply_markup=panel_keyboard(context, user.id, program_id, view)
    )


# ---- /conduct ---------------------------------------------------------------------------------------


async def conduct_command(update: Update, context: BridgeContext) -> None:
    """/conduct [PROGRAM]: the program's rule set with a button per rule (organizers)."""
    user = update.effective_user
    assert user is not None
    _clear(context)
    admin_ids = context.settings.admin_ids
    async with context.db() as db:
        await access.require_organizer(db, user.id, admin_ids)
        if context.args:
            program = await programs.find(db, " ".join(context.args))
            await access.require_organizer(db, user.id, admin_ids, program.id)
            chosen = [program]
        else:
            summaries = await programs.list_for(db, user.id, is_admin=user.id in admin_ids)
            chosen = [s.program for s in summaries]
    if not chosen:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    if len(chosen) == 1:
        await show_panel(update, context, chosen[0].id)
        return
    secret = context.runtime.secret
    buttons = [
        [InlineKeyboardButton(p.name[:60], callback_data=sign(secret, user.id, PICK, p.id))]
        for p in chosen
    ]
    await reply(
        update,
        _("The conduct rules of which program?"),
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def on_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    program_id = payload.number(0)
    if payload.action == PICK:
        _clear(context)
        await show_panel(update, context, program_id)
        return
    key = payload.arg(1)
    if payload.action == CYCLE:
        if key not in CYCLE_KEYS:
            raise BridgeError("stale_step")
        await _cycle(update, context, program_id, key, payload.arg(2))
        return
    if key not in EDIT_KEYS:
        raise BridgeError("stale_step")
    name, view = await _load(context, user.id, program_id)
    context.person_data[AWAIT] = {"program": program_id, "key": key}
    # An earlier appeal question must not catch the answer to this one.
    for other in (AWAIT_APPEAL, AWAIT_REJECT):
        context.person_data.pop(other, None)
    await reply(update, prompt(key, name, view))


async def _cycle(
    update: Update, context: BridgeContext, program_id: int, key: str, tag: str
) -> None:
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    now = context.clock()
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids, program_id)
        current = await rules_service.for_program(db, program_id)
        setting = CYCLE_SETTINGS[key]
        # A press drawn on an older value (a double tap, an old panel) was done already: the panel
        # is redrawn as it is now instead ("" on buttons older than tags acts as before).
        repeated = bool(tag) and tag != version_tag(current.settings[setting])
        if not repeated:
            changes = rules_service.next_setting_value(current, setting)
            await rules_service.set_program_settings(
                db, program_id, changes, actor_id=user.id, now=now
            )
        program = await programs.get(db, program_id)
        view = await rules_service.program_rules(db, program_id)
    _invalidate_program(context, program_id)
    await answer_once(query, _(ALREADY_DONE) if repeated else None)
    # An unchanged panel is not an error (bot/bot_api.py).
    await query.edit_message_text(
        panel_text(program.name, view)[:MAX_MESSAGE],
        reply_markup=panel_keyboard(context, user.id, program_id, view),
    )
