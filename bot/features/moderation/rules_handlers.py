"""Organizers edit a program's conduct rule set in private chat (/conduct); moderators edit their
group's allowed sites from /settings.

/conduct shows the program's rules in the organizer's language with a button per rule. Toggles act
at once; the others ask for a typed value (a ladder, a duration, "5/10s", domains, "add ru a, b")
answered in the same private chat, or a .txt document of blocked terms. Every change goes through
bot/services/rules.py (validated by the conduct domain, logged as a settings change) and then marks
the cached rules of the program's groups stale, so the next group message is checked by the new
rules. A bad value gets the translated error and changes nothing; the question stays open so the
organizer can send a corrected value (or /conduct to start over).
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BridgeContext
from bot.domain.conduct import Ladder
from bot.domain.errors import BridgeError, InvalidInput
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.moderation import rules as rules_service
from bot.features.moderation import service as mod
from bot.features.moderation.common import (
    AWAIT_APPEAL,
    AWAIT_REJECT,
    LANGUAGE,
    SETTING,
    invalidate,
    invalidate_program,
    label,
    step_text,
)
from bot.features.programs import service as programs
from bot.handlers.callbacks import Payload, sign, version_tag
from bot.handlers.common import ALREADY_DONE, answer_once, reply
from bot.i18n import N_, _, current_locale, language_name, ngettext
from bot.services import access

# Callback actions (signed for the organizer / moderator; prefix "Mc" = moderation conduct).
PICK, EDIT, CYCLE, GROUP_DOMAINS = "Mcp", "Mce", "Mcc", "Mcd"
AWAIT = "moderation.conduct"
EDIT_KEYS = ("ladder", "expiry", "flood", "raid", "domains", "terms")
CYCLE_KEYS = ("links", "forwards")
CYCLE_SETTINGS = {"links": "link_policy", "forwards": "forwards_allowed"}
MAX_FILE_BYTES = rules_service.MAX_TERMS_FILE_BYTES
MAX_MESSAGE = 4096
EXAMPLE_LADDER = "warn, warn, mute 1h, mute 24h, remove"

LINK_LABELS = {
    "allow": N_("allowed"),
    "deny": N_("not allowed"),
    "allowlist": N_("only allowed sites"),
}


# ---- rendering (inside the reader's locale) ---------------------------------------------------------


def ladder_text(ladder: Ladder) -> str:
    return " → ".join(step_text(step) for step in ladder.steps)


def links_line(settings: Any) -> str:
    policy = settings["link_policy"]
    return _("Links: {policy}", policy=_(LINK_LABELS[policy]) if policy in LINK_LABELS else policy)


def domains_line(settings: Any) -> str:
    return _(
        "Allowed sites: {domains}",
        domains=", ".join(settings["allowed_domains"] or ()) or _("none yet"),
    )


def forwards_line(settings: Any) -> str:
    return _(
        "Forwards: {state}",
        state=_("allowed") if settings["forwards_allowed"] else _("not allowed"),
    )


def _counts_text(counts: dict[str, int]) -> str:
    here = current_locale()
    return ", ".join(
        _("{language}: {count}", language=language_name(loc, in_locale=here), count=n)
        for loc, n in counts.items()
    )


def terms_line(counts: dict[str, int]) -> str:
    if not counts:
        return _("Own blocked terms: none (the shipped lists apply)")
    return _("Own blocked terms: {counts}", counts=_counts_text(counts))


def panel_text(name: str, view: rules_service.ProgramRules) -> str:
    s = view.settings
    lines = [
        _("Conduct rules of {program}", program=name),
        _("Escalation ladder: {steps}", steps=ladder_text(view.ladder)),
        ngettext(
            "Warnings count for {n} day",
            "Warnings count for {n} days",
            view.expiry_days,
        ),
        _(
            "Flood limit: {count} messages in {seconds} s",
            count=s["flood_messages"],
            seconds=s["flood_seconds"],
        ),
        _(
            "Raid limit: {count} messages in {seconds} s",
            count=s["raid_messages"],
            seconds=s["raid_seconds"],
        ),
        links_line(s),
    ]
    if s["link_policy"] == "allowlist":
        lines.append(domains_line(s))
    lines += [forwards_line(s), terms_line(dict(view.term_counts))]
    if view.overrides:
        lines.append(
            ngettext(
                "{n} group has changed some of these for itself in /settings: {groups}",
                "{n} groups have changed some of these for themselves in /settings: {groups}",
                len(view.overrides),
                groups=", ".join(o.name for o in view.overrides),
            )
        )
    lines += [
        "",
        _("Press a button to change a rule. Every change is recorded in the moderation log."),
    ]
    return "\n".join(lines)


def panel_keyboard(
    context: BridgeContext, user_id: int, program_id: int, view: rules_service.ProgramRules
) -> InlineKeyboardMarkup:
    secret = context.runtime.secret

    def button(label: str, action: str, key: str) -> list[InlineKeyboardButton]:
        # A cycling button carries the value it was drawn with (see callbacks.version_tag).
        tag = (version_tag(view.settings[CYCLE_SETTINGS[key]]),) if action == CYCLE else ()
        return [
            InlineKeyboardButton(
                label, callback_data=sign(secret, user_id, action, program_id, key, *tag)
            )
        ]

    rows = [
        button(_("Change the escalation ladder"), EDIT, "ladder"),
        button(_("Change how long warnings count"), EDIT, "expiry"),
        button(_("Change the flood limit"), EDIT, "flood"),
        button(_("Change the raid limit"), EDIT, "raid"),
        button(links_line(view.settings), CYCLE, "links"),
    ]
    if view.settings["link_policy"] == "allowlist":
        rows.append(button(_("Edit the allowed sites"), EDIT, "domains"))
    rows += [
        button(forwards_line(view.settings), CYCLE, "forwards"),
        button(_("Blocked terms"), EDIT, "terms"),
    ]
    return InlineKeyboardMarkup(rows)


def prompt(key: str, name: str, view: rules_service.ProgramRules) -> str:
    s = view.settings
    if key == "ladder":
        return _(
            "Send the new escalation ladder for {program}: the steps separated by commas, in order. "
            "Steps: warn, mute with a duration (mute 1h), remove, ban (ban 7d, or ban alone for "
            "good). A person's next offence gets the step after their active warnings and "
            "sanctions.\nFor example: {example}\nNow: {current}",
            program=name,
            example=EXAMPLE_LADDER,
            current=view.ladder.spec(),
        )
    if key == "expiry":
        return _(
            "How long should a warning or sanction count on the ladder? Send days, such as 30d, or "
            "weeks, such as 4w (at most 366 days).\nNow: {current}",
            current=f"{view.expiry_days}d",
        )
    if key == "flood":
        return _(
            "Send the flood limit for one person as messages/seconds: 5/10s means more than 5 "
            "messages within 10 seconds is flooding.\nNow: {current}",
            current=f"{s['flood_messages']}/{s['flood_seconds']}s",
        )
    if key == "raid":
        return _(
            "Send the raid limit for a whole group as messages/seconds: 20/10s means more than 20 "
            "messages within 10 seconds from everyone together is a raid.\nNow: {current}",
            current=f"{s['raid_messages']}/{s['raid_seconds']}s",
        )
    if key == "domains":
        return _(
            "Send the allowed sites separated by spaces or commas, for example: wikipedia.org, "
            "bbc.com (their subdomains are allowed too). Send - to empty the list.\nNow: {current}",
            current=" ".join(s["allowed_domains"] or ()) or "-",
        )
    return _(
        "The program's own blocked terms, added to the lists shipped for every language.\n{counts}\n\n"
        "To add: add ru term1, term2\nTo remove: remove ru term1\nTo see them: list ru\n"
        "Or send a .txt file with one term per line and the language code as its caption "
        "(remove ru in the caption removes them). A term ending in * also matches its inflected "
        "forms. Language codes: {codes}",
        counts=terms_line(dict(view.term_counts)),
        codes=", ".join(rules_service.SHIPPED_LANGUAGES),
    )


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


# ---- typed answers ----------------------------------------------------------------------------------


def _terms_reply(change: rules_service.TermsChange, *, added: bool) -> str:
    language = language_name(change.language, in_locale=current_locale())
    if added:
        lines = [
            ngettext(
                "Added {n} term to the {language} list.",
                "Added {n} terms to the {language} list.",
                len(change.changed),
                language=language,
            )
        ]
        if change.unchanged:
            lines.append(_("Already in the list: {terms}", terms=", ".join(change.unchanged)[:500]))
    else:
        lines = [
            ngettext(
                "Removed {n} term from the {language} list.",
                "Removed {n} terms from the {language} list.",
                len(change.changed),
                language=language,
            )
        ]
        if change.unchanged:
            lines.append(_("Not in the list: {terms}", terms=", ".join(change.unchanged)[:500]))
    lines.append(
        ngettext(
            "The program now has {n} own term in {language}.",
            "The program now has {n} own terms in {language}.",
            change.total,
            language=language,
        )
    )
    return "\n".join(lines)


async def _change_terms(
    update: Update,
    context: BridgeContext,
    program_id: int,
    verb: str,
    language: str,
    entries: list[str],
) -> None:
    user = update.effective_user
    assert user is not None
    now = context.clock()
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids, program_id)
        change_fn = rules_service.add_terms if verb == "add" else rules_service.remove_terms
        change = await change_fn(db, program_id, language, entries, actor_id=user.id, now=now)
        effective = await rules_service.for_program(db, program_id)
    _clear(context)
    _invalidate_program(context, program_id)
    await show_panel(update, context, program_id, before=_terms_reply(change, added=verb == "add"))
    # Build the new automaton now, off the event loop, so the group's next message finds it ready
    # instead of paying for it (about half a second for ten thousand own terms).
    await asyncio.to_thread(rules_service.compile_for, effective)


async def _list_terms(
    update: Update, context: BridgeContext, program_id: int, language: str
) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids, program_id)
        found = await rules_service.list_terms(db, program_id, language)
    terms = next(iter(found.values()), [])
    name = language_name(rules_service.check_language(language), in_locale=current_locale())
    if not terms:
        await reply(update, _("The program has no own blocked terms in {language}.", language=name))
        return
    header = ngettext(
        "{n} own blocked term in {language}:",
        "{n} own blocked terms in {language}:",
        len(terms),
        language=name,
    )
    text = header + "\n" + "\n".join(terms)
    for start in range(0, len(text), MAX_MESSAGE):
        await reply(update, text[start : start + MAX_MESSAGE])


def _terms_command(text: str) -> tuple[str, str, str]:
    """``add ru a, b`` -> ("add", "ru", "a, b"); raises ``bad_terms_command``."""
    parts = text.strip().split(None, 2)
    verb = parts[0].casefold() if parts else ""
    if (
        verb not in ("add", "remove", "list")
        or len(parts) < 2
        or (verb != "list" and len(parts) < 3)
    ):
        raise InvalidInput("bad_terms_command")
    return verb, parts[1], parts[2] if len(parts) > 2 else ""


async def on_private_text(update: Update, context: BridgeContext) -> bool:
    """The typed answer to the last /conduct question, or a group's allowed sites."""
    pending = _awaiting(context)
    message = update.effective_message
    user = update.effective_user
    if pending is None or message is None or user is None or message.text is None:
        return False
    text = message.text
    if pending.get("key") == "group_domains":
        await _group_domains_text(update, context, pending, text)
        return True
    program_id, key = int(pending["program"]), str(pending["key"])
    if key == "terms":
        verb, language, rest = _terms_command(text)
        if verb == "list":
            await _list_terms(update, context, program_id, language)
        else:
            await _change_terms(
                update, context, program_id, verb, language, rules_service.split_terms(rest)
            )
        return True
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids, program_id)
        await rules_service.set_program_from_text(
            db, program_id, key, text, actor_id=user.id, now=context.clock()
        )
    _clear(context)
    _invalidate_program(context, program_id)
    await show_panel(update, context, program_id, before=_("Saved."))
    return True


async def on_document(update: Update, context: BridgeContext) -> None:
    """A .txt list of blocked terms sent after pressing Blocked terms; the caption names the
    language (``ru``, ``add ru`` or ``remove ru``)."""
    pending = _awaiting(context)
    message = update.effective_message
    assert message is not None and message.document is not None
    if pending is None or pending.get("key") != "terms":
        await reply(update, _("I didn't understand that. /help lists what you can do."))
        return
    document = message.document
    name = (document.file_name or "").casefold()
    is_text = name.endswith(".txt") or (document.mime_type or "").startswith("text/plain")
    if not is_text or (document.file_size or 0) > MAX_FILE_BYTES:
        raise InvalidInput("terms_file_unreadable", limit=MAX_FILE_BYTES // 1024)
    caption = (message.caption or "").split()
    if len(caption) == 1:
        caption = ["add", *caption]
    if len(caption) != 2 or caption[0].casefold() not in ("add", "remove"):
        raise InvalidInput("terms_file_caption")
    language = rules_service.check_language(caption[1])
    file = await context.bot.get_file(document.file_id)
    lines = rules_service.terms_from_file(bytes(await file.download_as_bytearray()))
    await _change_terms(
        update, context, int(pending["program"]), caption[0].casefold(), language, lines
    )


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

__all__ = ["BUTTONS", "conduct_command", "on_document", "on_private_text"]


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
