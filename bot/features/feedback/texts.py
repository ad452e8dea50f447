"""Texts of the feedback part: error sentences, the shipped survey items, scale and report labels.

The shipped items' wording is here as gettext messages, so every survey ships in every language;
organizers' own items carry their wording per language in the database instead.
"""

from __future__ import annotations

from bot.i18n import N_, _, current_locale

ERROR_MESSAGES: dict[str, str] = {
    "survey_gone": N_("This survey no longer exists."),
    "survey_not_invited": N_(
        "This survey is not for you: only the people who took part in that session can answer it."
    ),
    "survey_already_answered": N_("You have already answered this survey. Thank you!"),
    "survey_expired": N_(
        "This survey has closed, so answers are no longer accepted. Thank you anyway!"
    ),
    "survey_incomplete": N_(
        "Some answers are missing. Please start the survey again with /feedback."
    ),
    "survey_untranslated": N_(
        "The {kind} survey of {program} cannot start: the item {item} has no text in {language}."
    ),
    "survey_unknown_kind": N_(
        "Unknown survey {kind}: use post_session, pre_program or post_program."
    ),
    "survey_no_items": N_("A survey needs at least one item."),
    "survey_no_rating_items": N_("A survey needs at least one item that is not free text."),
    "survey_too_many_items": N_("A survey can have at most {maximum} items."),
    "survey_bad_key": N_("{key} is not a valid item key: use lowercase letters, digits and _."),
    "survey_duplicate_key": N_("Two items have the key {key}; each item needs its own."),
    "survey_bad_item_kind": N_(
        "Item {key}: unknown kind {kind} (use likert5, thermometer or text)."
    ),
    "survey_item_without_text": N_("Item {key} has no text in any language."),
    "survey_item_text_too_long": N_(
        "The text of item {key} is too long; the limit is {limit} characters."
    ),
    "survey_bad_reminder_delay": N_("The reminder delay must be between 10 minutes and 30 days."),
    "survey_bad_expiry": N_("Surveys must stay open between {minimum} and {maximum} days."),
    "survey_thresholds_fixed": N_(
        "The anonymity thresholds can no longer change: this program's session surveys have "
        "begun, and reports released with one threshold must not be compared with another."
    ),
    "k_too_small": N_(
        "The anonymity threshold cannot be {k}: it must be at least {minimum}, so that no answer can be "
        "traced back to a person."
    ),
    "report_unknown_scope": N_("That group or session is not part of this program."),
    "no_responses": N_("There are no answers yet."),
}

# Commands this part adds to /help and to the command menus: (command, N_(short description)).
PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = (("feedback", N_("answer your open surveys")),)
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = ()
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("report", N_("evaluation report of a program, group or session")),
    ("export", N_("evaluation report as CSV and HTML files")),
)
GROUP_COMMANDS: tuple[tuple[str, str], ...] = ()

TEXT_TOO_LONG = N_(
    "Your comment is {length} characters long; the limit is {limit}. Please shorten it and send it again."
)

# ---- the shipped survey items ----------------------------------------------------------------------

ITEM_TEXTS: dict[str, str] = {
    "felt_heard": N_("I felt heard."),
    # The teller's answer after a perspective round (bot/features/rounds), on a 1-5 scale.
    "round_heard": N_("As a teller in a perspective round, I felt understood by the listener."),
    "understood_other": N_("I understood the other side's view better."),
    "facilitator_fair": N_("The facilitator was fair."),
    "take_part_again": N_("I would take part again."),
    "comment": N_(
        "Is there anything else you would like to tell the organizers? Your comment is stored "
        "without your name; names, usernames, phone numbers, e-mail addresses and links are removed."
    ),
    "trust": N_("I trust people from the other side."),
    "perspective": N_("I try to understand how people from the other side see things."),
    "future_contact": N_("I would like to stay in contact with people from the other side."),
    "anxiety": N_("I feel anxious when I talk with people from the other side."),
    "thermometer": N_(
        "How warm or cold do you feel toward people from the other side? 0 is very cold, 100 is very warm."
    ),
    "program_comment": N_(
        "Is there anything else you would like to tell the organizers about the program? Your comment "
        "is stored without your name; names, usernames, phone numbers, e-mail addresses and links are removed."
    ),
}

# Translators: short labels for charts and tables (the shipped items; organizers' items use their own text).
ITEM_SHORT: dict[str, str] = {
    "felt_heard": N_("Felt heard"),
    "round_heard": N_("Felt understood in rounds"),
    "understood_other": N_("Understood the other side better"),
    "facilitator_fair": N_("Facilitator was fair"),
    "take_part_again": N_("Would take part again"),
}

# Translators: names of the measured scales in the evaluation report, as the research
# literature in your language names them (e.g. 'intergroup anxiety').
CONSTRUCT_LABELS: dict[str, str] = {
    "trust": N_("Trust toward the other side"),
    "perspective_taking": N_("Perspective taking"),
    "future_contact": N_("Willingness for future contact"),
    "intergroup_anxiety": N_("Intergroup anxiety"),
    "feeling_thermometer": N_("Feeling thermometer (0-100)"),
}

# Translators: the five answers of an agreement scale (research instrument): keep
# them symmetric and equally spaced, as the standard scale in your language words them.
LIKERT_LABELS: dict[int, str] = {
    1: N_("Strongly disagree"),
    2: N_("Disagree"),
    3: N_("Neither agree nor disagree"),
    4: N_("Agree"),
    5: N_("Strongly agree"),
}

# Translators: which survey, as an adjective-like label: 'the after-session survey'.
SURVEY_KIND_LABELS: dict[str, str] = {
    "post_session": N_("after-session"),
    "pre_program": N_("before-program"),
    "post_program": N_("after-program"),
}

# Translators: a participant's role in the program (a noun, capitalised as a label).
ROLE_LABELS: dict[str, str] = {
    "student": N_("Student"),
    "professional": N_("Professional"),
    "": N_("Not enrolled"),
}


def item_text(item, locale: str | None = None) -> str:
    """An item's wording in ``locale`` (default: the current reader's)."""
    loc = locale or current_locale()
    if item.texts:
        return item.texts.get(loc) or item.texts.get("en") or next(iter(item.texts.values()))
    template = ITEM_TEXTS.get(item.key)
    return _(template) if template else item.key


def item_label(item) -> str:
    """A short label for charts and tables, in the current reader's language."""
    if not item.texts and item.key in ITEM_SHORT:
        return _(ITEM_SHORT[item.key])
    if not item.texts and item.construct in CONSTRUCT_LABELS:
        return _(CONSTRUCT_LABELS[item.construct])
    return item_text(item)


def construct_label(construct: str, item=None) -> str:
    if construct in CONSTRUCT_LABELS and (item is None or not item.texts):
        return _(CONSTRUCT_LABELS[construct])
    return item_text(item) if item is not None else construct


def kind_label(kind: str) -> str:
    return _(SURVEY_KIND_LABELS[kind]) if kind in SURVEY_KIND_LABELS else kind


def role_name(role: str) -> str:
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def side_name(side: str) -> str:
    return side or _("No side")


__all__ = ["ERROR_MESSAGES", "N_"]
