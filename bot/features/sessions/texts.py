"""Texts of the sessions part: the sentences its domain error codes turn into, in the reader's language."""

from __future__ import annotations

from bot.i18n import N_

ERROR_MESSAGES: dict[str, str] = {
    # who may do it
    "needs_group_moderator": N_(
        "Only this group's moderators and the program's organizers can do that."
    ),
    "session_no_group": N_("This chat is not a dialogue group, so it has no sessions."),
    "unknown_session": N_(
        "There is no session number {session}. /sessions lists the ones you can change."
    ),
    "unknown_group": N_("That dialogue group no longer exists."),
    "session_usage": N_(
        "Usage: /reschedule NUMBER DATE TIME, /editsession NUMBER title TEXT, /editsession NUMBER length 2h, "
        "or /cancelsession NUMBER. /sessions shows the numbers."
    ),
    # typed dates, times and lengths
    "bad_datetime": N_(
        "I can't read {text} as a date and time. Write it like 10.03.2026 19:00 or 2026-03-10 19:00."
    ),
    # The scheduling domain's own code for the same thing (the CLI shows it without re-coding).
    "scheduling.bad_format": N_(
        "I can't read {text} as a date and time. Write it like 10.03.2026 19:00 or 2026-03-10 19:00."
    ),
    "bad_time": N_(
        "{text} is not a time of day: hours go from 00 to 23 and minutes from 00 to 59."
    ),
    "bad_date": N_("There is no such day: {text}."),
    "in_past": N_(
        "That time has already passed ({start_utc}). Please choose a time in the future."
    ),
    "end_before_start": N_("The end must come after the start."),
    "bad_duration": N_("A session lasts between 1 minute and 12 hours."),
    "bad_title": N_("A title needs between 1 and 200 characters."),
    "bad_agenda_minutes": N_(
        "Agenda item {index} needs a whole number of minutes between 1 and 1440."
    ),
    "agenda_too_long": N_(
        "The agenda takes {total_minutes} minutes, but the session lasts only {duration_minutes} minutes."
    ),
    "bad_agenda_line": N_(
        "I can't read line {line} of the agenda ({text}). End each line with its minutes, e.g. Welcome 10."
    ),
    "bad_recurrence": N_(
        "Sessions can repeat every 1 to 52 weeks, and a series needs at least one session."
    ),
    "no_recurrence_end": N_(
        "A repeating session needs an end: send how many sessions in all (for example 6) or the date of the last one."
    ),
    "too_many_occurrences": N_(
        "That makes {requested} sessions; a series can have at most {limit}."
    ),
    "overlap": N_(
        "That would overlap with this group's session from {existing_start_utc} to {existing_end_utc}. Choose another time."
    ),
    "bad_reminder_offset": N_(
        "Reminders can be sent between 1 minute and 14 days before a session."
    ),
    "no_reminder_offsets": N_("Send at least one time before the start, for example 24h, 1h."),
    "too_many_reminders": N_("A program can have at most {limit} reminders before each session."),
    # a session's state
    "session_ended": N_("That session has already ended and can no longer be changed."),
    "session_running": N_(
        "That session is running now. Close it with /close in the group instead."
    ),
    "session_cancelled": N_("That session was cancelled."),
    "no_open_session": N_("No session is open in this group right now."),
    "no_upcoming_session": N_("This group has no upcoming session to open."),
    "session_already_open": N_("A session is already open in this group."),
    "agenda_finished": N_(
        "That was the last agenda item. Close the session with /close when you are done."
    ),
    # finding a time
    "unknown_poll": N_("That poll no longer exists."),
    "poll_closed": N_("This poll is closed; the time has been chosen."),
    "not_in_group": N_("You are not a member of this group."),
    "no_members": N_("This group has no members to ask yet."),
    "no_slots": N_("I could not find any time to propose in the next days."),
    "slot_in_past": N_("One of the proposed times has already passed."),
}

# Commands this part adds to /help and to the command menus: (command, N_(short description)).
PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("schedule", N_("your upcoming sessions")),
    ("calendar", N_("your sessions as a calendar file")),
)
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = (
    ("newsession", N_("plan a session")),
    ("sessions", N_("sessions you can change")),
    ("reschedule", N_("move a session")),
    ("editsession", N_("rename a session or change its length")),
    ("cancelsession", N_("cancel a session")),
    ("open", N_("open the next session now")),
    ("close", N_("close the open session")),
    ("next", N_("move on to the next agenda item")),
    ("findtime", N_("ask members which times work")),
)
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("newsession", N_("plan a session")),
    ("sessions", N_("sessions you can change")),
    ("reminders", N_("when reminders go out before sessions")),
)
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("session", N_("the next session in everyone's local time")),
    ("agenda", N_("where the session is on its agenda")),
    ("hand", N_("ask for the floor")),
)

__all__ = ["ERROR_MESSAGES", "N_"]
