"""Organizer commands in private chat: /newprogram, /programs, /invite, /organizer."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.config import SUPPORTED_LOCALES
from bot.context import BridgeContext
from bot.domain.durations import parse_duration
from bot.domain.errors import InvalidInput
from bot.domain.invites import link
from bot.domain.numbers import NumberError, is_number, parse_id, parse_int
from bot.domain.programs import (
    PARTICIPANT_ROLES,
    ProgramDraft,
    parse_sides,
    validate_name,
    validate_zone,
)
from bot.domain.timezones import find_zones
from bot.features.programs import invites
from bot.features.programs import service as programs
from bot.handlers import pickers
from bot.handlers.callbacks import Payload, sign
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
from bot.handlers.texts import role_label
from bot.i18n import _, current_locale, format_datetime, format_zone, language_name, ngettext
from bot.reports.goals import goal_label
from bot.services import access, people

NAME, SIDES, LANGUAGES, ZONE, CONDUCT, GOALS = range(6)
NEW = "newprogram"
INVITE = "iv"


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


# ---- /programs -------------------------------------------------------------------------------------


async def programs_command(update: Update, context: BridgeContext) -> None:
    user = update.effective_user
    assert user is not None
    admin = user.id in context.settings.admin_ids
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids)
        summaries = await programs.list_for(db, user.id, is_admin=admin)
    if not summaries:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    lines = [_("Your programs:")]
    for summary in summaries:
        counts = ", ".join(f"{side}: {n}" for side, n in summary.enrolled_by_side.items())
        lines.append(
            _(
                "• {name} (#{id}) — enrolled: {counts}",
                name=summary.program.name,
                id=summary.program.id,
                counts=counts,
            )
        )
    await reply(update, "\n".join(lines))


# ---- /invite ---------------------------------------------------------------------------------------

INVITE_OPTIONS = "invite_options"


def _parse_invite_options(args: list[str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for arg in args:
        if is_number(arg):
            try:
                options["max_uses"] = parse_int(arg, minimum=1, maximum=invites.MAX_USES)
            except NumberError:
                raise InvalidInput("bad_max_uses", maximum=invites.MAX_USES) from None
        else:
            options["expires_in"] = parse_duration(arg)
    return options


async def invite_command(update: Update, context: BridgeContext) -> None:
    """/invite [duration] [max uses] or /invite revoke CODE."""
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if args and args[0].lower() == "revoke":
        await _revoke(update, context, args[1] if len(args) > 1 else "")
        return
    options = _parse_invite_options(args)
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids)
        summaries = await programs.list_for(
            db, user.id, is_admin=user.id in context.settings.admin_ids
        )
    context.person_data[INVITE_OPTIONS] = options
    if not summaries:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    secret = context.runtime.secret
    buttons = [
        InlineKeyboardButton(
            s.program.name[:60], callback_data=sign(secret, user.id, INVITE, "p", s.program.id)
        )
        for s in summaries
    ]
    await reply(
        update, _("Invite to which program?"), reply_markup=InlineKeyboardMarkup(rows(buttons, 1))
    )


async def _revoke(update: Update, context: BridgeContext, code: str) -> None:
    user = update.effective_user
    assert user is not None
    code = code.removeprefix("join_").rsplit("join_", 1)[-1]
    async with context.db() as db:
        invite = await invites.get_by_code(db, code)
        await access.require_organizer(db, user.id, context.settings.admin_ids, invite.program_id)
        await invites.revoke(db, code, context.clock())
    await reply(update, _("The invite link was revoked; nobody can join with it any more."))


async def on_invite_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    secret = context.runtime.secret
    step = payload.arg(0)
    if step == "x":
        async with context.db() as db:
            invite = await invites.get_by_id(db, payload.number(1))
            await access.require_organizer(
                db, user.id, context.settings.admin_ids, invite.program_id
            )
            await invites.revoke(db, invite.code, context.clock())
        await query.edit_message_reply_markup(reply_markup=None)
        await reply(update, _("The invite link was revoked; nobody can join with it any more."))
        return
    program_id = payload.number(1)
    async with context.db() as db:
        await access.require_organizer(db, user.id, context.settings.admin_ids, program_id)
        program = await programs.get(db, program_id)
    if step == "p":
        buttons = [
            InlineKeyboardButton(
                side.name[:60],
                callback_data=sign(secret, user.id, INVITE, "s", program_id, side.id),
            )
            for side in program.sides
        ]
        await answer_once(query)
        await query.edit_message_text(
            _("Invite to {program}: which side?", program=program.name),
            reply_markup=InlineKeyboardMarkup(rows(buttons, 2)),
        )
        return
    side = program.side(payload.number(2))
    if step == "s":
        buttons = [
            InlineKeyboardButton(
                role_label(role),
                callback_data=sign(secret, user.id, INVITE, "r", program_id, side.id, role),
            )
            for role in PARTICIPANT_ROLES
        ] + [
            InlineKeyboardButton(
                _("Either role"),
                callback_data=sign(secret, user.id, INVITE, "r", program_id, side.id, "-"),
            )
        ]
        await answer_once(query)
        await query.edit_message_text(
            _(
                "Invite to {program}, side {side}: for which role?",
                program=program.name,
                side=side.name,
            ),
            reply_markup=InlineKeyboardMarkup([buttons]),
        )
        return
    if step == "r":
        role = None if payload.arg(3) == "-" else payload.arg(3)
        options = context.person_data.get(INVITE_OPTIONS, {})
        now = context.clock()
        expires_in: timedelta | None = options.get("expires_in")  # type: ignore[assignment]
        async with context.db() as db:
            invite = await invites.create(
                db,
                program_id=program_id,
                side_id=side.id,
                role=role,
                created_by=user.id,
                now=now,
                expires_at=now + expires_in if expires_in else None,
                max_uses=options.get("max_uses"),  # type: ignore[arg-type]
            )
        async with context.db() as db:
            person = await people.get(db, user.id)
        await answer_once(query)
        await query.edit_message_text(
            _invite_text(context, invite, person.timezone if person else None),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("Revoke this link"),
                            callback_data=sign(secret, user.id, INVITE, "x", invite.id),
                        )
                    ]
                ]
            ),
        )
        return
    await button_expired(update)


def _invite_text(context: BridgeContext, invite: invites.InviteView, zone: str | None) -> str:
    lines = [
        _(
            "Invite link for {program}, side {side}:",
            program=invite.program_name,
            side=invite.side_name,
        ),
        link(context.runtime.bot_username, invite.code),
    ]
    if invite.role:
        lines.append(_("Role: {role}", role=role_label(invite.role)))
    if invite.expires_at:
        lines.append(
            _(
                "Valid until {date}",
                date=format_datetime(invite.expires_at, zone or "UTC", width="short"),
            )
        )
    if invite.max_uses:
        lines.append(ngettext("Can be used {n} time.", "Can be used {n} times.", invite.max_uses))
    return "\n".join(lines)


# ---- /organizer (admins and organizers grant the organizer role) ------------------------------------


async def organizer_command(update: Update, context: BridgeContext) -> None:
    """/organizer PROGRAM USER_ID: make someone an organizer of a program."""
    user = update.effective_user
    assert user is not None
    args = list(context.args or [])
    if len(args) != 2 or not is_number(args[1]):
        await reply(update, _("Usage: /organizer PROGRAM_ID USER_ID"))
        return
    person_id = parse_id(args[1])
    async with context.db() as db:
        program = await programs.find(db, args[0])
        await access.require_organizer(db, user.id, context.settings.admin_ids, program.id)
        added = await programs.grant_organizer(
            db, program.id, person_id, granted_by=user.id, now=context.clock()
        )
    if added:
        await reply(
            update,
            _(
                "Done: {person} is now an organizer of {program}.",
                person=args[1],
                program=program.name,
            ),
        )
    else:
        await reply(
            update,
            _(
                "{person} already organizes {program}; nothing changed.",
                person=args[1],
                program=program.name,
            ),
        )


PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND


def build_handlers() -> list:
    return [
        _newprogram_conversation(),
        CommandHandler("programs", programs_command, filters=PRIVATE),
        CommandHandler("invite", invite_command, filters=PRIVATE),
        CommandHandler("organizer", organizer_command, filters=PRIVATE),
    ]


def _newprogram_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("newprogram", newprogram, filters=PRIVATE)],
        states={
            NAME: [MessageHandler(TEXT, np_name)],
            SIDES: [MessageHandler(TEXT, np_sides)],
            LANGUAGES: [CallbackQueryHandler(np_language_button, pattern=r"^np\|")],
            ZONE: [
                MessageHandler(TEXT, np_zone_text),
                CallbackQueryHandler(np_zone_button, pattern=r"^np\|"),
            ],
            CONDUCT: [
                MessageHandler(TEXT, np_conduct_text),
                CallbackQueryHandler(np_conduct_button, pattern=r"^np\|"),
            ],
            GOALS: [CallbackQueryHandler(np_goals_button, pattern=r"^np\|")],
        },
        fallbacks=[
            CommandHandler("cancel", np_cancel),
            MessageHandler(PRIVATE & ~filters.COMMAND, np_unexpected),
        ],
        name="newprogram",
        per_message=False,
        conversation_timeout=timedelta(hours=1),
    )
