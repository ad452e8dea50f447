"""Turning failures into a clear sentence in the reader's language.

Handlers let domain errors propagate; the application's error handler (registered in app.py) answers
the person with the matching text below. Database and Telegram failures get a "please try again"
because the unit of work was rolled back and nothing was half-written. Nobody ever sees a traceback.
"""

from __future__ import annotations

import logging
from collections import deque

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError

from bot.context import BridgeContext
from bot.db.outage import is_storage_failure
from bot.domain.anonymity import AnonymityError
from bot.domain.conduct.errors import ConductError
from bot.domain.durations import DurationError
from bot.domain.errors import BridgeError
from bot.domain.grouping import GroupingError
from bot.domain.numbers import NumberError
from bot.domain.scheduling.errors import SchedulingError
from bot.domain.statistics import StatisticsError
from bot.handlers.common import answer_once, first_failure_of_update, known_locale, reply
from bot.i18n import N_, _, set_locale
from bot.ops.observe import update_failed

log = logging.getLogger(__name__)

MESSAGES: dict[str, str] = {
    "needs_organizer": N_("Only the program's organizers can do that."),
    "needs_admin": N_("Only a Bridgebot administrator can do that."),
    "empty_name": N_("The name cannot be empty."),
    "name_too_long": N_("That name is too long ({length} characters); the limit is {limit}."),
    "too_few_sides": N_("A program needs at least {minimum} sides. Separate them with commas."),
    "too_many_sides": N_("A program can have at most {maximum} sides."),
    "side_too_long": N_("A side's name can be at most {limit} characters long."),
    "duplicate_sides": N_("Two sides have the same name; each side needs its own."),
    "unsupported_language": N_("The language {language} is not supported."),
    "no_languages": N_("Choose at least one language."),
    "unknown_zone": N_("I don't know the time zone {zone}."),
    "unknown_role": N_("Unknown role {role}: use student or professional."),
    "conduct_too_long": N_("The code of conduct can be at most {limit} characters long."),
    "program_exists": N_("A program named {name} already exists."),
    "bad_max_uses": N_("The number of uses must be between 1 and {maximum}."),
    "expiry_in_past": N_("The expiry must be in the future."),
    "unknown_person": N_("I don't know that person yet: they need to open a chat with me first."),
    "unknown_program": N_("There is no such program."),
    "unknown_side": N_("That program has no such side."),
    "invite_unknown": N_(
        "This invite link is not valid. Please check the link or ask the program's organizers for a new one."
    ),
    "invite_expired": N_(
        "This invite link has expired. Please ask the program's organizers for a new one."
    ),
    "invite_revoked": N_(
        "This invite link was withdrawn by the organizers. Please ask them for a new one."
    ),
    "invite_used_up": N_(
        "This invite link has been used as many times as allowed. Please ask the organizers for a new one."
    ),
    "enrolled_elsewhere": N_(
        "You are already taking part in {program}. You can take part in one program at a time; "
        "ask its organizers if you need to change."
    ),
    "no_enrolment_in_progress": N_(
        "There is no enrolment in progress. Open your invite link again to start."
    ),
    "stale_step": N_("This button has expired. Please use the latest message."),
    "duration.bad_format": N_(
        "I can't read the duration {text}. Use for example 30m, 2h, 1d or 1w."
    ),
    "duration.not_positive": N_("A duration must be longer than zero."),
    "duration.too_long": N_("That duration is too long."),
    "number.not_a_number": N_(
        "{text} is not a number. Please write it with digits, for example 12."
    ),
    "number.out_of_range": N_(
        "Please give a whole number from {minimum} to {maximum}; {text} is not."
    ),
    "number.no_such_number": N_(
        "There is nothing with the number {text}. Please check the number I showed you."
    ),
}

from bot.features.feedback import texts as feedback_texts  # noqa: E402
from bot.features.groups import texts as groups_texts  # noqa: E402
from bot.features.moderation import texts as moderation_texts  # noqa: E402
from bot.features.pairs import texts as pairs_texts  # noqa: E402
from bot.features.rounds import texts as rounds_texts  # noqa: E402
from bot.features.sessions import texts as sessions_texts  # noqa: E402

for _area in (
    groups_texts,
    moderation_texts,
    sessions_texts,
    feedback_texts,
    rounds_texts,
    pairs_texts,
):
    MESSAGES.update(_area.ERROR_MESSAGES)

from bot.features.fairness import texts as fairness_texts  # noqa: E402

MESSAGES.update(fairness_texts.ERROR_MESSAGES)

UNEXPECTED_ERRORS_KEY = "unexpected_errors"
# The last unexpected failures, kept for inspection (tests fail on any); older ones are dropped so a
# bot that meets the same bug for months does not grow without bound. The count is a metric.
UNEXPECTED_ERRORS_KEPT = 100
RETRY = N_("Something went wrong on our side and nothing was saved. Please try again in a moment.")
UNEXPECTED = N_(
    "Sorry, something went wrong. Please try again; if it keeps happening, tell the organizers."
)


# Parts whose codes would otherwise collide ("bad_format" of a duration and of a date) are looked up
# as "<part>.<code>" first.
NAMESPACES: dict[type[BridgeError], str] = {
    DurationError: "duration",
    SchedulingError: "scheduling",
    AnonymityError: "anonymity",
    GroupingError: "grouping",
    ConductError: "conduct",
    StatisticsError: "statistics",
    NumberError: "number",
}


def _template(error: BridgeError) -> str | None:
    for cls, namespace in NAMESPACES.items():
        if isinstance(error, cls):
            found = MESSAGES.get(f"{namespace}.{error.code}")
            if found is not None:
                return found
    return MESSAGES.get(error.code)


def error_text(error: BridgeError) -> str:
    template = _template(error)
    if template is None:
        log.error("no message for domain error code %r", error.code)
        return _(UNEXPECTED)
    params = {k: v for k, v in error.params.items()}
    try:
        return _(template, **params)
    except (KeyError, IndexError):
        log.error("message for %r needs parameters that were not given: %r", error.code, params)
        return _(UNEXPECTED)


def unexpected_errors(bot_data: dict) -> deque[BaseException]:
    """The ring of the last ``UNEXPECTED_ERRORS_KEPT`` unexpected failures."""
    ring = bot_data.get(UNEXPECTED_ERRORS_KEY)
    if not isinstance(ring, deque) or ring.maxlen != UNEXPECTED_ERRORS_KEPT:
        ring = bot_data[UNEXPECTED_ERRORS_KEY] = deque(ring or (), maxlen=UNEXPECTED_ERRORS_KEPT)
    return ring


def _count(context: BridgeContext, kind: str) -> None:
    update_failed(kind)
    try:
        context.runtime.metrics.errors.labels(kind=kind).inc()
    except KeyError:  # an application without a runtime (never in the bot itself)
        pass


async def on_error(update: object, context: BridgeContext) -> None:
    """Never touches the database: it runs when the database may be the thing that failed."""
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=error)
        _count(context, "job")
        return
    set_locale(known_locale(update, context))
    if isinstance(error, BridgeError):
        update_failed("refused")  # a domain rule said no: the person is told why
        text = error_text(error)
    elif isinstance(error, Forbidden):
        log.info("cannot reach the person: %s", error)
        update_failed("unreachable")
        return
    elif isinstance(error, TelegramError):
        log.warning("Telegram refused a call: %s", error)
        _count(context, "telegram")
        text = _(RETRY)
    elif is_storage_failure(error):
        log.error("database failure while handling an update", exc_info=error)
        _count(context, "storage")
        text = _(RETRY)
    else:
        log.exception("unexpected failure while handling an update", exc_info=error)
        _count(context, "unexpected")
        # The person only sees the apology below.
        assert error is not None  # PTB calls the error handler with the error it caught
        unexpected_errors(context.bot_data).append(error)
        text = _(UNEXPECTED)
    if not isinstance(error, BridgeError) and not expects_answer(update):
        return  # a passive step failed (a filter on a plain group message): nobody asked anything
    if not first_failure_of_update(update):
        return  # several handlers of one update met the same outage: one apology is enough
    try:
        await _tell(update, text)
    except TelegramError:
        log.warning("could not tell the person about the failure", exc_info=True)


def expects_answer(update: Update) -> bool:
    """Whether the person did something that waits for an answer: a button press, a command, or
    anything written to the bot in private."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    return (message.text or "").startswith("/")


async def _tell(update: Update, text: str) -> None:
    """A message gets a reply; a button press an alert, or, when the handler had answered the
    press before failing (Telegram refuses a second answer), a message in that chat."""
    query = update.callback_query
    if query is None:
        await reply(update, text)
    elif not await answer_once(query, text[:200], show_alert=True) and update.effective_chat:
        await update.effective_chat.send_message(text)
