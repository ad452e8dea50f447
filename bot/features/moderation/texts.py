"""Texts of the moderation part: the sentences its domain error codes turn into, in the reader's language."""

from __future__ import annotations

from bot.i18n import N_

ERROR_MESSAGES: dict[str, str] = {
    "group_not_bound": N_("This chat is not a dialogue group of any program yet."),
    "needs_moderator": N_("Only this group's moderators can do that."),
    "no_target": N_(
        "Whom do you mean? Reply to one of their messages with /{command}, or write /{command} @username "
        "(or their numeric id), optionally followed by a reason."
    ),
    "no_target_timed": N_(
        "Whom do you mean? Reply to one of their messages with /{command}, or write /{command} @username "
        "(or their numeric id), optionally followed by a duration such as 30m, 2h, 1d or 1w and a reason."
    ),
    "unknown_target": N_("I don't know {who}. Reply to one of their messages instead."),
    "target_is_bot": N_("I can't do that to myself."),
    "target_is_self": N_("You can't do that to yourself."),
    "target_is_moderator": N_(
        "{name} is a moderator or organizer here; bot commands don't apply to them."
    ),
    "target_is_admin": N_(
        "{name} is an administrator of this chat; I can't sanction administrators."
    ),
    "target_not_in_group": N_("{name} is not in this group."),
    "no_warnings": N_("{name} has no active warnings."),
    "not_banned": N_("{name} is not banned here."),
    "del_needs_reply": N_("Reply with /del to the message you want to delete."),
    "message_gone": N_("That message was already deleted."),
    "report_needs_reply": N_(
        "To report a message, reply to it with /report, optionally followed by a reason."
    ),
    "report_bot_message": N_(
        "My own messages can't be reported. Reply /report to the message you mean."
    ),
    "report_own_message": N_("You can't report your own message."),
    "report_rate_limited": N_(
        "You have sent {count} reports in the last hour. Please wait a little before reporting again; "
        "the moderators are looking at the earlier ones."
    ),
    "report_gone": N_("This report no longer exists."),
    "nothing_to_appeal": N_("There is nothing to appeal here."),
    "appeal_not_needed": N_("This sanction has already been lifted; there is nothing to appeal."),
    "appeal_too_late": N_("Sanctions can be appealed for 30 days; this one is older."),
    "appeal_exists": N_(
        "You have already appealed this sanction. You will hear back once it is decided."
    ),
    "appeal_empty": N_("Please write a few words about why the sanction should be lifted."),
    "not_a_reviewer": N_("This appeal goes to other moderators; you can't decide it."),
    "unknown_setting": N_("Unknown setting {setting}."),
    "missing_right": N_(
        'I could not do that: I need the administrator right "{right}" in this group. Please ask the '
        "group's owner to give it to me. The failure is recorded in the moderation log."
    ),
    "telegram_flood": N_(
        "Telegram is limiting how fast I can act right now, and the action did not go through after "
        "several tries. It is recorded in the moderation log; please try again in a minute."
    ),
    "telegram_refused": N_("Telegram refused the action. It is recorded in the moderation log."),
    # Conduct rule errors (program settings from the command line).
    "bad_step": N_("The escalation ladder has a step I can't read: {step}."),
    "empty_ladder": N_("The escalation ladder needs at least one step."),
    "bad_expiry": N_("Warnings must expire after a positive time."),
    "bad_flood_limit": N_("A flood limit needs at least one message and a positive time window."),
    "bad_domain": N_("{domain} is not a domain name."),
    "empty_term": N_("The blocked term on line {line} ({language}) is empty once folded."),
    "term_too_short": N_("The blocked term {term} on line {line} ({language}) is too short."),
    "unknown_language": N_("There is no blocked-term list for the language {language}."),
    # Editing a program's rule set (/conduct, `bridgebot rules`) and a group's allowed sites.
    "bad_setting_value": N_("The value of the setting {setting} has the wrong type."),
    "expiry_whole_days": N_(
        "Warnings count for whole days: send for example 30d or 4w, from 1 day to {maximum} days."
    ),
    "bad_rate": N_(
        "I can't read the limit {text}. Write it as messages/seconds, for example 5/10s."
    ),
    "rate_out_of_range": N_(
        "A limit must be between 1 and {max_count} messages within 1 to {max_seconds} seconds."
    ),
    "bad_link_mode": N_("The link policy must be allow, deny or allowlist."),
    "bad_switch": N_("Please answer yes or no."),
    "too_many_domains": N_("At most {limit} allowed sites, please."),
    "term_too_long": N_(
        "The blocked term on line {line} is too long; a term can have at most {limit} characters."
    ),
    "too_many_terms": N_(
        "A program can have at most {limit} blocked terms of its own in one language."
    ),
    "no_terms": N_("Name at least one term, for example: add ru term1, term2"),
    "bad_terms_command": N_(
        "Start with add, remove or list and the language code, for example: add ru term1, term2"
    ),
    "terms_file_unreadable": N_(
        "I can only read a plain-text .txt file in UTF-8 of at most {limit} KB, one term per line."
    ),
    "terms_file_caption": N_(
        "Write the language code as the file's caption, for example ru (or remove ru to remove "
        "the terms)."
    ),
}

# Commands this part adds to /help and to the command menus: (command, N_(short description)).
PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("appeal", N_("appeal a sanction")),
)  # private chat, everyone enrolled
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = (
    ("warn", N_("warn a participant (reply or @username)")),
    ("unwarn", N_("withdraw a participant's latest warning")),
    ("warns", N_("a participant's active warnings")),
    ("mute", N_("mute a participant, e.g. /mute 1h reason")),
    ("unmute", N_("let a muted participant write again")),
    ("kick", N_("remove a participant from the group")),
    ("ban", N_("ban a participant, e.g. /ban 1d reason")),
    ("unban", N_("lift a ban")),
    ("del", N_("delete the replied message")),
    ("modlog", N_("recent moderation actions (sent privately)")),
    ("settings", N_("the group's filters, flood limits, links and languages")),
)  # shown to moderators
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("conduct", N_("edit the program's conduct rules")),
)  # private chat, organizers
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("rules", N_("the code of conduct")),
    ("report", N_("reply to a message to report it to the moderators")),
    ("transparency", N_("how moderation works here, with this month's numbers")),
)  # dialogue group chats

__all__ = ["ERROR_MESSAGES", "N_"]
