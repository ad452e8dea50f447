"""Telegram handlers of the feedback part: answering surveys, /feedback, /report and /export.

Answers in progress live only in memory (``context.user_data``) and are written once, complete, on
the final submit: the sealed answer and the receipt in one transaction (bot/services/
feedback_store.py writes responses later, in shuffled batches). Nothing with a person's id is ever
written next to an answer.

The steps live in the modules of this package; this module wires them and exposes every name of
the part as before."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BridgeContext
from bot.domain.errors import BridgeError, NotFound
from bot.features.feedback import evaluation
from bot.features.feedback import messages as msgs
from bot.features.feedback import service as feedback
from bot.features.feedback.evaluation import Scope
from bot.features.feedback.handlers.answering import (
    on_answer,
    on_done,
    on_private_text,
    on_skip,
    on_start,
)
from bot.features.feedback.handlers.common import (
    STATE_KEY,
    InProgress,
    log,
)
from bot.features.feedback.messages import ANSWER, DONE, EXPORT, REPORT, SKIP, START
from bot.features.feedback.texts import kind_label
from bot.features.programs import service as programs
from bot.handler_groups import GROUP_COMMANDS
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import reply
from bot.handlers.routing_types import ButtonHandler
from bot.handlers.texts import group_label
from bot.i18n import _, format_datetime
from bot.reports.chart import chart_png
from bot.reports.csv_export import report_csv
from bot.reports.html_export import report_html
from bot.reports.summary import summary_messages
from bot.services import people

# ---- /feedback ---------------------------------------------------------------------------------------


async def feedback_command(update: Update, context: BridgeContext) -> None:
    """/feedback: the surveys this person may still answer, each with a Start button."""
    user = update.effective_user
    assert user is not None
    async with context.db() as db:
        open_surveys = await feedback.pending_for(
            db, context.runtime.secret, user.id, context.clock()
        )
        person = await people.get(db, user.id)
    if not open_surveys:
        await reply(update, _("You have no open surveys right now. Thank you!"))
        return
    zone = person.timezone if person else None
    for pending in open_surveys:
        what = pending.session_title or pending.program_name
        text = _(
            "Open survey ({kind}): {what}. You can answer until {date}.",
            kind=kind_label(pending.kind),
            what=what,
            date=format_datetime(pending.expires_at, zone, width="long"),
        )
        await reply(
            update,
            text,
            reply_markup=msgs.start_keyboard(context.runtime.secret, user.id, pending.instance_id),
        )


# ---- /report and /export -----------------------------------------------------------------------------


async def _program_choices(context: BridgeContext, user_id: int) -> list[programs.ProgramSummary]:
    from bot.services import access

    async with context.db() as db:
        await access.require_organizer(db, user_id, context.settings.admin_ids)
        return await programs.list_for(db, user_id, is_admin=user_id in context.settings.admin_ids)


async def _report_command(update: Update, context: BridgeContext, mode: str) -> None:
    user = update.effective_user
    assert user is not None
    secret = context.runtime.secret
    args = list(context.args or [])
    if args:
        async with context.db() as db:
            program = await programs.find(db, " ".join(args))
        await _offer_scopes(update, context, mode, program.id)
        return
    summaries = await _program_choices(context, user.id)
    if not summaries:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    if len(summaries) == 1:
        await _offer_scopes(update, context, mode, summaries[0].program.id)
        return
    buttons = [
        [
            InlineKeyboardButton(
                s.program.name[:60],
                callback_data=sign(secret, user.id, REPORT, mode, "p", s.program.id),
            )
        ]
        for s in summaries
    ]
    await reply(update, _("A report on which program?"), reply_markup=InlineKeyboardMarkup(buttons))


async def report_command(update: Update, context: BridgeContext) -> None:
    """/report [PROGRAM]: pick the program, a group or a session; get the summary and a chart."""
    await _report_command(update, context, "r")


async def export_command(update: Update, context: BridgeContext) -> None:
    """/export [PROGRAM]: the same choice; get the report as CSV and HTML files."""
    await _report_command(update, context, "e")


async def _offer_scopes(update: Update, context: BridgeContext, mode: str, program_id: int) -> None:
    user = update.effective_user
    assert user is not None
    secret = context.runtime.secret
    async with context.db() as db:
        await evaluation.require_report_access(
            db, user.id, context.settings.admin_ids, Scope(program_id)
        )
        program = await programs.get(db, program_id)
        groups = await evaluation.groups_of(db, program_id)
    rows = [
        [
            InlineKeyboardButton(
                _("The whole program"),
                callback_data=sign(secret, user.id, REPORT, mode, "P", program_id),
            )
        ]
    ]
    rows += [
        [
            InlineKeyboardButton(
                group_label(g.label)[:60],
                callback_data=sign(secret, user.id, REPORT, mode, "g", program_id, g.id),
            )
        ]
        for g in groups
    ]
    await reply(
        update,
        _("Report on {program}: the whole program, or one group?", program=program.name),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def on_report_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    assert user is not None
    secret = context.runtime.secret
    mode, step, program_id = payload.choice(0, ("r", "e")), payload.arg(1), payload.number(2)
    if step == "p":
        await _offer_scopes(update, context, mode, program_id)
        return
    if step == "g":
        group_id = payload.number(3)
        async with context.db() as db:
            await evaluation.require_report_access(
                db, user.id, context.settings.admin_ids, Scope(program_id, group_id)
            )
            sessions = await evaluation.closed_sessions_of(db, group_id)
        rows = [
            [
                InlineKeyboardButton(
                    _("The whole group"),
                    callback_data=sign(secret, user.id, REPORT, mode, "G", program_id, group_id),
                )
            ]
        ]
        rows += [
            [
                InlineKeyboardButton(
                    s.label[:60],
                    callback_data=sign(
                        secret, user.id, REPORT, mode, "S", program_id, group_id, s.id
                    ),
                )
            ]
            for s in sessions
        ]
        await reply(
            update,
            _("The whole group, or one of its sessions?"),
            reply_markup=InlineKeyboardMarkup(rows),
        )
        return
    if step == "P":
        scope = Scope(program_id)
    elif step == "G":
        scope = Scope(program_id, payload.number(3))
    elif step == "S":
        scope = Scope(program_id, payload.number(3), payload.number(4))
    else:
        raise BridgeError("stale_step")
    await send_report(update, context, scope, files=mode == "e")


def _scope_args(scope: Scope) -> tuple:
    if scope.session_id:
        return ("S", scope.program_id, scope.group_id, scope.session_id)
    if scope.group_id:
        return ("G", scope.program_id, scope.group_id)
    return ("P", scope.program_id)


async def send_report(update: Update, context: BridgeContext, scope: Scope, *, files: bool) -> None:
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    async with context.db() as db:
        await evaluation.require_report_access(db, user.id, context.settings.admin_ids, scope)
        report = await evaluation.build_report(db, scope, now=context.clock())
    if update.callback_query is not None:
        await update.callback_query.answer()
    if files:
        stem = f"feedback-{scope.level}-{scope.session_id or scope.group_id or scope.program_id}"
        await chat.send_document(
            InputFile(report_csv(report), filename=f"{stem}.csv"),
            caption=_("Report as CSV (spreadsheet)."),
        )
        await chat.send_document(
            InputFile(
                report_html(report, chart_png(report, footer=False)).encode("utf-8"),
                filename=f"{stem}.html",
            ),
            caption=_("Report as a web page: open it in any browser; it works offline."),
        )
        return
    for text in summary_messages(report):
        await chat.send_message(text)
    chart = chart_png(report)
    export = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("CSV and HTML files"),
                    callback_data=sign(
                        context.runtime.secret, user.id, EXPORT, *_scope_args(scope)
                    ),
                )
            ]
        ]
    )
    await chat.send_photo(
        InputFile(chart, filename="feedback.png"),
        caption=_("Chart of the mean answers"),
        reply_markup=export,
    )


async def on_export_button(update: Update, context: BridgeContext, payload: Payload) -> None:
    step = payload.arg(0)
    ids = [payload.number(i) for i in range(1, len(payload.args))]
    if step == "P" and ids:
        scope = Scope(ids[0])
    elif step == "G" and len(ids) >= 2:
        scope = Scope(ids[0], ids[1])
    elif step == "S" and len(ids) >= 3:
        scope = Scope(ids[0], ids[1], ids[2])
    else:
        raise NotFound("report_unknown_scope")
    await send_report(update, context, scope, files=True)


# Callback actions this module handles (signed payload action -> handler), merged by routing.py.
BUTTONS: dict[str, ButtonHandler] = {
    START: on_start,
    ANSWER: on_answer,
    SKIP: on_skip,
    DONE: on_done,
    REPORT: on_report_button,
    EXPORT: on_export_button,
}


def build_handlers() -> list[tuple[int, BaseHandler]]:
    """(handler group, handler) pairs; the groups are the constants in bot/handler_groups.py."""
    private = filters.ChatType.PRIVATE
    return [
        (GROUP_COMMANDS, CommandHandler("feedback", feedback_command, filters=private)),
        (GROUP_COMMANDS, CommandHandler("report", report_command, filters=private)),
        (GROUP_COMMANDS, CommandHandler("export", export_command, filters=private)),
    ]


# The part's names, as they were before it was split into modules.
__all__ = [
    "BUTTONS",
    "STATE_KEY",
    "InProgress",
    "build_handlers",
    "export_command",
    "feedback_command",
    "log",
    "on_answer",
    "on_done",
    "on_export_button",
    "on_private_text",
    "on_report_button",
    "on_skip",
    "on_start",
    "report_command",
    "send_report",
]
