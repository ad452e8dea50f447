"""Tests act as Telegram users through `TgDriver`; every action waits until the bot has handled it.

Three ways to hand updates to the bot, one driver:
- "process" (default with an Application): `await application.process_update(...)`, then wait for
  the tasks it spawned. Server-generated follow-ups (chat_member after a ban, the service message
  after an approved join request, ...) are processed too, in order, before the action returns.
- "queue": updates wait in the fake's queue for the bot's getUpdates (HTTP / e2e); an action
  returns once the bot has fetched its update, so follow with `await tg.wait_for(...)`.
- "webhook": updates are POSTed to the webhook the bot set.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, ExtBot

from .fake_telegram import Call, FakeChat, FakeTelegram, FakeUser, SentMessage, update_type

# Smallest JPEG-looking payload for photo messages; the bot never decodes user photos here.
PLACEHOLDER_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_FOLLOW_UP_ROUNDS = 50


class HandlerError(AssertionError):
    """A handler raised while the application had no error handler of its own."""


class TgDriver:
    def __init__(
        self,
        fake: FakeTelegram,
        application: Application[Any, Any, Any, Any, Any, Any] | None = None,
        *,
        mode: str | None = None,
        allowed_updates: Iterable[str] | None = None,
        settle_timeout: float = 5.0,
        delivery_timeout: float = 10.0,
    ):
        self.fake = fake
        self.application = application
        self.mode = mode or ("process" if application is not None else "queue")
        if self.mode not in ("process", "queue", "webhook"):
            raise ValueError(f"unknown mode {self.mode!r}")
        if self.mode == "process" and application is None:
            raise ValueError("process mode needs the Application")
        # In process mode nothing polls, so the bot's allowed_updates must be stated here to apply.
        self.allowed_updates = frozenset(allowed_updates) if allowed_updates is not None else None
        self.settle_timeout = settle_timeout
        self.delivery_timeout = delivery_timeout
        self.errors: list[BaseException] = []
        self._fake_errors_seen = len(fake.internal_errors)
        if application is not None and self.mode == "process" and not application.error_handlers:
            # Without this PTB only logs a handler's exception and the test would pass silently.
            application.add_error_handler(self._capture_error)

    # -- messages ------------------------------------------------------------------------------

    async def say(
        self,
        user: FakeUser,
        chat: FakeChat,
        text: str,
        *,
        reply_to: SentMessage | None = None,
        forward_from: FakeUser | FakeChat | None = None,
        caption_photo: bool = False,
        entities: list[dict[str, Any]] | None = None,
    ) -> SentMessage:
        """`user` writes `text` in `chat` (a photo with that caption if `caption_photo`)."""
        message, _ = self.fake.user_message(
            user,
            chat,
            text,
            reply_to=reply_to,
            forward_from=forward_from,
            photo=PLACEHOLDER_JPEG if caption_photo else None,
            entities=entities,
        )
        await self._dispatch()
        return message

    async def start(self, user: FakeUser, payload: str | None = None) -> SentMessage:
        """`/start [payload]` in the private chat, as a t.me/<bot>?start=<payload> link sends it."""
        if payload is not None and not DEEP_LINK_PAYLOAD.match(payload):
            raise ValueError(
                f"Telegram deep links only carry [A-Za-z0-9_-]{{1,64}}, not {payload!r}"
            )
        text = "/start" if payload is None else f"/start {payload}"
        return await self.say(user, self.fake.private_chat(user), text)

    async def edit(self, user: FakeUser, message: SentMessage, new_text: str) -> SentMessage:
        edited, _ = self.fake.user_edit(user, message, new_text)
        await self._dispatch()
        return edited

    # -- buttons -------------------------------------------------------------------------------

    def buttons(self, message: SentMessage | None) -> list[str]:
        """The texts of the buttons currently under the message."""
        if message is None:
            raise AssertionError("there is no message to read buttons from")
        return message.buttons

    async def click(
        self, user: FakeUser, message: SentMessage | None, button_text: str
    ) -> dict[str, Any]:
        """Press the inline button whose text equals (else contains) `button_text`, sending its
        callback_data exactly as the bot put it on the wire."""
        if message is None:
            raise AssertionError("there is no message to click on")
        button = self._find_button(message, button_text)
        if "callback_data" not in button:
            kinds = sorted(set(button) - {"text"})
            raise AssertionError(f"button {button['text']!r} is not a callback button ({kinds})")
        return await self.press_raw(user, message, button["callback_data"])

    async def press_raw(self, user: FakeUser, message: SentMessage, data: str) -> dict[str, Any]:
        """Send a callback query with arbitrary (possibly forged or stale) data."""
        update = self.fake.user_callback(user, message, data)
        await self._dispatch()
        return update

    def callback_answer(self, update: Mapping[str, Any]) -> dict[str, Any] | None:
        """How the bot answered the callback query in `update` (None if it never answered)."""
        return self.fake.callback_answer(update["callback_query"]["id"])

    @staticmethod
    def _find_button(message: SentMessage, button_text: str) -> dict[str, Any]:
        buttons = [button for row in message.inline_keyboard for button in row]
        exact = [b for b in buttons if b.get("text") == button_text]
        if exact:
            return exact[0]
        partial = [b for b in buttons if button_text in b.get("text", "")]
        if len(partial) == 1:
            return partial[0]
        visible = [b.get("text") for b in buttons]
        if not partial:
            raise AssertionError(f"no button {button_text!r} under the message; buttons: {visible}")
        raise AssertionError(f"{button_text!r} matches several buttons: {visible}")

    # -- group life ----------------------------------------------------------------------------

    async def join_request(
        self, user: FakeUser, chat: FakeChat, invite_link: Any = None, *, bio: str | None = None
    ) -> dict[str, Any] | None:
        """`user` asks to join through a link needing approval (None: the bot isn't told)."""
        update = self.fake.user_join_request(user, chat, invite_link, bio=bio)
        await self._dispatch()
        return update

    async def join(
        self, user: FakeUser, chat: FakeChat, invite_link: Any = None
    ) -> list[dict[str, Any]]:
        updates = self.fake.user_joins(user, chat, invite_link=invite_link)
        await self._dispatch()
        return updates

    async def add_member(
        self, chat: FakeChat, user: FakeUser, by: FakeUser
    ) -> list[dict[str, Any]]:
        """`by` adds `user`: a new_chat_members service message and a chat_member update."""
        updates = self.fake.user_joins(user, chat, by=by)
        await self._dispatch()
        return updates

    async def leave(self, user: FakeUser, chat: FakeChat) -> list[dict[str, Any]]:
        updates = self.fake.user_leaves(user, chat)
        await self._dispatch()
        return updates

    async def member_update(
        self,
        chat: FakeChat,
        user: FakeUser,
        new_status: str,
        *,
        old_status: str | None = None,
        by: FakeUser | None = None,
        rights: Mapping[str, bool] | None = None,
        permissions: Mapping[str, bool] | None = None,
        until_date: int = 0,
    ) -> dict[str, Any] | None:
        """A human changes a member's status (chat_member; None when the bot isn't an admin)."""
        update = self.fake.change_member(
            chat,
            user,
            new_status,
            old_status=old_status,
            by=by,
            rights=rights,
            permissions=permissions,
            until_date=until_date,
        )
        await self._dispatch()
        return update

    async def bot_status(
        self,
        chat: FakeChat,
        new_status: str,
        *,
        old_status: str | None = None,
        rights: Mapping[str, bool] | None = None,
        by: FakeUser | None = None,
    ) -> dict[str, Any]:
        """Someone changes the bot's own status or rights (my_chat_member)."""
        update = self.fake.change_bot_status(
            chat, new_status, old_status=old_status, rights=rights, by=by
        )
        await self._dispatch()
        return update

    async def migrate(self, chat: FakeChat, by: FakeUser | None = None) -> FakeChat:
        new_chat = self.fake.migrate(chat, by)
        await self._dispatch()
        return new_chat

    async def react(
        self, user: FakeUser, message: SentMessage, emoji: str | list[str] | None
    ) -> dict[str, Any] | None:
        update = self.fake.user_reacts(user, message, emoji)
        await self._dispatch()
        return update

    async def block(self, user: FakeUser) -> dict[str, Any]:
        update = self.fake.block(user)
        await self._dispatch()
        return update

    async def unblock(self, user: FakeUser) -> dict[str, Any]:
        update = self.fake.unblock(user)
        await self._dispatch()
        return update

    async def flush(self) -> None:
        """Hand over any queued update (e.g. one the fake produced outside a driver action)."""
        await self._dispatch()

    # -- waiting and reading -------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 10.0,  # noqa: ASYNC109 - the brief's signature; tests read better so
    ) -> Any:
        """Poll `predicate()` until it returns something truthy; return that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.01)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors FakeTelegram.wait_for_call
        *,
        since: int = 0,
    ) -> Call:
        return await self.fake.wait_for_call(method, predicate, timeout, since=since)

    def private(self, user: FakeUser) -> FakeChat:
        return self.fake.private_chat(user)

    def last_text(self, chat: FakeChat) -> str | None:
        return self.fake.last_text(chat)

    def texts(self, chat: FakeChat) -> list[str]:
        return self.fake.texts(chat)

    def last_message(self, chat: FakeChat) -> SentMessage | None:
        return self.fake.last_message(chat)

    def calls(self, method: str | None = None) -> list[Call]:
        return self.fake.calls(method)

    # -- dispatch ------------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        if self.mode == "process":
            await self._process_queued()
        elif self.mode == "queue":
            await self._await_fetch()
        else:
            await self.fake.deliver_webhook()
        self._raise_fake_bugs()

    def _raise_fake_bugs(self) -> None:
        if len(self.fake.internal_errors) > self._fake_errors_seen:
            error = self.fake.internal_errors[self._fake_errors_seen]
            self._fake_errors_seen = len(self.fake.internal_errors)
            raise AssertionError(f"the fake Bot API itself failed: {error!r}") from error

    async def _process_queued(self) -> None:
        for _ in range(MAX_FOLLOW_UP_ROUNDS):
            updates = self.fake.take_updates()
            if not updates:
                return
            for data in updates:
                if (
                    self.allowed_updates is not None
                    and update_type(data) not in self.allowed_updates
                ):
                    self.fake.dropped_updates.append(data)
                    continue
                await self._process_one(data)
        raise AssertionError(f"updates kept coming after {MAX_FOLLOW_UP_ROUNDS} rounds")

    async def _process_one(self, data: dict[str, Any]) -> None:
        application = self.application
        assert application is not None
        update = Update.de_json(data, application.bot)
        bot = application.bot
        if isinstance(bot, ExtBot) and bot.callback_data_cache is not None:
            # PTB does this inside get_updates/the webhook handler; process_update does not.
            bot.insert_callback_data(update)
        errors_before = len(self.errors)
        tasks_before = asyncio.all_tasks()
        await application.process_update(update)
        await self._settle(tasks_before)
        if len(self.errors) > errors_before:
            error = self.errors[errors_before]
            raise HandlerError(
                f"handler failed on update {data['update_id']}: {error!r}"
            ) from error

    async def _settle(self, tasks_before: set[asyncio.Task[Any]]) -> None:
        """Wait for the tasks handling spawned (non-blocking handlers, create_task)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settle_timeout
        current = asyncio.current_task()
        while True:
            spawned = {
                task
                for task in asyncio.all_tasks()
                if task not in tasks_before and task is not current and not task.done()
            }
            remaining = deadline - loop.time()
            if not spawned or remaining <= 0:
                return
            await asyncio.wait(spawned, timeout=remaining)

    async def _await_fetch(self) -> None:
        last_id = self.fake.next_update_id() - 1
        deadline = time.monotonic() + self.delivery_timeout
        while not self.fake.handed_out(last_id):
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"the bot did not fetch update {last_id} within {self.delivery_timeout}s"
                )
            await asyncio.sleep(0.01)

    async def _capture_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            self.errors.append(context.error)
