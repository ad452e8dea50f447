"""/newprogram, step by step: name, sides, languages, time zone, goals, code of conduct."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.config import SUPPORTED_LOCALES
from bot.context import BridgeContext
from bot.domain.errors import InvalidInput
from bot.domain.programs import ProgramDraft, parse_sides, validate_name, validate_zone
from bot.domain.timezones import find_zones
from bot.features.programs import service as programs
from bot.features.programs.handlers.common import CONDUCT, GOALS, LANGUAGES, NAME, NEW, SIDES, ZONE
from bot.handlers import pickers
from bot.handlers.callbacks import sign
from bot.handlers.common import (
    ALREADY_DONE,
    answer_once,
    button_expired,
    identity,
    reply,
    verified_press,
)
from bot.handlers.errors import error_text
from bot.handlers.menus import publish_organizer_menu
from bot.handlers.pickers import rows
from bot.i18n import _, current_locale, format_zone, language_name
from bot.reports.goals import goal_label
from bot.services import access, people

# ---- /newprogram -----------------------------------------------------------------------------------


async def newprogram(update: Update, context: BridgeContext) -> int:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        await people.upsert(db, identity(user), context.clock())
        await access.require_organizer(db, user.id, context.settings.admin_ids)
    context.person_data[NEW] = {"languages": [current_locale()], "conduct": {}}
    await reply(
        update, _("Let's create a program. What is its name? (Send /cancel to stop at any time.)")
    )
    return NAME


async def np_name(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    try:
        context.person_data[NEW]["name"] = validate_name(message.text or "")
    except InvalidInput as error:
        await reply(update, error_text(error) + "\n" + _("Please send another name."))
        return NAME
    await reply(
        update,
        _(
            "Which sides take part? Send their names separated by commas, for example: Armenia, Azerbaijan"
        ),
    )
    return SIDES


def _languages_keyboard(context: BridgeContext, user_id: int) -> InlineKeyboardMarkup:
    chosen = context.person_data[NEW]["languages"]
    secret = context.runtime.secret
    buttons = [
        InlineKeyboardButton(
            ("✓ " if loc in chosen else "") + language_name(loc),
            # With whether it was ticked when drawn: a double tap does not untick it again.
            callback_data=sign(secret, user_id, "np", "t", loc, "1" if loc in chosen else "0"),
        )
        for loc in SUPPORTED_LOCALES
    ]
    keyboard = rows(buttons, 3)
    keyboard.append(
        [InlineKeyboardButton(_("Done"), callback_data=sign(secret, user_id, "np", "done"))]
    )
    return InlineKeyboardMarkup(keyboard)


async def np_sides(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    try:
        context.person_data[NEW]["sides"] = parse_sides(message.text or "")
    except InvalidInput as error:
        await reply(update, error_text(error))
        return SIDES
    await reply(
        update,
        _(
            "Which languages does the program use? Tap to select or unselect, then Done. The first one is the default."
        ),
        reply_markup=_languages_keyboard(context, user.id),
    )
    return LANGUAGES


async def np_language_button(update: Update, context: BridgeContext) -> int:
    payload = verified_press(update, context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if payload is None or payload.action != "np":
        await button_expired(update)
        return LANGUAGES
    chosen: list[str] = context.person_data[NEW]["languages"]
    if payload.arg(0) == "t" and payload.arg(1) in SUPPORTED_LOCALES:
        loc = payload.arg(1)
        if payload.arg(2) and (payload.arg(2) == "1") != (loc in chosen):
            await answer_once(query, _(ALREADY_DONE))
        else:
            if loc in chosen:
                chosen.remove(loc)
            else:
                chosen.append(loc)
            await answer_once(query)
        await query.edit_message_reply_markup(reply_markup=_languages_keyboard(context, user.id))
        return LANGUAGES
    if payload.arg(0) == "done":
        if not chosen:
            await reply(update, _("Choose at least one language."), alert=True)
            return LANGUAGES
        await answer_once(query)
        await query.edit_message_reply_markup(reply_markup=None)
        return await _ask_zone(update, context)
    await button_expired(update)
    return LANGUAGES


async def _ask_zone(update: Update, context: BridgeContext) -> int:
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        person = await people.get(db, user.id)
    default = (person.timezone if person else None) or "UTC"
    context.person_data[NEW]["default_zone"] = default
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Use {zone}", zone=format_zone(default)),
                    callback_data=sign(context.runtime.secret, user.id, "np", "zone"),
                )
            ]
        ]
    )
    await reply(
        update,
        _("In which time zone are sessions planned? Tap the button or type a city or UTC offset."),
        reply_markup=keyboard,
    )
    return ZONE


async def np_zone_text(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    zones = find_zones(message.text or "")
    if not zones:
        await reply(update, pickers.zone_not_found(message.text or ""))
        return ZONE
    context.person_data[NEW]["timezone"] = zones[0]
    return await _ask_conduct(update, context)


async def np_zone_button(update: Update, context: BridgeContext) -> int:
    payload = verified_press(update, context)
    if payload is None or payload.args != ("zone",):
        await button_expired(update)
        return ZONE
    query = update.callback_query
    assert query is not None
    await answer_once(query)
    await query.edit_message_reply_markup(reply_markup=None)
    context.person_data[NEW]["timezone"] = context.person_data[NEW]["default_zone"]
    return await _ask_conduct(update, context)


def _pending_conduct_language(context: BridgeContext) -> str | None:
    data = context.person_data[NEW]
    for loc in data["languages"]:
        if loc not in data["conduct"]:
            return loc
    return None


async def _ask_conduct(update: Update, context: BridgeContext) -> int:
    user = update.effective_user
    assert user is not None
    loc = _pending_conduct_language(context)
    if loc is None:
        return await _ask_goals(update, context)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Use the standard code of conduct"),
                    callback_data=sign(context.runtime.secret, user.id, "np", "std", loc),
                )
            ]
        ]
    )
    await reply(
        update,
        _(
            "Code of conduct in {language}: send your own text, or use Bridgebot's standard one (translated in every language).",
            language=language_name(loc, in_locale=current_locale()),
        ),
        reply_markup=keyboard,
    )
    return CONDUCT


async def np_conduct_text(update: Update, context: BridgeContext) -> int:
    message = update.effective_message
    assert message is not None
    loc = _pending_conduct_language(context)
    text = (message.text or "").strip()
    if loc is None or not text:
        return await _ask_conduct(update, context)
    if len(text) > programs.MAX_CONDUCT_TEXT:
        await reply(
            update, error_text(InvalidInput("conduct_too_long", limit=programs.MAX_CONDUCT_TEXT))
        )
        return CONDUCT
    context.person_data[NEW]["conduct"][loc] = text
    return await _ask_conduct(update, context)


async def np_conduct_button(update: Update, context: BridgeContext) -> int:
    payload = verified_press(update, context)
    loc = _pending_conduct_language(context)
    if payload is None or payload.arg(0) != "std" or payload.arg(1) != loc:
        await button_expired(update)
        return CONDUCT
    query = update.callback_query
    assert query is not None
    await answer_once(query)
    await query.edit_message_reply_markup(reply_markup=None)
    # An empty text means "the standard code of conduct" for that language.
    context.person_data[NEW]["conduct"][loc] = ""
    return await _ask_conduct(update, context)


GOAL_CHOICES = ("standard", "light", "none")


async def _ask_goals(update: Update, context: BridgeContext) -> int:
    """The published criteria of success: a preset, or none for now (program files set any)."""
    from bot.domain import criteria

    user = update.effective_user
    assert user is not None
    labels = {
        "standard": _("Standard goals"),
        "light": _("Light goals"),
        "none": _("No goals for now"),
    }
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    labels[choice],
                    callback_data=sign(context.runtime.secret, user.id, "np", "goals", choice),
                )
            ]
            for choice in GOAL_CHOICES
        ]
    )
    await reply(
        update,
        "\n".join(
            [
                _(
                    "Publish criteria of success now? Every report then shows each goal as met, "
                    "not yet met or not measurable yet."
                ),
                _(
                    "Standard goals: {goals}.",
                    goals="; ".join(goal_label(g) for g in criteria.preset("standard")),
                ),
                _(
                    "Light goals: {goals}.",
                    goals="; ".join(goal_label(g) for g in criteria.preset("light")),
                ),
                _("A program file ([[goals]]) can set any other goals later."),
            ]
        ),
        reply_markup=keyboard,
    )
    return GOALS


async def np_goals_button(update: Update, context: BridgeContext) -> int:
    payload = verified_press(update, context)
    if payload is None or payload.arg(0) != "goals" or payload.arg(1) not in GOAL_CHOICES:
        await button_expired(update)
        return GOALS
    query = update.callback_query
    assert query is not None
    await answer_once(query)
    await query.edit_message_reply_markup(reply_markup=None)
    context.person_data[NEW]["goals"] = payload.arg(1)
    return await _create(update, context)


async def _create(update: Update, context: BridgeContext) -> int:
    user = update.effective_user
    assert user is not None
    data = context.person_data[NEW]
    draft = ProgramDraft(
        name=data["name"],
        sides=tuple(data["sides"]),
        languages=tuple(data["languages"]),
        timezone=validate_zone(data["timezone"]),
        conduct={k: v for k, v in data["conduct"].items() if v},
    )
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids)
        program = await programs.create(db, draft, creator_id=user.id, now=context.clock())
        goals = ()
        if data.get("goals") in ("standard", "light"):
            from bot.domain import criteria
            from bot.services import criteria as criteria_service

            goals = criteria.preset(data["goals"])
            await criteria_service.set_goals(db, program.id, goals)
    context.person_data.pop(NEW, None)
    await publish_organizer_menu(context.bot, user.id, current_locale())
    await reply(
        update,
        _(
            "Program {name} is ready: sides {sides}; languages {languages}; time zone {zone}.\n\n"
            "Next: make invite links with /invite.",
            name=program.name,
            sides=", ".join(s.name for s in program.sides),
            languages=", ".join(language_name(loc) for loc in program.languages),
            zone=format_zone(program.timezone),
        )
        + (
            "\n\n" + _("Published goals: {goals}.", goals="; ".join(goal_label(g) for g in goals))
            if goals
            else ""
        ),
    )
    return ConversationHandler.END


async def np_cancel(update: Update, context: BridgeContext) -> int:
    context.person_data.pop(NEW, None)
    await reply(update, _("Cancelled; no program was created."))
    return ConversationHandler.END


async def np_unexpected(update: Update, context: BridgeContext) -> int | None:
    await reply(update, _("Please answer the question above, or send /cancel to stop."))
    return None
