"""Organizers edit a program's conduct rule set in private chat (/conduct); moderators edit their
group's allowed sites from /settings.

/conduct shows the program's rules in the organizer's language with a button per rule. Toggles act
at once; the others ask for a typed value (a ladder, a duration, "5/10s", domains, "add ru a, b")
answered in the same private chat, or a .txt document of blocked terms. Every change goes through
bot/features/moderation/rules.py (validated by the conduct domain, logged as a settings change) and
then marks the cached rules of the program's groups stale, so the next group message is checked by
the new rules. A bad value gets the translated error and changes nothing; the question stays open
so the organizer can send a corrected value (or /conduct to start over).

The handlers live in the modules of this package; this module exposes every name as before."""

from __future__ import annotations

from bot.features.moderation.rules_handlers.answers import (
    on_document,
    on_private_text,
)
from bot.features.moderation.rules_handlers.conduct import (
    conduct_command,
    on_button,
    show_panel,
)
from bot.features.moderation.rules_handlers.render import (
    AWAIT,
    CYCLE,
    CYCLE_KEYS,
    CYCLE_SETTINGS,
    EDIT,
    EDIT_KEYS,
    EXAMPLE_LADDER,
    GROUP_DOMAINS,
    LINK_LABELS,
    MAX_FILE_BYTES,
    MAX_MESSAGE,
    PICK,
    domains_line,
    forwards_line,
    ladder_text,
    links_line,
    panel_keyboard,
    panel_text,
    prompt,
    terms_line,
)
from bot.features.moderation.rules_handlers.sites import (
    BUTTONS,
    domains_button,
    on_group_domains_button,
    on_off,
    setting_state,
    settings_view,
)

# The part's names, as they were before it was split into modules.
__all__ = [
    "AWAIT",
    "BUTTONS",
    "CYCLE",
    "CYCLE_KEYS",
    "CYCLE_SETTINGS",
    "EDIT",
    "EDIT_KEYS",
    "EXAMPLE_LADDER",
    "GROUP_DOMAINS",
    "LINK_LABELS",
    "MAX_FILE_BYTES",
    "MAX_MESSAGE",
    "PICK",
    "conduct_command",
    "domains_button",
    "domains_line",
    "forwards_line",
    "ladder_text",
    "links_line",
    "on_button",
    "on_document",
    "on_group_domains_button",
    "on_off",
    "on_private_text",
    "panel_keyboard",
    "panel_text",
    "prompt",
    "setting_state",
    "settings_view",
    "show_panel",
    "terms_line",
]
