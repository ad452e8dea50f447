"""Membership events: the bot's own status, members joining and leaving, join requests (the
entry gate) and basic groups becoming supergroups."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from telegram import ChatMember, ChatMemberUpdated, ChatPermissions, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.context import BridgeContext, runtime_of
from bot.features.groups import gate as groups_gate
from bot.features.groups.gate import missing_rights
from bot.features.groups.handlers.admin import _rights_of
from bot.features.groups.handlers.common import (
    APPROVE_ATTEMPTS,
    APPROVE_RETRY_DELAYS,
    MAX_RETRY_AFTER,
    _admin_ids,
    _who,
    log,
)
from bot.features.groups.handlers.invitations import deliver_invitations
from bot.features.groups.service import Recipient
from bot.features.groups.texts import rights_list
from bot.handlers.texts import group_label
from bot.i18n import _, use_locale
from bot.jobs.notifier import Message, send_once
from bot.rate_limits import retry_after_seconds

# ---- membership events -----------------------------------------------------------------------------


def _in_chat(member: ChatMember) -> bool:
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)


async def _notify(
    application: Application,
    recipients: Collection[Recipient],
    key: str | None,
    render,
    *,
    kind: str,
) -> None:
    """Tell each recipient in their language; with a key, at most once per key and recipient."""
    for recipient in recipients:
        if key is not None:
            await send_once(
                application,
                key=f"{key}:{recipient.person_id}",
                kind=kind,
                chat_id=recipient.person_id,
                locale=recipient.locale,
                render=lambda: Message(render()),
                person_id=recipient.person_id,
            )
            continue
        with use_locale(recipient.locale):
            text = render()
        try:
            await application.bot.send_message(recipient.person_id, text)
        except TelegramError:
            log.info("could not tell %s about a dialogue group event", recipient.person_id)


async def on_my_chat_member(update: Update, context: BridgeContext) -> None:
    """The bot's own status changed in a chat: record it; tell organizers what it lost."""
    changed = update.my_chat_member
    if changed is None or changed.chat.type == ChatType.PRIVATE:
        return
    await _record_bot_status(
        context.application, changed.chat.id, changed.new_chat_member, changed.chat.title
    )


async def _record_bot_status(
    application: Application, chat_id: int, member: ChatMember, title: str | None
) -> tuple[str, ...]:
    runtime = runtime_of(application)
    missing = missing_rights(member.status, _rights_of(member))
    async with runtime.db() as db:
        change = await groups_gate.record_bot_status(
            db, chat_id, member.status, missing, runtime.settings.admin_ids, title
        )
    if change is None or not change.lost:
        return missing
    label, program = change.group.name, change.program_name
    if change.new_status in ("left", "kicked"):

        def render() -> str:
            return _(
                "I was removed from the chat of dialogue group {group} ({program}). Until I am added back as "
                "an administrator, nobody can join it through me and its sessions cannot run.",
                group=label,
                program=program,
            )
    else:

        def render() -> str:
            return _(
                "In the chat of dialogue group {group} ({program}) I no longer have these administrator rights: "
                "{rights}. Please give them back.",
                group=label,
                program=program,
                rights=rights_list(missing),
            )

    await _notify(application, change.organizers, None, render, kind="group_bot_status")
    return missing


async def on_migrate(update: Update, context: BridgeContext) -> None:
    """A basic group became a supergroup: the binding moves to the new chat id."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if message.migrate_to_chat_id:
        old, new = chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, chat.id
    else:
        return
    async with context.db() as db:
        moved = await groups_gate.migrate_chat(db, old, new, chat.title)
    if moved is not None:
        # Links made for the old chat no longer work: members still outside get new ones.
        await deliver_invitations(context.application, moved.id)


async def _approve(application: Application, chat_id: int, user_id: int) -> tuple[str, str]:
    """Approve with retries on transient failures. Returns (outcome, error): outcome is ok, gone
    (no such request any more: handled already), rights (the bot may not) or failed."""
    error = ""
    for attempt in range(APPROVE_ATTEMPTS):
        try:
            await application.bot.approve_chat_join_request(chat_id, user_id)
            return "ok", ""
        except RetryAfter as exc:
            error = str(exc)
            await asyncio.sleep(min(retry_after_seconds(exc), MAX_RETRY_AFTER))
            continue
        except BadRequest as exc:
            text = exc.message.lower()
            if "hide_requester_missing" in text or "user_already_participant" in text:
                return "gone", ""
            if "admin_required" in text or "not enough rights" in text:
                return "rights", exc.message
            return "failed", exc.message
        except Forbidden as exc:
            return "rights", exc.message
        except TelegramError as exc:
            error = exc.message
        if attempt < APPROVE_ATTEMPTS - 1:
            await asyncio.sleep(APPROVE_RETRY_DELAYS[min(attempt, len(APPROVE_RETRY_DELAYS) - 1)])
    return "failed", error


async def on_join_request(update: Update, context: BridgeContext) -> None:
    """The gate: approve a participant assigned to this group who accepted the code of conduct;
    decline everyone else and tell the moderators who tried."""
    request = update.chat_join_request
    assert request is not None
    user, chat = request.from_user, request.chat
    application = context.application
    async with context.db() as db:
        verdict = await groups_gate.judge_join_request(
            db, chat.id, user.id, user.language_code, _admin_ids(context)
        )
    if verdict is None:
        return
    me = await context.bot.get_chat_member(chat.id, context.bot.id)
    missing = await _record_bot_status(application, chat.id, me, chat.title)
    name, day = verdict.group.name, context.clock().strftime("%Y%m%d")

    # Rendered inside each recipient's language, so the labels are made there too.
    def label() -> str:
        return group_label(name)

    def who() -> str:
        return _who(user)

    if missing:
        await _notify(
            application,
            verdict.moderators,
            f"gmiss:{verdict.group.id}:{','.join(missing)}:{day}",
            lambda: _(
                "{person} asked to join {group}, but I lack these administrator rights there: {rights}. "
                "Please give them to me so the group's entry and moderation work.",
                person=who(),
                group=label(),
                rights=rights_list(missing),
            ),
            kind="group_gate",
        )
    if verdict.approve:
        outcome, error = await _approve(application, chat.id, user.id)
        if outcome in ("ok", "gone"):
            return
        stamp = int(context.clock().timestamp())

        def failure() -> str:
            if outcome == "rights":
                return _(
                    "I could not let {person}, a participant of {group}, into the chat: I lack the "
                    "administrator right to {rights}. Please give it to me, or approve their join request by hand.",
                    person=who(),
                    group=label(),
                    rights=rights_list(("can_invite_users",)),
                )
            return _(
                "I could not let {person}, a participant of {group}, into the chat ({error}). Please approve "
                "their join request by hand.",
                person=who(),
                group=label(),
                error=error or "?",
            )

        await _notify(
            application,
            verdict.moderators,
            f"gfail:{verdict.group.id}:{user.id}:{stamp}",
            failure,
            kind="group_gate",
        )
        await _tell_requester(
            application,
            user.id,
            verdict.locale,
            lambda: _(
                "Your request to join the chat of {group} is waiting: something went wrong on Telegram's side. "
                "The moderators were told and will let you in.",
                group=label(),
            ),
        )
        return
    try:
        await context.bot.decline_chat_join_request(chat.id, user.id)
    except BadRequest as exc:
        if "hide_requester_missing" in exc.message.lower():
            return  # a duplicate of a request already declined
        log.warning("could not decline a join request: %s", exc)
    except TelegramError:
        log.warning("could not decline a join request", exc_info=True)
    reason = verdict.reason
    await _notify(
        application,
        verdict.moderators,
        f"gdecl:{verdict.group.id}:{user.id}:{day}",
        lambda: (
            _(
                "{person}, who was removed from {group}, asked to join again; I declined.",
                person=who(),
                group=label(),
            )
            if reason == "removed"
            else _(
                "{person}, a participant of another group, asked to join {group}; I declined.",
                person=who(),
                group=label(),
            )
            if reason == "other_group"
            else _(
                "{person} asked to join {group} but is not one of its participants; I declined.",
                person=who(),
                group=label(),
            )
        ),
        kind="group_gate",
    )
    await _tell_requester(
        application,
        user.id,
        verdict.locale,
        lambda: _(
            "Your request to join this chat was declined: it is only for the participants assigned to "
            "dialogue group {group}. If you think this is a mistake, please contact the organizers.",
            group=label(),
        ),
    )


async def _tell_requester(application: Application, user_id: int, locale: str, render) -> None:
    with use_locale(locale):
        text = render()
    try:
        await application.bot.send_message(user_id, text)
    except TelegramError:
        log.info("could not write to join requester %s", user_id)


async def _remove_from_chat(application: Application, chat_id: int, user_id: int) -> str | None:
    """Take someone out of a chat without a lasting ban (they may come back through the gate).
    Returns None when done, else Telegram's error."""
    try:
        await application.bot.ban_chat_member(chat_id, user_id)
    except TelegramError as exc:
        return exc.message
    try:
        await application.bot.unban_chat_member(chat_id, user_id, only_if_banned=True)
    except TelegramError:
        log.info("could not lift the removal ban of %s in %s", user_id, chat_id)
    return None


async def on_chat_member(update: Update, context: BridgeContext) -> None:
    """Someone joined or left a dialogue group's chat."""
    changed: ChatMemberUpdated | None = update.chat_member
    if changed is None or changed.chat.type == ChatType.PRIVATE:
        return
    member = changed.new_chat_member.user
    if member.id == context.bot.id:
        return
    was_in, is_in = _in_chat(changed.old_chat_member), _in_chat(changed.new_chat_member)
    chat_id = changed.chat.id
    if was_in and not is_in:
        async with context.db() as db:
            await groups_gate.record_left(
                db, chat_id, member.id, removed=changed.from_user.id != member.id
            )
        return
    if was_in or not is_in:
        return
    async with context.db() as db:
        verdict = await groups_gate.judge_direct_join(db, chat_id, member.id, _admin_ids(context))
        if verdict is None or verdict.kind == "staff":
            return
        if verdict.kind == "assigned":
            await groups_gate.record_joined(db, chat_id, member.id, context.clock())
            return
    await _turn_away(context, changed, verdict)


async def _turn_away(
    context: BridgeContext, changed: ChatMemberUpdated, verdict: groups_gate.DirectJoinVerdict
) -> None:
    """Someone who is not a participant of this group got in: silence them at once, then remove them."""
    member, actor, chat_id = changed.new_chat_member.user, changed.from_user, changed.chat.id
    bot = context.bot
    if changed.chat.type == ChatType.SUPERGROUP:
        try:
            await bot.restrict_chat_member(chat_id, member.id, ChatPermissions.no_permissions())
        except TelegramError:
            log.info("could not restrict %s in %s", member.id, chat_id)
    error = await _remove_from_chat(context.application, chat_id, member.id)
    name, by_someone = verdict.group.name, actor.id != member.id
    stamp = int(context.clock().timestamp())

    def render() -> str:
        label, who = group_label(name), _who(member)
        by = _who(actor) if by_someone else None
        if error is not None:
            return _(
                "{person} got into {group} (added by {by}) but is not one of its participants, and I could not "
                "remove them ({error}). They are restricted where I could; please remove them by hand.",
                person=who,
                group=label,
                by=by or who,
                error=error,
            )
        if by is not None:
            return _(
                "{person} was added to {group} by {by} but is not one of its participants, so I removed them. "
                "Participants join with the personal link I send them.",
                person=who,
                group=label,
                by=by,
            )
        return _(
            "{person} joined {group} without a join request and is not one of its participants, so I removed them.",
            person=who,
            group=label,
        )

    await _notify(
        context.application,
        verdict.moderators,
        f"gout:{verdict.group.id}:{member.id}:{stamp}",
        render,
        kind="group_gate",
    )
