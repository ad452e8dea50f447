"""Carrying moderation out in the chat: delete, mute, remove, ban and their undoing, with retries.

Every call goes through ``attempt``: a flood error (RetryAfter) is waited out and retried a few
times (bot/rate_limits.py already retries in production; this also covers the case where its
retries ran out, and apps built without it), and every refusal ends as an ``ActionFailed`` naming what went
wrong (which admin right is missing, flood, the message is gone) so the caller records it in the
log and tells the moderators. Nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from telegram import Bot, ChatPermissions
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.rate_limits import retry_after_seconds

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ATTEMPTS = 4
MAX_WAIT = 60.0
# Tests replace this to wait without sleeping.
SLEEP: Callable[[float], Awaitable[Any]] = asyncio.sleep

RIGHT_DELETE = "can_delete_messages"
RIGHT_RESTRICT = "can_restrict_members"


class ActionFailed(Exception):
    """``code``: missing_right (``right`` says which), flood, gone (message/person), refused."""

    def __init__(self, code: str, *, right: str | None = None, detail: str = "") -> None:
        super().__init__(code, right, detail)
        self.code = code
        self.right = right
        self.detail = detail

    @property
    def log_text(self) -> str:
        if self.code == "missing_right":
            return f"missing_right:{self.right}"
        return f"{self.code}:{self.detail}"[:200]


def _classify(error: TelegramError, right: str | None) -> ActionFailed:
    text = str(error).lower()
    if (
        "not enough rights" in text
        or "admin_required" in text
        or "need administrator rights" in text
        or ("rights" in text and "administrator" in text)
    ):
        return ActionFailed("missing_right", right=right, detail=str(error))
    if isinstance(error, Forbidden):
        # Kicked from the chat or no longer a member: every right is gone at once.
        return ActionFailed("missing_right", right=right, detail=str(error))
    if (
        "message to delete not found" in text
        or "message can't be deleted" in text
        or "message not found" in text
    ):
        return ActionFailed("gone", detail=str(error))
    if "user is an administrator" in text or "chat owner" in text:
        return ActionFailed("admin", detail=str(error))
    return ActionFailed("refused", detail=str(error))


async def attempt(call: Callable[[], Awaitable[T]], *, right: str | None) -> T:
    for number in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as error:
            if number == MAX_ATTEMPTS:
                raise ActionFailed("flood", detail=str(error)) from error
            wait = min(retry_after_seconds(error), MAX_WAIT)
            log.warning("flood limit hit; retrying in %.0f s (attempt %d)", wait, number)
            await SLEEP(wait)
        except (BadRequest, Forbidden) as error:
            raise _classify(error, right) from error
    raise AssertionError("unreachable")


async def delete(bot: Bot, chat_id: int, message_id: int) -> None:
    try:
        await attempt(lambda: bot.delete_message(chat_id, message_id), right=RIGHT_DELETE)
    except ActionFailed as failure:
        # Telegram says "message can't be deleted" both for a missing right and for a message
        # too old to delete: the bot's own rights tell which.
        if (
            failure.code == "gone"
            and "can't be deleted" in failure.detail
            and not await has_right(bot, chat_id, RIGHT_DELETE)
        ):
            raise ActionFailed(
                "missing_right", right=RIGHT_DELETE, detail=failure.detail
            ) from failure
        raise


async def has_right(bot: Bot, chat_id: int, right: str) -> bool:
    try:
        me = await attempt(lambda: bot.get_chat_member(chat_id, bot.id), right=None)
    except ActionFailed:
        return False
    if me.status == "creator":
        return True
    return me.status == "administrator" and bool(getattr(me, right, False))


async def mute(bot: Bot, chat_id: int, user_id: int, until: datetime | None) -> None:
    await attempt(
        lambda: bot.restrict_chat_member(
            chat_id, user_id, ChatPermissions.no_permissions(), until_date=until
        ),
        right=RIGHT_RESTRICT,
    )


async def unmute(bot: Bot, chat_id: int, user_id: int) -> None:
    chat = await attempt(lambda: bot.get_chat(chat_id), right=None)
    permissions = chat.permissions or ChatPermissions.all_permissions()
    await attempt(
        lambda: bot.restrict_chat_member(chat_id, user_id, permissions), right=RIGHT_RESTRICT
    )


async def ban(bot: Bot, chat_id: int, user_id: int, until: datetime | None) -> None:
    await attempt(
        lambda: bot.ban_chat_member(chat_id, user_id, until_date=until), right=RIGHT_RESTRICT
    )


async def unban(bot: Bot, chat_id: int, user_id: int) -> None:
    await attempt(
        lambda: bot.unban_chat_member(chat_id, user_id, only_if_banned=True), right=RIGHT_RESTRICT
    )


async def kick(bot: Bot, chat_id: int, user_id: int) -> None:
    """Remove without keeping out: ban, then lift the ban so an invite link lets them back."""
    await ban(bot, chat_id, user_id, None)
    await unban(bot, chat_id, user_id)


async def member_status(bot: Bot, chat_id: int, user_id: int) -> str | None:
    """The person's status in the chat, or None if Telegram would not say."""
    try:
        member = await attempt(lambda: bot.get_chat_member(chat_id, user_id), right=None)
    except ActionFailed:
        return None
    return member.status


async def admin_ids(bot: Bot, chat_id: int) -> frozenset[int]:
    try:
        admins = await attempt(lambda: bot.get_chat_administrators(chat_id), right=None)
    except (ActionFailed, TelegramError):
        return frozenset()
    return frozenset(member.user.id for member in admins)
