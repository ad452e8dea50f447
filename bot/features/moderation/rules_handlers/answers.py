"""Typed answers to /conduct's questions (a ladder, a duration, limits, domains, terms) and a .txt
document of blocked terms."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BridgeContext
from bot.domain.errors import InvalidInput
from bot.features.moderation import rules as rules_service
from bot.features.moderation.rules_handlers.conduct import (
    _awaiting,
    _clear,
    _invalidate_program,
    show_panel,
)
from bot.features.moderation.rules_handlers.render import MAX_FILE_BYTES, MAX_MESSAGE
from bot.features.moderation.rules_handlers.sites import _group_domains_text
from bot.handlers.common import reply
from bot.i18n import _, current_locale, language_name, ngettext
from bot.services import access

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
