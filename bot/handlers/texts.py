"""Texts shared by several handlers (labels, the default code of conduct)."""

from __future__ import annotations

from bot.i18n import N_, _


def group_label(name: str) -> str:
    """How a dialogue group is named to people, everywhere: groups formed by the bot are numbered
    ("1", "2"), and a bare number reads as nothing ("New session for 1"), so those read
    "Group 1"; a name an organizer chose is shown as it is."""
    return _("Group {name}", name=name) if name.isdigit() else name


ROLE_LABELS = {"student": N_("Student"), "professional": N_("Professional")}

DEFAULT_CONDUCT = N_(
    "Code of conduct\n\n"
    "1. Speak for yourself and listen to understand. Everyone here is heard, from every side.\n"
    "2. Respect people even when you disagree with their views. No insults, slurs or dehumanising words.\n"
    "3. No threats, harassment or calls to violence, in any language.\n"
    "4. What others share here stays here: no screenshots or quotes outside the group without consent.\n"
    "5. No spam, flooding or advertising.\n"
    "6. Moderators apply the same published steps to everyone: warning, warning, a 1-hour mute, "
    "a 24-hour mute, removal. Every sanction is logged and can be appealed."
)

PRIVACY = N_(
    "What Bridgebot stores and why\n\n"
    "• Your Telegram id, name and username: to know who you are and to address you.\n"
    "• Your language and time zone: to write to you in your language and at your local time.\n"
    "• Your program, side and role: to place you in a balanced dialogue group.\n"
    "• Moderation records about you, if any: so that sanctions are fair and can be appealed.\n"
    "• Feedback answers are stored without your name or id and cannot be traced back to you; "
    "reports only show groups of several answers.\n\n"
    "Messages in groups are not stored; only counts (how many messages and words) during sessions.\n"
    "Use /forgetme to erase everything that names you."
)


def role_label(role: str | None) -> str:
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else ""
