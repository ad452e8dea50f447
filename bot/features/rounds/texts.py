"""Texts of perspective rounds: error sentences, menu entries, the shipped prompts and the
Feeling-Heard scale's labels."""

from __future__ import annotations

from bot.i18n import N_

ERROR_MESSAGES: dict[str, str] = {
    "round_one_side": N_(
        "A perspective round needs members of at least two sides in this group, and this group "
        "has members of one side only."
    ),
    "round_running": N_("A perspective round is already running in this group."),
    "round_wrong_step": N_("This step of the round is over."),
    "round_not_yours": N_("This button is for someone else in the round."),
    "round_moderators_only": N_("Only this group's moderators can do that."),
    "round_no_teller": N_("Nobody is left who could tell in this round."),
    "round_no_listener": N_("Nobody of another side is left who could listen in this round."),
    "round_too_many_prompts": N_("A program can have at most {maximum} prompts for rounds."),
    "round_prompt_too_long": N_("A prompt can be at most {limit} characters long."),
    "round_bad_length": N_(
        "A telling lasts from {minimum} to {maximum} minutes, for example /round 5m."
    ),
}

MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = (
    ("round", N_("start a perspective round (one tells, one restates)")),
)
PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = ()
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = ()
GROUP_COMMANDS: tuple[tuple[str, str], ...] = ()

# Used when the program file gives no prompts of its own.
DEFAULT_PROMPTS: tuple[str, ...] = (
    N_("Tell about a moment when the conflict touched your life or the life of your family."),
    N_("What do you wish people on the other side knew about your community?"),
    N_("Tell about a place that matters to you, and why it matters."),
)

# The Feeling-Heard scale, 1 to 5.
SCALE_LABELS: dict[int, str] = {
    1: N_("1 · Not at all"),
    2: N_("2 · A little"),
    3: N_("3 · Partly"),
    4: N_("4 · Mostly"),
    5: N_("5 · Completely"),
}
