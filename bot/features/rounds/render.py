"""How a perspective round reads: the group's post for each step (rendered once per group language
by the caller) and the teller's private questions. Every function renders in the current locale."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.rounds import DONE, HEARD_SCALE, RATING, RESTATING, STOPPED, TELLING
from bot.domain.rounds.steps import (
    NOTE_GONE,
    NOTE_NO_RESTATEMENT,
    NOTE_SKIPPED,
    NOTE_TIME_UP,
)
from bot.features.rounds import texts
from bot.features.rounds.service import TIMING, Moved, RoundView
from bot.features.sessions.service import Recipient
from bot.handlers.callbacks import sign
from bot.i18n import _, current_locale, ngettext, use_locale

# Callback actions (signed). "Ro" + one letter.
DONE_TELLING, RESTATED, PASS, SKIP, STOP = "Rod", "Roe", "Rop", "Ros", "Rox"
RATE, REPEAT, NO_REPEAT = "Ror", "Roy", "Ron"
STEP_CODES = {TELLING: "t", RESTATING: "s", RATING: "r", "repeat_offer": "o"}
CODE_STEPS = {code: step for step, code in STEP_CODES.items()}


def _name(person: Recipient | None) -> str:
    return person.name if person is not None and person.name else _("someone")


def _minutes(length: timedelta) -> str:
    n = max(1, round(length.total_seconds() / 60))
    return ngettext("{n} minute", "{n} minutes", n)


def prompt(view: RoundView) -> str:
    if view.prompts:
        own = view.prompts.get(current_locale())
        return own if own else next(iter(view.prompts.values()))
    return _(texts.DEFAULT_PROMPTS[view.prompt_position % len(texts.DEFAULT_PROMPTS)])


def _side(person: Recipient | None) -> str:
    return person.side_name if person is not None and person.side_name else "—"


def _note(moved: Moved | None, view: RoundView) -> list[str]:
    if moved is None:
        return []
    note = view.note
    if moved.passed is not None:
        if note == NOTE_GONE:
            return [_("{name} has left the group.", name=_name(moved.passed))]
        return [_("{name} passes.", name=_name(moved.passed))]
    if note == NOTE_TIME_UP:
        return [_("⏱ Time is up.")]
    if note == NOTE_NO_RESTATEMENT:
        return [_("⏱ No restatement came in time, so the round moves on.")]
    if note == NOTE_SKIPPED:
        return [_("A moderator skipped this step.")]
    return []


def group_text(view: RoundView, moved: Moved | None = None) -> str:
    """The group's post for the step the round is in now (after ``moved``, when given)."""
    lines = _note(moved, view)
    teller, listener = _name(view.teller), _name(view.listener)
    if view.step == TELLING:
        if view.attempt > 1 and not (moved and moved.replaced):
            lines.append(
                _("🔁 {teller} and {listener} try once more.", teller=teller, listener=listener)
            )
        else:
            lines.append(
                _(
                    "🔁 Perspective round: {teller} ({teller_side}) tells, {listener} "
                    "({listener_side}) listens and then restates it in their own words.",
                    teller=teller,
                    teller_side=_side(view.teller),
                    listener=listener,
                    listener_side=_side(view.listener),
                )
            )
        lines.append(_("Prompt: {prompt}", prompt=prompt(view)))
        lines.append(
            _(
                "{teller}, please tell now (up to {duration}) and press the button when you "
                "have finished.",
                teller=teller,
                duration=_minutes(view.tell),
            )
        )
    elif view.step == RESTATING:
        lines.append(
            _(
                "{listener}, please restate here in your own words what {teller} told "
                "(up to {duration}).",
                listener=listener,
                teller=teller,
                duration=_minutes(TIMING.restate),
            )
        )
    elif view.step == RATING:
        lines.append(
            _("{teller}, I have asked you in private how well you felt understood.", teller=teller)
        )
    elif view.step == DONE:
        if view.note == "unreachable":
            lines.append(
                _(
                    "I could not write to {teller} in private, so the round ends without an "
                    "answer.",
                    teller=teller,
                )
            )
        else:
            lines.append(
                _(
                    "✅ The round is over. Thank you, {teller} and {listener}.",
                    teller=teller,
                    listener=listener,
                )
            )
    elif view.step == STOPPED:
        if view.note == "nobody_left":
            lines.append(_("Nobody is left who could take this turn, so the round ends."))
        elif view.note == "session_closed":
            lines.append(_("The session has closed, so the round ends."))
        else:
            lines.append(_("A moderator stopped the round."))
    return "\n".join(lines)


def _in(locale: str | None, render: Callable[[], str]) -> str:
    with use_locale(locale or "en"):
        return render()


def _pass_label(name: str) -> str:
    # Translators: a button under the round's group post; keep it short.
    return _("Pass ({name})", name=name)


def group_keyboard(secret: bytes, chat_id: int, view: RoundView) -> InlineKeyboardMarkup | None:
    """Buttons of the step: the teller's and the listener's in their own language (signed for
    them), the moderators' in the group's first language (signed for the group, checked on press)."""
    code = STEP_CODES.get(view.step)
    if code is None or view.step == "repeat_offer":
        return None
    state = (view.id, code, view.attempt)
    rows: list[list[InlineKeyboardButton]] = []
    teller, listener = view.teller, view.listener
    if view.step == TELLING and teller is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    _in(teller.locale, lambda: _("✅ {name}: I have finished", name=teller.name)),
                    callback_data=sign(secret, teller.person_id, DONE_TELLING, *state),
                )
            ]
        )
    if view.step == RESTATING and listener is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    _in(
                        listener.locale, lambda: _("✅ {name}: I have restated", name=listener.name)
                    ),
                    callback_data=sign(secret, listener.person_id, RESTATED, *state),
                )
            ]
        )
    passes = []
    if view.step == TELLING and teller is not None:
        passes.append(teller)
    if view.step in (TELLING, RESTATING) and listener is not None:
        passes.append(listener)
    if passes:
        rows.append(
            [
                InlineKeyboardButton(
                    _in(p.locale, functools.partial(_pass_label, p.name)),
                    callback_data=sign(secret, p.person_id, PASS, *state),
                )
                for p in passes
            ]
        )
    locale = view.group.languages[0] if view.group.languages else "en"
    rows.append(
        [
            InlineKeyboardButton(
                _in(locale, lambda: _("⏭ Skip step")),
                callback_data=sign(secret, chat_id, SKIP, *state),
            ),
            InlineKeyboardButton(
                _in(locale, lambda: _("⏹ Stop round")),
                callback_data=sign(secret, chat_id, STOP, *state),
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


def rating_question(view: RoundView) -> str:
    return _(
        "How well did you feel understood by {listener}? Your answer is stored anonymously, "
        "without your name, and shown only in totals of several answers.",
        listener=_name(view.listener),
    )


def rating_keyboard(secret: bytes, view: RoundView) -> InlineKeyboardMarkup:
    assert view.teller is not None
    audience = view.teller.person_id
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(texts.SCALE_LABELS[value]),
                    callback_data=sign(secret, audience, RATE, view.id, value, view.attempt),
                )
            ]
            for value in HEARD_SCALE
        ]
    )


def thanks() -> str:
    return _("Thank you. Your answer is stored anonymously.")


def repeat_question(view: RoundView) -> str:
    return _(
        "Would you like to tell once more, so that {listener} can try again?",
        listener=_name(view.listener),
    )


def repeat_keyboard(secret: bytes, view: RoundView) -> InlineKeyboardMarkup:
    assert view.teller is not None
    audience = view.teller.person_id
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🔁 Once more"),
                    callback_data=sign(secret, audience, REPEAT, view.id, "o", view.attempt),
                ),
                InlineKeyboardButton(
                    _("No, thank you"),
                    callback_data=sign(secret, audience, NO_REPEAT, view.id, "o", view.attempt),
                ),
            ]
        ]
    )
