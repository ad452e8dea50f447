"""A group's allowed sites (asked from /settings) and the /settings panel itself."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BridgeContext
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation import rules as rules_service
from bot.features.moderation import service as mod
from bot.features.moderation.common import LANGUAGE, SETTING, invalidate, label
from bot.features.moderation.rules_handlers.conduct import _clear, on_button
from bot.features.moderation.rules_handlers.render import (
    AWAIT,
    CYCLE,
    EDIT,
    GROUP_DOMAINS,
    LINK_LABELS,
    PICK,
    domains_line,
)
from bot.handlers.callbacks import Payload, sign, version_tag
from bot.handlers.common import answer_once, reply
from bot.i18n import _, language_name

# ---- a group's allowed sites (from /settings) -------------------------------------------------------


def domains_button(context: BridgeContext, moderator_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        _("Edit the allowed sites"),
        callback_data=sign(context.runtime.secret, moderator_id, GROUP_DOMAINS),
    )


async def on_group_domains_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    """Pressed under /settings in the group: the moderator types the list privately."""
    chat, user, query = update.effective_chat, update.effective_user, update.callback_query
    assert chat is not None and user is not None and query is not None
    async with context.db() as db:
        group = await mod.bound_group(db, chat.id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        current = await rules_service.for_group(db, group.program_id, group.id)
    text = _(
        "Send me the sites {group} may link to, separated by spaces or commas, for example: "
        "wikipedia.org, bbc.com (their subdomains are allowed too). Send - to empty the list.\n"
        "Now: {current}",
        group=group.name,
        current=" ".join(current.settings["allowed_domains"] or ()) or "-",
    )
    try:
        await context.bot.send_message(user.id, text)
    except TelegramError:
        await answer_once(
            query,
            _("Please open a private chat with me (press Start), then press the button again."),
            show_alert=True,
        )
        return
    context.person_data[AWAIT] = {
        "key": "group_domains",
        "chat": chat.id,
        "panel": query.message.message_id if query.message else None,
    }
    await answer_once(query, _("I sent you a private message: type the sites there."))


async def _group_domains_text(
    update: Update, context: BridgeContext, pending: dict[str, Any], text: str
) -> None:
    user = update.effective_user
    assert user is not None
    chat_id = int(pending["chat"])
    domains = rules_service.parse_domains(text)
    async with context.db() as db:
        group = await mod.bound_group(db, chat_id)
        await mod.require_moderator(db, group, user.id, context.settings.admin_ids)
        current = await rules_service.set_group_domains(
            db, group.program_id, group.id, domains, actor_id=user.id, now=context.clock()
        )
        offered = await rules_service.program_languages(db, group.program_id)
        group = await group_lookup.by_id(db, group.id) or group
    _clear(context)
    invalidate(context, chat_id)
    await reply(
        update, _("Saved for {group}.", group=group.name) + "\n" + domains_line(current.settings)
    )
    panel_id = pending.get("panel")
    if panel_id is None or group is None:
        return
    panel, keyboard = settings_view(
        context, user.id, group, dict(current.settings), group.languages, offered
    )
    try:
        await context.bot.edit_message_text(
            panel, chat_id=chat_id, message_id=panel_id, reply_markup=keyboard
        )
    except TelegramError:
        pass  # the panel was deleted or is too old to edit; the change is saved and logged


BUTTONS = {
    PICK: on_button,
    EDIT: on_button,
    CYCLE: on_button,
    GROUP_DOMAINS: on_group_domains_button,
}


# ---- /settings: a group's panel (drawn by moderation.py, redrawn here after its sites change) ---


def on_off(value: bool) -> str:
    # Translators: a setting's state in the /settings panel: 'Filters: on' / 'Filters: off'.
    return _("on") if value else _("off")


def setting_state(settings: dict, key: str) -> object:
    """What one /settings button changes, as it is now (its version tag is drawn from this)."""
    if key in ("flood", "raid"):
        return (settings.get(f"{key}_messages"), settings.get(f"{key}_seconds"))
    return settings.get(key)


def settings_view(
    context: BridgeContext,
    moderator_id: int,
    group: GroupView,
    settings: dict,
    languages: tuple[str, ...],
    offered: tuple[str, ...],
) -> tuple[str, InlineKeyboardMarkup]:
    secret = context.runtime.secret
    flood = _(
        "Flood limit: {count} messages in {seconds} s",
        count=settings["flood_messages"],
        seconds=settings["flood_seconds"],
    )
    raid = _(
        "Raid limit: {count} messages in {seconds} s",
        count=settings["raid_messages"],
        seconds=settings["raid_seconds"],
    )
    links = _("Links: {policy}", policy=label(LINK_LABELS, settings["link_policy"]))
    allowlist = settings["link_policy"] == "allowlist"
    forwards = _(
        "Forwards: {state}",
        state=_("allowed") if settings["forwards_allowed"] else _("not allowed"),
    )
    filters_line = _("Filters: {state}", state=on_off(settings["filters_enabled"]))
    text = "\n".join(
        [
            _("Settings of {group}", group=group.name),
            filters_line,
            flood,
            raid,
            links,
            *([domains_line(settings)] if allowlist else []),
            forwards,
            _(
                "Languages: {languages}",
                languages=", ".join(language_name(loc) for loc in languages),
            ),
            "",
            _(
                "Press a button to change a setting. Every change is recorded in the moderation log."
            ),
        ]
    )

    def button(label: str, key: str) -> list[InlineKeyboardButton]:
        tag = version_tag(setting_state(settings, key))
        return [
            InlineKeyboardButton(label, callback_data=sign(secret, moderator_id, SETTING, key, tag))
        ]

    rows = [
        button(filters_line, "filters_enabled"),
        button(flood, "flood"),
        button(raid, "raid"),
        button(links, "link_policy"),
        *([[domains_button(context, moderator_id)]] if allowlist else []),
        button(forwards, "forwards_allowed"),
    ]
    rows.append(
        [
            InlineKeyboardButton(
                ("✅ " if loc in languages else "▫️ ") + language_name(loc),
                callback_data=sign(
                    secret, moderator_id, LANGUAGE, loc, version_tag(loc in languages)
                ),
            )
            for loc in offered
        ]
    )
    return text, InlineKeyboardMarkup(rows)
