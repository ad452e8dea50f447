"""A person's own things: /me, /language, /timezone, /rules, /privacy, /forgetme, /help."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, filters

from bot.config import SUPPORTED_LOCALES
from bot.context import BridgeContext
from bot.domain.people import display_name as person_name
from bot.domain.timezones import find_zones
from bot.features.enrolment import service as enrolment
from bot.features.pairs import handlers as pairs_handlers
from bot.features.pairs import texts as pairs_texts
from bot.features.privacy import service as privacy
from bot.features.programs import service as programs
from bot.handlers import menus, pickers
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import forget_locale, identity, remember_locale, reply
from bot.handlers.menus import MODERATOR_COMMANDS, ORGANIZER_COMMANDS, PARTICIPANT_COMMANDS
from bot.handlers.texts import DEFAULT_CONDUCT, PRIVACY, role_label
from bot.i18n import (
    _,
    current_locale,
    format_date,
    format_datetime,
    format_zone,
    language_name,
    ngettext,
)
from bot.services import access, people

SET_LANG, SET_COUNTRY, SET_ZONE, FORGET_YES, FORGET_NO = "sl", "sc", "sz", "fy", "fn"
AWAIT_ZONE = "awaiting_zone"


async def me(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        person = await people.upsert(db, identity(user), context.clock())
        enrolled = await enrolment.current_enrolment(db, user.id)
        roles = await access.roles_of(db, user.id, context.settings.admin_ids)
    lines = [
        _("Your profile"),
        _("Name: {name}", name=person_name(person.first_name, person.last_name)),
        _("Language: {language}", language=language_name(current_locale())),
    ]
    if person.timezone:
        lines.append(
            _(
                "Time zone: {zone} (it is now {time})",
                zone=format_zone(person.timezone, at=context.clock()),
                time=format_datetime(context.clock(), person.timezone, width="short"),
            )
        )
    else:
        lines.append(_("Time zone: not set yet (use /timezone)"))
    if enrolled is not None:
        lines.append(
            _(
                "Program: {program}, side: {side}, role: {role}, enrolled on {date}",
                program=enrolled.program_name,
                side=enrolled.side_name,
                role=role_label(enrolled.role),
                date=format_date(enrolled.enrolled_at.date()),
            )
        )
    else:
        lines.append(_("You are not enrolled in a program."))
    if roles.admin:
        lines.append(_("You are a Bridgebot administrator."))
    elif roles.organizer_of:
        lines.append(
            ngettext(
                "You organize {n} program.", "You organize {n} programs.", len(roles.organizer_of)
            )
        )
    await reply(update, "\n".join(lines))


async def language(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await people.upsert(db, identity(user), context.clock())
    keyboard = pickers.language_keyboard(
        context.runtime.secret, user.id, SET_LANG, SUPPORTED_LOCALES, current_locale()
    )
    await reply(update, _("Which language should I use with you?"), reply_markup=keyboard)


async def timezone(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        person = await people.upsert(db, identity(user), context.clock())
        enrolled = await enrolment.current_enrolment(db, user.id)
        program = await programs.get(db, enrolled.program_id) if enrolled else None
    countries = pickers.shortlist_countries(
        program.languages if program else (current_locale(),),
        (person.timezone, program.timezone if program else None),
    )
    context.person_data[AWAIT_ZONE] = True
    current = format_zone(person.timezone) if person.timezone else _("not set")
    await reply(
        update,
        _(
            "Your time zone is {zone}. Choose your country below, or type your city, your country or a UTC offset such as UTC+4.",
            zone=current,
        ),
        reply_markup=pickers.country_keyboard(
            context.runtime.secret, user.id, SET_COUNTRY, countries
        ),
    )


async def _set_zone(update: Update, context: BridgeContext, zone: str) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await people.set_timezone(db, user.id, zone, context.clock())
    context.person_data.pop(AWAIT_ZONE, None)
    await reply(
        update,
        _(
            "Your time zone is now {zone}. It is {time} there.",
            zone=format_zone(zone, at=context.clock()),
            time=format_datetime(context.clock(), zone, width="short"),
        ),
    )


async def on_text(update: Update, context: BridgeContext) -> bool:
    """A typed city or offset after /timezone. Returns False if /timezone was not asked."""
    if not context.person_data.get(AWAIT_ZONE):
        return False
    message = update.effective_message
    assert message is not None
    zones = find_zones(message.text or "")
    if not zones:
        await reply(update, pickers.zone_not_found(message.text or ""))
    elif len(zones) > 1:
        user = update.effective_user
        assert user is not None
        await reply(
            update,
            _("Which of these is your time zone?"),
            reply_markup=pickers.zone_keyboard(context.runtime.secret, user.id, SET_ZONE, zones),
        )
    else:
        await _set_zone(update, context, zones[0])
    return True


async def rules(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        enrolled = await enrolment.current_enrolment(db, user.id)
        own = (
            await programs.conduct_text(db, enrolled.program_id, current_locale())
            if enrolled
            else None
        )
    await reply(update, own or _(DEFAULT_CONDUCT))


async def privacy_notice(update: Update, context: BridgeContext) -> None:
    await reply(update, _(PRIVACY))


async def forgetme(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    secret = context.runtime.secret
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, erase everything"), callback_data=sign(secret, user.id, FORGET_YES)
                ),
                InlineKeyboardButton(
                    _("No, keep it"), callback_data=sign(secret, user.id, FORGET_NO)
                ),
            ]
        ]
    )
    await reply(
        update,
        _(
            "This erases your profile, your enrolment and everything else that names you. Anonymous "
            "feedback you gave stays, because nobody can tell it is yours. This cannot be undone. Continue?"
        ),
        reply_markup=keyboard,
    )


async def on_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    if payload.action == SET_LANG:
        previous = current_locale()
        async with context.db() as db:
            await people.upsert(db, identity(user), context.clock())
            await people.set_locale(db, user.id, payload.arg(0), context.clock())
            roles = await access.roles_of(db, user.id, context.settings.admin_ids)
        remember_locale(context, payload.arg(0))
        await menus.publish_reader_menu(
            context.bot,
            user.id,
            payload.arg(0),
            previous=previous,
            organizer=bool(roles.organizer_of),
        )
        await query.edit_message_reply_markup(reply_markup=None)
        await reply(
            update,
            _("Done! I will write to you in {language}.", language=language_name(payload.arg(0))),
        )
    elif payload.action == SET_COUNTRY:
        zones = pickers.country_zones(payload.arg(0))
        if len(zones) == 1:
            await query.edit_message_reply_markup(reply_markup=None)
            await _set_zone(update, context, zones[0])
        else:
            await reply(
                update,
                _("Which of these is your time zone?"),
                reply_markup=pickers.zone_keyboard(
                    context.runtime.secret, user.id, SET_ZONE, zones
                ),
            )
    elif payload.action == SET_ZONE:
        await query.edit_message_reply_markup(reply_markup=None)
        await _set_zone(update, context, payload.arg(0))
    elif payload.action == FORGET_YES:
        async with context.db() as db:
            erased = await privacy.forget(
                db, user.id, context.clock(), secret=context.runtime.secret
            )
        # Only once the files hold no trace of the name is the person told it is gone.
        await privacy.wipe_traces(context.runtime.engine)
        for partner, locale in erased.partners:
            await pairs_handlers.tell(context, partner, locale, pairs_texts.partner_left)
        forget_locale(context)
        context.person_data.clear()
        await query.edit_message_reply_markup(reply_markup=None)
        await reply(
            update,
            _(
                "Done. Everything that named you has been erased. If you write to me again, I will start afresh."
            ),
        )
    elif payload.action == FORGET_NO:
        await query.edit_message_reply_markup(reply_markup=None)
        await reply(update, _("Nothing was erased."))


async def help_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        roles = await access.roles_of(db, user.id, context.settings.admin_ids)
    lines = [_("What you can do:")]
    lines += [f"/{name} — {_(text)}" for name, text in PARTICIPANT_COMMANDS]
    if roles.moderator_of and MODERATOR_COMMANDS:
        lines.append("")
        lines.append(_("As a moderator (in your dialogue group):"))
        lines += [f"/{name} — {_(text)}" for name, text in MODERATOR_COMMANDS]
    if roles.is_organizer:
        lines.append("")
        lines.append(_("As an organizer:"))
        lines += [f"/{name} — {_(text)}" for name, text in ORGANIZER_COMMANDS]
    if roles.admin:
        lines.append("")
        lines.append(_("As an administrator you can also make people organizers with /organizer."))
    await reply(update, "\n".join(lines))


PRIVATE = filters.ChatType.PRIVATE


def build_handlers() -> list:
    return [
        CommandHandler("me", me, filters=PRIVATE),
        CommandHandler("language", language, filters=PRIVATE),
        CommandHandler("timezone", timezone, filters=PRIVATE),
        CommandHandler("rules", rules, filters=PRIVATE),
        CommandHandler("privacy", privacy_notice, filters=PRIVATE),
        CommandHandler("forgetme", forgetme, filters=PRIVATE),
        CommandHandler("help", help_command, filters=PRIVATE),
    ]
