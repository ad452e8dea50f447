"""What participants and organizers read about fairness (rendered inside the reader's locale)."""

from __future__ import annotations

from datetime import datetime

from bot.features.moderation.service import BAN, DELETE, KICK, MUTE, WARN
from bot.i18n import N_, _, format_date, format_number, zone
from bot.services.fairness import Alert, GroupMonth

# Translated errors of the fairness and goals settings (merged by bot/handlers/errors.py).
ERROR_MESSAGES = {
    "goal_unknown": N_("There is no goal {kind}; the goals are: {choices}."),
    "goal_bad_target": N_("The target of {kind} must be from {low} to {high}."),
    "goal_bad_hours": N_(
        "Hours belong only to appeals_answered, as a whole number from 1 to 720 (not {hours})."
    ),
    "fairness_bad_ratio": N_("The alert ratio must be a number from {low} to {high}."),
}

# The kinds of action a group is told about, in the order of the ladder.
KIND_LABELS = {
    WARN: N_("warnings"),
    MUTE: N_("mutes"),
    KICK: N_("removals"),
    BAN: N_("bans"),
    DELETE: N_("messages deleted by a moderator"),
}


def banded(n: int, k: int) -> str:
    """A count of private events (appeals) as a group may read it: 0, or at least k, else vague."""
    if n == 0 or n >= k:
        return format_number(n)
    return _("fewer than {k}", k=format_number(k))


def actions_line(month: GroupMonth) -> str:
    if not month.total:
        return _("No moderation actions so far.")
    kinds = ", ".join(
        _("{label}: {n}", label=_(label), n=format_number(month.actions[kind]))
        for kind, label in KIND_LABELS.items()
        if month.actions.get(kind)
    )
    return _("Moderation actions: {n} ({kinds}).", n=format_number(month.total), kinds=kinds)


def appeals_line(month: GroupMonth, k: int) -> str:
    return _(
        "Appeals decided: {decided}, of which upheld: {upheld}.",
        decided=banded(month.appeals_decided, k),
        upheld=banded(month.appeals_upheld, k),
    )


def since_line(month: GroupMonth, program_zone: str) -> str:
    start = month.month_start.astimezone(zone(program_zone)).date()
    return _("This month (since {date}):", date=format_date(start, width="long"))


def transparency(
    month: GroupMonth, *, k: int, program_zone: str, ladder: str, filters_on: bool
) -> str:
    return "\n".join(
        [
            _("⚖️ How this group is moderated"),
            _(
                "The rules: the code of conduct (/rules), the same for every member and every "
                "side. Repeated breaches climb this ladder: {ladder}.",
                ladder=ladder,
            ),
            _(
                "Automatic filters are on: they remove offensive words, floods and links that are not allowed."
            )
            if filters_on
            else _("Automatic filters are off: only moderators act."),
            "",
            since_line(month, program_zone),
            actions_line(month),
            appeals_line(month, k),
            "",
            _(
                "No person is named here. Every sanction can be appealed: the bot's private "
                "message about it has an Appeal button. Appeal counts below {k} are not given "
                "exactly.",
                k=format_number(k),
            ),
        ]
    )


def closing_note(month: GroupMonth, *, k: int) -> str:
    """The short line a session's closing message carries."""
    if not month.total:
        core = _("No moderation actions this month.")
    else:
        core = _(
            "Moderation actions this month: {n}; appeals upheld: {upheld}.",
            n=format_number(month.total),
            upheld=banded(month.appeals_upheld, k),
        )
    return "⚖️ " + core + " " + _("How moderation works here: /transparency")


def alert(alert: Alert, *, now: datetime) -> str:
    del now
    return "\n".join(
        [
            _(
                "⚖️ {program}: this month, members from {high} have been sanctioned {ratio} times "
                "as often per message as members from {low}, beyond the program's threshold of "
                "{threshold} times.",
                program=alert.program_name,
                high=alert.disparity.high,
                low=alert.disparity.low,
                ratio=format_number(round(alert.disparity.ratio, 1)),
                threshold=format_number(alert.threshold),
            ),
            _(
                "You are told once a month at most. The figures per side are in /report once the "
                "week has ended, and every action is in the moderation log (/modlog)."
            ),
        ]
    )
