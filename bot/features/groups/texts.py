"""Texts of the groups part: the sentences its domain error codes turn into, in the reader's language."""

from __future__ import annotations

from bot.i18n import N_, _

ERROR_MESSAGES: dict[str, str] = {
    # formation (codes from bot.domain.grouping.GroupingErrorCode)
    "bad_size_range": N_(
        "A group size range of {min_size} to {max_size} cannot work: the smallest size must be at least 2 "
        "and not larger than the largest. Example: /formgroups 8-12"
    ),
    "too_few_participants": N_(
        "Only {participants} participants are enrolled: too few for even one group of at least {min_size}. "
        "Invite more people or choose a smaller size, e.g. /formgroups 4-6."
    ),
    "empty_side": N_(
        "Nobody is enrolled on the {side} side yet, so no group could be balanced. Invite people from every "
        "side first."
    ),
    "duplicate_member": N_(
        "A participant appears twice; nothing was changed. Please tell the administrators."
    ),
    "groups_exist": N_(
        "{program} already has dialogue groups; nothing was changed. Use /groups to see them and "
        "/groups move to move someone."
    ),
    "roster_changed": N_(
        "Enrolments changed since this preview, so nothing was created. Run /formgroups again to see the "
        "groups as they would be now."
    ),
    # binding
    "link_unknown_code": N_(
        "There is no dialogue group with the code {code}. Check the code in /groups."
    ),
    "link_other_program": N_(
        "That code belongs to a program you do not organize; nothing was changed."
    ),
    "link_code_used": N_(
        "That code was already used: group {group} is linked to the chat {chat}. Each code links one chat."
    ),
    "chat_already_bound": N_(
        "This chat is already dialogue group {group} of {program}; nothing was changed."
    ),
    "link_in_private": N_(
        "Send /link CODE inside the Telegram group you want to link, after adding me there as an administrator."
    ),
    "link_usage": N_("Usage: /link CODE (the code is shown in /groups)."),
    # moves and moderators
    "group_unknown": N_(
        "There is no dialogue group {ref}. /groups shows the codes of your groups."
    ),
    "move_not_assigned": N_("That person is not in any dialogue group yet."),
    "move_other_program": N_(
        "That group belongs to another program; people can only move between groups of their own program."
    ),
    "move_same_group": N_("That person is already in group {group}."),
    "move_stale": N_("This person was moved in the meantime; nothing was changed. Check /groups."),
    "not_a_dialogue_group": N_("This chat is not a dialogue group. Link it first with /link CODE."),
}

USAGE_MODERATOR = N_(
    "Usage: /moderator add @user or /moderator remove @user in the group (or as a reply to their message); "
    "in private chat add the group's code: /moderator add @user CODE"
)
USAGE_GROUPS = N_(
    "Usage: /groups [program], or /groups move @user CODE to move someone into another group."
)
USAGE_FORMGROUPS = N_(
    "Usage: /formgroups [program] [min-max] [tracks], for example /formgroups 8-12 tracks"
)

RIGHT_LABELS = {
    "can_delete_messages": N_("delete messages"),
    "can_restrict_members": N_("restrict and ban members"),
    "can_invite_users": N_("invite users"),
    "can_pin_messages": N_("pin messages"),
}


def rights_list(rights: tuple[str, ...] | list[str]) -> str:
    """The missing rights named in the reader's language, in a stable order."""
    return ", ".join(_(RIGHT_LABELS[r]) for r in rights if r in RIGHT_LABELS)


# Commands this part adds to /help and to the command menus: (command, N_(short description)).
PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = ()  # private chat, everyone enrolled
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = ()  # shown to moderators
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("formgroups", N_("form balanced dialogue groups")),
    ("groups", N_("your dialogue groups, moves")),
    ("moderator", N_("add or remove a group moderator")),
)
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("link", N_("link this chat to a dialogue group (organizers)")),
)

__all__ = ["ERROR_MESSAGES", "N_"]
