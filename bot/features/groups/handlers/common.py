"""What the group handlers share: callback actions, limits, the administrators, small texts."""

from __future__ import annotations

import logging
import re

from telegram import User

from bot.context import BridgeContext
from bot.i18n import _

log = logging.getLogger(__name__)

# Callback actions (signed; see bot/handlers/callbacks.py).
CHOOSE_PROGRAM, RERUN, CONFIRM = "Gfp", "Gfs", "Gok"
LIST_PROGRAM, MOVE, MOVE_CANCEL, PLACE = "Gls", "Gmv", "Gmx", "Gpl"

MAX_PREVIEW_GROUPS = 12
MAX_TEXT = 3900
# Approving a join request: how often to try, and how long to wait between tries (seconds).
APPROVE_ATTEMPTS = 3
APPROVE_RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0)
MAX_RETRY_AFTER = 10.0
SIZE_RANGE = re.compile(r"^(\d{1,4})\s*[-–—]\s*(\d{1,4})$")


def _admin_ids(context: BridgeContext) -> frozenset[int]:
    return context.settings.admin_ids


def _who(user: User) -> str:
    if user.username:
        return _(
            "{name} (@{username}, id {id})", name=user.full_name, username=user.username, id=user.id
        )
    return _("{name} (id {id})", name=user.full_name, id=user.id)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
