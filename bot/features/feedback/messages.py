"""The messages of the feedback part a person receives: invitations, reminders and the questions.

Kept apart from the handlers so that jobs (which send invitations and reminders) can render them
without importing the handlers' Telegram plumbing. Each function renders in the current locale:
handlers run in the reader's, jobs wrap each recipient in ``use_locale``.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.features.feedback.surveys import (
    LIKERT5,
    POST_PROGRAM,
    PRE_PROGRAM,
    SCALES,
    THERMOMETER,
    ItemView,
)
from bot.features.feedback.texts import LIKERT_LABELS, item_text
from bot.handlers.callbacks import sign
from bot.handlers.texts import group_label
from bot.i18n import _, format_datetime, format_number

START, ANSWER, SKIP, DONE, REPORT, EXPORT = "Fs", "Fa", "Fk", "Fd", "Fr", "Fe"


def start_keyboard(secret: bytes, person_id: int, instance_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Start the survey"), callback_data=sign(secret, person_id, START, instance_id)
                )
            ]
        ]
    )


def _about(kind: str, program: str, session: str | None, group: str | None) -> str:
    if kind == PRE_PROGRAM:
        return _("before {program} begins", program=program)
    if kind == POST_PROGRAM:
        return _("about {program} as a whole", program=program)
    if session and group:
        return _(
            "about the session {session} of {group}", session=session, group=group_label(group)
        )
    return _("about your last session")


def invitation_text(
    *,
    kind: str,
    program: str,
    session: str | None,
    group: str | None,
    questions: int,
    k: int,
    expires_at: datetime,
    zone: str | None,
) -> str:
    if kind == PRE_PROGRAM:
        opening = _(
            "Welcome to {program}! Before it begins, would you answer a few short questions?",
            program=program,
        )
    elif kind == POST_PROGRAM:
        opening = _(
            "{program} has ended. Would you answer a few short questions about how it went for you?",
            program=program,
        )
    else:
        opening = _(
            "Thank you for taking part in {session}! Would you answer a few short questions about it?",
            session=session or program,
        )
    return "\n\n".join(
        [
            opening,
            _(
                "It takes about a minute ({questions} questions). Your answers are anonymous: they are "
                "stored without your name or any link to you, and the organizers only see totals of at "
                "least {k} people.",
                questions=format_number(questions),
                k=format_number(k),
            ),
            _("You can answer until {date}.", date=format_datetime(expires_at, zone, width="long")),
        ]
    )


def reminder_text(
    *,
    kind: str,
    program: str,
    session: str | None,
    group: str | None,
    expires_at: datetime,
    zone: str | None,
) -> str:
    return _(
        "A friendly reminder: your feedback {about} is still open until {date}. It takes about a minute "
        "and is anonymous.",
        about=_about(kind, program, session, group),
        date=format_datetime(expires_at, zone, width="long"),
    )


def question_text(item: ItemView, position: int, total: int) -> str:
    lines = [
        _("Question {n} of {total}", n=format_number(position), total=format_number(total)),
        "",
        item_text(item),
    ]
    if item.kind == LIKERT5:
        lines += [
            "",
            " · ".join(f"{format_number(v)} = {_(label)}" for v, label in LIKERT_LABELS.items()),
        ]
    elif item.kind == THERMOMETER:
        lines += ["", _("0 = very cold · 50 = neutral · 100 = very warm")]
    return "\n".join(lines)


def question_keyboard(
    secret: bytes, person_id: int, instance_id: int, item: ItemView
) -> InlineKeyboardMarkup:
    values = SCALES[item.kind]
    buttons = [
        InlineKeyboardButton(
            format_number(v), callback_data=sign(secret, person_id, ANSWER, instance_id, item.id, v)
        )
        for v in values
    ]
    rows = [buttons] if len(buttons) <= 6 else [buttons[:6], buttons[6:]]
    if item.optional:
        rows.append(
            [
                InlineKeyboardButton(
                    _("Skip this question"),
                    callback_data=sign(secret, person_id, SKIP, instance_id, item.id),
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def comment_text(item: ItemView, position: int, total: int, limit: int) -> str:
    return "\n".join(
        [
            _("Question {n} of {total}", n=format_number(position), total=format_number(total)),
            "",
            item_text(item),
            "",
            _(
                "Send your comment as one message (up to {limit} characters), or finish without one.",
                limit=format_number(limit),
            ),
        ]
    )


def done_keyboard(
    secret: bytes, person_id: int, instance_id: int, *, retry: bool = False
) -> InlineKeyboardMarkup:
    label = _("Try saving again") if retry else _("Finish without a comment")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=sign(secret, person_id, DONE, instance_id))]]
    )
