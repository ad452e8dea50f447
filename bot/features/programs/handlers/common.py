"""What the organizer commands share: conversation states and callback actions."""

from __future__ import annotations

NAME, SIDES, LANGUAGES, ZONE, CONDUCT, GOALS = range(6)
NEW = "newprogram"
INVITE = "iv"
